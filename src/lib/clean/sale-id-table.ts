/** What `SaleIdTable.add` found. */
export const SEEN = { new: 0, same: 1, different: 2 } as const;
export type Seen = (typeof SEEN)[keyof typeof SEEN];

const MAX_LOAD = 0.7;

/**
 * The sale_ids of a week with a 32-bit fingerprint of each one's content, for
 * deduplication. Open addressing over typed arrays: 12 bytes a slot, so about
 * 17-34 bytes a sale, off the JavaScript heap, and no limit on the count (a
 * `Map` stops at 2^24 entries, short of a 20-million-row week).
 */
export class SaleIdTable {
  private keys: Float64Array;
  private hashes: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Float64Array(slots);
    this.hashes = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.keys.byteLength + this.hashes.byteLength;
  }

  /**
   * Record a sale_id (a positive safe integer) with its content fingerprint, unless it is
   * already there; say whether it was new, there with the same content, or with other content.
   */
  add(id: number, hash: number): Seen {
    const keys = this.keys;
    let slot = slotOf(id) & this.mask;
    for (;;) {
      const key = keys[slot];
      if (key === 0) break;
      if (key === id) return this.hashes[slot] === hash >>> 0 ? SEEN.same : SEEN.different;
      slot = (slot + 1) & this.mask;
    }
    keys[slot] = id;
    this.hashes[slot] = hash;
    if (++this.size > this.keys.length * MAX_LOAD) this.grow();
    return SEEN.new;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHashes = this.hashes;
    const slots = oldKeys.length * 2;
    this.keys = new Float64Array(slots);
    this.hashes = new Uint32Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i] as number;
      if (key === 0) continue;
      let slot = slotOf(key) & this.mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.hashes[slot] = oldHashes[i] as number;
    }
  }
}

/** A well-mixed 32-bit hash of an integer up to 2^53. */
function slotOf(id: number): number {
  let h = Math.imul((id >>> 0) ^ Math.imul((id / 4294967296) >>> 0, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
