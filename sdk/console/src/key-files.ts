// What the forms read and hand out: private keys and addresses typed in (checked, with a message
// that says what is wrong), next-key files, and the card of a new next key to keep offline.
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { NextKeyCard } from "sigil-did";
import { checkbox, h } from "./dom.ts";
import { download, parseJson, toJson } from "./files.ts";
import { short } from "./format.ts";
import { qrSvg } from "./qr.ts";

export function readPrivateKey(text: string, what: string): Hex {
  const v = text.trim();
  if (!isHex(v) || v.length !== 66) throw new Error(`${what} must be 32 bytes written as 0x followed by 64 hex digits`);
  return v as Hex;
}

export function readAddress(text: string, what: string): Address {
  const v = text.trim();
  if (!isAddress(v, { strict: false })) throw new Error(`${what} must be an address: 0x followed by 40 hex digits`);
  if (v !== v.toLowerCase() && v.slice(2) !== v.slice(2).toUpperCase() && !isAddress(v, { strict: true }))
    throw new Error(`${what} has a wrong checksum (a typo?): check it, or write it in lower case`);
  return getAddress(v.toLowerCase());
}

/** A next-key file (the console's or `sigil next-key`'s): the key, its salt and its address. */
export function readNextKey(text: string): { privateKey: Hex; salt: Hex; address: Address } {
  const card = parseJson<Partial<NextKeyCard>>(text, "next-key file");
  if (!card.privateKey) throw new Error("this next-key file holds no private key (only a commitment record): use the file with the key");
  const privateKey = readPrivateKey(card.privateKey, "the next key");
  if (!card.salt || !isHex(card.salt) || card.salt.length !== 66) throw new Error("the next-key file has no valid salt (32 bytes of hex)");
  return { privateKey, salt: card.salt as Hex, address: privateKeyToAccount(privateKey).address };
}

/** A next key's card, to keep offline: download it as a file, print it, or show its QR code. */
export function nextKeyCard(card: NextKeyCard, did: string, label: string) {
  const fileBody = toJson({
    ...card,
    did,
    note: "Sigil next key: keep it offline (a USB stick in a drawer, or printed). You need the key and the salt to rotate.",
  });
  const filename = `sigil-next-key-${card.address.slice(2, 10).toLowerCase()}.json`;
  // The QR code holds what rotating needs and nothing else, so that it stays easy to scan from paper.
  const qrBody = JSON.stringify({ privateKey: card.privateKey, salt: card.salt });
  const saved = checkbox("I have saved this next key offline (file or printout)", { name: "saved", required: true });
  const qrHolder = h("div", { class: "qr-holder", hidden: true });
  const print = () => {
    const sheet = h(
      "div",
      { id: "print-sheet" },
      h("h1", undefined, "Sigil next key — keep offline"),
      h("p", undefined, did),
      qrSvg(qrBody, "QR code of the next key and its salt", 320),
      h("pre", undefined, fileBody),
    );
    document.body.append(sheet);
    document.body.classList.add("printing");
    const done = () => {
      document.body.classList.remove("printing");
      sheet.remove();
    };
    addEventListener("afterprint", done, { once: true });
    print_();
    setTimeout(done, 60_000);
  };
  const el = h(
    "div",
    { class: "card next-card", "data-next-address": card.address },
    h("p", undefined, h("strong", undefined, label), " ", h("code", { class: "mono" }, card.address)),
    h(
      "p",
      { class: "hint" },
      "Its commitment, published when you send: ",
      h("code", { class: "mono" }, short(card.commitment, 10)),
      ". The key and its secret salt never leave this page unless you save them.",
    ),
    h(
      "div",
      { class: "buttons" },
      h(
        "button",
        { type: "button", class: "secondary", "data-action": "download-next", onclick: () => download(filename, fileBody) },
        "Download the next-key file",
      ),
      h("button", { type: "button", class: "secondary", onclick: print }, "Print it"),
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: (e: Event) => {
            qrHolder.hidden = !qrHolder.hidden;
            if (!qrHolder.hidden && !qrHolder.firstChild) qrHolder.append(qrSvg(qrBody, "QR code of the next key and its salt", 240));
            (e.currentTarget as HTMLElement).setAttribute("aria-expanded", String(!qrHolder.hidden));
          },
          "aria-expanded": "false",
        },
        "Show as QR code",
      ),
    ),
    qrHolder,
    saved.el,
  );
  return { el, saved: saved.input };
}
const print_ = () => globalThis.print();
