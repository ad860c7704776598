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

const ACTION_BUTTONS = '[data-action="send"], [data-action="file"], [data-action="relay"]';

/** What the tab holds to act: created once by the page (main.ts) and handed to every panel drawn. */
export class Session {
  wallet?: Actor;
  pageKey?: Actor & { generated?: Hex };
  actAs: "wallet" | "key" = "wallet";
  /** Whether the wallet's accountsChanged is listened to already (once per tab). */
  listening = false;
  /** Redraws the keys panel when the wallet changes account (the panel drawn last). */
  onWalletChange?: () => void;
  /** The operation running now, if any (one at a time: a double click must not send twice). */
  busy?: string;

  /** The key that signs as the controller: the one chosen under "Act as", else the other one. */
  controller(): Actor {
    const [chosen, other] = this.actAs === "wallet" ? [this.wallet, this.pageKey] : [this.pageKey, this.wallet];
    const actor = chosen ?? other;
    if (!actor) throw new Error("Connect a wallet or enter a key first (Your keys, above): it signs as the controller.");
    return actor;
  }

  /** Takes the lock for `name`; false when another operation runs. While it is held, every
   * operation's buttons are disabled (those drawn meanwhile too: see `locked`). */
  lock(name: string): boolean {
    if (this.busy) return false;
    this.busy = name;
    document.body.dataset.busy = name;
    for (const b of document.querySelectorAll<HTMLButtonElement>(ACTION_BUTTONS)) b.disabled = true;
    return true;
  }

  unlock() {
    this.busy = undefined;
    delete document.body.dataset.busy;
    for (const b of document.querySelectorAll<HTMLButtonElement>(ACTION_BUTTONS)) b.disabled = false;
  }

  get locked(): boolean {
    return this.busy !== undefined;
  }
}

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
    throw new Error(
      `Your wallet is on chain ${id}, and this DID is on chain ${chain.network.chainId} (${chain.network.name ?? "this console's network"}): ` +
        `switch your wallet to chain ${chain.network.chainId} and try again. Nothing was signed or sent.`,
    );
  }
  return actor;
}

/** Who an actor is, in words: "your wallet 0x…", "the key in this page 0x…", "the next key 0x…". */
export const actorLabel = (a: Actor) =>
  `${a.kind === "wallet" ? "your wallet" : a.kind === "next" ? "the next key" : "the key in this page"} ${a.address}`;
