// Kernel: lib/random32.c (prandom_u32_state), include/linux/prandom.h (prandom_seed_state, prandom_u32_max) — v6.1
/*
 * mmsim's one source of randomness: the kernel's own seedable PRNG, L'Ecuyer's maximally
 * equidistributed combined Tausworthe generator LFSR113 ("taus113"), the generator behind
 * `prandom_u32_state()` that SLAB_FREELIST_RANDOM's `freelist_randomize()` uses.
 *
 * Seeding: `prandom_seed_state(state, seed)` (u64 seed folded to 32 bits, each word raised to
 * its minimum), then 10 outputs are discarded as lib/random32.c's `prandom_warmup()` does for
 * its per-CPU states, because the four words start equal. The `PRANDOM_ADD_NOISE` call of
 * prandom_seed_state only perturbs the kernel's per-CPU net noise and is not modelled.
 *
 * The first outputs for seed 42 are pinned in rng.test.ts, and were checked against a C
 * rendering of the same two kernel functions compiled with gcc.
 */
import { ArgumentError, describeValue } from "./errors.ts";

/** A seeded, deterministic random source. */
export interface Rng {
  /** Uniform u32. Kernel: `prandom_u32_state()`. */
  nextU32(): number;
  /** Uniform in [0, n) for 0 < n ≤ 2^32. Kernel: `prandom_u32_max()` (multiply-shift, not rejection). */
  below(n: number): number;
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number;
}

/** LFSR113 seeded as prandom_seed_state() + prandom_warmup(). */
export class Prandom implements Rng {
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private s4 = 0;

  /**
   * @param seed an integer in [0, 2^53) (the kernel takes a u64; mmsim seeds are JS integers)
   * @throws ArgumentError for a negative or non-integer seed
   */
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError("core.Prandom", "seed", "an integer in [0, 2^53)", describeValue(seed));
    const lo = seed % 0x100000000;
    const hi = Math.floor(seed / 0x100000000);
    // i = ((seed >> 32) ^ (seed << 10) ^ seed) & 0xffffffff
    const i = (hi ^ (lo << 10) ^ lo) >>> 0;
    this.s1 = seedWord(i, 2);
    this.s2 = seedWord(i, 8);
    this.s3 = seedWord(i, 16);
    this.s4 = seedWord(i, 128);
    for (let k = 0; k < 10; k++) this.nextU32();
  }

  nextU32(): number {
    // TAUSWORTHE(s, a, b, c, d) = ((s & c) << d) ^ (((s << a) ^ s) >> b), in u32 arithmetic.
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const s4 = this.s4;
    this.s1 = (((s1 & 0xfffffffe) << 18) ^ (((s1 << 6) ^ s1) >>> 13)) >>> 0;
    this.s2 = (((s2 & 0xfffffff8) << 2) ^ (((s2 << 2) ^ s2) >>> 27)) >>> 0;
    this.s3 = (((s3 & 0xfffffff0) << 7) ^ (((s3 << 13) ^ s3) >>> 21)) >>> 0;
    this.s4 = (((s4 & 0xffffff80) << 13) ^ (((s4 << 3) ^ s4) >>> 12)) >>> 0;
    return (this.s1 ^ this.s2 ^ this.s3 ^ this.s4) >>> 0;
  }

  below(n: number): number {
    // (u32)(((u64) r * n) >> 32), computed exactly in doubles by splitting n into 16-bit halves.
    const r = this.nextU32();
    const nLo = n % 0x10000;
    const nHi = (n - nLo) / 0x10000;
    return Math.floor((r * nHi + Math.floor((r * nLo) / 0x10000)) / 0x10000);
  }

  nextFloat(): number {
    return this.nextU32() / 0x100000000;
  }

  /**
   * Shuffles `a` in place: Fisher–Yates from the top with `prandom_u32_state() % (i + 1)`.
   * Kernel: `freelist_randomize()` in mm/slab_common.c.
   */
  shuffle(a: Int32Array | number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextU32() % (i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  /** A new generator seeded from this one's next two outputs (for a sub-stream per CPU or cache). */
  fork(): Prandom {
    const hi = this.nextU32() % 0x200000;
    return new Prandom(hi * 0x100000000 + this.nextU32());
  }
}

/** Kernel: `__seed(x, m)`: a Tausworthe word must be at least its minimum. */
function seedWord(x: number, m: number): number {
  return x < m ? x + m : x;
}
