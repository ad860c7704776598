// A block explorer's URL templates (config.json's explorer: { tx: "https://…/tx/{hash}", address:
// "https://…/address/{address}" }), checked and filled in. No DOM: the console's build checks a
// config's templates with the same code that the page uses.

/** URL templates of a block explorer: "{hash}" and "{address}" are replaced by the value. */
export interface Explorer {
  tx?: string;
  address?: string;
}

export type RefKind = "tx" | "address";

const PLACEHOLDER: Record<RefKind, string> = { tx: "{hash}", address: "{address}" };

/** `template` when it is a usable explorer URL template for `kind` (http or https, with its
 * placeholder), else undefined: a bad template gives no link rather than a wrong one. */
export function explorerTemplate(template: unknown, kind: RefKind): string | undefined {
  if (typeof template !== "string" || !template.includes(PLACEHOLDER[kind])) return undefined;
  try {
    const url = new URL(template.replaceAll(PLACEHOLDER[kind], "0x0"));
    return url.protocol === "https:" || url.protocol === "http:" ? template : undefined;
  } catch {
    return undefined;
  }
}

/** The explorer's page for `value`, if the explorer has a template for its kind. */
export function explorerLink(explorer: Explorer | undefined, kind: RefKind, value: string): string | undefined {
  const template = explorerTemplate(explorer?.[kind], kind);
  return template && template.replaceAll(PLACEHOLDER[kind], encodeURIComponent(value));
}
