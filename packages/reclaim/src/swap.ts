// Kernel: mm/swap.c (cpu_fbatches, folio_batch_add_and_move, folio_batch_move_lru, lru_add_fn, folio_add_lru, folio_add_lru_vma, folio_mark_accessed, folio_activate, deactivate_file_folio, folio_deactivate, folio_mark_lazyfree, folio_rotate_reclaimable, lru_add_drain_cpu, lru_add_drain_all, __page_cache_release), mm/mlock.c (mlock_folio, mlock_new_folio, munlock_folio, __munlock_folio), mm/vmscan.c (folio_isolate_lru, folio_putback_lru, reclaim_pages), mm/workingset.c (workingset_refault) (v6.1) — the LRU as every user of a page calls it
/*
 * `LruCore` implements core's `Lru` over the machine's ReclaimPolicy. Pages reach their lists
 * through per-CPU folio batches as in 6.1 (cpu_fbatches: lru_add, lru_rotate,
 * lru_deactivate_file, lru_deactivate, lru_lazyfree, activate; PAGEVEC_SIZE = 15 each): a page
 * added is on no list until its batch fills or is drained, and the moves (activation,
 * deactivation, lazyfree, rotation) are applied when their batch drains. The batches are one
 * Int32Array (cpu × batch × slot) and a count per batch: nothing is allocated per page.
 *
 * Differences from the kernel, kept small on purpose:
 *   - the batches hold no page reference (the kernel's folio_get): the last put of a page still
 *     in a batch takes it out of the batch (pageCacheRelease), as the contract says; `inBatch`
 *     marks a page queued in some batch (one at a time: the kernel's folio_test_clear_lru makes
 *     a page queued for a move unavailable to a second move);
 *   - a page queued for a move keeps PG_lru while queued (nothing runs concurrently here); a page
 *     isolated meanwhile has PG_lru clear and the move skips it, as folio_batch_move_lru does;
 *   - mlock_fbatch is merged into the lru_add batch (mlock_new_folio sets PG_mlocked and adds the
 *     page; lru_add_fn puts it on the unevictable list), and mlock_count is not kept: munlock
 *     makes the page evictable at once (6.1: "assume that was the last mlock: reclaim will fix it").
 *
 * Batch points: every drain of a full batch calls `onBatch` (the machine's kswapd catch-up on a
 * board with more than one CPU, vmscan.ts).
 */
import {
  type Lru, MmBugError, NR_MLOCK, NR_VM_ZONE_STAT_ITEMS, PGROTATED, PG_dirty, PG_mlocked, PG_reclaim, PG_swapbacked, PG_locked,
  type ReclaimPolicy, UNEVICTABLE_PGCLEARED, UNEVICTABLE_PGCULLED, UNEVICTABLE_PGMLOCKED, UNEVICTABLE_PGMUNLOCKED, UNEVICTABLE_PGRESCUED,
  UNEVICTABLE_PGSTRANDED, type ValidationSink, debugVm,
} from "@mmsim/core";
import { VM_RAND_READ, VM_SEQ_READ } from "@mmsim/vma";
import { ACTIVE_FLAG, LRU_FLAG, UNEVICTABLE_FLAG, folioNrPages } from "./lru-common.ts";
import type { Vmscan } from "./vmscan.ts";

/** Pages per folio batch. Kernel: `PAGEVEC_SIZE`. */
export const PAGEVEC_SIZE = 15;
/** cpu_fbatches' batches (and what each applies when it drains). */
export const FBATCH_LRU_ADD = 0;
export const FBATCH_LRU_ROTATE = 1;
export const FBATCH_LRU_DEACTIVATE_FILE = 2;
export const FBATCH_LRU_DEACTIVATE = 3;
export const FBATCH_LRU_LAZYFREE = 4;
export const FBATCH_ACTIVATE = 5;
export const NR_FBATCHES = 6;
export const fbatchNames: readonly string[] = Object.freeze(["lru_add", "lru_rotate", "lru_deactivate_file", "lru_deactivate", "lru_lazyfree", "activate"]);

const MLOCKED = 1 << PG_mlocked;
const SWAPBACKED = 1 << PG_swapbacked;
const RECLAIM = 1 << PG_reclaim;
const DIRTY = 1 << PG_dirty;
const LOCKED = 1 << PG_locked;
/** vm_flags: VM_LOCKED, and VM_SPECIAL's bits (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP). */
const VM_LOCKED = 0x00002000;
const VM_SPECIAL = 0x00004000 | 0x00040000 | 0x00000400 | 0x10000000;

/** The LRU of one machine. */
export class LruCore implements Lru {
  private readonly flags: Uint32Array;
  private readonly refcount: Int32Array;
  /** cpu_fbatches: slot (cpu × NR_FBATCHES + batch) × PAGEVEC_SIZE + i. */
  readonly fbatch: Int32Array;
  /** Pages in each batch. */
  readonly fbatchCount: Int32Array;
  /** Per page: 1 + the batch it is queued in, or 0. */
  readonly inBatch: Uint8Array;
  /** Called after a full batch drained (a batch point). */
  onBatch: (() => void) | null = null;
  private readonly isolated = new Int32Array(1);

  constructor(
    private readonly vmscan: Vmscan,
    readonly nrCpus: number,
  ) {
    this.flags = vmscan.mem.flags;
    this.refcount = vmscan.mem.refcount;
    this.fbatch = new Int32Array(nrCpus * NR_FBATCHES * PAGEVEC_SIZE);
    this.fbatchCount = new Int32Array(nrCpus * NR_FBATCHES);
    this.inBatch = new Uint8Array(vmscan.mem.nrPages);
    this.wirePolicy(vmscan.policy);
    vmscan.lruAddDrain = () => this.lruAddDrain(this.currentCpu());
  }

  get policy(): ReclaimPolicy {
    return this.vmscan.policy;
  }

  /** Lets the classic policy's folio_mark_accessed queue activations in the activate batch. */
  wirePolicy(policy: ReclaimPolicy): void {
    const p = policy as { batchActivate?: ((page: number) => void) | null };
    if ("batchActivate" in p) p.batchActivate = (page: number): void => this.folioActivate(page);
  }

  /** Switches the machine to `next` (lru_gen_change_state; vmscan.ts). @returns pages moved */
  switchPolicy(next: ReclaimPolicy): number {
    const n = this.vmscan.switchPolicy(next, () => this.lruAddDrainAll());
    this.wirePolicy(next);
    return n;
  }

  // ------------------------------------------------------------------ the batches

  /** folio_batch_add_and_move(): queue, and drain the batch when it is full (or the folio large). */
  private add(cpu: number, batch: number, page: number): void {
    const slot = cpu * NR_FBATCHES + batch;
    const n = this.fbatchCount[slot]!;
    this.fbatch[slot * PAGEVEC_SIZE + n] = page;
    this.fbatchCount[slot] = n + 1;
    this.inBatch[page] = batch + 1;
    if (n + 1 === PAGEVEC_SIZE || folioNrPages(this.flags[page]!) > 1) {
      this.moveLru(cpu, batch);
      this.onBatch?.();
    }
  }

  /** Kernel: `folio_batch_move_lru()` with the batch's move function. */
  private moveLru(cpu: number, batch: number): void {
    const slot = cpu * NR_FBATCHES + batch;
    const n = this.fbatchCount[slot]!;
    const base = slot * PAGEVEC_SIZE;
    this.fbatchCount[slot] = 0;
    const policy = this.vmscan.policy;
    for (let i = 0; i < n; i++) {
      const page = this.fbatch[base + i]!;
      if (page < 0) continue; // taken out by pageCacheRelease
      this.inBatch[page] = 0;
      if (batch === FBATCH_LRU_ADD) {
        this.lruAddFn(page);
        continue;
      }
      if ((this.flags[page]! & LRU_FLAG) === 0) continue; // isolated meanwhile
      switch (batch) {
        case FBATCH_ACTIVATE:
          policy.activate(page);
          break;
        case FBATCH_LRU_DEACTIVATE:
          policy.deactivate(page);
          break;
        case FBATCH_LRU_DEACTIVATE_FILE:
          policy.deactivateFile(page);
          break;
        case FBATCH_LRU_LAZYFREE:
          policy.lazyfree(page);
          break;
        case FBATCH_LRU_ROTATE:
          this.lruMoveTailFn(page);
          break;
      }
    }
  }

  /** Kernel: `lru_add_fn()`. */
  private lruAddFn(page: number): void {
    const f = this.flags[page]!;
    if (debugVm.on && (f & LRU_FLAG) !== 0) throw new MmBugError("reclaim.lruAddFn", `page ${page} is already on an LRU list`);
    const wasUnevictable = (f & UNEVICTABLE_FLAG) !== 0;
    this.flags[page] = f & ~UNEVICTABLE_FLAG;
    const nr = folioNrPages(f);
    const ev = this.vmscan.vmstat.vmEvents;
    if (this.vmscan.folioEvictable(page)) {
      if (wasUnevictable) ev[UNEVICTABLE_PGRESCUED]! += nr;
    } else {
      this.flags[page] = (this.flags[page]! & ~ACTIVE_FLAG) | UNEVICTABLE_FLAG;
      if (!wasUnevictable) ev[UNEVICTABLE_PGCULLED]! += nr;
    }
    this.vmscan.policy.addFolio(page, false);
  }

  /** Kernel: `lru_move_tail_fn()` (folio_rotate_reclaimable: written back, to the inactive tail). */
  private lruMoveTailFn(page: number): void {
    const f = this.flags[page]!;
    if ((f & UNEVICTABLE_FLAG) !== 0) return;
    const policy = this.vmscan.policy;
    policy.delFolio(page);
    this.flags[page] = this.flags[page]! & ~ACTIVE_FLAG;
    policy.addFolio(page, true);
    this.vmscan.vmstat.vmEvents[PGROTATED]! += folioNrPages(f);
  }

  /** Kernel: `lru_add_drain_cpu()`. */
  lruAddDrain(cpu: number): void {
    for (let b = 0; b < NR_FBATCHES; b++) if (this.fbatchCount[cpu * NR_FBATCHES + b]! > 0) this.moveLru(cpu, b);
  }

  /** Kernel: `lru_add_drain_all()`. */
  lruAddDrainAll(): void {
    for (let cpu = 0; cpu < this.nrCpus; cpu++) this.lruAddDrain(cpu);
  }

  /** Pages waiting in any batch. */
  batched(): number {
    let n = 0;
    for (let i = 0; i < this.fbatchCount.length; i++) n += this.fbatchCount[i]!;
    return n;
  }

  // ------------------------------------------------------------------ Lru

  /** Kernel: `folio_add_lru()`. */
  folioAddLru(page: number, cpu: number): void {
    if (debugVm.on && (this.flags[page]! & LRU_FLAG) !== 0) throw new MmBugError("reclaim.folioAddLru", `page ${page} is already on an LRU list`);
    // see the comment in lru_gen_add_folio(): a page faulted in is young (no PF_MEMALLOC: reclaim never faults here)
    if (this.vmscan.inLruFault && (this.flags[page]! & UNEVICTABLE_FLAG) === 0 && this.vmscan.lruGenEnabled) this.flags[page] = this.flags[page]! | ACTIVE_FLAG;
    this.add(cpu % this.nrCpus, FBATCH_LRU_ADD, page);
  }

  /** Kernel: `folio_add_lru_vma()`: a VM_LOCKED VMA's new page is mlocked (mlock_new_folio). */
  folioAddLruVma(page: number, vmFlags: number, cpu: number): void {
    if ((vmFlags & (VM_LOCKED | VM_SPECIAL)) === VM_LOCKED) {
      const f = this.flags[page]!;
      const nr = folioNrPages(f);
      this.flags[page] = f | MLOCKED;
      this.modZoneMlock(page, nr);
      this.vmscan.vmstat.vmEvents[UNEVICTABLE_PGMLOCKED]! += nr;
    }
    this.folioAddLru(page, cpu);
  }

  private modZoneMlock(page: number, nr: number): void {
    this.vmscan.vmstat.zoneVmStat[this.vmscan.mem.nodeZone[page]! * NR_VM_ZONE_STAT_ITEMS + NR_MLOCK]! += nr;
  }

  folioMarkAccessed(page: number): void {
    this.vmscan.policy.markAccessed(page);
  }

  /** Kernel: `folio_activate()`: queued in this CPU's activate batch. */
  folioActivate(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & (ACTIVE_FLAG | UNEVICTABLE_FLAG)) !== 0 || this.inBatch[page] !== 0) return;
    this.add(this.currentCpu(), FBATCH_ACTIVATE, page);
  }

  /** Kernel: `deactivate_file_folio()`. */
  deactivateFileFolio(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & UNEVICTABLE_FLAG) !== 0 || this.inBatch[page] !== 0) return;
    this.add(this.currentCpu(), FBATCH_LRU_DEACTIVATE_FILE, page);
  }

  /** Kernel: `folio_deactivate()` (MADV_COLD). */
  folioDeactivate(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & UNEVICTABLE_FLAG) !== 0 || this.inBatch[page] !== 0) return;
    if ((f & ACTIVE_FLAG) === 0 && (f & (1 << 1)) === 0) return; // neither active nor referenced
    this.add(this.currentCpu(), FBATCH_LRU_DEACTIVATE, page);
  }

  /** Kernel: `folio_mark_lazyfree()` (MADV_FREE): an anonymous, swap-backed, not swap-cached page. */
  folioMarkLazyfree(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & SWAPBACKED) === 0 || (f & (1 << 10)) !== 0 || (f & UNEVICTABLE_FLAG) !== 0 || this.inBatch[page] !== 0) return;
    this.add(this.currentCpu(), FBATCH_LRU_LAZYFREE, page);
  }

  /** Kernel: `folio_rotate_reclaimable()`: a page written back with PG_reclaim goes to the inactive tail. */
  folioRotateReclaimable(page: number): void {
    const f = this.flags[page]!;
    if ((f & (LRU_FLAG | UNEVICTABLE_FLAG)) !== LRU_FLAG || (f & (DIRTY | LOCKED)) !== 0 || this.inBatch[page] !== 0) return;
    this.flags[page] = f & ~RECLAIM;
    this.add(this.currentCpu(), FBATCH_LRU_ROTATE, page);
  }

  /**
   * The last reference is going: off its list (clearing PG_lru, PG_active, PG_unevictable) or
   * out of its batch; an mlocked page is unaccounted. Kernel: `__page_cache_release()`.
   */
  pageCacheRelease(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) !== 0) {
      this.vmscan.policy.delFolio(page);
      this.flags[page] = this.flags[page]! & ~(ACTIVE_FLAG | UNEVICTABLE_FLAG);
    }
    // A page waiting in a batch (lru_add, or activate/deactivate/rotate/lazyfree while on a list)
    // leaves it: 6.1's batches hold a reference, so the page could not be freed there; mmsim's
    // hold none, and the last put takes the page out instead.
    if (this.inBatch[page] !== 0) this.removeFromBatch(page);
    if ((this.flags[page]! & MLOCKED) !== 0) {
      const nr = folioNrPages(f);
      this.flags[page] = this.flags[page]! & ~MLOCKED;
      this.modZoneMlock(page, -nr);
      this.vmscan.vmstat.vmEvents[UNEVICTABLE_PGCLEARED]! += nr;
    }
  }

  private removeFromBatch(page: number): void {
    const batch = this.inBatch[page]! - 1;
    this.inBatch[page] = 0;
    for (let cpu = 0; cpu < this.nrCpus; cpu++) {
      const slot = cpu * NR_FBATCHES + batch;
      const base = slot * PAGEVEC_SIZE;
      const n = this.fbatchCount[slot]!;
      for (let i = 0; i < n; i++) {
        if (this.fbatch[base + i] === page) {
          this.fbatch[base + i] = -1;
          return;
        }
      }
    }
  }

  /** Kernel: `lru_gen_enter_fault()` (in_lru_fault unless VM_SEQ_READ or VM_RAND_READ) / `lru_gen_exit_fault()`. */
  lruGenFault(vmFlags: number | null): void {
    this.vmscan.inLruFault = vmFlags !== null && (vmFlags & (VM_SEQ_READ | VM_RAND_READ)) === 0;
  }

  /** Kernel: `workingset_refault()`. */
  workingsetRefault(page: number, shadow: number): void {
    this.vmscan.policy.refault(page, shadow);
  }

  /** Kernel: `mlock_folio()`: a mapped page of a VM_LOCKED VMA becomes unevictable. */
  mlockFolio(page: number): void {
    const f = this.flags[page]!;
    const nr = folioNrPages(f);
    if ((f & MLOCKED) === 0) {
      this.flags[page] = f | MLOCKED;
      this.modZoneMlock(page, nr);
      this.vmscan.vmstat.vmEvents[UNEVICTABLE_PGMLOCKED]! += nr;
    }
    if ((f & LRU_FLAG) !== 0 && (f & UNEVICTABLE_FLAG) === 0) {
      const policy = this.vmscan.policy;
      policy.delFolio(page);
      this.flags[page] = (this.flags[page]! & ~ACTIVE_FLAG) | UNEVICTABLE_FLAG;
      policy.addFolio(page, false);
      this.vmscan.vmstat.vmEvents[UNEVICTABLE_PGCULLED]! += nr;
    }
  }

  /** Kernel: `munlock_folio()` → `__munlock_folio()` (mlock_count not kept: this was the last mlock). */
  munlockFolio(page: number): void {
    const f = this.flags[page]!;
    const nr = folioNrPages(f);
    const onLru = (f & LRU_FLAG) !== 0;
    const ev = this.vmscan.vmstat.vmEvents;
    if ((f & MLOCKED) !== 0) {
      this.flags[page] = f & ~MLOCKED;
      this.modZoneMlock(page, -nr);
      if (onLru || (f & UNEVICTABLE_FLAG) === 0) ev[UNEVICTABLE_PGMUNLOCKED]! += nr;
      else ev[UNEVICTABLE_PGSTRANDED]! += nr;
    }
    if (onLru && (f & UNEVICTABLE_FLAG) !== 0 && this.vmscan.folioEvictable(page)) {
      const policy = this.vmscan.policy;
      policy.delFolio(page);
      this.flags[page] = this.flags[page]! & ~UNEVICTABLE_FLAG;
      policy.addFolio(page, false);
      ev[UNEVICTABLE_PGRESCUED]! += nr;
    }
  }

  /** Kernel: `folio_isolate_lru()`: off its list with a reference. @returns false if it was on none */
  folioIsolateLru(page: number): boolean {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0) return false;
    this.refcount[page] = this.refcount[page]! + 1; // folio_get
    this.vmscan.policy.delFolio(page);
    this.isolated[0] = this.isolated[0]! + 1;
    return true;
  }

  /** Kernel: `folio_putback_lru()`: back through folio_add_lru, and the isolation reference dropped. */
  folioPutbackLru(page: number): void {
    this.folioAddLru(page, this.currentCpu());
    const rc = this.refcount[page]! - 1;
    if (rc <= 0 && debugVm.on) throw new MmBugError("reclaim.folioPutbackLru", `page ${page} lost its last reference while isolated`);
    this.refcount[page] = rc;
  }

  /** Kernel: `reclaim_pages()` (MADV_PAGEOUT): the isolated pages through shrink_folio_list, the rest put back. */
  reclaimPages(pages: Int32Array, n: number): number {
    return this.vmscan.reclaimPages(pages, n, (page) => {
      // folio_putback_lru: the page keeps PG_active if shrink_folio_list activated it
      this.folioPutbackLru(page);
    });
  }

  /** The CPU the caller runs on (the machine sets it per step; 0 in kernel context). */
  cpu = 0;
  private currentCpu(): number {
    return this.cpu % this.nrCpus;
  }

  /** Every queued page is a live page queued once; inBatch agrees with the batches. */
  validate(sink: ValidationSink): void {
    let marked = 0;
    for (let p = 0; p < this.inBatch.length; p++) if (this.inBatch[p] !== 0) marked++;
    let queued = 0;
    for (let slot = 0; slot < this.fbatchCount.length; slot++) {
      const batch = slot % NR_FBATCHES;
      for (let i = 0; i < this.fbatchCount[slot]!; i++) {
        const page = this.fbatch[slot * PAGEVEC_SIZE + i]!;
        if (page < 0) continue;
        queued++;
        if (this.inBatch[page] !== batch + 1) sink.report(`lru fbatch ${fbatchNames[batch]} cpu ${Math.floor(slot / NR_FBATCHES)}`, `page ${page} is queued but marked ${this.inBatch[page]}`);
        if (this.refcount[page]! <= 0) sink.report(`lru fbatch ${fbatchNames[batch]}`, `page ${page} is free (refcount ${this.refcount[page]})`);
        if (batch === FBATCH_LRU_ADD && (this.flags[page]! & LRU_FLAG) !== 0) sink.report(`lru fbatch lru_add`, `page ${page} has PG_lru`);
      }
    }
    if (marked !== queued) sink.report("lru fbatches", `${marked} pages marked as queued, ${queued} in the batches`);
  }
}
