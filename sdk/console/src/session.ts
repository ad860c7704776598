// What this tab holds to act: the connected wallet, a key pasted or generated here, which of them
// acts as the controller, and the one operation that may run at a time. Nothing of it is stored or
// sent anywhere; it lives as long as the tab.
import type { Address, EIP1193Provider, Hex, WalletClient } from "viem";
import { privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { networkTransport } from "sigil-did/internal";
import type { Chain } from "./chain.ts";
import { walletClientOf } from "./clients.ts";

export interface Actor {
  kind: "wallet" | "key" | "next";
  address: Address;
  client: WalletClient;
  /** A key held in the page: its account, to bind it to the network of each operation. */
  account?: LocalAccount;
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
  return { kind, address: account.address, account, client: walletClientOf(account, networkTransport(chain.network)) };
}

/** `actor`, bound to `chain`: a key in the page sends through this chain's RPC (it may have been
 * entered under other settings); a wallet must be on this chain now (it may have switched since
 * it was connected), or the operation is refused before anything is signed. */
export async function onChain(actor: Actor, chain: Chain): Promise<Actor> {
  if (actor.account) return { ...actor, client: walletClientOf(actor.account, networkTransport(chain.network)) };
  const id = Number(await actor.client.request({ method: "eth_chainId" }));
  if (id !== chain.network.chainId) {
    throw new Error(`Your wallet is on chain ${id}, and this DID is on chain ${chain.network.chainId} (${chain.network.name ?? "this console's network"}): switch your wallet to chain ${chain.network.chainId} and try again. Nothing was signed or sent.`);
  }
  return actor;
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
