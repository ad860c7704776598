// Deployment against a real `hardhat node` over HTTP: first run deploys and records, a second
// keeps the record, --redeploy replaces it, and a reset chain is noticed and redeployed.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, type Hex, type PublicClient, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { deployRegistry, deploymentFile, type DeployOptions } from "sigil-did/node";
import { DEV_PRIVATE_KEY, startHardhatNode, type HardhatNode } from "./support/hardhat-node.ts";

const artifactPath = join(import.meta.dirname, "..", "artifacts", "contracts", "SigilRegistry.sol", "SigilRegistry.json");

describe("deploying to a real hardhat node", function () {
  this.timeout(60_000);
  let node: HardhatNode;
  let dir: string;
  let options: DeployOptions;

  before(async () => {
    node = await startHardhatNode();
    dir = mkdtempSync(join(tmpdir(), "sigil-deployments-"));
    const { abi, bytecode } = JSON.parse(readFileSync(artifactPath, "utf8")) as { abi: unknown[]; bytecode: Hex };
    const transport = http(node.url);
    options = {
      wallet: createWalletClient({ account: privateKeyToAccount(DEV_PRIVATE_KEY as Hex), transport }) as WalletClient,
      publicClient: createPublicClient({ transport, pollingInterval: 50 }) as PublicClient,
      networkName: "localhost",
      artifact: { abi, bytecode },
      compiler: "solc 0.8.28",
      dir,
    };
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("deploys once, records it, keeps it, and redeploys only when asked", async () => {
    const first = await deployRegistry(options);
    expect(first.reused).to.equal(false);
    const onDisk = JSON.parse(readFileSync(deploymentFile(dir, "localhost"), "utf8"));
    expect(onDisk).to.deep.equal(first.record);
    expect(onDisk).to.include({
      contract: "SigilRegistry",
      version: "2.2.0",
      network: "localhost",
      chainId: 31337,
      compiler: "solc 0.8.28",
    });
    expect(onDisk.address).to.match(/^0x[0-9a-f]{40}$/);
    expect(onDisk.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(onDisk.blockNumber).to.be.greaterThan(0);
    const receipt = await options.publicClient.getTransactionReceipt({ hash: onDisk.transactionHash });
    expect(receipt.contractAddress?.toLowerCase()).to.equal(onDisk.address);

    const second = await deployRegistry(options);
    expect(second.reused).to.equal(true);
    expect(second.record).to.deep.equal(first.record);

    const third = await deployRegistry({ ...options, redeploy: true });
    expect(third.reused).to.equal(false);
    expect(third.record.address).to.not.equal(first.record.address);
  });

  it("notices a recorded address without the registry's code and deploys anew", async () => {
    const lines: string[] = [];
    const record = JSON.parse(readFileSync(deploymentFile(dir, "localhost"), "utf8"));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(deploymentFile(dir, "localhost"), JSON.stringify({ ...record, address: "0x000000000000000000000000000000000000dead" }));
    const result = await deployRegistry({ ...options, log: (l) => lines.push(l) });
    expect(result.reused).to.equal(false);
    expect(lines.join("\n")).to.include("no code at 0x000000000000000000000000000000000000dead");
  });
});
