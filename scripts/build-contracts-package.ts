// Fills contracts/build/ for the sigil-did-contracts package from Hardhat's artifacts: the
// registry's artifact (ABI, bytecode, compiler settings) and the interfaces' ABIs, as
// OpenZeppelin ships theirs. Run by `npm run build` after `hardhat compile`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "contracts", "build");
mkdirSync(out, { recursive: true });
for (const name of ["SigilRegistry", "ISigilRegistry", "ISigilRecovery", "IERC1056"]) {
  const artifact = JSON.parse(readFileSync(join(root, "artifacts", "contracts", `${name}.sol`, `${name}.json`), "utf8"));
  const { contractName, sourceName, abi, bytecode, deployedBytecode, linkReferences, deployedLinkReferences } = artifact;
  const record =
    name === "SigilRegistry"
      ? { contractName, sourceName, abi, bytecode, deployedBytecode, linkReferences, deployedLinkReferences }
      : { contractName, sourceName, abi };
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
}
