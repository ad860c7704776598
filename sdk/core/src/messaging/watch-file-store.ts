// A private watcher's state in a JSON file (Node.js only: `sigil-did/node`), written to a temporary
// file and renamed over the old one, so that a crash mid-write leaves the previous state whole.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { SigilError } from "../errors.ts";
import type { PrivateWatchState, WatchStore } from "./watch-store.ts";

/** Keeps the state in `path` (created with its directory on the first save). */
export function fileWatchStore(path: string): WatchStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      let state: PrivateWatchState;
      try {
        state = JSON.parse(text) as PrivateWatchState;
      } catch (error) {
        throw new SigilError("invalidInput", `the watch store ${path} is not JSON`, {
          details: "it was not written by fileWatchStore, or was cut short: delete it and start again from a checkpoint",
          cause: error,
        });
      }
      if (state?.version !== 1 || !state.cursor || !Array.isArray(state.logs)) {
        throw new SigilError("invalidInput", `the watch store ${path} does not hold a private watcher's state`, {
          details: "expected version 1 with a cursor and logs: delete it and start again from a checkpoint",
        });
      }
      return state;
    },
    async save(state) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(state));
      await rename(tmp, path);
    },
  };
}
