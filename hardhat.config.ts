// Hardhat 3 configuration. Solidity compiles offline with the npm `solc` (WASM) build:
// Hardhat cannot download compilers on machines without internet, and an absolute
// path to soljson.js makes it use the installed one.
import { createRequire } from "node:module";
import { defineConfig, task } from "hardhat/config";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";

const require = createRequire(import.meta.url);

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks: [
    task("deploy-registry", "Deploys SigilRegistry and records it in deployments/<network>.json")
      .addFlag({ name: "redeploy", description: "Deploy anew even if a usable deployment is recorded" })
      .addFlag({ name: "write", description: "Record a deployment on the in-process chain too" })
      .setAction(() => import("./scripts/deploy-task.ts"))
      .build(),
  ],
  solidity: {
    profiles: {
      default: {
        version: "0.8.28",
        path: require.resolve("solc/soljson.js"),
        // 500 runs: registry 2.2 is 24,302 bytes, under EIP-170's 24,576-byte limit.
        settings: { optimizer: { enabled: true, runs: 500 }, evmVersion: "cancun" },
      },
    },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: process.env.SIGIL_RPC_URL ?? "http://127.0.0.1:8545" },
  },
  test: { mocha: { timeout: 60_000 } },
});
