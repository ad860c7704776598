// The results' frame, drawn once: a jump list to the four sections (document, history, safety
// numbers, act) and the sections around the boxes that each lookup fills.
import { h } from "./dom.ts";

export interface ResultBoxes {
  document: HTMLElement;
  history: HTMLElement;
  safety: HTMLElement;
  /** The shared log, then the forms. */
  act: HTMLElement[];
}

/** Each section: its id, its name in the jump list, its heading. */
const SECTIONS = [
  ["document", "Document", "Document"],
  ["history", "History", "History"],
  ["safety", "Safety numbers", "Safety numbers"],
  ["act", "Act", "Act on this DID"],
] as const;

export function resultsPanel(boxes: ResultBoxes): HTMLElement {
  const jump = (id: string, name: string) =>
    h(
      "a",
      {
        href: `#${id}`,
        // Moves focus without replacing the address's #did=… (a reload shows the same DID).
        onclick: (e: Event) => {
          e.preventDefault();
          const heading = document.getElementById(`h-${id}`)!;
          heading.scrollIntoView();
          heading.focus({ preventScroll: true });
        },
      },
      name,
    );
  const section = (id: (typeof SECTIONS)[number][0], heading: string) =>
    h(
      "section",
      { id, "aria-labelledby": `h-${id}`, class: "panel" },
      h("h2", { id: `h-${id}`, tabindex: -1 }, heading),
      ...[boxes[id]].flat(),
    );
  return h(
    "div",
    { class: "results", hidden: true, id: "results" },
    h("nav", { class: "jump", "aria-label": "Sections" }, ...SECTIONS.map(([id, name]) => jump(id, name))),
    ...SECTIONS.map(([id, , heading]) => section(id, heading)),
  );
}
