// sigil-did/mls: MLS groups (RFC 9420, on ts-mls) whose members are authenticated by their DIDs.
// A separate entry so that the main bundle never loads ts-mls (an optional peer dependency):
// an authentication service for ts-mls, the batched still-authorised check of a whole group, a
// guard that refuses what a voided leaf key signs, and the watcher's changes turned into
// removals. docs/mls.md says what MLS re-checks by itself and what the app must call.
export { didCredential, didOfCredential } from "./mls/credential.ts";
export { judgeMember, methodKey, type MemberVerdict, type MlsKeyCurve, type StaleReason } from "./mls/judge.ts";
export {
  checkCredential,
  checkGroupMembers,
  createSigilAuthService,
  groupMembers,
  memberOf,
  sigilClientConfig,
  type GroupCheck,
  type GroupMember,
  type MemberResolver,
  type StaleMember,
} from "./mls/auth.ts";
export { createGroupGuard, StaleMemberError, type GroupGuard } from "./mls/guard.ts";
export { staleOnChange, watchGroup, type StaleEvent } from "./mls/watch.ts";
