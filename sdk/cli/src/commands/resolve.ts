// `sigil resolve`: a DID's document as a table (or JSON), its version at --at, and DID URLs as the
// resolver service answers them: #fragment and ?service= dereference to that part, a path is an
// error (did:sigil defines none), a deactivated DID says so and shows what is left.
import { Command } from "commander";
import type { DIDDocument, DIDResolutionResult } from "did-resolver";
import { authenticationFingerprint, dereference, parseDid } from "sigil-did";
import { CliError, EXIT, type Context } from "../context.ts";

type Ctx = () => Context;

/** The exit code for a resolution or dereferencing error keyword. */
export function exitFor(error: string): number {
  if (error === "internalError") return EXIT.network;
  if (error === "notFound") return EXIT.refused;
  return EXIT.usage; // invalidDid, invalidDidUrl, methodNotSupported, featureNotSupported, representationNotSupported, ...
}

function table(did: string, result: DIDResolutionResult): string {
  const doc = (result.didDocument ?? { id: did }) as DIDDocument;
  const rows = (doc.verificationMethod ?? []).map((vm) => {
    const v = vm as typeof vm & Record<string, string>;
    const uses = ["authentication", "assertionMethod", "keyAgreement"].filter((p) =>
      ((doc[p as "authentication"] ?? []) as unknown[]).includes(vm.id),
    );
    return `  ${vm.id.split("#")[1].padEnd(14)} ${vm.type.padEnd(36)} ${(v.blockchainAccountId ?? v.publicKeyHex ?? v.publicKeyBase64 ?? v.publicKeyBase58 ?? "").padEnd(20)} ${uses.join(",")}`;
  });
  const services = (doc.service ?? []).map(
    (s) => `  ${s.id.split("#")[1].padEnd(14)} ${s.type.padEnd(36)} ${JSON.stringify(s.serviceEndpoint)}`,
  );
  const m = result.didDocumentMetadata as Record<string, unknown> & {
    sigil?: Record<string, unknown> & { guardians?: { threshold: number } | null; recoveries?: unknown[] };
  };
  const guardians = m.sigil?.guardians ? `guardians: ${m.sigil.guardians.threshold} needed` : "no guardians";
  const recoveries = m.sigil?.recoveries?.length ? `; ⚠ ${m.sigil.recoveries.length} recovery proposal(s) open (sigil recover status)` : "";
  const version = `version ${m.versionId ?? "0 (no changes)"}${m.updated ? ` at ${m.updated}` : ""}`;
  if (m.deactivated) {
    return [doc.id, "  DEACTIVATED: no keys and no services; nothing can change it any more", `${version}; epoch ${m.sigil?.epoch}`].join(
      "\n",
    );
  }
  const proven = (result.didResolutionMetadata as { verified?: { blockNumber: string; trust: string } }).verified;
  return [
    doc.id,
    "keys:",
    ...rows,
    ...(services.length ? ["services:", ...services] : []),
    `${version}; pre-rotation ${m.sigil?.preRotation ? "on" : "off"}; epoch ${m.sigil?.epoch}; ${guardians}${recoveries}`,
    `fingerprint: ${authenticationFingerprint(result)}`,
    ...(proven ? [`verified: proven against block ${proven.blockNumber} (${proven.trust})`] : []),
  ].join("\n");
}

/** `#fragment` or `?service=` (and its relatives): print the part it names. */
async function printPart(c: Context, didUrl: string) {
  const result = await c.spin("dereferencing…", dereference(c.resolver, didUrl));
  const { error, message } = result.dereferencingMetadata;
  if (error) throw new CliError(`${error}: ${message}`, exitFor(error));
  if (result.contentMetadata.deactivated === true)
    throw new CliError(`deactivated: ${didUrl.split(/[?#]/)[0]} is deactivated; it has no keys or services any more`, EXIT.refused);
  c.print(typeof result.contentStream === "string" ? result.contentStream : JSON.stringify(result.contentStream, null, 2), result);
}

export function registerResolveCommand(program: Command, ctx: Ctx) {
  program
    .command("resolve <did>")
    .description("print the DID document (or its version at --at); a DID URL's #fragment or ?service= prints that part")
    .option("--at <time|block>", "ISO 8601 time or block number")
    .action(async (input: string, options: { at?: string }) => {
      const parsed = parseDid(input);
      if (parsed.path)
        throw new CliError(
          `${input} has a path (${parsed.path}): did:sigil defines no DID paths; resolve the DID, or name a part of it with #fragment or ?service=`,
        );
      const c = ctx();
      c.requireKnownNetwork(input);
      const at =
        options.at === undefined
          ? ""
          : `${parsed.query ? "&" : "?"}${/^\d+$/.test(options.at) ? "versionId" : "versionTime"}=${encodeURIComponent(options.at)}`;
      const base = `${input.split("#")[0]}${at}${parsed.fragment !== undefined ? `#${parsed.fragment}` : ""}`;
      const params = Object.keys(parsed.params ?? {}).filter((k) => k !== "versionId" && k !== "versionTime");
      if (parsed.fragment !== undefined || params.length > 0) return printPart(c, base);
      const result = await c.spin("resolving…", c.resolver.resolve(base));
      const error = result.didResolutionMetadata.error;
      if (error) throw new CliError(`${error}: ${result.didResolutionMetadata.message}`, exitFor(error));
      // A deactivated DID has no document (null), only metadata saying so.
      if (!result.didDocument && result.didDocumentMetadata.deactivated !== true)
        throw new CliError(`the resolver returned no document for ${input}`, EXIT.network);
      c.print(table(parsed.did, result), result);
    });
}
