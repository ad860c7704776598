// What a read of the registry answers (reader.ts reads it; consistency.ts checks it), apart from
// the reader so that the checks need not import it.
import type { Address, Hex } from "viem";
import type { RegistryEvent } from "./events.ts";

export interface IdentityState {
  owner: Address;
  changed: bigint;
  epoch: bigint;
  nextOwnerCommitment: Hex;
  deactivated: boolean;
  /** The identity's EIP-712 nonce (signed operations). A verified read leaves it out: no document
   * needs it, and proving it would lengthen every proof. */
  nonce?: bigint;
  /** ERC-1056's nonce of the owner. A verified read leaves it out, as the nonce above. */
  legacyNonce?: bigint;
  /** Block of the identity's first change (0: never changed). */
  firstChange: bigint;
  /** Block of its last purge (0: never purged): keys and services start there. */
  purgedAt: bigint;
  /** Registry 2.2's hash chain of the identity's events since its last purge (log-chain.ts). */
  head: Hex;
}

export interface IdentitySnapshot {
  chainId: number;
  blockNumber: bigint;
  timestamp: bigint;
  states: Map<Address, IdentityState>;
  /** Each identity's registry events from `from` to `blockNumber`, in chain order. */
  events: Map<Address, RegistryEvent[]>;
  /** First block whose events `events` holds, per identity (earlier ones were not needed). */
  from: Map<Address, bigint>;
  /** Identities whose history could not be read whole: their error (others are unaffected). */
  failures: Map<Address, Error>;
  /** Block times learned from headers (for nodes whose logs carry no blockTimestamp). */
  blockTimes: Map<bigint, bigint>;
}

export interface BlockHeader {
  number: bigint;
  timestamp: bigint;
}
