// Load on the resolver service, standalone: starts a `hardhat node` on 127.0.0.1, deploys the
// registry, gives a few identities a history, then drives `sigil serve` with autocannon in each
// scenario of scripts/lib/service-load.ts and prints the table (npm run bench includes it too).
//   npm run load [-- --requests 20000 --connections 32]
import { parseArgs } from "node:util";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { bytes32Name, sendOperation, serviceAttribute } from "sigil-did";
import { devChain } from "../test/support/dev-chain.ts";
import { startHardhatNode } from "../test/support/hardhat-node.ts";
import { measureServiceLoad, renderLoad } from "./lib/service-load.ts";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "20000" }, connections: { type: "string", default: "32" } },
});
const requests = Number(values.requests);
const connections = Number(values.connections);
if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(connections) || connections < 1) {
  throw new Error("--requests and --connections must be whole numbers >= 1");
}

const node = await startHardhatNode();
try {
  const { publicClient, deploySigil, funded } = devChain(node.url);
  const registry = await deploySigil();
  const target = { registry, publicClient };
  const dids: string[] = [];
  for (let i = 0; i < 100; i++) {
    if (i >= 10) {
      dids.push(`did:sigil:bench:${privateKeyToAccount(generatePrivateKey()).address.toLowerCase()}`); // 90 without history
      continue;
    }
    const wallet = await funded(); // 10 with a history of 3 changes
    const account = wallet.account;
    dids.push(`did:sigil:bench:${account.address.toLowerCase()}`);
    await sendOperation(wallet, target, {
      type: "setAttribute",
      identity: account.address,
      ...serviceAttribute("Messaging", `https://m${i}.example`),
      validity: 86_400n,
    });
    await sendOperation(wallet, target, {
      type: "addDelegate",
      identity: account.address,
      delegateType: bytes32Name("sigAuth"),
      delegate: privateKeyToAccount(generatePrivateKey()).address,
      validity: 86_400n,
    });
    await sendOperation(wallet, target, {
      type: "setAttribute",
      identity: account.address,
      ...serviceAttribute("Backup", `https://b${i}.example`),
      validity: 86_400n,
    });
  }
  const rows = await measureServiceLoad(
    { rpcUrl: node.url, registry, chainId: await publicClient.getChainId(), dids },
    { requests, connections },
  );
  console.log(renderLoad(rows).join("\n"));
  if (rows.some((r) => r.errors > 0 || r.lost !== 0)) process.exitCode = 1;
} finally {
  await node.stop();
}
