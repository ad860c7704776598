// Resolver networks from deployments/*.json records.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networksFromDeployments } from "sigil-did/node";

describe("sdk: networks from deployments/", () => {
  it("reads each record, with localhost's default URL, env URLs, and skips networks without one", () => {
    const dir = mkdtempSync(join(tmpdir(), "sigil-dep-"));
    try {
      const record = (network: string, chainId: number) => ({
        contract: "SigilRegistry",
        network,
        chainId,
        address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
        blockNumber: 7,
      });
      writeFileSync(join(dir, "localhost.json"), JSON.stringify(record("localhost", 31337)));
      writeFileSync(join(dir, "gnosis-chiado.json"), JSON.stringify(record("gnosis-chiado", 10200)));
      writeFileSync(join(dir, "nowhere.json"), JSON.stringify(record("nowhere", 5)));
      process.env.SIGIL_RPC_URL_GNOSIS_CHIADO = "http://127.0.0.1:1, http://127.0.0.1:2";
      const networks = networksFromDeployments(dir);
      expect(networks).to.deep.equal([
        {
          name: "gnosis-chiado",
          chainId: 10200,
          registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
          fromBlock: 7n,
          rpcUrls: ["http://127.0.0.1:1", "http://127.0.0.1:2"],
        },
        {
          name: "localhost",
          chainId: 31337,
          registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
          fromBlock: 7n,
          rpcUrls: ["http://127.0.0.1:8545"],
        },
      ]);
      expect(networksFromDeployments(join(dir, "missing"))).to.deep.equal([]);
      // SIGIL_RPC_URL is localhost's URL, as in hardhat.config.ts; a named variable wins.
      process.env.SIGIL_RPC_URL = "http://127.0.0.1:9545";
      expect(networksFromDeployments(dir).find((n) => n.name === "localhost")?.rpcUrls).to.deep.equal(["http://127.0.0.1:9545"]);
      process.env.SIGIL_RPC_URL_LOCALHOST = "http://127.0.0.1:7545";
      expect(networksFromDeployments(dir).find((n) => n.name === "localhost")?.rpcUrls).to.deep.equal(["http://127.0.0.1:7545"]);
    } finally {
      delete process.env.SIGIL_RPC_URL_GNOSIS_CHIADO;
      delete process.env.SIGIL_RPC_URL;
      delete process.env.SIGIL_RPC_URL_LOCALHOST;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
