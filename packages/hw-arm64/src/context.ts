// Kernel: arch/arm64/mm/context.c, arch/arm64/include/asm/mmu.h, arch/arm64/include/asm/mmu_context.h (v6.1) — ASID allocation with generations and rollover
/*
 * What is simulated: 6.1's ASID allocator, function for function.
 * - A context id (`mm->context.id`) is `generation | asid`: the low `asid_bits` bits are the
 *   ASID, the bits above count rollovers (ASID_FIRST_VERSION = 2^asid_bits per generation).
 * - `asid_map` has a bit per ASID of the current generation. `new_context()` keeps the mm's old
 *   ASID if a CPU still reserves it or the bitmap has it free, else takes the next zero bit
 *   from `cur_idx`; when none is left the generation moves on and `flush_context()` clears the
 *   bitmap, keeps every CPU's active (or, if that CPU has not switched since the last
 *   rollover, reserved) ASID, and marks every CPU to flush its local TLB at its next switch
 *   (`tlb_flush_pending`).
 * - `check_and_switch_context()`: the lock-free fast path when the mm's generation is current
 *   and this CPU's active_asids is non-zero, else the slow path (the kernel's cpu_asid_lock).
 * - KPTI (option, off by default as on the reference: `nokaslr` on a Cortex-A57 needs none, and
 *   the boot log says "ASID allocator initialised with 65536 entries"): ASIDs are allocated in
 *   even/odd pairs, the odd bits of the map are always set, half the ASIDs are available.
 * - CONFIG_UNMAP_KERNEL_AT_EL0=y (arm64 default, Debian's config): `asids_init()` sets the odd
 *   bits before it knows whether KPTI is needed, so the first generation hands out only even
 *   ASIDs (2, 4, … : 2^(asid_bits−1) − 1 of them) even without KPTI; the first rollover clears
 *   that. Option `unmapKernelAtEl0`, default true.
 * - Pinned ASIDs (`arm64_mm_context_get/put`, used by SVA): a pinned mm keeps its ASID across
 *   rollovers; at most `max_pinned_asids`.
 *
 * Simplified: mms are small integer ids (no mm_struct); context ids are exact JS numbers (a
 * generation fits 2^53 / 2^asid_bits rollovers). One caller at a time, so the cmpxchg of the
 * fast path always succeeds and the lock is implicit. There is no destroy_context on arm64: an
 * exited mm's ASID is simply not carried into the next generation.
 *
 * Invariants (validate): every CPU's active ASID (non-zero) and reserved ASID of the current
 * generation have their bit set in asid_map; pinned ASIDs are set in both maps and counted by
 * nr_pinned_asids ≤ max_pinned_asids; with KPTI or in the first generation with
 * CONFIG_UNMAP_KERNEL_AT_EL0 all odd bits are set; an mm's context id is 0 or of a past or the
 * current generation.
 */
import type { CostModel, SimClock, ValidationSink } from "@mmsim/core";
import { ArgumentError, ConfigError, describeValue, growTypedArray } from "@mmsim/core";

/** The mm id of init_mm: switching to it sets the reserved TTBR0 (no user mappings, no ASID work). */
export const INIT_MM = -1;

/** What the allocator calls when a CPU must flush its TLB before running a new ASID (local_flush_tlb_all). */
export interface LocalTlbFlusher {
  localFlushTlbAll(cpu: number): void;
}

/** Options of the ASID allocator. */
export interface AsidAllocatorConfig {
  /** num_possible_cpus(). */
  readonly nrCpus: number;
  /** ID_AA64MMFR0_EL1.ASIDBits: 16 on Cortex-A57 (the default), or 8. */
  readonly asidBits?: number;
  /** arm64_kernel_unmapped_at_el0(): KPTI on. Default false. */
  readonly kpti?: boolean;
  /** CONFIG_UNMAP_KERNEL_AT_EL0 (default true): the first generation reserves the odd ASIDs. */
  readonly unmapKernelAtEl0?: boolean;
  /** Where a rollover is charged (asidRollover); none when absent. */
  readonly clock?: SimClock;
  readonly costs?: CostModel;
}

/** Lowest set bit of a non-zero 32-bit word. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * The ASID allocator of arch/arm64/mm/context.c: one per machine. mm ids are non-negative
 * integers given to `initNewContext` first.
 */
export class AsidAllocator {
  /** asid_bits. */
  readonly asidBits: number;
  /** NUM_USER_ASIDS = ASID_FIRST_VERSION = 2^asid_bits. */
  readonly numUserAsids: number;
  readonly nrCpus: number;
  readonly kpti: boolean;
  readonly unmapKernelAtEl0: boolean;
  /** num_available_asids of asids_update_limit(): NUM_USER_ASIDS, halved with KPTI. */
  readonly numAvailableAsids: number;
  /** max_pinned_asids = num_available_asids − num_possible_cpus() − 2. */
  readonly maxPinnedAsids: number;
  /** The line asids_update_limit() prints. */
  readonly initMessage: string;

  /** asid_generation: a multiple of ASID_FIRST_VERSION, starting at it. */
  generation: number;
  /** asid_map: one bit per ASID of the current generation. */
  readonly asidMap: Uint32Array;
  /** pinned_asid_map (allocated at boot in 6.1, as bitmap_zalloc always succeeds here). */
  readonly pinnedAsidMap: Uint32Array;
  nrPinnedAsids = 0;
  /** Per CPU: active_asids (context id, 0 after a rollover until the CPU switches). */
  readonly activeAsids: Float64Array;
  /** Per CPU: reserved_asids (the context id a CPU held at the last rollover). */
  readonly reservedAsids: Float64Array;
  /** Per CPU: tlb_flush_pending (1 = flush the local TLB at the next slow-path switch). */
  readonly tlbFlushPending: Uint8Array;
  /** `static u32 cur_idx` of new_context(). */
  curIdx = 1;

  /** Per mm: context.id (0 = never had an ASID). */
  private ctxId: Float64Array;
  /** Per mm: context.pinned refcount. */
  private pinned: Int32Array;
  /** Per mm: 1 = initNewContext was called. */
  private live: Uint8Array;

  /** Switches that took the fast path / the slow path. */
  fastPath = 0;
  slowPath = 0;
  /** new_context() calls, and how many kept the mm's previous ASID. */
  newContexts = 0;
  reusedAsids = 0;
  /** Generation rollovers (flush_context calls). */
  rollovers = 0;
  /** Local TLB flushes done at a switch because of tlb_flush_pending. */
  pendingFlushes = 0;

  private flusher: LocalTlbFlusher | undefined;
  private readonly clock: SimClock | undefined;
  private readonly costRollover: number;

  /**
   * asids_init() (early_initcall) and asids_update_limit() (arch_initcall).
   * @param flusher does local_flush_tlb_all(cpu); may be set later with `setFlusher`
   * @throws ConfigError on a bad option, or when there are not more ASIDs than CPUs
   *   (the kernel's WARN_ON: allocation after a rollover could fail)
   */
  constructor(config: AsidAllocatorConfig, flusher?: LocalTlbFlusher) {
    const site = "hw-arm64.AsidAllocator";
    const asidBits = config.asidBits ?? 16;
    if (asidBits !== 8 && asidBits !== 16) throw new ConfigError(site, "<api>", "asidBits", "8 or 16 (ID_AA64MMFR0_EL1.ASIDBits)", describeValue(asidBits));
    if (!Number.isInteger(config.nrCpus) || config.nrCpus < 1) throw new ConfigError(site, "<api>", "nrCpus", "an integer ≥ 1", describeValue(config.nrCpus));
    const kpti = config.kpti ?? false;
    const unmap = config.unmapKernelAtEl0 ?? true;
    if (kpti && !unmap) throw new ConfigError(site, "<api>", "kpti", "false when unmapKernelAtEl0 is false (KPTI needs CONFIG_UNMAP_KERNEL_AT_EL0)", "true");
    this.asidBits = asidBits;
    this.numUserAsids = 2 ** asidBits;
    this.nrCpus = config.nrCpus;
    this.kpti = kpti;
    this.unmapKernelAtEl0 = unmap;
    this.flusher = flusher;
    this.clock = config.clock;
    this.costRollover = config.costs ? config.costs.asidRollover : 0;

    // asids_init()
    this.generation = this.numUserAsids;
    this.asidMap = new Uint32Array(this.numUserAsids / 32);
    this.pinnedAsidMap = new Uint32Array(this.numUserAsids / 32);
    if (unmap) this.setKptiAsidBits(this.asidMap);

    // asids_update_limit()
    let available = this.numUserAsids;
    if (kpti) {
      available /= 2;
      this.setKptiAsidBits(this.pinnedAsidMap);
    }
    if (available - 1 <= this.nrCpus) {
      throw new ConfigError(site, "<api>", "nrCpus", `fewer than ${available - 1} CPUs for ${available} ASIDs (asids_update_limit WARN_ON)`, String(this.nrCpus));
    }
    this.numAvailableAsids = available;
    this.maxPinnedAsids = available - this.nrCpus - 2;
    this.initMessage = `ASID allocator initialised with ${available} entries`;

    this.activeAsids = new Float64Array(this.nrCpus);
    this.reservedAsids = new Float64Array(this.nrCpus);
    this.tlbFlushPending = new Uint8Array(this.nrCpus);
    this.ctxId = new Float64Array(64);
    this.pinned = new Int32Array(64);
    this.live = new Uint8Array(64);
  }

  /** Sets who flushes a CPU's TLB (the MMU, once it has its TLBs). */
  setFlusher(flusher: LocalTlbFlusher): void {
    this.flusher = flusher;
  }

  /** Kernel: `ctxid2asid()`: the ASID bits of a context id. */
  ctxid2asid(ctx: number): number {
    return ctx % this.numUserAsids;
  }

  /** Kernel: `asid_gen_match()`: the context id belongs to the current generation. */
  asidGenMatch(ctx: number): boolean {
    return ctx - (ctx % this.numUserAsids) === this.generation;
  }

  /**
   * Gives `mm` an empty context (id 0, not pinned), growing the per-mm tables if needed.
   * Kernel: `init_new_context()` (mmu_context.h).
   */
  initNewContext(mm: number): void {
    if (!Number.isSafeInteger(mm) || mm < 0 || mm >= 2 ** 31) {
      throw new ArgumentError("hw-arm64.AsidAllocator.initNewContext", "mm", "an mm id in [0, 2^31)", describeValue(mm));
    }
    if (mm >= this.ctxId.length) {
      let n = this.ctxId.length;
      while (n <= mm) n *= 2;
      this.ctxId = growTypedArray(this.ctxId, n);
      this.pinned = growTypedArray(this.pinned, n);
      this.live = growTypedArray(this.live, n);
    }
    this.ctxId[mm] = 0;
    this.pinned[mm] = 0;
    this.live[mm] = 1;
  }

  /** Whether `mm` has a context (initNewContext was called). */
  hasContext(mm: number): boolean {
    return Number.isInteger(mm) && mm >= 0 && mm < this.live.length && this.live[mm] === 1;
  }

  /** `mm->context.id`. */
  contextId(mm: number): number {
    this.checkMm("contextId", mm);
    return this.ctxId[mm];
  }

  /** The hardware ASID the mm runs with: the ASID bits of its context id. Kernel: `ASID(mm)` (mmu.h). */
  asid(mm: number): number {
    this.checkMm("asid", mm);
    return this.ctxId[mm] % this.numUserAsids;
  }

  /** The pinned refcount of `mm`. */
  pinCount(mm: number): number {
    this.checkMm("pinCount", mm);
    return this.pinned[mm];
  }

  private checkMm(fn: string, mm: number): void {
    if (!this.hasContext(mm)) {
      throw new ArgumentError(`hw-arm64.AsidAllocator.${fn}`, "mm", "an mm id given to initNewContext first", describeValue(mm));
    }
  }

  /** Kernel: `set_kpti_asid_bits()`: memset(map, 0xaa): every odd ASID reserved. */
  private setKptiAsidBits(map: Uint32Array): void {
    map.fill(0xaaaaaaaa);
  }

  /** Kernel: `set_reserved_asid_bits()`: the map starts a generation as a copy of the pinned map. */
  private setReservedAsidBits(): void {
    this.asidMap.set(this.pinnedAsidMap);
  }

  private setBit(map: Uint32Array, bit: number): void {
    map[bit >>> 5] |= 1 << (bit & 31);
  }

  /** `__test_and_set_bit`: returns whether the bit was already set. */
  private testAndSetBit(map: Uint32Array, bit: number): boolean {
    const w = bit >>> 5;
    const m = 1 << (bit & 31);
    const old = (map[w] & m) !== 0;
    map[w] |= m;
    return old;
  }

  /** Whether `asid` is set in asid_map. */
  asidInMap(asid: number): boolean {
    return (this.asidMap[asid >>> 5] & (1 << (asid & 31))) !== 0;
  }

  /** `find_next_zero_bit(asid_map, NUM_USER_ASIDS, offset)`: NUM_USER_ASIDS when none. */
  findNextZeroBit(offset: number): number {
    const size = this.numUserAsids;
    if (offset >= size) return size;
    const map = this.asidMap;
    let w = offset >>> 5;
    let word = ~map[w] & (-1 << (offset & 31));
    for (;;) {
      if (word !== 0) {
        const bit = w * 32 + ctz32(word);
        return bit < size ? bit : size;
      }
      if (++w >= map.length) return size;
      word = ~map[w];
    }
  }

  /**
   * Starts a new generation: the map restarts from the pinned map, each CPU's active ASID (or,
   * if it has not switched since the last rollover, its reserved one) is kept, and every CPU
   * is marked to flush its TLB. Kernel: `flush_context()`.
   */
  private flushContext(): void {
    this.setReservedAsidBits();
    for (let i = 0; i < this.nrCpus; i++) {
      let asid = this.activeAsids[i];
      this.activeAsids[i] = 0;
      if (asid === 0) asid = this.reservedAsids[i];
      this.setBit(this.asidMap, asid % this.numUserAsids);
      this.reservedAsids[i] = asid;
    }
    this.tlbFlushPending.fill(1);
    this.rollovers++;
    if (this.clock !== undefined) this.clock.advance(this.costRollover);
  }

  /** Kernel: `check_update_reserved_asid()`: moves every CPU's reservation of `asid` to `newasid`. */
  private checkUpdateReservedAsid(asid: number, newasid: number): boolean {
    let hit = false;
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      if (this.reservedAsids[cpu] === asid) {
        hit = true;
        this.reservedAsids[cpu] = newasid;
      }
    }
    return hit;
  }

  /** Kernel: `new_context()`: a context id of the current generation for `mm`. */
  private newContext(mm: number): number {
    this.newContexts++;
    let asid = this.ctxId[mm];
    let generation = this.generation;
    if (asid !== 0) {
      const old = asid % this.numUserAsids;
      const newasid = generation + old;
      // If our current ASID was active during a rollover, we can continue to use it.
      if (this.checkUpdateReservedAsid(asid, newasid)) {
        this.reusedAsids++;
        return newasid;
      }
      // A pinned ASID stays ours.
      if (this.pinned[mm] !== 0) {
        this.reusedAsids++;
        return newasid;
      }
      // We had a valid ASID in a previous life: re-use it if it is free.
      if (!this.testAndSetBit(this.asidMap, old)) {
        this.reusedAsids++;
        return newasid;
      }
    }
    // ASID #0 is the reserved TTBR0 of init_mm: search from cur_idx (≥ 1).
    asid = this.findNextZeroBit(this.curIdx);
    if (asid === this.numUserAsids) {
      // Out of ASIDs: a new generation.
      this.generation += this.numUserAsids;
      generation = this.generation;
      this.flushContext();
      // More ASIDs than CPUs, so this always succeeds.
      asid = this.findNextZeroBit(1);
    }
    this.setBit(this.asidMap, asid);
    this.curIdx = asid;
    return generation + asid;
  }

  /**
   * Makes `mm`'s ASID current on `cpu` before its TTBR0 is switched: the fast path when its
   * generation is current and this CPU's active_asids is non-zero; else, under the lock, a new
   * context if needed and the pending local TLB flush.
   * Kernel: `check_and_switch_context()` (context.c).
   * @returns the mm's context id (its ASID is `id % 2^asidBits`)
   */
  checkAndSwitchContext(mm: number, cpu: number): number {
    if (!(mm >= 0 && mm < this.live.length && this.live[mm] === 1)) this.checkMm("checkAndSwitchContext", mm);
    if (!(cpu >= 0 && cpu < this.nrCpus)) {
      throw new ArgumentError("hw-arm64.AsidAllocator.checkAndSwitchContext", "cpu", `a CPU in [0, ${this.nrCpus})`, describeValue(cpu));
    }
    let asid = this.ctxId[mm];
    const oldActive = this.activeAsids[cpu];
    if (oldActive !== 0 && asid - (asid % this.numUserAsids) === this.generation) {
      // atomic64_cmpxchg_relaxed(&active_asids, old_active_asid, asid): no concurrent rollover here.
      this.activeAsids[cpu] = asid;
      this.fastPath++;
      return asid;
    }
    this.slowPath++;
    if (asid - (asid % this.numUserAsids) !== this.generation) {
      asid = this.newContext(mm);
      this.ctxId[mm] = asid;
    }
    if (this.tlbFlushPending[cpu] === 1) {
      this.tlbFlushPending[cpu] = 0;
      this.pendingFlushes++;
      if (this.flusher !== undefined) this.flusher.localFlushTlbAll(cpu);
    }
    this.activeAsids[cpu] = asid;
    return asid;
  }

  /**
   * Pins `mm`'s ASID so that rollovers keep it (for a device sharing the address space).
   * Kernel: `arm64_mm_context_get()`.
   * @returns the ASID (with KPTI the user one, ASID | 1), or 0 when max_pinned_asids are pinned
   */
  mmContextGet(mm: number): number {
    this.checkMm("mmContextGet", mm);
    let asid = this.ctxId[mm];
    if (this.pinned[mm] > 0) {
      this.pinned[mm]++;
    } else if (this.nrPinnedAsids >= this.maxPinnedAsids) {
      asid = 0;
    } else {
      if (!this.asidGenMatch(asid)) {
        // One or more rollovers since this ASID was used: make sure it is still valid.
        asid = this.newContext(mm);
        this.ctxId[mm] = asid;
      }
      this.nrPinnedAsids++;
      this.setBit(this.pinnedAsidMap, asid % this.numUserAsids);
      this.pinned[mm] = 1;
    }
    asid = asid % this.numUserAsids;
    if (asid !== 0 && this.kpti) asid |= 1;
    return asid;
  }

  /** Drops one pin of `mm`; the last one frees its bit in pinned_asid_map. Kernel: `arm64_mm_context_put()`. */
  mmContextPut(mm: number): void {
    this.checkMm("mmContextPut", mm);
    if (this.pinned[mm] === 0) return;
    if (--this.pinned[mm] === 0) {
      const bit = this.ctxId[mm] % this.numUserAsids;
      this.pinnedAsidMap[bit >>> 5] &= ~(1 << (bit & 31));
      this.nrPinnedAsids--;
    }
  }

  /** Checks the invariants listed in the file header. */
  validate(sink: ValidationSink): void {
    const where = "asid allocator";
    if (this.generation % this.numUserAsids !== 0 || this.generation < this.numUserAsids) {
      sink.report(where, `asid_generation ${this.generation} is not a positive multiple of ${this.numUserAsids}`);
    }
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      const a = this.activeAsids[cpu];
      if (a !== 0) {
        if (!this.asidGenMatch(a)) sink.report(`${where} cpu${cpu}`, `active_asids ${a} is not of generation ${this.generation}`);
        else if (!this.asidInMap(a % this.numUserAsids)) sink.report(`${where} cpu${cpu}`, `active ASID ${a % this.numUserAsids} not set in asid_map`);
      }
      const r = this.reservedAsids[cpu];
      if (r !== 0 && this.asidGenMatch(r) && !this.asidInMap(r % this.numUserAsids)) {
        sink.report(`${where} cpu${cpu}`, `reserved ASID ${r % this.numUserAsids} not set in asid_map`);
      }
    }
    let pinnedBits = 0;
    for (let mm = 0; mm < this.live.length; mm++) {
      const ctx = this.ctxId[mm];
      if (this.live[mm] === 0) continue;
      if (ctx > this.generation + this.numUserAsids - 1) sink.report(`${where} mm ${mm}`, `context id ${ctx} is of a future generation`);
      if (this.pinned[mm] > 0) {
        pinnedBits++;
        const bit = ctx % this.numUserAsids;
        if ((this.pinnedAsidMap[bit >>> 5] & (1 << (bit & 31))) === 0) sink.report(`${where} mm ${mm}`, `pinned ASID ${bit} not in pinned_asid_map`);
        if (this.asidGenMatch(ctx) && !this.asidInMap(bit)) sink.report(`${where} mm ${mm}`, `pinned ASID ${bit} not in asid_map`);
      }
    }
    if (pinnedBits !== this.nrPinnedAsids) sink.report(where, `nr_pinned_asids ${this.nrPinnedAsids}, ${pinnedBits} pinned mms`);
    if (this.nrPinnedAsids > this.maxPinnedAsids) sink.report(where, `nr_pinned_asids ${this.nrPinnedAsids} > max_pinned_asids ${this.maxPinnedAsids}`);
    if (this.kpti || (this.unmapKernelAtEl0 && this.generation === this.numUserAsids)) {
      for (let w = 0; w < this.asidMap.length; w++) {
        if (((this.asidMap[w] & 0xaaaaaaaa) >>> 0) !== 0xaaaaaaaa) {
          sink.report(where, `odd ASIDs of word ${w} not reserved (KPTI pairs / CONFIG_UNMAP_KERNEL_AT_EL0 first generation)`);
          break;
        }
      }
    }
  }
}
