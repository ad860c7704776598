// Messaging interop (issue 24), as an app on did:sigil pays for it: DIDComm v2 pack + unpack by
// Sigil, stock didcomm-node and stock Veramo (scripts/lib/didcomm-bench.ts), and MLS groups on
// ts-mls with Sigil's guard and batched member check (scripts/lib/mls-bench.ts), each on its own
// in-process chain with identities and keys really written to the registry. Runnable alone (`npm
// run bench:messaging`, writes docs/messaging-bench.json); `npm run bench` runs it too.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { measureDidcomm, renderDidcomm, type DidcommBench } from "./didcomm-bench.ts";
import { measureMls, renderMls, type MlsBench } from "./mls-bench.ts";

export interface MessagingBench {
  didcomm: DidcommBench;
  mls: MlsBench;
}

export async function measureMessaging({ smoke = false } = {}): Promise<MessagingBench> {
  return { didcomm: await measureDidcomm({ smoke }), mls: await measureMls({ smoke }) };
}

export function renderMessaging(b: MessagingBench): string {
  return ["### DIDComm v2", "", renderDidcomm(b.didcomm), "", "### MLS groups", "", renderMls(b.mls)].join("\n");
}

if (process.argv[1] === import.meta.filename) {
  const bench = await measureMessaging({ smoke: process.argv.includes("--smoke") });
  console.log(renderMessaging(bench));
  if (!process.argv.includes("--smoke")) {
    const root = join(import.meta.dirname, "..", "..");
    writeFileSync(
      join(root, "docs", "messaging-bench.json"),
      JSON.stringify({ measuredAt: new Date().toISOString(), ...bench }, null, 2) + "\n",
    );
  }
}
