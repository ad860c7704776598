// Safety numbers, as Signal has them: the fingerprint of one DID's authentication keys, and the
// 60-digit number of a pair of DIDs (the same on both sides), as digits and as a QR code. The
// other person's console scans the code (with a camera, where the browser can read QR codes) or
// pastes what it holds, and the console says whether the numbers match.
import { authenticationFingerprint, devicesOf, safetyNumber } from "sigil-did";
import { h, field, fill, uid } from "./dom.ts";
import type { Chain } from "./chain.ts";
import type { Resolution } from "./meta.ts";
import { qrSvg } from "./qr.ts";

const canonical = (r: Resolution) =>
  String((r.didDocumentMetadata as { canonicalId?: string }).canonicalId ?? r.didDocument?.id ?? "").toLowerCase();

/** What a pasted text or scanned code says: the digits (or hex) and the DIDs it names, if any. */
export function readCode(text: string): { value: string; dids: string[] } {
  const t = text.trim();
  const m = /^sigil-(?:safety|fingerprint):(.+):([0-9a-f ]+)$/i.exec(t);
  if (m) return { value: m[2].replace(/\s/g, "").toLowerCase(), dids: m[1].split(",").map((d) => d.toLowerCase()) };
  return { value: t.replace(/[^0-9a-f]/gi, "").toLowerCase(), dids: [] };
}

function groups(number: string) {
  return h("p", { class: "digits", "aria-label": `Safety number: ${number}` }, ...number.split(" ").map((g) => h("span", undefined, g)));
}

/** The safety number computed last (with the DID it pairs this one with), if any. */
interface Pair {
  number: string;
  payload: string;
  other: string;
}

export function safetyView(chain: Chain, result: Resolution, initialOther?: string): HTMLElement {
  const did = canonical(result);
  const fp = result.didDocument !== null ? authenticationFingerprint(result) : undefined;
  const state: { pair?: Pair } = {};
  const pair = pairForm(chain, result, state, initialOther);
  const compare = compareForm(did, fp, state);
  return h(
    "div",
    { class: "safety" },
    fingerprint(did, fp),
    h("div", { class: "pair" }, pair.form, pair.out, compare.form, compare.verdict),
  );
}

/** The fingerprint of this DID's authentication keys, as hex groups and a QR code. */
function fingerprint(did: string, fp: string | undefined): HTMLElement {
  return h(
    "div",
    { class: "fingerprint" },
    h("h3", undefined, "Fingerprint of this DID's authentication keys"),
    h(
      "p",
      { class: "hint", "data-fingerprint-of": "current" },
      "Of the current document, whichever version is shown above: compare it with what the other person sees today.",
    ),
    fp
      ? h("p", { class: "digits hex", "aria-label": `Fingerprint: ${fp}` }, ...fp.split(" ").map((g) => h("span", undefined, g)))
      : h("p", { class: "muted" }, "No document, no fingerprint."),
    fp ? qrSvg(`sigil-fingerprint:${did}:${fp.replace(/ /g, "")}`, `QR code of the fingerprint ${fp}`, 160) : null,
  );
}

/** "Show the safety number" of this DID and another: resolves the other, then shows the digits and their QR code. */
function pairForm(chain: Chain, result: Resolution, state: { pair?: Pair }, initialOther?: string) {
  const out = h("div", { class: "pair-out", "aria-live": "polite" });
  const other = h("input", {
    type: "text",
    name: "other-did",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "did:sigil:…",
    value: initialOther ?? "",
  });
  const compute = async () => {
    fill(out, h("p", { class: "muted" }, "Resolving…"));
    const theirs = await chain.resolver.resolve(other.value.trim());
    const error = (theirs.didResolutionMetadata as { error?: string; message?: string }).message;
    if (error || !theirs.didDocument || result.didDocument === null) {
      state.pair = undefined;
      fill(out, h("p", { class: "bad", role: "alert" }, error ?? "Both DIDs need a document (a deactivated DID has none)."));
      return;
    }
    const number = safetyNumber(result, theirs);
    const dids = [canonical(result), canonical(theirs)].sort();
    state.pair = { number, payload: `sigil-safety:${dids.join(",")}:${number.replace(/ /g, "")}`, other: canonical(theirs) };
    fill(
      out,
      h("h3", undefined, "Safety number of this pair"),
      groups(number),
      qrSvg(state.pair.payload, `QR code of the safety number ${number}`),
      h(
        "p",
        { class: "hint" },
        "Both of you see the same number. Compare it in person or over a call, or let the other console scan this code.",
      ),
      coveredDevices(result, theirs),
    );
  };
  const form = h(
    "form",
    { class: "row-form", onsubmit: (e: Event) => (e.preventDefault(), void compute()) },
    field("Your DID (or any other)", other, "The safety number of two DIDs is the same on both sides."),
    h("button", { type: "submit" }, "Show the safety number"),
  );
  if (initialOther) void compute();
  return { form, out };
}

/** "Compare": what the other screen shows (typed, pasted or scanned) against this pair's number or this DID's fingerprint. */
function compareForm(did: string, fp: string | undefined, state: { pair?: Pair }) {
  const verdict = h("p", { class: "verdict", role: "status" });
  const paste = h("textarea", { rows: 2, name: "compare", spellcheck: "false", placeholder: "12345 67890 … or sigil-safety:…" });
  const say = (match: "true" | "false" | "", cls: string, text: string) => {
    verdict.className = `verdict${cls}`;
    verdict.dataset.match = match;
    verdict.textContent = text;
  };
  const compare = () => {
    const read = readCode(paste.value);
    const { pair } = state;
    const expected = [
      ...(pair ? [{ what: "safety number of this pair", value: pair.number.replace(/ /g, ""), dids: [did, pair.other].sort() }] : []),
      ...(fp ? [{ what: "fingerprint of this DID", value: fp.replace(/ /g, ""), dids: [did] }] : []),
    ];
    const hit = expected.find((e) => e.value === read.value);
    if (hit && (read.dids.length === 0 || read.dids.join(",") === hit.dids.join(","))) {
      say("true", " good", `✓ They match: this is the ${hit.what}. The keys are the ones the other person sees.`);
    } else if (!read.value) say("", "", "Paste the digits from the other screen first.");
    else if (pair || fp) {
      say(
        "false",
        " bad",
        "✗ They do not match. Do not trust these keys until you know why: one " +
          "of you may be looking at a key a thief published, or at another DID.",
      );
    } else say("false", " bad", "Compute the safety number first.");
  };
  const scanner = "BarcodeDetector" in globalThis ? scanButton((text) => ((paste.value = text), compare())) : null;
  const form = h(
    "form",
    { class: "row-form", onsubmit: (e: Event) => (e.preventDefault(), compare()) },
    field("What the other screen shows", paste, "The digits, or the text its QR code holds (a phone camera app shows it)."),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "Compare"), scanner),
  );
  return { form, verdict };
}

/** Scans a QR code with the camera where the browser has BarcodeDetector (Chrome on Android, macOS). */
function scanButton(onText: (text: string) => void) {
  const id = uid("scan");
  const video = h("video", { class: "scan-video", id, muted: true, playsinline: true, hidden: true, "aria-label": "Camera preview" });
  let stream: MediaStream | undefined;
  const stop = () => {
    stream?.getTracks().forEach((t) => t.stop());
    stream = undefined;
    video.hidden = true;
  };
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        if (stream) return stop();
        const Detector = (
          globalThis as unknown as { BarcodeDetector: new (o: object) => { detect(v: HTMLVideoElement): Promise<{ rawValue: string }[]> } }
        ).BarcodeDetector;
        const detector = new Detector({ formats: ["qr_code"] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        const tick = async () => {
          if (!stream) return;
          const codes = await detector.detect(video).catch(() => []);
          if (codes[0]) {
            stop();
            onText(codes[0].rawValue);
          } else requestAnimationFrame(() => void tick());
        };
        void tick();
      },
    },
    "Scan with the camera",
  );
  return h("span", { class: "scan" }, button, video);
}

/** Which named devices the number covers, so that both people can say "your phone and laptop" aloud
 * (a device added, removed or re-keyed changes the number). */
function coveredDevices(...results: Resolution[]): HTMLElement | null {
  const lines = results
    .map((r) => ({ did: canonical(r), names: devicesOf(r).devices.map((d) => d.name) }))
    .filter((x) => x.names.length > 0)
    .map((x) => `${x.did}: ${x.names.join(", ")}`);
  if (!lines.length) return null;
  return h("p", { class: "hint", "data-covered-devices": "" }, `It covers these devices — ${lines.join("; ")}.`);
}
