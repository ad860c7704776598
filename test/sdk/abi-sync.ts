// sdk/abi.ts is generated from the compiled contract; it must not drift from it.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ABI_FILE, renderAbiModule } from "../../scripts/gen-abi.ts";

describe("sdk/abi.ts", () => {
  it("matches the compiled SigilRegistry (run `npm run gen:abi` if not)", () => {
    const committed = readFileSync(ABI_FILE, "utf8");
    expect(committed).to.equal(renderAbiModule());
  });
});
