// Load on the resolver service, standalone: starts a `hardhat node` on 127.0.0.1, deploys the
// registry, gives a few identities a history, then drives `sigil serve` with autocannon in each
// scenario of scripts/lib/service-load.ts and prints the table (npm run bench includes it too).
//   npm run load [-- --requests 20000 --connections 32]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPublicClient, createWalletClient, http, parseEther, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { bytes32Name, sendOperation, serviceAttribute } from "../sdk/index.ts";
import { DEV_PRIVATE_KEY, startHardhatNode } from "./lib/hardhat-node.ts";
import { measureServiceLoad, renderLoad } from "./lib/service-load.ts";

const { values } = parseArgs({ options: { requests: { type: "string", default: "20000" }, connections: { type: "string", default: "32" } } });
const requests = Number(values.requests);
const connections = Number(values.connections);
if (!Number.isSafeInteger(requests) || requests < 1 || !Number.isSafeInteger(connections) || connections < 1) {
  throw new Error("--requests and --connections must be whole numbers >= 1");
}

const node = await startHardhatNode();
try {
  const publicClient = createPublicClient({ transport: http(node.url) }) as PublicClient;
  const dev = createWalletClient({ account: privateKeyToAccount(DEV_PRIVATE_KEY), transport: http(node.url) });
  const { abi, bytecode } = JSON.parse(readFileSync(join(import.meta.dirname, "../artifacts/contracts/SigilRegistry.sol/SigilRegistry.json"), "utf8"));
  const registry = (await publicClient.waitForTransactionReceipt({ hash: await dev.deployContract({ abi, bytecode, chain: null }) })).contractAddress!;
  const dids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const account = privateKeyToAccount(generatePrivateKey());
    dids.push(`did:sigil:bench:${account.address.toLowerCase()}`);
    if (i >= 10) continue; // 10 with a history of 3 changes, 90 without
    await publicClient.waitForTransactionReceipt({ hash: await dev.sendTransaction({ to: account.address, value: parseEther("1"), chain: null }) });
    const wallet = createWalletClient({ account, transport: http(node.url) });
    const target = { registry, publicClient };
    await sendOperation(wallet, target, { type: "setAttribute", identity: account.address, ...serviceAttribute("Messaging", `https://m${i}.example`), validity: 86_400n });
    await sendOperation(wallet, target, { type: "addDelegate", identity: account.address, delegateType: bytes32Name("sigAuth"), delegate: privateKeyToAccount(generatePrivateKey()).address, validity: 86_400n });
    await sendOperation(wallet, target, { type: "setAttribute", identity: account.address, ...serviceAttribute("Backup", `https://b${i}.example`), validity: 86_400n });
  }
  const rows = await measureServiceLoad({ rpcUrl: node.url, registry, chainId: await publicClient.getChainId(), dids }, { requests, connections });
  console.log(renderLoad(rows).join("\n"));
  if (rows.some((r) => r.errors > 0 || r.lost !== 0)) process.exitCode = 1;
} finally {
  await node.stop();
}
