// The identity's history drawn on a time axis (SVG): one column per block that changed it, one
// lane per kind of change, and the lines that matter most drawn across every lane: a purging
// rotation or recovery (everything to its left is void, hatched) and a deactivation (nothing
// after it counts). Time is to scale where there is room; changes close together are pushed
// apart so that each stays visible and selectable. Selecting a column shows the document as of
// that block. Keyboard: Tab reaches the selected column, arrows move, Enter or Space selects.
import { h, s, uid } from "./dom.ts";
import type { TimedEvent } from "./meta.ts";
import { clock, day, describe, span, when, type Described, type Lane, type Tone } from "./format.ts";

const LANES: { lane: Lane; label: string }[] = [
  { lane: "keys", label: "Keys" },
  { lane: "services", label: "Services" },
  { lane: "controller", label: "Controller" },
  { lane: "guardians", label: "Guardians" },
];
const LEFT = 104;
const TOP = 44;
const LANE_H = 44;
const AXIS = 52;
const GAP = 58;
const HEIGHT = TOP + LANES.length * LANE_H + AXIS;

interface Point {
  block: bigint;
  time: bigint;
  items: { event: TimedEvent; d: Described }[];
  purge: boolean;
  deactivation: boolean;
  x: number;
}

export interface TimelineOptions {
  events: TimedEvent[];
  head: { blockNumber: bigint; timestamp: bigint };
  /** The version shown (a block), or undefined for the current document. */
  selected?: bigint;
  onSelect(block: bigint | undefined): void;
}

function glyph(tone: Tone, x: number, y: number, label: string): SVGElement {
  const cls = `g-${tone}`;
  switch (tone) {
    case "add":
      return s("circle", { class: cls, cx: x, cy: y, r: 7, "data-label": label });
    case "remove":
      return s("g", { class: cls, "data-label": label }, s("circle", { cx: x, cy: y, r: 7 }), s("line", { x1: x - 4, y1: y, x2: x + 4, y2: y }));
    case "commit":
      return s("rect", { class: cls, x: x - 6, y: y - 6, width: 12, height: 12, rx: 2, "data-label": label });
    case "rotate":
    case "purge":
      return s("path", { class: cls, d: `M${x} ${y - 9}L${x + 9} ${y}L${x} ${y + 9}L${x - 9} ${y}Z`, "data-label": label });
    case "guard":
    case "alarm":
      return s("path", { class: cls, d: `M${x} ${y - 8}L${x + 8} ${y + 7}L${x - 8} ${y + 7}Z`, "data-label": label });
    case "end":
      return s("rect", { class: cls, x: x - 7, y: y - 7, width: 14, height: 14, "data-label": label });
  }
}

/** Column positions: at least GAP apart, and the width left over shared out in proportion to time. */
function place(points: Point[], width: number) {
  const n = points.length;
  if (n === 0) return;
  const start = LEFT + 30;
  const spare = Math.max(width - start - 100 - (n - 1) * GAP, 0);
  const t0 = points[0].time;
  const t1 = points[n - 1].time;
  points.forEach((p, i) => {
    p.x = start + i * GAP + (t1 > t0 ? (Number(p.time - t0) / Number(t1 - t0)) * spare : 0);
  });
}

export function timeline(options: TimelineOptions, width = 760): HTMLElement {
  const { events, head } = options;
  const byBlock = new Map<bigint, Point>();
  // A rotation or recovery also emits the owner change: one mark for the two.
  const handover = new Set(events.filter((e) => e.kind === "rotate" || e.kind === "recovered").map((e) => `${e.blockNumber}:${e.newOwner.toLowerCase()}`));
  for (const event of events) {
    if (event.kind === "owner" && !/^0x0{40}$/i.test(event.owner) && handover.has(`${event.blockNumber}:${event.owner.toLowerCase()}`)) continue;
    const p = byBlock.get(event.blockNumber) ?? { block: event.blockNumber, time: event.blockTimestamp, items: [], purge: false, deactivation: false, x: 0 };
    const d = describe(event);
    p.items.push({ event, d });
    if ((event.kind === "rotate" || event.kind === "recovered") && event.purged) p.purge = true;
    if (d.tone === "end") p.deactivation = true;
    byBlock.set(event.blockNumber, p);
  }
  const points = [...byBlock.values()].sort((a, b) => (a.block < b.block ? -1 : 1));
  place(points, width);
  const nowX = (points.at(-1)?.x ?? LEFT) + GAP + 14;
  const W = Math.max(width, nowX + 46);
  const bottom = TOP + LANES.length * LANE_H;
  const laneY = (lane: Lane) => TOP + LANES.findIndex((l) => l.lane === lane) * LANE_H + LANE_H / 2;
  const hatch = uid("hatch");
  const caption = h("p", { class: "tl-caption", id: uid("tl-cap") }, "Select a point to see the document as it was then.");

  const svg = s(
    "svg",
    { class: "timeline", width: W, height: HEIGHT, viewBox: `0 0 ${W} ${HEIGHT}`, role: "group", "aria-label": `History: ${events.length} change${events.length === 1 ? "" : "s"} in ${points.length} block${points.length === 1 ? "" : "s"}` },
    s("defs", undefined, s("pattern", { id: hatch, width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, s("line", { class: "hatch-line", x1: 0, y1: 0, x2: 0, y2: 8 }))),
  );
  // Lanes.
  LANES.forEach(({ label }, i) => {
    const y = TOP + i * LANE_H;
    svg.append(s("rect", { class: `lane lane-${i % 2}`, x: 0, y, width: W, height: LANE_H }), s("text", { class: "lane-label", x: 10, y: y + LANE_H / 2 + 4 }, label));
  });
  // Void: everything before the last purge; and after a deactivation.
  const lastPurge = [...points].reverse().find((p) => p.purge);
  if (lastPurge) {
    svg.append(
      s("rect", { class: "void", x: LEFT, y: TOP, width: lastPurge.x - GAP / 2 + 10 - LEFT, height: bottom - TOP, fill: `url(#${hatch})` }),
      s("text", { class: "void-label", x: lastPurge.x - 8, y: TOP - 10, "text-anchor": "end" }, "void: everything before this line"),
    );
  }
  const deactivated = points.find((p) => p.deactivation);
  if (deactivated) {
    svg.append(
      s("rect", { class: "dead", x: deactivated.x, y: TOP, width: W - deactivated.x, height: bottom - TOP }),
      s("text", { class: "end-label", x: deactivated.x - 8, y: TOP - 10, "text-anchor": "end" }, "deactivated: final"),
    );
  }
  for (const p of points) {
    if (p.purge) svg.append(s("line", { class: "purge-line", x1: p.x, y1: TOP - 6, x2: p.x, y2: bottom + 6, "data-purge-block": p.block.toString() }));
    if (p.deactivation) svg.append(s("line", { class: "end-line", x1: p.x, y1: TOP - 6, x2: p.x, y2: bottom + 6 }));
  }
  // Axis with labels that do not overlap.
  svg.append(s("line", { class: "axis", x1: LEFT, y1: bottom + 8, x2: W - 10, y2: bottom + 8 }));
  const spanSeconds = Number((points.at(-1)?.time ?? head.timestamp) - (points[0]?.time ?? head.timestamp));
  // Dates, and the time of day for a label on the same day as the one before.
  let lastLabel = -Infinity;
  let lastDay = "";
  for (const p of points) {
    svg.append(s("line", { class: "tick", x1: p.x, y1: bottom + 4, x2: p.x, y2: bottom + 12 }));
    if (p.x - lastLabel > 96) {
      const d = day(p.time);
      svg.append(s("text", { class: "tick-label", x: p.x, y: bottom + 28, "text-anchor": "middle" }, spanSeconds < 86_400 || d === lastDay ? clock(p.time) : d));
      lastLabel = p.x;
      lastDay = d;
    }
  }
  // Within one day every label is a time of day: the day itself goes once, under the lane names.
  if (points.length && spanSeconds < 86_400) svg.append(s("text", { class: "tick-label axis-date", x: 10, y: bottom + 28 }, day(points[0].time)));
  svg.append(s("text", { class: "tick-label now", x: nowX, y: bottom + 28, "text-anchor": "middle" }, "now"));
  const last = points.at(-1);
  if (last && head.timestamp > last.time) {
    svg.append(s("text", { class: "gap-label", x: (last.x + nowX) / 2, y: bottom + 42, "text-anchor": "middle" }, `${span(Number(head.timestamp - last.time))} later`));
  }

  // The columns: one focusable button each, and "now".
  const columns: SVGGElement[] = [];
  const describeColumn = (p: Point) => `Block ${p.block}, ${when(p.time)}: ${p.items.map((i) => i.d.text).join("; ")}`;
  const column = (x: number, block: bigint | undefined, name: string, content: SVGElement[], attrs: Record<string, string>) => {
    const selected = options.selected === block;
    const g = s(
      "g",
      { class: `point${selected ? " selected" : ""}`, role: "button", tabindex: -1, "aria-pressed": selected ? "true" : "false", "aria-label": name, "data-block": block?.toString() ?? "now", ...attrs },
      s("rect", { class: "hit", x: x - GAP / 2 + 3, y: TOP - 26, width: GAP - 6, height: bottom - TOP + 26 + AXIS - 4, rx: 6 }),
      ...content,
    );
    const activate = () => options.onSelect(block);
    g.addEventListener("click", activate);
    g.addEventListener("keydown", (e) => {
      const i = columns.indexOf(g);
      const to = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? columns.length - 1 : undefined;
      if (to !== undefined) {
        e.preventDefault();
        const next = columns[Math.max(0, Math.min(columns.length - 1, to))];
        columns.forEach((c) => c.setAttribute("tabindex", "-1"));
        next.setAttribute("tabindex", "0");
        next.focus();
      } else if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        activate();
      }
    });
    const show = () => (caption.textContent = name);
    g.addEventListener("focus", show);
    g.addEventListener("mouseenter", show);
    columns.push(g);
    return g;
  };
  for (const p of points) {
    const glyphs: SVGElement[] = [];
    for (const { lane } of LANES) {
      const items = p.items.filter((i) => i.d.lane === lane);
      items.slice(0, 3).forEach((item, k) => glyphs.push(glyph(item.d.tone, p.x + (k - (Math.min(items.length, 3) - 1) / 2) * 15, laneY(lane), item.d.text)));
      if (items.length > 3) glyphs.push(s("text", { class: "more", x: p.x + 24, y: laneY(lane) + 4 }, `+${items.length - 3}`));
    }
    svg.append(
      column(p.x, p.block, `${describeColumn(p)}. Show the document as of this block.`, glyphs, {
        "data-kinds": [...new Set(p.items.map((i) => i.event.kind))].join(" "),
        ...(p.purge ? { "data-purge": "true" } : {}),
      }),
    );
  }
  svg.append(
    column(nowX, undefined, `Now (block ${head.blockNumber}, ${when(head.timestamp)}): the current document.`, [s("circle", { class: "g-now", cx: nowX, cy: TOP + (bottom - TOP) / 2, r: 6 })], {}),
  );
  // Selected version marker.
  const sel = columns.find((c) => c.getAttribute("aria-pressed") === "true") ?? columns.at(-1)!;
  sel.setAttribute("tabindex", "0");

  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    ...(
      [
        ["add", "added"],
        ["remove", "revoked or removed"],
        ["commit", "next key committed"],
        ["purge", "rotation that voids the past"],
        ["rotate", "rotation or new controller"],
        ["guard", "guardians"],
        ["alarm", "recovery by guardians"],
        ["end", "deactivated"],
      ] as const
    ).map(([tone, text]) => h("li", undefined, sw(tone), text)),
  );
  const list = h(
    "details",
    { class: "tl-text" },
    h("summary", undefined, "The same history as text"),
    h(
      "ol",
      undefined,
      ...points.map((p) => {
        // What a later purge voided counts for nothing today: said in the text as the drawing hatches it.
        const voidedBy = points.find((q) => q.purge && q.block > p.block);
        return h("li", voidedBy ? { "data-voided-by": voidedBy.block.toString() } : undefined, describeColumn(p), voidedBy ? h("strong", { class: "void-note" }, ` — void since block ${voidedBy.block} (purged)`) : "");
      }),
    ),
  );
  const recent = points.at(-1);
  const sinceLast = recent ? h("p", { class: "muted" }, `Last change ${head.timestamp - recent.time < 60n ? "just now" : `${span(Number(head.timestamp - recent.time))} ago`}, in block ${recent.block}.`) : h("p", { class: "muted" }, "No change was ever recorded for this DID: its only key is its own address.");
  return h("div", { class: "timeline-wrap" }, h("div", { class: "tl-scroll", tabindex: -1 }, svg), caption, legend, sinceLast, list);
}

function sw(tone: Tone) {
  const svg = s("svg", { width: 22, height: 22, viewBox: "0 0 22 22", "aria-hidden": "true", focusable: "false" });
  svg.append(glyph(tone, 11, 11, ""));
  return svg;
}
