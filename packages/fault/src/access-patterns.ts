// mmsim: access patterns over a region for workload steps — sequential, random, strided, zipfian — drawn from the workload's seeded Prandom (issue 14 part 3); no kernel counterpart
/*
 * A generator yields page-aligned addresses in [start, start + len), one per next() call, and
 * allocates nothing after construction. Kinds:
 *
 *   sequential  start, start + 4K, …, wrapping at the end
 *   random      uniform over the region's pages (prandom_u32_max)
 *   strided     start, start + stride, …; at the end it wraps to the next offset page of the
 *               stride (so every page is visited once per len/4K accesses when stride divides len)
 *   zipfian     page k (0-based from `start`, or shuffled with `scramble`) with probability
 *               ∝ 1/(k+1)^theta, by Gray et al.'s method ("Quickly generating billion-record
 *               synthetic databases", SIGMOD 1994, as YCSB's ZipfianGenerator does): zeta(n,
 *               theta) is summed once at construction (O(pages)), then each draw is O(1).
 */
import { ArgumentError, type Rng, describeValue } from "@mmsim/core";

export type AccessPatternKind = "sequential" | "random" | "strided" | "zipfian";
export const ACCESS_PATTERN_KINDS: readonly AccessPatternKind[] = Object.freeze(["sequential", "random", "strided", "zipfian"]);

export interface AccessPatternOptions {
  /** strided: bytes between accesses (a multiple of 4096). Default 4096 × 16. */
  readonly stride?: number;
  /** zipfian: skew, 0 < theta < 1 or > 1 (YCSB's default 0.99). */
  readonly theta?: number;
  /** zipfian: spread the hot pages over the region (a seeded permutation) instead of at its start. */
  readonly scramble?: boolean;
}

const PAGE = 4096;
const SITE = "fault.AccessPattern";

/** Addresses of one access pattern over one region. */
export class AccessPattern {
  readonly pages: number;
  private pos = 0;
  private lane = 0;
  private readonly strideP: number;
  private readonly theta: number;
  private readonly zetan: number;
  private readonly alpha: number;
  private readonly eta: number;
  private readonly half: number;
  private readonly perm: Int32Array | null;

  /**
   * @throws ArgumentError for an unaligned or empty region, an unknown kind, or bad options
   */
  constructor(
    readonly kind: AccessPatternKind,
    readonly start: number,
    readonly len: number,
    private readonly rng: Rng,
    opts: AccessPatternOptions = {},
  ) {
    if (!ACCESS_PATTERN_KINDS.includes(kind)) throw new ArgumentError(SITE, "kind", ACCESS_PATTERN_KINDS.join(" | "), describeValue(kind));
    if (!Number.isSafeInteger(start) || start % PAGE !== 0 || start < 0) throw new ArgumentError(SITE, "start", "a page-aligned address", describeValue(start));
    if (!Number.isSafeInteger(len) || len <= 0 || len % PAGE !== 0) throw new ArgumentError(SITE, "len", "a positive multiple of 4096", describeValue(len));
    this.pages = len / PAGE;
    const stride = opts.stride ?? PAGE * 16;
    if (!Number.isSafeInteger(stride) || stride <= 0 || stride % PAGE !== 0) throw new ArgumentError(SITE, "stride", "a positive multiple of 4096", describeValue(stride));
    this.strideP = stride / PAGE;
    const theta = opts.theta ?? 0.99;
    if (!(theta > 0) || theta === 1 || !Number.isFinite(theta)) throw new ArgumentError(SITE, "theta", "a skew > 0 other than 1 (YCSB uses 0.99)", describeValue(theta));
    this.theta = theta;
    let zetan = 0;
    let zeta2 = 0;
    if (kind === "zipfian") {
      for (let i = 1; i <= this.pages; i++) zetan += 1 / Math.pow(i, theta);
      zeta2 = 1 + 1 / Math.pow(2, theta);
    }
    this.zetan = zetan;
    this.alpha = 1 / (1 - theta);
    this.eta = kind === "zipfian" ? (1 - Math.pow(2 / this.pages, 1 - theta)) / (1 - zeta2 / zetan) : 0;
    this.half = 1 + Math.pow(0.5, theta);
    if (kind === "zipfian" && opts.scramble === true) {
      const p = new Int32Array(this.pages);
      for (let i = 0; i < p.length; i++) p[i] = i;
      for (let i = p.length - 1; i > 0; i--) {
        const j = rng.below(i + 1);
        const t = p[i]!;
        p[i] = p[j]!;
        p[j] = t;
      }
      this.perm = p;
    } else this.perm = null;
  }

  /** The next address. */
  next(): number {
    return this.start + this.nextPage() * PAGE;
  }

  /** The next page number (0-based within the region). */
  nextPage(): number {
    switch (this.kind) {
      case "sequential": {
        const p = this.pos;
        this.pos = p + 1 === this.pages ? 0 : p + 1;
        return p;
      }
      case "random":
        return this.rng.below(this.pages);
      case "strided": {
        const p = this.pos;
        let n = p + this.strideP;
        if (n >= this.pages) {
          this.lane = (this.lane + 1) % Math.min(this.strideP, this.pages);
          n = this.lane;
        }
        this.pos = n;
        return p;
      }
      default: {
        const u = this.rng.nextFloat();
        const uz = u * this.zetan;
        let k: number;
        if (uz < 1) k = 0;
        else if (uz < this.half) k = this.pages > 1 ? 1 : 0;
        else k = Math.min(this.pages - 1, Math.floor(this.pages * Math.pow(this.eta * u - this.eta + 1, this.alpha)));
        return this.perm === null ? k : this.perm[k]!;
      }
    }
  }
}
