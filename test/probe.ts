import { expect } from "chai";
import { network } from "hardhat";
const { ethers } = await network.connect();
describe("probe", () => { it("works", async () => { const p = await ethers.deployContract("Probe"); expect(await p.f()).to.equal(1n); }); });
