// Kernel: arch/arm64/include/asm/mmu_context.h (switch_mm, cpu_switch_mm), arch/arm64/mm/context.c (cpu_do_switch_mm) — each CPU's TTBR0/TTBR1 and ASID, and the translate path: TLB, then the table walk
/*
 * What is simulated
 * - Per CPU: TTBR0_EL1 (the current user pgd, or the reserved empty table of init_mm), TTBR1_EL1
 *   (swapper_pg_dir) and the ASID, which 6.1 keeps in TTBR1 (TCR_EL1.A1 = 1; cpu_do_switch_mm).
 *   Each CPU has its own TLBs (`CpuTlb`); the *IS TLBIs of `tlbi` reach all of them.
 * - `translate(cpu, va, access, out)`: the MMU's work for one access. A negative `Va` is a
 *   TTBR1 (kernel) address, a non-negative one TTBR0 (user); outside ±2^VA_BITS it is a level-0
 *   translation fault without a walk. The TLB is looked up with the CPU's ASID (with KPTI, EL0
 *   accesses use the odd ASID of the pair, USER_ASID_BIT); a hit is permission-checked against
 *   the cached leaf descriptor and the cached table attributes above it (APTable, UXNTable,
 *   PXNTable: the walk's `tableHi`), and a failing hit reports a permission fault without
 *   walking, as the hardware does; a miss walks the tables through the injected walker (walk.ts's
 *   `walk`) and fills the TLB on success. Nothing is allocated.
 * - `switchMm(cpu, mm, pgd)`: switch_mm → __switch_mm → check_and_switch_context → cpu_switch_mm.
 *
 * Costs (SimClock, CostModel): an L1 TLB hit tlbHit; an L1 miss that hits the L2 TLB
 * tlbMainHit; a walk (descriptor reads from the start level down to the leaf or faulting level)
 * × walkLevel; TLBIs and rollovers are charged by TlbDomain and AsidAllocator.
 *
 * Simplified: no WXN, no hardware Access-flag or dirty-state updates on a hit (ARMv8.0 has
 * none: leave the WalkOut's `ha`/`hd` off; the walker then reports an Access-flag fault), no CnP,
 * no walk cache. PAN is off on the A57 (ARMv8.0; CONFIG_ARM64_SW_TTBR0_PAN is off in the
 * reference); `MmuConfig.pan` turns PSTATE.PAN on for every CPU: translate() passes it to the
 * walk on a miss (`out.pan`) and to the permission check on a hit alike.
 * One permission rule serves both paths: walk.ts's `permissionFault()`, which the walk applies
 * on a miss and translate() applies to the cached leaf and table attributes on a hit.
 *
 * Invariants (validate): the TLBs' and the ASID allocator's own; a CPU running a user mm has
 * that mm's ASID in its TTBR1.
 */
import type { CostModel, SimClock, ValidationSink } from "@mmsim/core";
import { ArgumentError, ConfigError, checkUint, describeValue } from "@mmsim/core";
import { AsidAllocator, INIT_MM } from "./context.ts";
import { PTE_NG, levelShift } from "./pgtable-hwdef.ts";
import { CORTEX_A57_TLB, CpuTlb, TLB_HIT_L1, TLB_MISS, TlbDomain } from "./tlb.ts";
import type { CpuTlbConfig } from "./tlb.ts";
import type { Va } from "./va.ts";
import { ACCESS_EXEC, ACCESS_USER, FAULT_PERMISSION, FAULT_TRANSLATION, permissionFault } from "./walk.ts";

/**
 * The walker's out-parameter: structurally walk.ts's `WalkOut` (pa of the access, or of the
 * page/block; leaf level and shift; the leaf's descriptor words; the OR of the table
 * descriptors' high words above the leaf; fault code and level; PSTATE.PAN as an input).
 */
export interface WalkResult {
  pa: number;
  level: number;
  shift: number;
  descLo: number;
  descHi: number;
  /** OR of the high words of the table descriptors above the leaf (APTable, UXNTable, PXNTable): cached in the TLB with the leaf. */
  tableHi: number;
  fault: number;
  faultLevel: number;
  /** Input of the walk: PSTATE.PAN (walk.ts's `WalkOut.pan`); translate() sets it from `MmuConfig.pan` before a walk. */
  pan?: boolean;
}

/**
 * The table walk the MMU calls on a TLB miss: walk.ts's
 * `walk(store, pgdPhys, va, access, out): number` (0 or a FAULT_* code).
 */
export type TranslationWalker<S, O extends WalkResult = WalkResult> = (store: S, pgdPhys: number, va: Va, access: number, out: O) => number;

/** Options of the MMU. */
export interface MmuConfig {
  /** CPUs (each gets its own TLBs). */
  readonly nrCpus: number;
  /** Each CPU's TLB geometry; default CORTEX_A57_TLB. */
  readonly tlb?: CpuTlbConfig;
  /** ASID width: 16 (Cortex-A57, default) or 8. */
  readonly asidBits?: number;
  /** KPTI (arm64_kernel_unmapped_at_el0): ASID pairs; EL0 runs with ASID | 1. Default false. */
  readonly kpti?: boolean;
  /** CONFIG_UNMAP_KERNEL_AT_EL0; default true. */
  readonly unmapKernelAtEl0?: boolean;
  /** VA_BITS: 48 (default, 4 levels) or 39 (3 levels). */
  readonly vaBits?: number;
  /** PSTATE.PAN on every CPU (ARMv8.1; the Cortex-A57 has none). Default false. */
  readonly pan?: boolean;
}

/**
 * The MMUs of the machine's CPUs: translation registers, TLBs, the TLBI domain and the ASID
 * allocator, and the translate path. `S` is the page-table store the walker reads, `O` the
 * out-parameter it fills (walk.ts's `WalkOut` for `new Mmu(walk, store, …)`).
 */
export class Mmu<S = unknown, O extends WalkResult = WalkResult> {
  readonly nrCpus: number;
  readonly vaBits: number;
  /** First level of a walk: 0 with 4 levels (VA_BITS 48), 1 with 3 (VA_BITS 39). */
  readonly startLevel: number;
  readonly kpti: boolean;
  /** PSTATE.PAN (MmuConfig.pan). */
  readonly pan: boolean;
  /** Each CPU's TLBs. */
  readonly tlbs: readonly CpuTlb[];
  /** The inner-shareable TLBI domain over `tlbs` (tlbflush.h). */
  readonly tlbi: TlbDomain;
  /** The ASID allocator (context.c). */
  readonly contexts: AsidAllocator;

  /** Per CPU: TTBR0_EL1's table (phys), −1 = reserved_pg_dir (init_mm: no user mappings). */
  readonly ttbr0: Float64Array;
  /** Per CPU: TTBR1_EL1's table (swapper_pg_dir), −1 until set. */
  readonly ttbr1: Float64Array;
  /** Per CPU: the hardware ASID (TTBR1_EL1.ASID). */
  readonly asid: Int32Array;
  /** Per CPU: the mm switched to last (INIT_MM at boot). */
  readonly currentMm: Int32Array;

  /** translate() calls, walks, faults reported, and of those permission faults on a TLB hit. */
  translations = 0;
  walks = 0;
  faults = 0;
  hitFaults = 0;

  private readonly walker: TranslationWalker<S, O>;
  private readonly store: S;
  private readonly clock: SimClock;
  private readonly vaSpan: number;
  private readonly asidMask: number;
  private readonly costHit: number;
  private readonly costMainHit: number;
  private readonly costWalkLevel: number;

  /**
   * @param walker walk.ts's `walk`
   * @param store the page-table store passed to it
   * @param clock charged for every translation
   * @param costs tlbHit, tlbMainHit, walkLevel, tlbi*, asidRollover
   * @throws ConfigError on a bad option
   */
  constructor(walker: TranslationWalker<S, O>, store: S, clock: SimClock, costs: CostModel, config: MmuConfig) {
    const site = "hw-arm64.Mmu";
    if (!Number.isInteger(config.nrCpus) || config.nrCpus < 1 || config.nrCpus > 4096) {
      throw new ConfigError(site, "<api>", "nrCpus", "an integer in [1, 4096]", describeValue(config.nrCpus));
    }
    const vaBits = config.vaBits ?? 48;
    if (vaBits !== 48 && vaBits !== 39) throw new ConfigError(site, "<api>", "vaBits", "48 or 39 (4 KiB pages)", describeValue(vaBits));
    this.nrCpus = config.nrCpus;
    this.vaBits = vaBits;
    this.startLevel = vaBits === 48 ? 0 : 1;
    this.vaSpan = 2 ** vaBits;
    this.kpti = config.kpti ?? false;
    this.pan = config.pan ?? false;
    this.walker = walker;
    this.store = store;
    this.clock = clock;
    this.costHit = costs.tlbHit;
    this.costMainHit = costs.tlbMainHit;
    this.costWalkLevel = costs.walkLevel;

    const tlbs: CpuTlb[] = [];
    for (let c = 0; c < this.nrCpus; c++) tlbs.push(new CpuTlb(config.tlb ?? CORTEX_A57_TLB, `cpu${c}`));
    this.tlbs = tlbs;
    this.tlbi = new TlbDomain(tlbs, { kpti: this.kpti, clock, costs });
    this.contexts = new AsidAllocator(
      { nrCpus: this.nrCpus, asidBits: config.asidBits, kpti: this.kpti, unmapKernelAtEl0: config.unmapKernelAtEl0, clock, costs },
      this.tlbi,
    );
    this.asidMask = this.contexts.numUserAsids - 1;
    this.ttbr0 = new Float64Array(this.nrCpus).fill(-1);
    this.ttbr1 = new Float64Array(this.nrCpus).fill(-1);
    this.asid = new Int32Array(this.nrCpus);
    this.currentMm = new Int32Array(this.nrCpus).fill(INIT_MM);
  }

  private checkCpu(fn: string, cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.nrCpus) {
      throw new ArgumentError(`hw-arm64.Mmu.${fn}`, "cpu", `a CPU in [0, ${this.nrCpus})`, describeValue(cpu));
    }
  }

  /** Points every CPU's TTBR1 at swapper_pg_dir (head.S / __cpu_setup, cpu_replace_ttbr1). */
  setSwapperPgDir(pgdPhys: number): void {
    checkUint("hw-arm64.Mmu.setSwapperPgDir", "pgdPhys", pgdPhys);
    this.ttbr1.fill(pgdPhys);
  }

  /** TTBR0 := reserved_pg_dir (the ASID in TTBR1 stays). Kernel: `cpu_set_reserved_ttbr0()`. */
  cpuSetReservedTtbr0(cpu: number): void {
    this.checkCpu("cpuSetReservedTtbr0", cpu);
    this.ttbr0[cpu] = -1;
  }

  /** TTBR1.ASID := ASID(ctx), TTBR0 := pgd. Kernel: `cpu_do_switch_mm()` (context.c). */
  cpuDoSwitchMm(cpu: number, pgdPhys: number, ctx: number): void {
    this.checkCpu("cpuDoSwitchMm", cpu);
    this.asid[cpu] = ctx & this.asidMask;
    this.ttbr0[cpu] = pgdPhys;
  }

  /**
   * Runs `next` on `cpu`: nothing if it is already the CPU's mm; init_mm gets the reserved
   * TTBR0; a user mm gets a current ASID (check_and_switch_context, which may roll the
   * generation over and flush this CPU's TLB) and its pgd in TTBR0.
   * Kernel: `switch_mm()` → `__switch_mm()` (mmu_context.h).
   * @param next an mm id given to `contexts.initNewContext`, or INIT_MM
   * @param pgdPhys next's pgd (ignored for INIT_MM)
   */
  switchMm(cpu: number, next: number, pgdPhys: number): void {
    this.checkCpu("switchMm", cpu);
    if (this.currentMm[cpu] === next) return;
    if (next === INIT_MM) {
      this.currentMm[cpu] = INIT_MM;
      this.cpuSetReservedTtbr0(cpu);
      return;
    }
    checkUint("hw-arm64.Mmu.switchMm", "pgdPhys", pgdPhys);
    const ctx = this.contexts.checkAndSwitchContext(next, cpu);
    this.currentMm[cpu] = next;
    this.cpuDoSwitchMm(cpu, pgdPhys, ctx);
  }

  /**
   * Translates `va` for one access on `cpu`, as the MMU does: TLB (permission-checked on a hit),
   * else a walk that fills the TLB. Charges the clock. Allocation-free; `cpu` is not checked.
   * @param access ACCESS_* bits of walk.ts (READ 1, WRITE 2, EXEC 4, USER 8 = from EL0)
   * @param out filled with the PA of `va` (`out.pa`), the leaf's level, shift, descriptor and
   *   table attributes (`tableHi`); on a fault, `fault` and `faultLevel`
   * @returns 0, or the fault code (FAULT_PERMISSION for a hit that the permissions refuse)
   */
  translate(cpu: number, va: Va, access: number, out: O): number {
    this.translations++;
    const tlb = this.tlbs[cpu];
    let asid = this.asid[cpu];
    if (this.kpti && (access & ACCESS_USER) !== 0) asid |= 1;
    const exec = (access & ACCESS_EXEC) !== 0;
    const hit = tlb.lookup(va, asid, exec);
    if (hit !== TLB_MISS) {
      const t = tlb.hitTlb;
      const e = tlb.hitEntry;
      this.clock.advance(hit === TLB_HIT_L1 ? this.costHit : this.costMainHit);
      const lo = t.descLo[e];
      const hi = t.descHi[e];
      const tableHi = t.tableHi[e];
      const level = t.level[e];
      out.pa = t.outBase[e] + (va - t.vaBase[e]);
      out.level = level;
      out.shift = levelShift(level);
      out.descLo = lo;
      out.descHi = hi;
      out.tableHi = tableHi;
      if (!permissionFault(lo, hi, tableHi, access, this.pan)) {
        out.fault = 0;
        out.faultLevel = 0;
        return 0;
      }
      out.fault = FAULT_PERMISSION;
      out.faultLevel = level;
      this.faults++;
      this.hitFaults++;
      return FAULT_PERMISSION;
    }
    let pgd: number;
    if (va < 0) {
      if (va < -this.vaSpan) return this.faultWithoutWalk(out, 0);
      pgd = this.ttbr1[cpu];
    } else {
      if (va >= this.vaSpan) return this.faultWithoutWalk(out, 0);
      pgd = this.ttbr0[cpu];
    }
    if (pgd < 0) {
      // reserved_pg_dir (or no swapper yet): the first descriptor read finds an empty table.
      this.clock.advance(this.costWalkLevel);
      return this.faultWithoutWalk(out, this.startLevel);
    }
    this.walks++;
    out.pan = this.pan;
    const r = this.walker(this.store, pgd, va, access, out);
    const last = r === 0 ? out.level : out.faultLevel;
    this.clock.advance((last - this.startLevel + 1) * this.costWalkLevel);
    if (r !== 0) {
      this.faults++;
      return r;
    }
    const size = 2 ** out.shift;
    const pa = Math.floor(out.pa / size) * size + (va - Math.floor(va / size) * size);
    out.pa = pa;
    tlb.insert(va, asid, (out.descLo & PTE_NG) === 0, pa, out.shift, out.descLo, out.descHi, out.tableHi, out.level, exec);
    return 0;
  }

  private faultWithoutWalk(out: WalkResult, level: number): number {
    out.fault = FAULT_TRANSLATION;
    out.faultLevel = level;
    this.faults++;
    return FAULT_TRANSLATION;
  }

  /** Kernel: `flush_tlb_mm(mm)`: every CPU's entries of ASID(mm). */
  flushTlbMm(mm: number): void {
    this.tlbi.flushTlbMm(this.contexts.asid(mm));
  }

  /** Kernel: `flush_tlb_page(vma, uaddr)` for `mm`. */
  flushTlbPage(mm: number, uaddr: Va): void {
    this.tlbi.flushTlbPage(this.contexts.asid(mm), uaddr);
  }

  /** Kernel: `flush_tlb_range(vma, start, end)` for `mm`. @returns TLBIs issued */
  flushTlbRange(mm: number, start: Va, end: Va): number {
    return this.tlbi.flushTlbRange(this.contexts.asid(mm), start, end);
  }

  /** Kernel: `__flush_tlb_range(vma, start, end, stride, last_level, tlb_level)` for `mm`. @returns TLBIs issued */
  flushTlbRangeStride(mm: number, start: Va, end: Va, stride: number, lastLevel: boolean): number {
    return this.tlbi.flushTlbRangeStride(this.contexts.asid(mm), start, end, stride, lastLevel);
  }

  /** Kernel: `flush_tlb_kernel_range(start, end)`. @returns TLBIs issued */
  flushTlbKernelRange(start: Va, end: Va): number {
    return this.tlbi.flushTlbKernelRange(start, end);
  }

  /** Kernel: `flush_tlb_all()`. */
  flushTlbAll(): void {
    this.tlbi.flushTlbAll();
  }

  /** Checks the TLBs, the ASID allocator, and that each CPU runs its mm's ASID. */
  validate(sink: ValidationSink): void {
    this.tlbi.validate(sink);
    this.contexts.validate(sink);
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      const mm = this.currentMm[cpu];
      if (mm === INIT_MM) {
        if (this.ttbr0[cpu] !== -1) sink.report(`mmu cpu${cpu}`, "init_mm without the reserved TTBR0");
        continue;
      }
      const want = this.contexts.contextId(mm) & this.asidMask;
      if (this.asid[cpu] !== want) sink.report(`mmu cpu${cpu}`, `runs mm ${mm} with ASID ${this.asid[cpu]}, ASID(mm) is ${want}`);
    }
  }
}
