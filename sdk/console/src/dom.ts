// A few lines instead of a UI library: elements built with properties and children (text is
// always a text node, never parsed as HTML), and SVG elements the same way.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: never) => void)>;

function apply(el: Element, attrs: Attrs | undefined, children: Child[]) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    else if (k === "class") el.setAttribute("class", String(v));
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  return apply(document.createElement(tag), attrs, children) as HTMLElementTagNameMap[K];
}

const SVG = "http://www.w3.org/2000/svg";
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  return apply(document.createElementNS(SVG, tag), attrs, children) as SVGElementTagNameMap[K];
}

let counter = 0;
/** A unique id for label/aria wiring. */
export const uid = (prefix: string) => `${prefix}-${++counter}`;

/** A labelled form field: the label names the control (and its hint is its description). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string) {
  control.id ||= uid("f");
  const hintEl = hint ? h("span", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

export function checkbox(label: string, attrs: Attrs = {}) {
  const input = h("input", { type: "checkbox", id: uid("c"), ...attrs });
  return { input, el: h("div", { class: "check" }, input, h("label", { for: input.id }, label)) };
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]) {
  el.replaceChildren();
  apply(el, undefined, children);
  return el;
}
