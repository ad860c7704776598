// What this tab holds to act: the connected wallet, a key pasted or generated here, which of them
// acts as the controller, and the one operation that may run at a time. Nothing of it is stored or
// sent anywhere; it lives as long as the tab.
import type { Address, EIP1193Provider, Hex, WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { networkTransport } from "sigil-did";
import type { Chain } from "./chain.ts";
import { walletClientOf } from "./clients.ts";

export interface Actor {
  kind: "wallet" | "key" | "next";
  address: Address;
  client: WalletClient;
}

export const session: {
  wallet?: Actor;
  pageKey?: Actor & { generated?: Hex };
  actAs: "wallet" | "key";
  listening?: boolean;
  onWalletChange?: () => void;
  /** The operation running now, if any (one at a time: a double click must not send twice). */
  busy?: string;
} = { actAs: "wallet" };

export const ethereum = () => (globalThis as { ethereum?: EIP1193Provider }).ethereum;

export function keyActor(chain: Chain, privateKey: Hex, kind: "key" | "next"): Actor {
  const account = privateKeyToAccount(privateKey);
  return { kind, address: account.address, client: walletClientOf(account, networkTransport(chain.network)) };
}

/** Who an actor is, in words: "your wallet 0x…", "the key in this page 0x…", "the next key 0x…". */
export const actorLabel = (a: Actor) => `${a.kind === "wallet" ? "your wallet" : a.kind === "next" ? "the next key" : "the key in this page"} ${a.address}`;

const ACTION_BUTTONS = '[data-action="send"], [data-action="file"], [data-action="relay"]';

/** Takes the lock for `name`; false when another operation runs. While it is held, every
 * operation's buttons are disabled (those drawn meanwhile too: see `lockedNow`). */
export function lock(name: string): boolean {
  if (session.busy) return false;
  session.busy = name;
  document.body.dataset.busy = name;
  for (const b of document.querySelectorAll<HTMLButtonElement>(ACTION_BUTTONS)) b.disabled = true;
  return true;
}

export function unlock() {
  session.busy = undefined;
  delete document.body.dataset.busy;
  for (const b of document.querySelectorAll<HTMLButtonElement>(ACTION_BUTTONS)) b.disabled = false;
}

export const lockedNow = () => session.busy !== undefined;
