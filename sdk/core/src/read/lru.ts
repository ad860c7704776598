// A least-recently-used map: the history cache's eviction policy. A Map keeps insertion order,
// so re-inserting on read makes the first key the least recently used (viem's own LruMap is the
// same idiom). lru-cache did this before, at 18 KB of minified browser bundle for TTLs, size
// accounting and fetch coalescing the resolver never used.
import { SigilError } from "../errors.ts";
export class LruMap<V> extends Map<string, V> {
  readonly maxSize: number;

  constructor(maxSize: number) {
    super();
    if (!Number.isSafeInteger(maxSize) || maxSize < 1)
      throw new SigilError("invalidInput", `cache maxEntries must be a whole number >= 1, got ${maxSize}`);
    this.maxSize = maxSize;
  }

  override get(key: string): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key) as V;
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.maxSize) super.delete(super.keys().next().value as string);
    return this;
  }
}
