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
      return s(
        "g",
        { class: cls, "data-label": label },
        s("circle", { cx: x, cy: y, r: 7 }),
        s("line", { x1: x - 4, y1: y, x2: x + 4, y2: y }),
      );
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

/** The blocks that changed the identity, in order: one point each, its changes described. */
function pointsOf(events: TimedEvent[]): Point[] {
  const byBlock = new Map<bigint, Point>();
  // A rotation or recovery also emits the owner change: one mark for the two.
  const handover = new Set(
    events.filter((e) => e.kind === "rotate" || e.kind === "recovered").map((e) => `${e.blockNumber}:${e.newOwner.toLowerCase()}`),
  );
  for (const event of events) {
    if (event.kind === "owner" && !/^0x0{40}$/i.test(event.owner) && handover.has(`${event.blockNumber}:${event.owner.toLowerCase()}`))
      continue;
    const p = byBlock.get(event.blockNumber) ?? {
      block: event.blockNumber,
      time: event.blockTimestamp,
      items: [],
      purge: false,
      deactivation: false,
      x: 0,
    };
    const d = describe(event);
    p.items.push({ event, d });
    if ((event.kind === "rotate" || event.kind === "recovered") && event.purged) p.purge = true;
    if (d.tone === "end") p.deactivation = true;
    byBlock.set(event.blockNumber, p);
  }
  return [...byBlock.values()].sort((a, b) => (a.block < b.block ? -1 : 1));
}

/** Where things go once the points are placed: the drawing's width, the lanes' bottom, "now". */
interface Frame {
  points: Point[];
  head: TimelineOptions["head"];
  W: number;
  bottom: number;
  nowX: number;
}

const laneY = (lane: Lane) => TOP + LANES.findIndex((l) => l.lane === lane) * LANE_H + LANE_H / 2;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function timeline(options: TimelineOptions, width = 760): HTMLElement {
  const { events, head } = options;
  const points = pointsOf(events);
  place(points, width);
  const nowX = (points.at(-1)?.x ?? LEFT) + GAP + 14;
  const frame: Frame = { points, head, W: Math.max(width, nowX + 46), bottom: TOP + LANES.length * LANE_H, nowX };
  const caption = h("p", { class: "tl-caption", id: uid("tl-cap") }, "Select a point to see the document as it was then.");
  const label = `History: ${plural(events.length, "change")} in ${plural(points.length, "block")}`;
  const svg = s("svg", {
    class: "timeline",
    width: frame.W,
    height: HEIGHT,
    viewBox: `0 0 ${frame.W} ${HEIGHT}`,
    role: "group",
    "aria-label": label,
  });
  drawLanes(svg, frame);
  drawAxis(svg, frame);
  drawColumns(svg, frame, options, caption);
  return h(
    "div",
    { class: "timeline-wrap" },
    h("div", { class: "tl-scroll", tabindex: -1 }, svg),
    caption,
    legend(),
    sinceLast(frame),
    textHistory(points),
  );
}

/** The lanes, what is void (hatched: before the last purge; after a deactivation) and the lines across. */
function drawLanes(svg: SVGSVGElement, { points, W, bottom }: Frame) {
  const hatch = uid("hatch");
  const pattern = s(
    "pattern",
    { id: hatch, width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    s("line", { class: "hatch-line", x1: 0, y1: 0, x2: 0, y2: 8 }),
  );
  svg.append(s("defs", undefined, pattern));
  LANES.forEach(({ label }, i) => {
    const y = TOP + i * LANE_H;
    svg.append(
      s("rect", { class: `lane lane-${i % 2}`, x: 0, y, width: W, height: LANE_H }),
      s("text", { class: "lane-label", x: 10, y: y + LANE_H / 2 + 4 }, label),
    );
  });
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
    if (p.purge)
      svg.append(s("line", { class: "purge-line", x1: p.x, y1: TOP - 6, x2: p.x, y2: bottom + 6, "data-purge-block": p.block.toString() }));
    if (p.deactivation) svg.append(s("line", { class: "end-line", x1: p.x, y1: TOP - 6, x2: p.x, y2: bottom + 6 }));
  }
}

/** The time axis, with labels that do not overlap: dates, and the time of day for a label on the
 * same day as the one before. */
function drawAxis(svg: SVGSVGElement, { points, head, W, bottom, nowX }: Frame) {
  svg.append(s("line", { class: "axis", x1: LEFT, y1: bottom + 8, x2: W - 10, y2: bottom + 8 }));
  const spanSeconds = Number((points.at(-1)?.time ?? head.timestamp) - (points[0]?.time ?? head.timestamp));
  let lastLabel = -Infinity;
  let lastDay = "";
  for (const p of points) {
    svg.append(s("line", { class: "tick", x1: p.x, y1: bottom + 4, x2: p.x, y2: bottom + 12 }));
    if (p.x - lastLabel > 96) {
      const d = day(p.time);
      svg.append(
        s(
          "text",
          { class: "tick-label", x: p.x, y: bottom + 28, "text-anchor": "middle" },
          spanSeconds < 86_400 || d === lastDay ? clock(p.time) : d,
        ),
      );
      lastLabel = p.x;
      lastDay = d;
    }
  }
  // Within one day every label is a time of day: the day itself goes once, under the lane names.
  if (points.length && spanSeconds < 86_400)
    svg.append(s("text", { class: "tick-label axis-date", x: 10, y: bottom + 28 }, day(points[0].time)));
  svg.append(s("text", { class: "tick-label now", x: nowX, y: bottom + 28, "text-anchor": "middle" }, "now"));
  const last = points.at(-1);
  if (last && head.timestamp > last.time) {
    const gap = `${span(Number(head.timestamp - last.time))} later`;
    svg.append(s("text", { class: "gap-label", x: (last.x + nowX) / 2, y: bottom + 42, "text-anchor": "middle" }, gap));
  }
}

const describeColumn = (p: Point) => `Block ${p.block}, ${when(p.time)}: ${p.items.map((i) => i.d.text).join("; ")}`;

/** The columns, one focusable button each (a block, then "now"); the selected one is the one Tab reaches. */
function drawColumns(svg: SVGSVGElement, frame: Frame, options: TimelineOptions, caption: HTMLElement) {
  const { points, head, bottom, nowX } = frame;
  const columns: SVGGElement[] = [];
  const column = (x: number, block: bigint | undefined, name: string, content: SVGElement[], attrs: Record<string, string>) => {
    const selected = options.selected === block;
    const g = s(
      "g",
      {
        class: `point${selected ? " selected" : ""}`,
        role: "button",
        tabindex: -1,
        "aria-pressed": selected ? "true" : "false",
        "aria-label": name,
        "data-block": block?.toString() ?? "now",
        ...attrs,
      },
      s("rect", { class: "hit", x: x - GAP / 2 + 3, y: TOP - 26, width: GAP - 6, height: bottom - TOP + 26 + AXIS - 4, rx: 6 }),
      ...content,
    );
    columnKeys(g, columns, () => options.onSelect(block));
    const show = () => (caption.textContent = name);
    g.addEventListener("focus", show);
    g.addEventListener("mouseenter", show);
    columns.push(g);
    return g;
  };
  for (const p of points) {
    const attrs = { "data-kinds": [...new Set(p.items.map((i) => i.event.kind))].join(" "), ...(p.purge ? { "data-purge": "true" } : {}) };
    svg.append(column(p.x, p.block, `${describeColumn(p)}. Show the document as of this block.`, glyphsOf(p), attrs));
  }
  const now = s("circle", { class: "g-now", cx: nowX, cy: TOP + (bottom - TOP) / 2, r: 6 });
  svg.append(column(nowX, undefined, `Now (block ${head.blockNumber}, ${when(head.timestamp)}): the current document.`, [now], {}));
  const sel = columns.find((c) => c.getAttribute("aria-pressed") === "true") ?? columns.at(-1)!;
  sel.setAttribute("tabindex", "0");
}

/** A column's glyphs: up to three per lane, then "+n". */
function glyphsOf(p: Point): SVGElement[] {
  const glyphs: SVGElement[] = [];
  for (const { lane } of LANES) {
    const items = p.items.filter((i) => i.d.lane === lane);
    items
      .slice(0, 3)
      .forEach((item, k) =>
        glyphs.push(glyph(item.d.tone, p.x + (k - (Math.min(items.length, 3) - 1) / 2) * 15, laneY(lane), item.d.text)),
      );
    if (items.length > 3) glyphs.push(s("text", { class: "more", x: p.x + 24, y: laneY(lane) + 4 }, `+${items.length - 3}`));
  }
  return glyphs;
}

/** Click, Enter or Space selects the column; arrows, Home and End move among `columns`. */
function columnKeys(g: SVGGElement, columns: SVGGElement[], activate: () => void) {
  g.addEventListener("click", activate);
  g.addEventListener("keydown", (e) => {
    const i = columns.indexOf(g);
    const to =
      e.key === "ArrowRight"
        ? i + 1
        : e.key === "ArrowLeft"
          ? i - 1
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? columns.length - 1
              : undefined;
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
}

const LEGEND: [Tone, string][] = [
  ["add", "added"],
  ["remove", "revoked or removed"],
  ["commit", "next key committed"],
  ["purge", "rotation that voids the past"],
  ["rotate", "rotation or new controller"],
  ["guard", "guardians"],
  ["alarm", "recovery by guardians"],
  ["end", "deactivated"],
];

const legend = () =>
  h("ul", { class: "legend", "aria-label": "Legend" }, ...LEGEND.map(([tone, text]) => h("li", undefined, sw(tone), text)));

function sinceLast({ points, head }: Frame): HTMLElement {
  const recent = points.at(-1);
  if (!recent) return h("p", { class: "muted" }, "No change was ever recorded for this DID: its only key is its own address.");
  const ago = head.timestamp - recent.time < 60n ? "just now" : `${span(Number(head.timestamp - recent.time))} ago`;
  return h("p", { class: "muted" }, `Last change ${ago}, in block ${recent.block}.`);
}

/** The same history as text; what a later purge voided counts for nothing today: said in the
 * text as the drawing hatches it. */
function textHistory(points: Point[]): HTMLElement {
  const items = points.map((p) => {
    const voidedBy = points.find((q) => q.purge && q.block > p.block);
    const note = voidedBy ? h("strong", { class: "void-note" }, ` — void since block ${voidedBy.block} (purged)`) : "";
    return h("li", voidedBy ? { "data-voided-by": voidedBy.block.toString() } : undefined, describeColumn(p), note);
  });
  return h("details", { class: "tl-text" }, h("summary", undefined, "The same history as text"), h("ol", undefined, ...items));
}

function sw(tone: Tone) {
  const svg = s("svg", { width: 22, height: 22, viewBox: "0 0 22 22", "aria-hidden": "true", focusable: "false" });
  svg.append(glyph(tone, 11, 11, ""));
  return svg;
}
