// Throughput of several contenders on one machine: each contender's rate is the median of several
// rounds, and the rounds alternate between contenders so that a noisy neighbour or a GC pause hurts
// them alike rather than whichever ran last.

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Per contender: `work(n)` does n operations; returns the median operations per second of `rounds`
 * alternating rounds (after one warm-up each). A `work` that returns a number has timed its own
 * operations (ms), leaving out what it had to prepare for them.
 */
export async function alternatingRates<K extends string>(
  contenders: Record<K, (n: number) => Promise<number | void>>,
  { rounds, perRound }: { rounds: number; perRound: number },
): Promise<Record<K, number>> {
  const names = Object.keys(contenders) as K[];
  for (const name of names) await contenders[name](Math.max(1, Math.ceil(perRound / 4))); // JIT, caches, WASM
  const rates = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    // Rotate who goes first, so no contender always follows the same one.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const start = performance.now();
      const own = await contenders[name](perRound);
      rates[name].push(perRound / ((typeof own === "number" ? own : performance.now() - start) / 1000));
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(rates[n])])) as Record<K, number>;
}
