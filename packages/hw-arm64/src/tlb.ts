// Kernel: arch/arm64/include/asm/tlbflush.h (v6.1) — the TLBs of a Cortex-A57 CPU with ASIDs, and the TLBI operations the kernel issues
/*
 * What is simulated
 * - `Tlb`: one TLB structure, `sets × ways` entries (fully associative = 1 set), struct of
 *   typed arrays. An entry caches one leaf translation: the VA range it covers (aligned to the
 *   entry's size), the PA of its first byte, the ASID it was filled under, `global` (the leaf's
 *   nG bit was 0: it matches every ASID), the two descriptor words and the OR of the high words
 *   of the table descriptors above the leaf (APTable, UXNTable, PXNTable: permissions are checked
 *   on every hit from both, as the hardware does) and the walk's leaf level.
 * - `CpuTlb`: one CPU's TLBs as the Cortex-A57 TRM (ARM DDI 0488, §5.2 "TLB organization")
 *   describes them: an L1 instruction micro-TLB (48 entries, fully associative), an L1 data
 *   micro-TLB (32 entries, fully associative) and a unified L2 TLB (1024 entries, 4-way set
 *   associative). The L1 instruction TLB natively holds 4 KiB, 64 KiB and 1 MiB entries (A57
 *   TRM; the data side is assumed the same — an estimate), so a 2 MiB or 1 GiB block is held
 *   there as the 1 MiB piece the access fell in (`maxShift` 20); the L2 TLB holds 4 KiB, 2 MiB
 *   and 1 GiB entries with the 4 KiB granule (stated by the Cortex-A72 TRM §5.2.3 for its L2
 *   TLB of the same 1024 × 4-way geometry; assumed for the A57). A one-level TLB is the same
 *   class with no micro-TLBs.
 * - `TlbDomain`: the inner-shareable domain, every CPU's `CpuTlb`. The *IS instructions act on
 *   all of them; `vmalle1` on one. The tlbflush.h functions (flush_tlb_all, flush_tlb_mm,
 *   flush_tlb_page, __flush_tlb_range, flush_tlb_kernel_range, __flush_tlb_kernel_pgtable,
 *   local_flush_tlb_all) issue them as 6.1 does on a CPU without FEAT_TLBIRANGE or FEAT_TTL
 *   (the A57 is ARMv8.0): one TLBI per page up to MAX_TLBI_OPS, else the whole ASID.
 *
 * Mixed page sizes. A set-associative TLB indexed by VA bits has to look each page size up on
 * its own (the A72 TRM: "accesses to the L2 TLB take a variable number of cycles, based on …
 * the different page size mappings in use"). mmsim does the same: for each size with at least
 * one valid entry, it
 * computes the tag (`⌊va / size⌋`) and looks it up. The lookup goes through a hash index over
 * the entries (bucket = hash(tag, size)), so a hit costs the same whatever the associativity;
 * the sets and ways only decide where an entry is placed and which entry it evicts, so the
 * contents, hits and evictions are those of the modelled structure. A lookup is a few typed-
 * array reads per size in use, and allocates nothing.
 *
 * Replacement: the TRMs do not say which policy the A57's TLBs use. The default is LRU (a
 * deterministic estimate; true LRU is what small fully-associative structures approximate);
 * round-robin is an option. Either way an invalid way is filled first.
 *
 * Simplified
 * - No walk cache (intermediate table entries) and no IPA cache: VALE1 and VAE1 remove the same
 *   entries here (the leaf entries); they are still counted apart.
 * - No VMID, no EL2 regime, no contiguous hint (64 KiB entries), no TLB conflict abort (a lookup
 *   that would match two entries returns the smallest-page one).
 * - A TLBI removes exactly the entries the architecture requires it to remove, from the
 *   micro-TLBs as from the L2 TLB.
 *
 * Invariants (validate): every valid entry is in the hash chain of its (tag, size) bucket and in
 * the set its tag selects, and no chain holds an invalid entry; the per-size counts equal the
 * valid entries of each size; no two valid entries translate the same (range, ASID or global).
 */
import type { CostModel, SimClock, ValidationSink } from "@mmsim/core";
import { ArgumentError, ConfigError, PAGE_SHIFT, PAGE_SIZE, describeValue } from "@mmsim/core";
import { PTRS_PER_PTE } from "./pgtable-hwdef.ts";
import type { Va } from "./va.ts";

/** The page and block shifts a 4 KiB-granule walk returns (WalkOut.shift): 4 KiB, 2 MiB, 1 GiB. */
export const TLB_LEAF_SHIFTS: readonly number[] = Object.freeze([12, 21, 30]);

/**
 * MAX_TLBI_OPS = PTRS_PER_PTE: above this many per-page TLBIs, __flush_tlb_range flushes the
 * whole ASID and flush_tlb_kernel_range everything. Kernel: arch/arm64/include/asm/tlbflush.h.
 */
export const MAX_TLBI_OPS = PTRS_PER_PTE;

/** Lookup results of `CpuTlb.lookup`: a miss, a hit in the first level probed, a hit in the L2 TLB. */
export const TLB_MISS = 0;
export const TLB_HIT_L1 = 1;
export const TLB_HIT_L2 = 2;
export type TlbHitLevel = 0 | 1 | 2;

/** TLBI instruction kinds, counted by `TlbDomain.issued`. */
export const TLBI_VMALLE1 = 0; // local: all entries of this CPU (local_flush_tlb_all)
export const TLBI_VMALLE1IS = 1; // all entries, all CPUs (flush_tlb_all)
export const TLBI_ASIDE1IS = 2; // non-global entries of one ASID (flush_tlb_mm)
export const TLBI_VAE1IS = 3; // by VA and ASID, any level (flush_tlb_range)
export const TLBI_VALE1IS = 4; // by VA and ASID, last level (flush_tlb_page, munmap's ranges)
export const TLBI_VAAE1IS = 5; // by VA, all ASIDs, any level (__flush_tlb_kernel_pgtable)
export const TLBI_VAALE1IS = 6; // by VA, all ASIDs, last level (flush_tlb_kernel_range)
export const NR_TLBI_KINDS = 7;
/** The instruction names, indexed by the constants above. */
export const TLBI_NAMES: readonly string[] = Object.freeze(["vmalle1", "vmalle1is", "aside1is", "vae1is", "vale1is", "vaae1is", "vaale1is"]);

/** The shape of one TLB structure. */
export interface TlbGeometry {
  /** Total entries; a multiple of `ways`, and entries / ways a power of two. */
  readonly entries: number;
  /** Associativity: `entries` for a fully-associative TLB. */
  readonly ways: number;
  /** Largest entry the structure holds; a larger block is held as the piece of this size the access fell in. Default 30. */
  readonly maxShift?: number;
  /** Victim choice when the set is full. Default "lru". */
  readonly replacement?: "lru" | "round-robin";
}

/** One CPU's TLBs: the micro-TLBs are optional (null = one level, the L2 TLB only). */
export interface CpuTlbConfig {
  readonly itlb: TlbGeometry | null;
  readonly dtlb: TlbGeometry | null;
  readonly main: TlbGeometry;
}

/**
 * The Cortex-A57's TLBs (TRM ARM DDI 0488 §5.2): L1 instruction 48 entries and L1 data 32
 * entries, fully associative, at most 1 MiB entries; unified L2 1024 entries, 4-way.
 * Replacement LRU is an estimate (the TRM does not document it).
 */
export const CORTEX_A57_TLB: CpuTlbConfig = {
  itlb: { entries: 48, ways: 48, maxShift: 20 },
  dtlb: { entries: 32, ways: 32, maxShift: 20 },
  main: { entries: 1024, ways: 4 },
};

const NO_ENTRY = -1;

/**
 * One TLB structure: set-associative, ASID-tagged, mixed page sizes.
 * Entry `e` is way `e % ways` of set `⌊e / ways⌋`.
 */
export class Tlb {
  readonly name: string;
  readonly sets: number;
  readonly ways: number;
  readonly entries: number;
  /** Largest entry size held (log2 bytes). */
  readonly maxShift: number;
  readonly lru: boolean;

  /** 1 = the entry holds a translation. */
  readonly valid: Uint8Array;
  /** The hardware ASID the entry was filled under (ignored when global). */
  readonly asid: Int32Array;
  /** 1 = the leaf had nG = 0: the entry matches every ASID. */
  readonly global: Uint8Array;
  /** Index into `probeShift`: the entry's size. */
  readonly sizeIdx: Uint8Array;
  /** First VA the entry covers, aligned to its size (a signed `Va`). */
  readonly vaBase: Float64Array;
  /** PA of `vaBase`. */
  readonly outBase: Float64Array;
  /** The leaf descriptor, bits 31..0 and 63..32 (unsigned). */
  readonly descLo: Uint32Array;
  readonly descHi: Uint32Array;
  /** OR of the high words of the table descriptors the walk went through (walk.ts's `WalkOut.tableHi`). */
  readonly tableHi: Uint32Array;
  /** The walk's leaf level: 3 = page, 2 = 2 MiB block, 1 = 1 GiB block. */
  readonly level: Uint8Array;
  /** LRU: `tick` of the entry's last fill or hit (≥ 1); 0 when invalid. */
  readonly stamp: Float64Array;
  /** Round-robin: next way to replace, per set. */
  readonly rrNext: Int32Array;

  /** The sizes this TLB holds (log2 bytes), smallest first, and their byte counts. */
  readonly probeShift: Int8Array;
  readonly probeSize: Float64Array;
  /** 2^−shift of each size: `⌊va × inv⌋` is the tag (exact: a power-of-two scaling). */
  private readonly probeInv: Float64Array;
  readonly nProbe: number;
  /** Valid entries of each size: a lookup skips sizes with none. */
  readonly sizeCount: Int32Array;
  /** shift → probe index, −1 when not held. */
  private readonly shiftToProbe: Int8Array;

  /** Hash index: first entry of each bucket, and the chain links (−1 = none). */
  private readonly bucketHead: Int32Array;
  private readonly chainNext: Int32Array;
  private readonly chainPrev: Int32Array;
  private readonly bucketOf: Int32Array;
  private readonly bucketShift: number;

  private tick = 0;
  /** Lookups that found an entry. */
  hits = 0;
  /** Lookups that found none. */
  misses = 0;
  /** Entries filled. */
  inserts = 0;
  /** Valid entries replaced by a fill. */
  evictions = 0;
  /** Entries removed by TLBI operations. */
  invalidated = 0;

  /**
   * @param geometry entries, ways, largest size, replacement
   * @param name for messages (`"cpu0.dtlb"`)
   * @throws ConfigError when the geometry is not a power-of-two number of sets of ≥ 1 way
   */
  constructor(geometry: TlbGeometry, name = "tlb") {
    const site = "hw-arm64.Tlb";
    const { entries, ways } = geometry;
    const maxShift = geometry.maxShift ?? 30;
    if (!Number.isInteger(ways) || ways < 1 || ways > 4096) throw new ConfigError(site, "<api>", `${name}.ways`, "an integer in [1, 4096]", describeValue(ways));
    if (!Number.isInteger(entries) || entries < ways || entries % ways !== 0 || entries > 1 << 20) {
      throw new ConfigError(site, "<api>", `${name}.entries`, `a multiple of ways (${ways}), at most 2^20`, describeValue(entries));
    }
    const sets = entries / ways;
    if ((sets & (sets - 1)) !== 0) throw new ConfigError(site, "<api>", `${name}.entries`, `entries / ways a power of two (got ${sets} sets)`, describeValue(entries));
    if (!Number.isInteger(maxShift) || maxShift < PAGE_SHIFT || maxShift > 30) {
      throw new ConfigError(site, "<api>", `${name}.maxShift`, `an integer in [${PAGE_SHIFT}, 30]`, describeValue(maxShift));
    }
    const replacement = geometry.replacement ?? "lru";
    if (replacement !== "lru" && replacement !== "round-robin") {
      throw new ConfigError(site, "<api>", `${name}.replacement`, `"lru" or "round-robin"`, describeValue(replacement));
    }
    this.name = name;
    this.sets = sets;
    this.ways = ways;
    this.entries = entries;
    this.maxShift = maxShift;
    this.lru = replacement === "lru";

    this.valid = new Uint8Array(entries);
    this.asid = new Int32Array(entries);
    this.global = new Uint8Array(entries);
    this.sizeIdx = new Uint8Array(entries);
    this.vaBase = new Float64Array(entries);
    this.outBase = new Float64Array(entries);
    this.descLo = new Uint32Array(entries);
    this.descHi = new Uint32Array(entries);
    this.tableHi = new Uint32Array(entries);
    this.level = new Uint8Array(entries);
    this.stamp = new Float64Array(entries);
    this.rrNext = new Int32Array(sets);

    const shifts: number[] = [];
    for (const s of TLB_LEAF_SHIFTS) {
      const held = s < maxShift ? s : maxShift;
      if (!shifts.includes(held)) shifts.push(held);
    }
    shifts.sort((a, b) => a - b);
    this.nProbe = shifts.length;
    this.probeShift = Int8Array.from(shifts);
    this.probeSize = Float64Array.from(shifts, (s) => 2 ** s);
    this.probeInv = Float64Array.from(shifts, (s) => 2 ** -s);
    this.sizeCount = new Int32Array(shifts.length);
    this.shiftToProbe = new Int8Array(64).fill(-1);
    shifts.forEach((s, k) => (this.shiftToProbe[s] = k));

    let bits = 1;
    while (1 << bits < entries * 2) bits++;
    this.bucketShift = 32 - bits;
    this.bucketHead = new Int32Array(1 << bits).fill(NO_ENTRY);
    this.chainNext = new Int32Array(entries).fill(NO_ENTRY);
    this.chainPrev = new Int32Array(entries).fill(NO_ENTRY);
    this.bucketOf = new Int32Array(entries).fill(NO_ENTRY);
  }

  /** Valid entries now. */
  get used(): number {
    let n = 0;
    for (let k = 0; k < this.nProbe; k++) n += this.sizeCount[k];
    return n;
  }

  /**
   * Fibonacci hash of (tag, size index, sign) to a bucket. Only the tag's low 32 bits and its
   * sign enter it: translations 2^(32 + shift) bytes apart share a bucket, which costs a longer
   * chain, never a wrong answer (entries are compared in full).
   */
  private hash(tag: number, k: number): number {
    return Math.imul((tag | 0) ^ (k << 28) ^ (tag < 0 ? 0x40000000 : 0), 0x9e3779b1) >>> this.bucketShift;
  }

  /**
   * The entry translating `va` for `asid` (a global entry matches any ASID), or −1. Counts a
   * hit or a miss and, with LRU, marks the entry used. Allocation-free.
   */
  lookup(va: Va, asid: number): number {
    const n = this.nProbe;
    const sizeCount = this.sizeCount;
    const vaBase = this.vaBase;
    const sizeIdx = this.sizeIdx;
    const chainNext = this.chainNext;
    for (let k = 0; k < n; k++) {
      if (sizeCount[k] === 0) continue;
      const tag = Math.floor(va * this.probeInv[k]);
      const base = tag * this.probeSize[k];
      let e = this.bucketHead[this.hash(tag, k)];
      while (e !== NO_ENTRY) {
        if (vaBase[e] === base && sizeIdx[e] === k && (this.global[e] === 1 || this.asid[e] === asid)) {
          this.hits++;
          if (this.lru) this.stamp[e] = ++this.tick;
          return e;
        }
        e = chainNext[e];
      }
    }
    this.misses++;
    return NO_ENTRY;
  }

  /**
   * Fills an entry for the leaf translation of `va`: the entry covers the aligned range of
   * `min(shift, maxShift)` bits around `va`. An entry for the same range and ASID (or global)
   * is overwritten in place; otherwise an invalid way of the set is used, else the LRU (or
   * round-robin) victim, which counts as an eviction.
   * @param va the address that was translated
   * @param asid hardware ASID of the access
   * @param global the leaf's nG bit was 0
   * @param pa the PA `va` translates to (any offset: the entry keeps its range's base)
   * @param shift leaf size from the walk: 12, 21 or 30
   * @param descLo leaf descriptor bits 31..0
   * @param descHi leaf descriptor bits 63..32
   * @param tableHi OR of the high words of the table descriptors above the leaf (APTable, UXNTable, PXNTable)
   * @param level leaf level from the walk
   * @returns the entry index
   */
  insert(va: Va, asid: number, global: boolean, pa: number, shift: number, descLo: number, descHi: number, tableHi: number, level: number): number {
    const held = shift < this.maxShift ? shift : this.maxShift;
    const k = held >= PAGE_SHIFT && held < 64 ? this.shiftToProbe[held] : -1;
    if (k < 0) throw new ArgumentError("hw-arm64.Tlb.insert", "shift", "12, 21 or 30 (a 4 KiB-granule leaf)", describeValue(shift));
    const size = this.probeSize[k];
    const tag = Math.floor(va * this.probeInv[k]);
    const base = tag * size;
    const g = global ? 1 : 0;
    const h = this.hash(tag, k);
    let e = this.bucketHead[h];
    while (e !== NO_ENTRY) {
      if (this.vaBase[e] === base && this.sizeIdx[e] === k && this.global[e] === g && (g === 1 || this.asid[e] === asid)) break;
      e = this.chainNext[e];
    }
    if (e === NO_ENTRY) {
      e = this.victim((tag | 0) & (this.sets - 1));
      if (this.valid[e] === 1) {
        this.evictions++;
        this.remove(e);
      }
      this.link(e, h);
      this.valid[e] = 1;
      this.sizeIdx[e] = k;
      this.sizeCount[k]++;
      this.vaBase[e] = base;
    }
    this.global[e] = g;
    this.asid[e] = asid;
    this.outBase[e] = pa - (va - base);
    this.descLo[e] = descLo;
    this.descHi[e] = descHi;
    this.tableHi[e] = tableHi;
    this.level[e] = level;
    this.stamp[e] = ++this.tick;
    this.inserts++;
    return e;
  }

  /**
   * The way to fill in `set`: the first invalid one, else the LRU or round-robin victim. An
   * invalid entry's stamp is 0 and a used one's ≥ 1, so one scan for the lowest stamp finds
   * the first invalid way if there is one, else the least recently used.
   */
  private victim(set: number): number {
    const first = set * this.ways;
    const end = first + this.ways;
    const stamp = this.stamp;
    if (this.lru) {
      let best = first;
      let bestStamp = stamp[first];
      for (let e = first + 1; e < end && bestStamp !== 0; e++) {
        const s = stamp[e];
        if (s < bestStamp) {
          bestStamp = s;
          best = e;
        }
      }
      return best;
    }
    const valid = this.valid;
    for (let e = first; e < end; e++) if (valid[e] === 0) return e;
    const way = this.rrNext[set];
    this.rrNext[set] = way + 1 === this.ways ? 0 : way + 1;
    return first + way;
  }

  private link(e: number, h: number): void {
    const head = this.bucketHead[h];
    this.chainNext[e] = head;
    this.chainPrev[e] = NO_ENTRY;
    if (head !== NO_ENTRY) this.chainPrev[head] = e;
    this.bucketHead[h] = e;
    this.bucketOf[e] = h;
  }

  /** Drops entry `e` from its chain and marks it invalid (no counting). */
  private remove(e: number): void {
    const next = this.chainNext[e];
    const prev = this.chainPrev[e];
    if (prev !== NO_ENTRY) this.chainNext[prev] = next;
    else this.bucketHead[this.bucketOf[e]] = next;
    if (next !== NO_ENTRY) this.chainPrev[next] = prev;
    this.chainNext[e] = NO_ENTRY;
    this.chainPrev[e] = NO_ENTRY;
    this.bucketOf[e] = NO_ENTRY;
    this.valid[e] = 0;
    this.stamp[e] = 0;
    this.sizeCount[this.sizeIdx[e]]--;
  }

  /**
   * Removes the entries covering `va` (any size) that match `asid` or are global; with
   * `allAsids`, every entry covering `va`. The effect of TLBI VAE1/VALE1 (by VA and ASID) and
   * VAAE1/VAALE1 (by VA, all ASIDs) on this structure.
   * @returns entries removed
   */
  invalidateVa(va: Va, asid: number, allAsids: boolean): number {
    let removed = 0;
    for (let k = 0; k < this.nProbe; k++) {
      if (this.sizeCount[k] === 0) continue;
      const size = this.probeSize[k];
      const tag = Math.floor(va * this.probeInv[k]);
      const base = tag * size;
      let e = this.bucketHead[this.hash(tag, k)];
      while (e !== NO_ENTRY) {
        const next = this.chainNext[e];
        if (this.vaBase[e] === base && this.sizeIdx[e] === k && (allAsids || this.global[e] === 1 || this.asid[e] === asid)) {
          this.remove(e);
          removed++;
        }
        e = next;
      }
    }
    this.invalidated += removed;
    return removed;
  }

  /**
   * Removes every non-global entry of `asid` (TLBI ASIDE1: global entries stay).
   * @returns entries removed
   */
  invalidateAsid(asid: number): number {
    let removed = 0;
    for (let e = 0; e < this.entries; e++) {
      if (this.valid[e] === 1 && this.global[e] === 0 && this.asid[e] === asid) {
        this.remove(e);
        removed++;
      }
    }
    this.invalidated += removed;
    return removed;
  }

  /**
   * Removes every entry (TLBI VMALLE1).
   * @returns entries removed
   */
  invalidateAll(): number {
    let removed = 0;
    for (let e = 0; e < this.entries; e++) {
      if (this.valid[e] === 1) {
        this.remove(e);
        removed++;
      }
    }
    this.invalidated += removed;
    return removed;
  }

  /** Checks the invariants listed in the file header. */
  validate(sink: ValidationSink): void {
    const where = `tlb ${this.name}`;
    const perSize = new Int32Array(this.nProbe);
    const seen = new Set<string>();
    for (let e = 0; e < this.entries; e++) {
      if (this.valid[e] === 0) {
        if (this.bucketOf[e] !== NO_ENTRY) sink.report(`${where}[${e}]`, "invalid entry still in a hash chain");
        continue;
      }
      const k = this.sizeIdx[e];
      if (k >= this.nProbe) {
        sink.report(`${where}[${e}]`, `size index ${k} out of range`);
        continue;
      }
      perSize[k]++;
      const size = this.probeSize[k];
      const tag = this.vaBase[e] / size;
      if (!Number.isInteger(tag)) sink.report(`${where}[${e}]`, `vaBase ${this.vaBase[e]} not aligned to its size 2^${this.probeShift[k]}`);
      const set = Math.floor(e / this.ways);
      if (((tag | 0) & (this.sets - 1)) !== set) sink.report(`${where}[${e}]`, `in set ${set}, its tag selects set ${(tag | 0) & (this.sets - 1)}`);
      if (this.bucketOf[e] !== this.hash(tag, k)) sink.report(`${where}[${e}]`, "not in the hash bucket of its tag");
      const key = `${this.vaBase[e]}:${k}:${this.global[e] === 1 ? "g" : this.asid[e]}`;
      if (seen.has(key)) sink.report(`${where}[${e}]`, `duplicate translation ${key}`);
      seen.add(key);
    }
    for (let k = 0; k < this.nProbe; k++) {
      if (perSize[k] !== this.sizeCount[k]) sink.report(where, `sizeCount[2^${this.probeShift[k]}] = ${this.sizeCount[k]}, counted ${perSize[k]}`);
    }
    let chained = 0;
    for (let h = 0; h < this.bucketHead.length; h++) {
      let prev = NO_ENTRY;
      for (let e = this.bucketHead[h]; e !== NO_ENTRY; e = this.chainNext[e]) {
        if (++chained > this.entries) {
          sink.report(where, "hash chains hold more links than entries (a cycle)");
          return;
        }
        if (this.valid[e] === 0) sink.report(`${where}[${e}]`, `invalid entry in bucket ${h}`);
        if (this.chainPrev[e] !== prev) sink.report(`${where}[${e}]`, "chain back link broken");
        prev = e;
      }
    }
    let valid = 0;
    for (let e = 0; e < this.entries; e++) valid += this.valid[e];
    if (chained !== valid) sink.report(where, `${valid} valid entries, ${chained} in hash chains`);
  }
}

/**
 * One CPU's TLBs: optional L1 instruction and data micro-TLBs in front of the L2 (main) TLB.
 * A lookup tries the micro-TLB of the access's side, then the L2 TLB (refilling the micro-TLB
 * on a hit); `hitTlb`/`hitEntry` say where the translation was found.
 */
export class CpuTlb {
  readonly itlb: Tlb | null;
  readonly dtlb: Tlb | null;
  readonly main: Tlb;
  /** The structure and entry of the last hit (entry −1 after a miss). */
  hitTlb: Tlb;
  hitEntry = NO_ENTRY;

  /**
   * @param config the three geometries (CORTEX_A57_TLB by default)
   * @param name prefix for the structures' names (`"cpu0"`)
   */
  constructor(config: CpuTlbConfig = CORTEX_A57_TLB, name = "cpu") {
    this.itlb = config.itlb === null ? null : new Tlb(config.itlb, `${name}.itlb`);
    this.dtlb = config.dtlb === null ? null : new Tlb(config.dtlb, `${name}.dtlb`);
    this.main = new Tlb(config.main, `${name}.l2tlb`);
    this.hitTlb = this.main;
  }

  /**
   * Looks `va` up for `asid`: the instruction (exec) or data micro-TLB first, then the L2 TLB.
   * An L2 hit refills the micro-TLB (as a ≤ 1 MiB piece of a block). Allocation-free.
   * @returns TLB_MISS, TLB_HIT_L1 (first level probed) or TLB_HIT_L2
   */
  lookup(va: Va, asid: number, exec: boolean): TlbHitLevel {
    const micro = exec ? this.itlb : this.dtlb;
    if (micro !== null) {
      const e = micro.lookup(va, asid);
      if (e !== NO_ENTRY) {
        this.hitTlb = micro;
        this.hitEntry = e;
        return TLB_HIT_L1;
      }
    }
    const main = this.main;
    const e = main.lookup(va, asid);
    if (e === NO_ENTRY) {
      this.hitEntry = NO_ENTRY;
      return TLB_MISS;
    }
    this.hitTlb = main;
    this.hitEntry = e;
    if (micro === null) return TLB_HIT_L1;
    micro.insert(va, main.asid[e], main.global[e] === 1, main.outBase[e] + (va - main.vaBase[e]), main.probeShift[main.sizeIdx[e]], main.descLo[e], main.descHi[e], main.tableHi[e], main.level[e]);
    return TLB_HIT_L2;
  }

  /** Fills the L2 TLB and the micro-TLB of the access's side after a walk (arguments as `Tlb.insert`). */
  insert(va: Va, asid: number, global: boolean, pa: number, shift: number, descLo: number, descHi: number, tableHi: number, level: number, exec: boolean): void {
    this.main.insert(va, asid, global, pa, shift, descLo, descHi, tableHi, level);
    const micro = exec ? this.itlb : this.dtlb;
    if (micro !== null) micro.insert(va, asid, global, pa, shift, descLo, descHi, tableHi, level);
  }

  /** `Tlb.invalidateVa` on every structure. @returns entries removed from all of them */
  invalidateVa(va: Va, asid: number, allAsids: boolean): number {
    let n = this.main.invalidateVa(va, asid, allAsids);
    if (this.itlb !== null) n += this.itlb.invalidateVa(va, asid, allAsids);
    if (this.dtlb !== null) n += this.dtlb.invalidateVa(va, asid, allAsids);
    return n;
  }

  /** `Tlb.invalidateAsid` on every structure. @returns entries removed */
  invalidateAsid(asid: number): number {
    let n = this.main.invalidateAsid(asid);
    if (this.itlb !== null) n += this.itlb.invalidateAsid(asid);
    if (this.dtlb !== null) n += this.dtlb.invalidateAsid(asid);
    return n;
  }

  /** `Tlb.invalidateAll` on every structure. @returns entries removed */
  invalidateAll(): number {
    let n = this.main.invalidateAll();
    if (this.itlb !== null) n += this.itlb.invalidateAll();
    if (this.dtlb !== null) n += this.dtlb.invalidateAll();
    return n;
  }

  /** Validates every structure. */
  validate(sink: ValidationSink): void {
    this.main.validate(sink);
    if (this.itlb !== null) this.itlb.validate(sink);
    if (this.dtlb !== null) this.dtlb.validate(sink);
  }
}

/** Options of a `TlbDomain`. */
export interface TlbDomainOptions {
  /** KPTI (arm64_kernel_unmapped_at_el0): user-ASID TLBIs are issued twice, the second with USER_ASID_FLAG (ASID | 1). Default false. */
  readonly kpti?: boolean;
  /** Charged for each TLBI (tlbiLocal, tlbiBroadcast, tlbiBroadcastNext); none when absent. */
  readonly clock?: SimClock;
  readonly costs?: CostModel;
}

/**
 * The inner-shareable domain: every CPU's TLBs, the TLBI instructions that reach them and the
 * tlbflush.h functions built on them. Each *IS instruction acts on every CPU. A public
 * instruction method stands for the instruction and its DSB ISH (charged tlbiBroadcast); a
 * tlbflush.h function that issues n instructions before one DSB is charged
 * tlbiBroadcast + (n − 1) × tlbiBroadcastNext.
 */
export class TlbDomain {
  readonly cpus: readonly CpuTlb[];
  readonly kpti: boolean;
  /** TLBI instructions issued, by kind (TLBI_VMALLE1 … TLBI_VAALE1IS). */
  readonly issued: Float64Array = new Float64Array(NR_TLBI_KINDS);
  /** Range flushes that became a whole-ASID flush (__flush_tlb_range) or a flush_tlb_all (flush_tlb_kernel_range). */
  rangeFallbacks = 0;
  private readonly clock: SimClock | undefined;
  private readonly costLocal: number;
  private readonly costFirst: number;
  private readonly costNext: number;

  constructor(cpus: readonly CpuTlb[], options: TlbDomainOptions = {}) {
    this.cpus = cpus;
    this.kpti = options.kpti ?? false;
    this.clock = options.clock;
    const costs = options.costs;
    this.costLocal = costs ? costs.tlbiLocal : 0;
    this.costFirst = costs ? costs.tlbiBroadcast : 0;
    this.costNext = costs ? costs.tlbiBroadcastNext : 0;
  }

  /** Charges `n` broadcast TLBIs followed by one DSB ISH. */
  private chargeBroadcast(n: number): void {
    if (this.clock !== undefined && n > 0) this.clock.advance(this.costFirst + (n - 1) * this.costNext);
  }

  private byVa(kind: number, va: Va, asid: number, allAsids: boolean): void {
    this.issued[kind]++;
    const cpus = this.cpus;
    for (let c = 0; c < cpus.length; c++) cpus[c].invalidateVa(va, asid, allAsids);
  }

  private byAsid(asid: number): void {
    this.issued[TLBI_ASIDE1IS]++;
    const cpus = this.cpus;
    for (let c = 0; c < cpus.length; c++) cpus[c].invalidateAsid(asid);
  }

  private all(): void {
    this.issued[TLBI_VMALLE1IS]++;
    const cpus = this.cpus;
    for (let c = 0; c < cpus.length; c++) cpus[c].invalidateAll();
  }

  /** TLBI VMALLE1 on `cpu` only, with DSB NSH + ISB (charged tlbiLocal). */
  vmalle1(cpu: number): void {
    const t = this.cpus[cpu];
    if (t === undefined) throw new ArgumentError("hw-arm64.TlbDomain.vmalle1", "cpu", `a CPU in [0, ${this.cpus.length})`, describeValue(cpu));
    this.issued[TLBI_VMALLE1]++;
    t.invalidateAll();
    if (this.clock !== undefined) this.clock.advance(this.costLocal);
  }

  /** TLBI VMALLE1IS: every entry on every CPU. */
  vmalle1is(): void {
    this.all();
    this.chargeBroadcast(1);
  }

  /** TLBI ASIDE1IS: every non-global entry of `asid`, on every CPU. */
  aside1is(asid: number): void {
    this.byAsid(asid);
    this.chargeBroadcast(1);
  }

  /** TLBI VAE1IS: the entries covering `va` for `asid`, and global ones, any level, every CPU. */
  vae1is(va: Va, asid: number): void {
    this.byVa(TLBI_VAE1IS, va, asid, false);
    this.chargeBroadcast(1);
  }

  /** TLBI VALE1IS: as vae1is, last level only (the same entries here: no walk cache). */
  vale1is(va: Va, asid: number): void {
    this.byVa(TLBI_VALE1IS, va, asid, false);
    this.chargeBroadcast(1);
  }

  /** TLBI VAAE1IS: the entries covering `va` for every ASID, any level, every CPU. */
  vaae1is(va: Va): void {
    this.byVa(TLBI_VAAE1IS, va, 0, true);
    this.chargeBroadcast(1);
  }

  /** TLBI VAALE1IS: as vaae1is, last level only. */
  vaale1is(va: Va): void {
    this.byVa(TLBI_VAALE1IS, va, 0, true);
    this.chargeBroadcast(1);
  }

  /** This CPU's whole TLB. Kernel: `local_flush_tlb_all()` (tlbflush.h): TLBI VMALLE1. */
  localFlushTlbAll(cpu: number): void {
    this.vmalle1(cpu);
  }

  /** Every CPU's whole TLB. Kernel: `flush_tlb_all()`: TLBI VMALLE1IS. */
  flushTlbAll(): void {
    this.vmalle1is();
  }

  /**
   * One address space on every CPU. Kernel: `flush_tlb_mm()`: TLBI ASIDE1IS of ASID(mm), and
   * with KPTI again for the user ASID (ASID | 1, `__tlbi_user`).
   * @param asid ASID(mm): the mm's context id masked to the hardware ASID
   */
  flushTlbMm(asid: number): void {
    this.byAsid(asid);
    if (this.kpti) this.byAsid(asid | 1);
    this.chargeBroadcast(this.kpti ? 2 : 1);
  }

  /**
   * One user page on every CPU. Kernel: `flush_tlb_page()` → `__flush_tlb_page_nosync()`:
   * TLBI VALE1IS (and the user ASID with KPTI), then DSB ISH.
   */
  flushTlbPage(asid: number, uaddr: Va): void {
    this.byVa(TLBI_VALE1IS, uaddr, asid, false);
    if (this.kpti) this.byVa(TLBI_VALE1IS, uaddr, asid | 1, false);
    this.chargeBroadcast(this.kpti ? 2 : 1);
  }

  /**
   * A user range on every CPU, as 6.1 does it without FEAT_TLBIRANGE: start and end are
   * rounded to `stride`; a range of MAX_TLBI_OPS strides or more becomes flush_tlb_mm; else
   * one TLBI VALE1IS (lastLevel) or VAE1IS per stride, each doubled for the user ASID with KPTI.
   * Kernel: `__flush_tlb_range()` (tlbflush.h; no TTL hint on ARMv8.0).
   * @param stride PAGE_SIZE, or PMD_SIZE/PUD_SIZE for huge mappings
   * @returns the TLBI instructions issued
   */
  flushTlbRangeStride(asid: number, start: Va, end: Va, stride: number, lastLevel: boolean): number {
    if (!Number.isSafeInteger(stride) || stride < PAGE_SIZE || (stride & (stride - 1)) !== 0) {
      throw new ArgumentError("hw-arm64.TlbDomain.flushTlbRangeStride", "stride", "a power of two ≥ PAGE_SIZE", describeValue(stride));
    }
    start = Math.floor(start / stride) * stride;
    end = Math.ceil(end / stride) * stride;
    if (end - start >= MAX_TLBI_OPS * stride) {
      this.rangeFallbacks++;
      this.flushTlbMm(asid);
      return this.kpti ? 2 : 1;
    }
    const kind = lastLevel ? TLBI_VALE1IS : TLBI_VAE1IS;
    let n = 0;
    for (let va = start; va < end; va += stride) {
      this.byVa(kind, va, asid, false);
      n++;
      if (this.kpti) {
        this.byVa(kind, va, asid | 1, false);
        n++;
      }
    }
    this.chargeBroadcast(n);
    return n;
  }

  /**
   * Kernel: `flush_tlb_range()`: `__flush_tlb_range(vma, start, end, PAGE_SIZE, false, 0)`.
   * @returns the TLBI instructions issued
   */
  flushTlbRange(asid: number, start: Va, end: Va): number {
    return this.flushTlbRangeStride(asid, start, end, PAGE_SIZE, false);
  }

  /**
   * A kernel range (vmalloc, ioremap) on every CPU: more than MAX_TLBI_OPS pages become
   * flush_tlb_all, else one TLBI VAALE1IS per page of `[start, end)` (the page of a partial
   * last page is not included, as the kernel's loop over `addr >> 12` does).
   * Kernel: `flush_tlb_kernel_range()`.
   * @returns the TLBI instructions issued
   */
  flushTlbKernelRange(start: Va, end: Va): number {
    if (end - start > MAX_TLBI_OPS * PAGE_SIZE) {
      this.rangeFallbacks++;
      this.flushTlbAll();
      return 1;
    }
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor(end / PAGE_SIZE);
    let n = 0;
    for (let p = first; p < last; p++) {
      this.byVa(TLBI_VAALE1IS, p * PAGE_SIZE, 0, true);
      n++;
    }
    this.chargeBroadcast(n);
    return n;
  }

  /** A kernel mapping and the walk-cache entries above it. Kernel: `__flush_tlb_kernel_pgtable()`: TLBI VAAE1IS. */
  flushTlbKernelPgtable(kaddr: Va): void {
    this.vaae1is(kaddr);
  }

  /** Total TLBI instructions issued. */
  get totalIssued(): number {
    let n = 0;
    for (let k = 0; k < NR_TLBI_KINDS; k++) n += this.issued[k];
    return n;
  }

  /** Validates every CPU's TLBs. */
  validate(sink: ValidationSink): void {
    for (const t of this.cpus) t.validate(sink);
  }
}
