// QR codes drawn as SVG from qrcode-generator's module matrix (no canvas, no data URL, no
// inline markup): crisp at any size and on paper.
import qrcode from "qrcode-generator";
import { s } from "./dom.ts";

export function qrSvg(text: string, label: string, size = 200): SVGSVGElement {
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4;
  let d = "";
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  const total = n + quiet * 2;
  return s(
    "svg",
    {
      class: "qr",
      viewBox: `0 0 ${total} ${total}`,
      width: size,
      height: size,
      role: "img",
      "aria-label": label,
      "shape-rendering": "crispEdges",
      "data-qr-text": text,
    },
    s("rect", { width: total, height: total, fill: "#fff" }),
    s("path", { d, fill: "#000" }),
  );
}
