// Files the user keeps: downloaded from memory (a Blob URL, revoked at once: nothing touches a
// server) and read back from a file picker or a paste box.

/** JSON with bigints as decimal strings: the CLI's format (sigil relay reads it). */
export const toJson = (data: unknown) => JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);

export function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** Text of the first file chosen in `input`, or undefined. */
export async function fileText(input: HTMLInputElement): Promise<string | undefined> {
  const file = input.files?.[0];
  if (!file) return undefined;
  if (file.size > 64 * 1024) throw new Error(`${file.name} is over 64 KB: not a Sigil key or card file`);
  return file.text();
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`the ${what} is not valid JSON: choose the file the console (or sigil) wrote`);
  }
}
