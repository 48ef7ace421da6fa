// mmsim: what user pages hold — a content identity per written frame (issue 14 part 4), for KSM (equal pages) and zram (compressed sizes); no kernel counterpart (the kernel has the bytes)
/*
 * The simulator has no page data. Each write says what it writes, and the frame keeps a
 * *content identity*: a safe integer with equal identity ⇔ equal bytes, which also carries how
 * well the bytes compress.
 *
 *   identity = (id × 512 + ratio) × 8 + kind
 *
 *   kind   CONTENT_ZERO (0)   all zeros; identity 0 exactly (id 0, ratio 0)
 *          CONTENT_FILL (1)   one 64-bit word repeated (a memset); id = the value (< 2^32 here)
 *          CONTENT_RANDOM (2) incompressible bytes; id from the table's own counter, so two
 *                             random writes never compare equal
 *          CONTENT_TEXT (3)   data of a given compressibility; id names the text (two writes
 *                             of the same text and ratio are equal pages)
 *   ratio  compressed size in 16-byte units, 0..256 (256 = 4096 bytes: does not compress);
 *          zram's same-filled pages (zeros, fills) store no data: ratio 0
 *
 * Storage (issue 22's budget of host bytes per simulated frame): a side table keyed by PFN, an
 * open-addressing hash (linear probing, backward-shift deletion) of Int32 keys and Float64
 * identities, kept at most half full. Frames that are not user pages cost nothing, and neither
 * do user pages that hold zeros (a fresh anonymous page, the common case): only frames written
 * with non-zero content have an entry, 24 bytes each at the maximum load. Lookups and updates
 * allocate nothing; the table doubles when it fills (amortised, like the page-table pool).
 */
import { CONTENT_FILL, CONTENT_RANDOM, CONTENT_RATIO_UNITS, CONTENT_ZERO, CONTENT_ZERO_ID, contentCompressedBytes, contentKind } from "@mmsim/core";

export {
  CONTENT_ZERO, CONTENT_FILL, CONTENT_RANDOM, CONTENT_TEXT, NR_CONTENT_KINDS, CONTENT_RATIO_UNITS, CONTENT_ZERO_ID, contentKind,
  contentCompressedBytes, contentFill, contentText,
} from "@mmsim/core";
export const contentKindNames: readonly string[] = Object.freeze(["zero", "fill", "random", "text"]);

/** A readable form: `zero`, `fill:0x2a`, `random#7`, `text#3@0.50`. */
export function formatContent(identity: number): string {
  const kind = contentKind(identity);
  const id = Math.floor(identity / 4096);
  if (kind === CONTENT_ZERO) return "zero";
  if (kind === CONTENT_FILL) return "fill:0x" + id.toString(16);
  if (kind === CONTENT_RANDOM) return "random#" + id;
  return "text#" + id + "@" + (contentCompressedBytes(identity) / 4096).toFixed(2);
}

const EMPTY = -1;

/** The content identities of every user frame of one machine. */
export class PageContents {
  private keys: Int32Array;
  private vals: Float64Array;
  private mask: number;
  /** 32 - log2(capacity): hash_32() keeps the top bits. */
  private shift: number;
  /** Frames with non-zero content. */
  size = 0;
  private nextRandom = 1;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Int32Array(cap).fill(EMPTY);
    this.vals = new Float64Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  /** Host bytes the table holds. */
  get bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  /** A fresh random-content identity (incompressible, equal to nothing else). */
  contentRandom(): number {
    const id = this.nextRandom++;
    return (id * 512 + CONTENT_RATIO_UNITS) * 8 + CONTENT_RANDOM;
  }

  /** The identity of frame `pfn` (CONTENT_ZERO_ID when never written with anything else). */
  get(pfn: number): number {
    const keys = this.keys;
    let i = this.home(pfn);
    for (;;) {
      const k = keys[i]!;
      if (k === pfn) return this.vals[i]!;
      if (k === EMPTY) return CONTENT_ZERO_ID;
      i = (i + 1) & this.mask;
    }
  }

  /** Records that frame `pfn` now holds `identity` (a whole-page write). */
  set(pfn: number, identity: number): void {
    if (identity === CONTENT_ZERO_ID) {
      this.clear(pfn);
      return;
    }
    const keys = this.keys;
    let i = this.home(pfn);
    for (;;) {
      const k = keys[i]!;
      if (k === pfn) {
        this.vals[i] = identity;
        return;
      }
      if (k === EMPTY) break;
      i = (i + 1) & this.mask;
    }
    keys[i] = pfn;
    this.vals[i] = identity;
    if (++this.size * 2 > keys.length) this.grow();
  }

  /** The frame is zeroed or freed. */
  clear(pfn: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(pfn);
    for (;;) {
      const k = keys[i]!;
      if (k === EMPTY) return;
      if (k === pfn) break;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move later entries of the cluster into the hole when their home allows.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === EMPTY) break;
      const home = this.home(k);
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        keys[i] = k;
        this.vals[i] = this.vals[j]!;
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.size--;
  }

  /** A copy-on-write copy: dst gets src's content. Kernel: `copy_user_highpage()`'s effect. */
  copy(dstPfn: number, srcPfn: number): void {
    this.set(dstPfn, this.get(srcPfn));
  }

  /** Every (pfn, identity) with non-zero content, ascending by pfn (for reports and tests). */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) out.push([this.keys[i]!, this.vals[i]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** Home slot of a PFN: the top bits of a multiplicative hash. Kernel: `hash_32()` (GOLDEN_RATIO_32). */
  private home(pfn: number): number {
    return Math.imul(pfn, 0x61c88647) >>> this.shift;
  }

  private grow(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    this.keys = new Int32Array(oldK.length * 2).fill(EMPTY);
    this.vals = new Float64Array(oldK.length * 2);
    this.mask = this.keys.length - 1;
    this.shift = 32 - Math.log2(this.keys.length);
    this.size = 0;
    for (let i = 0; i < oldK.length; i++) if (oldK[i] !== EMPTY) this.set(oldK[i]!, oldV[i]!);
  }
}
