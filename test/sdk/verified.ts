// Verified resolution (issue 22) against a real `hardhat node`: every fact of a current document
// checked against a header that 2 of 3 endpoints agree on. The endpoint the resolver reads from
// lies, one lie at a time (test/support/lies.ts: the default mode's 45 and the proof and header
// lies), on the victim history of test/support/victim-history.ts; no lie may end in a wrong
// document, only in the correct one or a refusal naming what did not check. VERIFIED_TABLE=<file>
// writes the outcomes as markdown (docs/verified-resolution.md).
import { writeFileSync } from "node:fs";
import { expect } from "chai";
import { createPublicClient, http, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  createSigilResolver,
  decryptMessage,
  encryptMessage,
  generateKeyPair,
  publicKeyAttribute,
  sendOperation,
  signMessage,
  verifyMessage,
  watchDids,
  type SigilNetwork,
} from "sigil-did";
import { devChain } from "../support/dev-chain.ts";
import { checkedHeader } from "../../sdk/core/src/read/header.ts";
import { callStates } from "../../sdk/core/src/read/reader.ts";
import { readVerified } from "../../sdk/core/src/read/verified.ts";
import { startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { LIES, PROOF_LIES, tamperFor, type Lie } from "../support/lies.ts";
import { startRpcProxy, type RpcProxy } from "../support/rpc-proxy.ts";
import { randomAddress, rpc, writeHistory } from "../support/victim-history.ts";

describe("verified resolution: every fact checked against a header 2 of 3 endpoints agree on (real hardhat node)", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let registry: Address;
  let otherRegistry: Address;
  let victim: Address;
  let bystander: Address;
  const thief = randomAddress();
  const proxies: RpcProxy[] = [];
  const net = (urls: string[], extra: Partial<SigilNetwork> = {}): SigilNetwork => ({
    chainId: 31337,
    name: "local",
    registry,
    rpcUrls: urls,
    ...extra,
  });
  const did = (a: Address) => `did:sigil:local:${a.toLowerCase()}`;
  const proxy = async (lie?: Lie, identity = victim) => {
    const upstream = (method: string, params: unknown[]) => rpc(node.url, method, params);
    const tamper = lie ? tamperFor(lie, { upstream, registry, identity, thief, otherRegistry }) : undefined;
    const p = await startRpcProxy(node.url, { tamper });
    proxies.push(p);
    return p;
  };
  /** A resolver that reads from `reader` and trusts the header 2 of [reader, two honest endpoints] serve. */
  const verifying = async (reader: string) => {
    const [a, b] = [await proxy(), await proxy()];
    return createSigilResolver({ networks: [net([reader, a.url, b.url], { verify: { k: 2 } })], cache: false });
  };
  const view = (r: { didDocument: unknown; didDocumentMetadata: unknown }) =>
    JSON.stringify({ doc: r.didDocument, meta: r.didDocumentMetadata });

  before(async () => {
    node = await startHardhatNode();
    ({ registry, otherRegistry, victim, bystander } = await writeHistory(node.url, thief));
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await node?.stop();
  });

  it("proves the registry's storage as identityState() answers it, for a changed, a purged and an untouched identity", async () => {
    const client = createPublicClient({ transport: http(node.url) });
    const raw = await rpc(node.url, "eth_getBlockByNumber", ["latest", false]);
    const header = checkedHeader(raw);
    const ids = [victim, bystander, randomAddress()];
    const { snapshot, verification } = await readVerified(client, ids, { registry, chainId: 31337, header, basis: "test" });
    const [, , , states] = await callStates(client, registry, ids);
    // The nonces are not proven: only writes need them, and each slot lengthens the proof.
    ids.forEach((id, i) => {
      const proven = snapshot.states.get(id.toLowerCase() as Address)!;
      const { nonce, legacyNonce, ...rest } = states[i];
      expect(proven, id).to.deep.equal(rest);
      expect([nonce, legacyNonce], "identityState() still answers them").to.not.include(undefined);
    });
    expect(snapshot.failures.size).to.equal(0);
    expect(verification.blockHash).to.equal(header.hash);
    expect(states[0].purgedAt, "the victim's history has a purge").to.be.greaterThan(0n);
  });

  it("resolves the same document and metadata as the default mode, and says what it was verified against", async () => {
    const honest = await createSigilResolver({ networks: [net([node.url])], cache: false }).resolve(did(victim));
    const verified = await (await verifying((await proxy()).url)).resolve(did(victim));
    expect(verified.didResolutionMetadata.error, verified.didResolutionMetadata.message).to.equal(undefined);
    // Read 2 blocks behind the head (the quorum's depth); nothing changed in between.
    const atBlock = (r: typeof honest) => (r.didDocumentMetadata as { sigil: { resolvedAtBlock: string } }).sigil.resolvedAtBlock;
    expect(BigInt(atBlock(verified))).to.equal(BigInt(atBlock(honest)) - 2n);
    expect(view(verified).replace(/"resolvedAtBlock":"\d+"/, "")).to.equal(view(honest).replace(/"resolvedAtBlock":"\d+"/, ""));
    const meta = verified.didResolutionMetadata as { verified?: { blockNumber: string; blockHash: string; trust: string } };
    expect(meta.verified?.trust).to.match(/^[23] of 3 endpoints/);
    expect(meta.verified?.blockHash).to.match(/^0x[0-9a-f]{64}$/);
    const untouched = await (await verifying(node.url)).resolve(did(randomAddress()));
    expect(untouched.didDocument?.verificationMethod).to.have.length(1);
  });

  it("every lie ends in the correct document or a refusal naming what did not check, never a wrong document", async () => {
    const honest = await (await verifying(node.url)).resolve(did(victim));
    const outcomes = new Map<string, string>();
    for (const lie of [...LIES, ...PROOF_LIES]) {
      const liar = await proxy(lie);
      const r = await (await verifying(liar.url)).resolve(did(victim));
      const outcome = r.didResolutionMetadata.error ? "refused" : view(r) === view(honest) ? "correct" : "WRONG";
      outcomes.set(lie.name, outcome === "refused" ? `refused: ${r.didResolutionMetadata.message}` : outcome);
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    }
    if (process.env.VERIFIED_TABLE) {
      const rows = [...outcomes].map(([n, o]) => `| \`${n}\` | ${o.replaceAll("|", "\\|").slice(0, 200)} |`);
      writeFileSync(process.env.VERIFIED_TABLE, ["| lie | verified mode |", "| --- | --- |", ...rows].join("\n") + "\n");
    }
    const wrong = [...outcomes].filter(([, o]) => o === "WRONG").map(([n]) => n);
    expect(wrong, "lies that got a wrong document through").to.deep.equal([]);
    expect(outcomes.size).to.be.at.least(50);
    const refused = [...outcomes.values()].filter((o) => o.startsWith("refused")).length;
    expect(refused, "most lies are caught outright").to.be.at.least(outcomes.size / 2);
    for (const name of ["proof-stale-block", "proof-value", "proof-other-registry", "omit-last-change", "inject-delegate", "stale-state"]) {
      if (name === "stale-state")
        expect(outcomes.get(name), name).to.equal("correct"); // eth_call is never used
      else expect(outcomes.get(name), name).to.match(/^refused: /);
    }
  });

  it("refuses a lie told about one DID only, leaving the others of the batch verified", async () => {
    const liar = await proxy(
      LIES.find((l) => l.name === "inject-service")!,
      bystander,
    );
    const [v, b] = await (await verifying(liar.url)).resolveMany([did(victim), did(bystander)]);
    expect(v.didResolutionMetadata.error, v.didResolutionMetadata.message).to.equal(undefined);
    expect(b.didResolutionMetadata.message).to.include("event-chain head");
  });

  it("answers a versionTime after the last change with the proven document, refuses older versions, and a registry address with no contract", async () => {
    const resolver = await verifying(node.url);
    const r = await resolver.resolve(`${did(victim)}?versionId=3`);
    expect(r.didResolutionMetadata.error).to.equal("featureNotSupported");
    const old = await resolver.resolve(`${did(victim)}?versionTime=2000-01-01T00:00:00Z`);
    expect(old.didResolutionMetadata.error).to.equal("featureNotSupported");
    const later = await resolver.resolve(`${did(victim)}?versionTime=2100-01-01T00:00:00Z`);
    expect((later.didResolutionMetadata as { verified?: unknown }).verified, later.didResolutionMetadata.message).to.not.equal(undefined);
    // verifyMessage asks the document as of the message's time: through a verifying resolver it is proven.
    const key = generatePrivateKey();
    const sender = `did:sigil:local:${privateKeyToAccount(key).address.toLowerCase()}`;
    const jwt = await signMessage({ did: sender, secretKey: key }, { text: "hello" });
    const verified = await verifyMessage(jwt, resolver);
    expect(verified.ok, verified.ok ? "" : verified.reason).to.equal(true);
    const forged = await signMessage({ did: sender, secretKey: generatePrivateKey() }, { text: "hello" });
    const refused = await verifyMessage(forged, resolver);
    expect(refused.ok).to.equal(false);
    expect(refused.ok ? "" : refused.code).to.equal("unauthorisedKey");
    const nowhere = createSigilResolver({ networks: [net([node.url], { registry: randomAddress(), verify: { k: 1 } })], cache: false });
    const n = await nowhere.resolve(did(victim));
    expect(n.didResolutionMetadata.error).to.equal("internalError");
    expect(n.didResolutionMetadata.message).to.include("no contract is at");
  });

  it("encrypts, decrypts and watches through a verifying resolver: a reader that alters a key is refused, never encrypted to nor reported", async () => {
    const chain = devChain(node.url);
    const owner = await chain.funded();
    const x = generateKeyPair("X25519");
    const recipient = owner.account.address;
    await sendOperation(
      owner,
      { registry, publicClient: chain.publicClient },
      { type: "setAttribute", identity: recipient, ...publicKeyAttribute("X25519", "enc", x.publicKey), validity: 86_400n },
    );
    for (let i = 0; i < 3; i++) await rpc(node.url, "evm_mine"); // past the quorum's confirmation depth
    const honest = await verifying(node.url);
    const sealed = await encryptMessage(did(recipient), { text: "meet at 6" }, honest);
    // Judged as of the chain's time (a test node's clock runs ahead of the wall's when blocks come fast).
    const now = Number(((await rpc(node.url, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
    const opened = await decryptMessage(sealed, { did: did(recipient), secretKey: x.secretKey }, honest, { now });
    expect(opened.payload.text).to.equal("meet at 6");
    // The reader replaces the key bytes (the header quorum is honest): the resolution is refused, so
    // nothing is encrypted to the replaced key and the watcher reports an error, not a change.
    const liar = await verifying(
      (
        await proxy(
          LIES.find((l) => l.name === "alter-key-bytes")!,
          recipient,
        )
      ).url,
    );
    let encrypted: unknown;
    try {
      encrypted = await encryptMessage(did(recipient), { text: "meet at 6" }, liar);
    } catch (error) {
      expect(String(error)).to.match(/ProofError|the RPC endpoint's logs do not match the proven state|internalError/);
    }
    expect(encrypted, "encrypted to a key the endpoint made up").to.equal(undefined);
    const errors: unknown[] = [];
    const changes: unknown[] = [];
    const watcher = watchDids(liar, [did(recipient)], (c) => changes.push(c), { onError: (e) => errors.push(e) });
    await watcher.ready.catch(() => undefined);
    await watcher.poll().catch((e) => errors.push(e));
    watcher.stop();
    expect(changes).to.deep.equal([]);
    expect(String(errors[0])).to.match(/do not match the proven state|event-chain head/);
  });

  it("refuses a verify quorum larger than the network's endpoints, with InvalidInputError", async () => {
    const r = await createSigilResolver({ networks: [net([node.url], { verify: { k: 2 } })], cache: false }).resolve(did(victim));
    expect(r.didResolutionMetadata.error).to.equal("invalidInput");
  });
});
