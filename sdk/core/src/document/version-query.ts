// The versionId / versionTime resolution options of a DID URL or a resolve() call, checked:
// a block number in decimal, or an ISO 8601 date-time with a zone; never both; no other parameter.
import type { DIDResolutionOptions } from "did-resolver";
import type { ParsedSigilDid } from "../did/did.ts";
import { echo, FeatureNotSupportedError, InvalidResolutionOptionError } from "../errors.ts";

export interface Query {
  versionId?: bigint;
  versionTime?: bigint;
}

export function readQuery(parsed: ParsedSigilDid, options: DIDResolutionOptions): Query {
  // Resolution reads versions only; any other DID parameter is dereferencing's, or unknown:
  // refused, never silently ignored (DID Resolution §4.4).
  const other = Object.keys(parsed.params).find((k) => k !== "versionId" && k !== "versionTime");
  if (other !== undefined) {
    throw new FeatureNotSupportedError({
      feature: `the DID parameter ${echo(other, 40)} in resolve`,
      details: "resolve reads versionId and versionTime; dereference() takes service, serviceType and relativeRef",
    });
  }
  // parsed.params keeps "+" literal (URLSearchParams would turn "+02:00" into " 02:00").
  const versionId = parsed.params.versionId ?? (options.versionId as string | undefined);
  const versionTime = parsed.params.versionTime ?? (options.versionTime as string | undefined);
  const query: Query = {};
  if (versionId !== null && versionId !== undefined) {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(versionId)) {
      throw new InvalidResolutionOptionError({
        option: "versionId",
        value: versionId,
        expected: "a block number in decimal, like versionId=1234",
      });
    }
    query.versionId = BigInt(versionId);
  }
  if (versionTime !== null && versionTime !== undefined) {
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(versionTime) ? Date.parse(versionTime) : Number.NaN;
    if (Number.isNaN(ms)) {
      throw new InvalidResolutionOptionError({
        option: "versionTime",
        value: versionTime,
        expected: "an ISO 8601 date-time with a zone, like versionTime=2026-11-25T10:00:00Z",
      });
    }
    query.versionTime = BigInt(Math.floor(ms / 1000));
  }
  if (query.versionId !== undefined && query.versionTime !== undefined) {
    throw new InvalidResolutionOptionError({
      option: "versionTime",
      value: versionTime as string,
      expected: "either versionId or versionTime, not both",
    });
  }
  return query;
}
