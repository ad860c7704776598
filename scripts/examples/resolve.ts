// README example "Resolve a DID": against a running `npx hardhat node` with the registry
// deployed by `npm run deploy` (deployments/localhost.json).
//   node scripts/examples/resolve.ts [did]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Resolver } from "did-resolver";
import { getResolver } from "../../sdk/index.ts";

const deployment = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "deployments", "localhost.json"), "utf8"));
const resolver = new Resolver(
  getResolver({
    networks: [
      {
        name: "localhost",
        chainId: deployment.chainId,
        registry: deployment.address,
        fromBlock: BigInt(deployment.blockNumber),
        rpcUrls: ["http://127.0.0.1:8545"], // more URLs here are tried in order when one fails
      },
    ],
  }),
);
const did = process.argv[2] ?? "did:sigil:localhost:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const result = await resolver.resolve(did);
console.log(JSON.stringify(result, null, 2));
