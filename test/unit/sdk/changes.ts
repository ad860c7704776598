// diffResolutions is exactly the difference between two documents: properties over generated
// documents (keys in each verification relationship, services, controller, commitment,
// guardians, recoveries), plus the cases a messaging app must never miss.
import { expect } from "chai";
import fc from "fast-check";
import type { DIDResolutionResult } from "did-resolver";
import { diffResolutions, type DidChangeItem } from "../../../sdk/core/src/index.ts";
import { keysByRelationship, RELATIONSHIPS } from "../../../sdk/core/src/internal.ts";

const DID = "did:sigil:local:0x00000000000000000000000000000000000000aa";
const hex = (n: number) => fc.integer({ min: 0, max: n }).map((i) => i.toString(16).padStart(4, "0"));

interface Shape {
  keys: { material: string; type: string; rels: boolean[] }[];
  services: { type: string; endpoint: string }[];
  owner: string;
  commitment: string | null;
  guardians: { threshold: number; delaySeconds: number } | null;
  recoveries: { proposal: string; status: "proposed" | "armed" | "ready"; newOwner: string }[];
  deactivated: boolean;
}

const shape: fc.Arbitrary<Shape> = fc.record({
  keys: fc.uniqueArray(
    fc.record({
      material: hex(12),
      type: fc.constantFrom("Ed25519VerificationKey2018", "X25519KeyAgreementKey2019"),
      rels: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    }),
    { selector: (k) => `${k.type}:${k.material}`, maxLength: 6 },
  ),
  services: fc.uniqueArray(fc.record({ type: fc.constantFrom("Messaging", "Hub"), endpoint: hex(8).map((h) => `https://${h}.example`) }), {
    selector: (s) => `${s.type} ${s.endpoint}`,
    maxLength: 4,
  }),
  owner: fc.constantFrom("0xaa", "0xbb"),
  commitment: fc.option(fc.constantFrom("0x01", "0x02"), { nil: null }),
  guardians: fc.option(fc.record({ threshold: fc.integer({ min: 1, max: 3 }), delaySeconds: fc.constantFrom(3600, 86400) }), { nil: null }),
  recoveries: fc.uniqueArray(
    fc.record({
      proposal: fc.constantFrom("0xp1", "0xp2"),
      status: fc.constantFrom("proposed", "armed", "ready"),
      newOwner: fc.constant("0xcc"),
    }),
    {
      selector: (r) => r.proposal,
      maxLength: 2,
    },
  ) as fc.Arbitrary<Shape["recoveries"]>,
  deactivated: fc.boolean(),
});

function resolution(s: Shape): DIDResolutionResult {
  const vms = s.keys.map((k, i) => ({ id: `${DID}#delegate-${i}`, type: k.type, controller: DID, publicKeyHex: k.material }));
  const rel = (j: number) => s.keys.flatMap((k, i) => (k.rels[j] ? [`${DID}#delegate-${i}`] : []));
  return {
    didResolutionMetadata: {},
    didDocument: {
      id: DID,
      verificationMethod: vms,
      authentication: rel(0),
      assertionMethod: rel(1),
      keyAgreement: rel(2),
      service: s.services.map((x, i) => ({ id: `${DID}#service-${i}`, type: x.type, serviceEndpoint: x.endpoint })),
    },
    didDocumentMetadata: {
      ...(s.deactivated ? { deactivated: true } : {}),
      sigil: {
        owner: s.owner,
        nextOwnerCommitment: s.commitment,
        guardians: s.guardians,
        pendingGuardianChange: null,
        recoveries: s.recoveries,
      },
    } as never,
  };
}

const of = (changes: DidChangeItem[], kind: DidChangeItem["kind"]) => changes.filter((c) => c.kind === kind);

describe("sdk: the change list between two resolutions", () => {
  it("is exactly the set difference of keys per relationship and of services, and empty only for equal documents", () => {
    fc.assert(
      fc.property(shape, shape, (a, b) => {
        const [ra, rb] = [resolution(a), resolution(b)];
        const changes = diffResolutions(ra, rb);
        const [ka, kb] = [keysByRelationship(ra), keysByRelationship(rb)];
        for (const rel of RELATIONSHIPS) {
          // Applying the changes to `before` gives `after`.
          const applied = new Set(ka[rel]);
          for (const c of changes) {
            if (c.kind === "keyAdded" && c.relationship === rel) applied.add(c.key);
            if (c.kind === "keyRemoved" && c.relationship === rel) applied.delete(c.key);
          }
          expect([...applied].sort()).to.deep.equal([...kb[rel]].sort());
          expect(of(changes, "keyAdded").filter((c) => c.kind === "keyAdded" && c.relationship === rel)).to.have.length(
            [...kb[rel]].filter((k) => !ka[rel].has(k)).length,
          );
        }
        const sk = (x: Shape) => new Set(x.services.map((s) => `${s.type} ${s.endpoint}`));
        const [sa, sb] = [sk(a), sk(b)];
        expect(of(changes, "serviceAdded")).to.have.length([...sb].filter((s) => !sa.has(s)).length);
        expect(of(changes, "serviceRemoved")).to.have.length([...sa].filter((s) => !sb.has(s)).length);
        expect(of(changes, "controllerChanged")).to.have.length(a.owner === b.owner ? 0 : 1);
        expect(of(changes, "commitmentMade")).to.have.length(b.commitment && a.commitment !== b.commitment ? 1 : 0);
        expect(of(changes, "commitmentRemoved")).to.have.length(a.commitment && a.commitment !== b.commitment ? 1 : 0);
        expect(of(changes, "guardiansChanged")).to.have.length(JSON.stringify(a.guardians) === JSON.stringify(b.guardians) ? 0 : 1);
        expect(of(changes, "deactivated")).to.have.length(b.deactivated && !a.deactivated ? 1 : 0);
        const closed = a.recoveries.filter((r) => !b.recoveries.some((x) => x.proposal === r.proposal));
        expect(of(changes, "recoveryClosed")).to.have.length(closed.length);
        expect(diffResolutions(ra, ra)).to.deep.equal([]);
        const same = JSON.stringify(resolution({ ...a, deactivated: b.deactivated })) === JSON.stringify(rb);
        if (same && !(b.deactivated && !a.deactivated)) expect(changes).to.deep.equal([]);
      }),
      { numRuns: 300 },
    );
  });

  it("reports a swapped key-agreement key and endpoint, which the old fingerprint did not cover", () => {
    const base: Shape = {
      keys: [{ material: "aaaa", type: "X25519KeyAgreementKey2019", rels: [false, false, true] }],
      services: [{ type: "Messaging", endpoint: "https://alice.example" }],
      owner: "0xaa",
      commitment: null,
      guardians: null,
      recoveries: [],
      deactivated: false,
    };
    const swapped: Shape = {
      ...base,
      keys: [{ ...base.keys[0], material: "bbbb" }],
      services: [{ type: "Messaging", endpoint: "https://thief.example" }],
    };
    const kinds = diffResolutions(resolution(base), resolution(swapped)).map((c) =>
      c.kind === "keyAdded" || c.kind === "keyRemoved" ? `${c.kind}:${c.relationship}` : c.kind,
    );
    expect(kinds).to.deep.equal(["keyAdded:keyAgreement", "keyRemoved:keyAgreement", "serviceAdded", "serviceRemoved"]);
  });

  it("reports a recovery as it moves from proposed to armed to ready, once each", () => {
    const base = {
      keys: [],
      services: [],
      owner: "0xaa",
      commitment: null,
      guardians: { threshold: 2, delaySeconds: 3600 },
      deactivated: false,
    } as Omit<Shape, "recoveries">;
    const at = (status: "proposed" | "armed" | "ready") =>
      resolution({ ...base, recoveries: [{ proposal: "0xp1", status, newOwner: "0xcc" }] });
    const none = resolution({ ...base, recoveries: [] });
    expect(diffResolutions(none, at("proposed")).map((c) => c.kind)).to.deep.equal(["recoveryProposed"]);
    expect(diffResolutions(at("proposed"), at("armed")).map((c) => c.kind)).to.deep.equal(["recoveryArmed"]);
    expect(diffResolutions(at("armed"), at("armed"))).to.deep.equal([]);
    expect(diffResolutions(at("armed"), at("ready")).map((c) => c.kind)).to.deep.equal(["recoveryReady"]);
    expect(diffResolutions(at("ready"), none).map((c) => c.kind)).to.deep.equal(["recoveryClosed"]);
  });
});
