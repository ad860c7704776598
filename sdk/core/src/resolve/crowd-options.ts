// A network's `crowd` options checked, with their defaults (first contact in a crowd, crowd.ts).
import { InvalidInputError } from "../errors.ts";
import type { CrowdOptions } from "../read/networks.ts";

const DEFAULT_K = 32;
const DEFAULT_POOL_BLOCKS = 200_000n;

/** A network's crowd options with their defaults; a bad one is the app's mistake, said at once. */
export function checkCrowdOptions(options: CrowdOptions): { k: number; poolBlocks: bigint } {
  const k = options.k ?? DEFAULT_K;
  if (!Number.isSafeInteger(k) || k < 1 || k > 1000)
    throw new InvalidInputError({
      what: "crowd.k",
      value: String(options.k),
      expected: "a whole number of decoys from 1 to 1000 (default 32)",
    });
  if (options.seed && options.seed.length !== 32)
    throw new InvalidInputError({ what: "crowd.seed", value: `${options.seed.length} bytes`, expected: "32 secret bytes" });
  const poolBlocks = options.poolBlocks ?? DEFAULT_POOL_BLOCKS;
  if (poolBlocks < 1n) throw new InvalidInputError({ what: "crowd.poolBlocks", value: String(poolBlocks), expected: "at least 1 block" });
  return { k, poolBlocks };
}
