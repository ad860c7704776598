// README example "Resolve a DID": against a running `npx hardhat node` with the registry
// deployed by `npm run deploy` (deployments/localhost.json).
//   node_modules/.bin/node scripts/examples/resolve.ts [did]
import { Resolver } from "did-resolver";
import { getResolver } from "sigil-did";
import { networksFromDeployments } from "sigil-did/node";

const resolver = new Resolver(getResolver({ networks: networksFromDeployments() }));
const did = process.argv[2] ?? "did:sigil:localhost:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
console.log(JSON.stringify(await resolver.resolve(did), null, 2));
