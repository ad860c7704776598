import { createSigilResolver, proveIdentity } from "sigil-did";
import { devChain } from "./test/support/dev-chain.ts";
import { startHardhatNode } from "./test/support/hardhat-node.ts";
import { writeChanges } from "./scripts/lib/verified-bench.ts";
const node = await startHardhatNode();
const post = async (body: unknown) => (await (await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as any;
const chain = devChain(node.url); const registry = await chain.deploySigil();
const id = await writeChanges(chain, registry, 10);
const rnd = () => `0x${[...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
const network = { chainId: 31337, name: "size", registry, rpcUrls: [node.url], verify: { k: 1, depth: 0 } };
const did = `did:sigil:size:${id.toLowerCase()}`;
for (const total of [0, 1000, 1000, 1000]) {
  for (let f = 0; f < total; f += 1000) await post(Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "hardhat_setStorageAt", params: [registry, rnd(), "0x" + "0".repeat(63) + "1"] })));
  await post({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] });
  const r = await createSigilResolver({ networks: [network], cache: false }).resolve(did);
  console.log(total, "resolve", r.didResolutionMetadata.error ?? "ok", (r.didResolutionMetadata as any).message?.slice(0, 100));
  try { await proveIdentity({ networks: [network], cache: false }, did); console.log("prove ok"); } catch (e) { console.log("prove ERR", String((e as any).details).slice(0, 150)); }
}
await node.stop();
