// The history the lying-endpoint and verified-resolution tests read, written on a real node: a
// victim with guardians, keys and services, a next-key commitment, a stolen key that adds the
// thief's entries (on a second registry too), a purging rotation away from it, and changes after
// it (a key added and revoked); and a bystander with one service.
import { toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { buildGuardianSet, bytes32Name, generateNextKey, sendOperation, serviceAttribute } from "sigil-did";
import { devChain } from "./dev-chain.ts";

export const DAY = 86_400n;
export const randomAddress = () => privateKeyToAccount(generatePrivateKey()).address;
export const rpc = async (url: string, method: string, params: unknown[] = []) =>
  (
    (await (
      await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      })
    ).json()) as { result: unknown }
  ).result;

type Send = (w: Wallet, op: Parameters<typeof sendOperation>[2], at?: Address) => ReturnType<typeof sendOperation>;
type Wallet = Awaited<ReturnType<ReturnType<typeof devChain>["funded"]>>;

/** Deploys two registries and writes the victim's history: guardians, keys and services, a
 * next-key commitment, the theft (on both registries), a purging rotation and later changes. */
export async function writeHistory(url: string, thief: Address) {
  const chain = devChain(url);
  const { publicClient } = chain;
  const registry = await chain.deploySigil();
  const otherRegistry = await chain.deploySigil();
  const advance = async (seconds: bigint) => {
    await rpc(url, "evm_increaseTime", [Number(seconds)]);
    await rpc(url, "evm_mine");
  };
  const owner = await chain.funded(); // the key that will be stolen
  const victim = owner.account.address;
  const send: Send = (w, op, at = registry) => sendOperation(w, { registry: at, publicClient }, op);
  const next = await beforeTheft(send, owner, victim);
  await advance(DAY);
  await theft(send, owner, victim, thief, otherRegistry);
  const { rotationTime, changeVictim } = await rotateAway(chain, send, advance, victim, next);
  const bystander = await writeBystander(chain, send);
  for (let i = 0; i < 3; i++) await rpc(url, "evm_mine");
  return { registry, otherRegistry, victim, rotationTime, changeVictim, bystander };
}

async function beforeTheft(send: Send, owner: Wallet, victim: Address) {
  const set = buildGuardianSet({ identity: victim, guardians: [randomAddress(), randomAddress()], threshold: 1, delay: 3_600n });
  await send(owner, {
    type: "setAttribute",
    identity: victim,
    ...serviceAttribute("Inbox", "https://inbox.example/alice"),
    validity: 365n * DAY,
  });
  await send(owner, { type: "setGuardians", identity: victim, root: set.root, threshold: 1n, delay: 3_600n });
  await send(owner, {
    type: "setAttribute",
    identity: victim,
    name: bytes32Name("did/pub/Ed25519/veriKey/base64"),
    value: toHex(new Uint8Array(32).fill(7)),
    validity: 365n * DAY,
  });
  await send(owner, {
    type: "addDelegate",
    identity: victim,
    delegateType: bytes32Name("veriKey"),
    delegate: randomAddress(),
    validity: 365n * DAY,
  });
  const next = generateNextKey();
  await send(owner, { type: "commitNextOwner", identity: victim, commitment: next.commitment });
  return next;
}

async function theft(send: Send, owner: Wallet, victim: Address, thief: Address, otherRegistry: Address) {
  // The key is stolen: the thief publishes its own key and a phishing inbox.
  await send(owner, {
    type: "addDelegate",
    identity: victim,
    delegateType: bytes32Name("veriKey"),
    delegate: thief,
    validity: 365n * DAY,
  });
  await send(owner, {
    type: "setAttribute",
    identity: victim,
    ...serviceAttribute("Inbox", "https://phish.example/alice"),
    validity: 365n * DAY,
  });
  // The stolen key writes on another deployment too (for "another registry's answers").
  await send(
    owner,
    { type: "addDelegate", identity: victim, delegateType: bytes32Name("veriKey"), delegate: thief, validity: 365n * DAY },
    otherRegistry,
  );
  // The owner rotates to the committed key, purging everything the thief published.
}

async function rotateAway(
  chain: ReturnType<typeof devChain>,
  send: Send,
  advance: (seconds: bigint) => Promise<void>,
  victim: Address,
  next: ReturnType<typeof generateNextKey>,
) {
  const { publicClient } = chain;
  const following = generateNextKey();
  const nextWallet = chain.wallet(next.privateKey);
  await publicClient.waitForTransactionReceipt({
    hash: await chain.dev.sendTransaction({ to: next.address, value: 10n ** 18n, chain: null }),
  });
  const rotation = await send(nextWallet, {
    type: "rotate",
    identity: victim,
    salt: next.salt,
    newOwner: next.address,
    nextCommitment: following.commitment,
    purge: true,
    revokeDelegates: [],
    revokeAttributes: [],
  });
  const rotationTime = (await publicClient.getBlock({ blockNumber: rotation.blockNumber })).timestamp;
  await advance(10n * DAY);
  await send(nextWallet, {
    type: "setAttribute",
    identity: victim,
    name: bytes32Name("did/pub/Secp256k1/veriKey/hex"),
    value: toHex(new Uint8Array(33).fill(2)),
    validity: 365n * DAY,
  });
  const lost = { delegateType: bytes32Name("sigAuth"), delegate: randomAddress() }; // a key later lost, and revoked
  await send(nextWallet, { type: "addDelegate", identity: victim, ...lost, validity: 365n * DAY });
  await advance(DAY);
  await send(nextWallet, { type: "revokeDelegate", identity: victim, ...lost });
  await send(nextWallet, {
    type: "setAttribute",
    identity: victim,
    ...serviceAttribute("Inbox", "https://inbox.example/alice-2"),
    validity: 365n * DAY,
  });
  const changeVictim = () =>
    send(nextWallet, {
      type: "setAttribute",
      identity: victim,
      ...serviceAttribute("Backup", "https://backup.example/alice"),
      validity: 365n * DAY,
    });
  return { rotationTime, changeVictim };
}

async function writeBystander(chain: ReturnType<typeof devChain>, send: Send) {
  const other = await chain.funded();
  const bystander = other.account.address;
  await send(other, {
    type: "setAttribute",
    identity: bystander,
    ...serviceAttribute("Home", "https://bob.example"),
    validity: 365n * DAY,
  });
  return bystander;
}
