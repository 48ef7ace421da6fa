// Kernel: mm/memory.c (do_swap_page, should_try_to_free_swap, zap_pte_range's and copy_nonpresent_pte's swap and migration entries), mm/migrate.c (migration_entry_wait), mm/swapfile.c (unuse_pte, unuse_pte_range, unuse_vma, unuse_mm), mm/madvise.c (swapin_walk_pmd_entry, madvise_willneed's anonymous side) (v6.1, read from the 6.1.y sources) — swap entries in process page tables
/*
 * An anonymous page that reclaim swapped out leaves a swap PTE in every PTE that mapped it
 * (rmap's try_to_unmap through the swap subsystem's SwapUnmapHooks, hw-arm64's mkSwapPte
 * encoding: the entry and PTE_SWP_EXCLUSIVE). This file is everything the page-table side does
 * with those PTEs:
 *
 *  - do_swap_page: the fault on a swap PTE. The page is looked up in the swap cache
 *    (lookup_swap_cache), else read: on a SWP_SYNCHRONOUS_IO device (zram) whose slot has one
 *    user, straight into a fresh page without the swap cache (6.1's skip-swapcache path, with
 *    workingset_refault for a shadow and folio_add_lru), otherwise through swapin_readahead
 *    (page-cluster and VMA readahead are the swap subsystem's). A read from the device is a
 *    major fault (PGMAJFAULT, maj_flt). swap_free drops the PTE's hold on the slot; the swap
 *    cache's copy is dropped too when swap is more than half full, the VMA is mlocked or a
 *    write will want the page alone (should_try_to_free_swap). The page is mapped exclusive
 *    (RMAP_EXCLUSIVE) when the swap PTE was exclusive, the page fresh, or its only reference
 *    ours; a write fault then maps it writable at once, else do_wp_page follows.
 *    MM_SWAPENTS becomes MM_ANONPAGES.
 *  - zap_pte_range: free_swap_and_cache and MM_SWAPENTS-- (munmap, MADV_DONTNEED, exit).
 *  - copy_nonpresent_pte (fork): swap_duplicate, the parent's PTE loses PTE_SWP_EXCLUSIVE,
 *    the child counts MM_SWAPENTS and joins the mmlist.
 *  - migration entries (@mmsim/rmap's try_to_migrate): a fault waits for the migration
 *    (migration_entry_wait), zap counts the page's rss counter down, fork counts it in the child
 *    and makes a writable entry of a COW mapping readable in both.
 *  - swapoff's anonymous side (SwapUnuse): unuse_mm over every mm of the mmlist.
 *  - MADV_WILLNEED on anonymous memory: read_swap_cache_async of every swap PTE in the range.
 *
 * change_protection leaves swap PTEs as they are (6.1's change_pte_range rewrites only
 * migration, device and uffd-wp entries) and move_page_tables moves them with their bits
 * (memory.ts): arm64 6.1 has no swap soft-dirty or uffd-wp bits.
 *
 * zap_pte_range of a present swap-cache page drops the cache's copy once nothing maps it
 * (free_swap_cache). The swap subsystem is reached through core's SwapOps (null: no swap configured, and then no
 * swap PTE can exist); its optional calls, when an implementation lacks them, make do_swap_page
 * take the swap-cache path. The LRU is core's Lru (null: no reclaim module, pages on no list).
 *
 * Differences from 6.1, each for want of a simulated thing: no KSM copies (ksm_might_need_to_copy),
 * no memcg charge, no SWP_STABLE_WRITES check (no device here keeps pages under writeback
 * while they are mapped again), no THP swap entries (a huge PMD is split before swap-out). A
 * swap PTE whose device is gone (get_swap_device() fails: "Bad swap file entry") makes 6.1
 * return 0 and the access fault again forever; here the fault ends in VM_FAULT_SIGBUS.
 */
import {
  ENOMEM, GFP_HIGHUSER_MOVABLE, MmBugError, NIL_PFN, PGMAJFAULT, PG_locked, PG_lru, PG_mlocked, PG_swapbacked, PG_swapcache,
  PG_uptodate, type SwapOps, type SwapRaVma, type SwapUnuse, type SwapVmFault, isHwpoisonEntry, isMigrationEntry, isSwapinErrorEntry, makeSwapinErrorEntry,
  nonSwapEntry,
} from "@mmsim/core";
import {
  NULL_ENTRY, PTE_AF, PTE_SWP_EXCLUSIVE, isSwapPte, mkSwapPte, pfnPte, pgdOffsetPgd, pmdOffset, pteMkdirty, pteMkwrite, pteOffsetKernel,
  pteSwpExclusive, pteSwpType, pteToSwpEntry, pudOffset,
} from "@mmsim/hw-arm64";
import { RMAP_EXCLUSIVE, RMAP_NONE, isWritableMigrationPte, migrationPteMkReadable, migrationPtePfn, mmCounter } from "@mmsim/rmap";
import {
  FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_WRITE, MM_ANONPAGES, MM_SWAPENTS, type MmStruct, VM_FAULT_ERROR, VM_FAULT_HWPOISON, VM_FAULT_MAJOR,
  VM_FAULT_OOM, VM_FAULT_RETRY, VM_FAULT_SIGBUS, VM_FAULT_WRITE, VM_HUGETLB, VM_LOCKED, VM_MAYWRITE, VM_SHARED, VM_WRITE, type VmAreaStruct,
  addMmCounterFast,
} from "@mmsim/vma";
import { pmdTransHuge } from "./huge-memory.ts";
import { mlockVmaPage } from "./mlock-pages.ts";
import { walkPteRange } from "./pte-range-walk.ts";
import type { MmMemory } from "./memory.ts";

// mmsim's breakdown of the swap faults (no kernel counter: pgfault and pgmajfault count them)
/** do_swap_page found the page in the swap cache (a minor fault). */
export const SWS_CACHE_HIT = 0;
/** do_swap_page read the page through swapin_readahead (a major fault). */
export const SWS_READAHEAD = 1;
/** do_swap_page read the page into a fresh page without the swap cache (SWP_SYNCHRONOUS_IO, a major fault). */
export const SWS_SYNC_IO = 2;
/** do_swap_page mapped the page writable at once (exclusive, write fault). */
export const SWS_REUSE = 3;
/** do_swap_page dropped the swap cache's copy (should_try_to_free_swap). */
export const SWS_FREE_SWAP = 4;
/** Swap PTEs swapoff mapped back (unuse_pte). */
export const SWS_UNUSE = 5;
/** Pages MADV_WILLNEED asked the swap cache for. */
export const SWS_WILLNEED = 6;
/** Faults that met a migration entry (migration_entry_wait). */
export const SWS_MIGRATION_WAIT = 7;
export const NR_SWAP_FAULT_STATS = 8;
export const swapFaultStatNames: readonly string[] = Object.freeze(["cache_hit", "readahead", "sync_io", "reuse", "free_swap", "unuse", "willneed", "migration_wait"]);

const PAGE = 4096;

/** A swap PTE whose entry is a device entry: nothing in mmsim makes one. */
function unexpectedEntry(where: string, entry: number): never {
  throw new MmBugError(where, `swap PTE holds non-swap entry 0x${entry.toString(16)} (device entries are not modelled)`);
}
/** A swap PTE with no swap subsystem: only SwapOps' try_to_unmap makes swap PTEs. */
function noSwap(where: string): never {
  throw new MmBugError(where, "swap PTE but no swap subsystem (SwapOps) is registered");
}

/**
 * The part of a swap fault's `struct vm_fault` swapin_readahead reads (VMA, address, the PTE
 * table's entries); one per machine, filled before each call (swap_ra_info copies what it needs).
 */
class SwapFaultVmf implements SwapVmFault {
  vma: SwapRaVma = { vmStart: 0, vmEnd: 0, swapReadaheadInfo: 0 };
  address = 0;
  /** The PMD entry of `address` (vmf->pmd). */
  pmdp = NULL_ENTRY;

  constructor(private readonly m: MmMemory) {}

  readPtes(startVpn: number, n: number, out: Int32Array): void {
    const store = this.m.store;
    for (let i = 0; i < n; i++) {
      const ptep = pteOffsetKernel(store, this.pmdp, (startVpn + i) * PAGE);
      const lo = store.readLo(ptep);
      const hi = store.readHi(ptep);
      out[i] = isSwapPte(lo, hi) ? pteToSwpEntry(lo, hi) : 0; // pte_none, pte_present: skipped
    }
  }
}

/** The page-table side of swap for one machine's MmMemory. */
export class SwapPte implements SwapUnuse {
  /** The swap subsystem (null: no swap configured). */
  ops: SwapOps | null = null;
  /** mmsim's breakdown (SWS_*). */
  readonly stats = new Float64Array(NR_SWAP_FAULT_STATS);

  private readonly vmf: SwapFaultVmf;

  constructor(private readonly m: MmMemory) {
    this.vmf = new SwapFaultVmf(m);
  }

  /** lookup_swap_cache(entry, vma, addr): with the VMA's readahead statistics when the swap side has them. */
  private lookup(ops: SwapOps, entry: number, vma: VmAreaStruct, address: number): number {
    return ops.lookupSwapCacheVma !== undefined ? ops.lookupSwapCacheVma(entry, vma, address) : ops.lookupSwapCache(entry);
  }

  /** swapin_readahead(entry, gfp, vmf) for a fault in `vma` at `address` whose PTE table is under `pmdp`. */
  private readahead(ops: SwapOps, entry: number, vma: VmAreaStruct, address: number, pmdp: number): number {
    if (ops.swapinReadaheadVmf === undefined || pmdp === NULL_ENTRY) return ops.swapinReadahead(entry, GFP_HIGHUSER_MOVABLE);
    const vmf = this.vmf;
    vmf.vma = vma;
    vmf.address = address - (address % PAGE);
    vmf.pmdp = pmdp;
    return ops.swapinReadaheadVmf(entry, GFP_HIGHUSER_MOVABLE, vmf);
  }

  // ------------------------------------------------------------------ do_swap_page

  /**
   * The fault on a swap PTE at `ptep` (not none, not present). Kernel: `do_swap_page()`.
   * @returns a vm_fault_t
   */
  doSwapPage(vma: VmAreaStruct, address: number, flags: number, ptep: number): number {
    const m = this.m;
    const store = m.store;
    const mem = m.mem;
    let w = store.entryWord(ptep);
    const origLo = store.words[w]!;
    const origHi = store.words[w + 1]!;
    const entry = pteToSwpEntry(origLo, origHi);
    if (nonSwapEntry(entry)) {
      if (isMigrationEntry(entry)) {
        this.migrationEntryWait(origLo, origHi);
        return 0;
      }
      if (isHwpoisonEntry(entry)) return VM_FAULT_HWPOISON;
      if (isSwapinErrorEntry(entry)) return VM_FAULT_SIGBUS;
      unexpectedEntry("fault.do_swap_page", entry);
    }
    const ops = this.ops;
    if (ops === null) noSwap("fault.do_swap_page");
    // get_swap_device(): swapoff took the device away ("Bad swap file entry"; see the header)
    if (ops.swapEntryValid !== undefined && !ops.swapEntryValid(entry)) return VM_FAULT_SIGBUS;
    let ret = 0;
    let page = this.lookup(ops, entry, vma, address);
    let swapcache = page;
    let needClearCache = false;
    if (page < 0) {
      if (ops.swapSynchronousIo?.(entry) === true && ops.swapCount?.(entry) === 1 && ops.swapcachePrepare !== undefined && ops.swapReadpage !== undefined) {
        // skip swapcache: another reader holds SWAP_HAS_CACHE → back off, the access faults again
        if (ops.swapcachePrepare(entry) !== 0) return 0;
        needClearCache = true;
        const pfn = m.pages.allocPages(GFP_HIGHUSER_MOVABLE, 0, m.cpu); // vma_alloc_folio
        if (pfn !== NIL_PFN) {
          page = mem.pfnToPage(pfn);
          mem.flags[page] |= 1 << PG_swapbacked; // __folio_set_swapbacked
          const shadow = ops.getShadowFromSwapCache?.(entry) ?? 0;
          if (shadow !== 0) this.m.lru?.workingsetRefault(page, shadow);
          this.m.lru?.folioAddLru(page, m.cpu);
          mem.private[page] = entry; // folio_set_swap_entry: the slot for swap_readpage
          ops.swapReadpage(page, true);
          mem.private[page] = 0;
          this.stats[SWS_SYNC_IO]!++;
        }
      } else {
        const pgt = vma.vmMm.pgtables;
        page = this.readahead(ops, entry, vma, address, pgt !== null ? this.pmdOf(pgt.pgd, address) : NULL_ENTRY);
        swapcache = page;
        if (page >= 0) this.stats[SWS_READAHEAD]!++;
      }
      if (page < 0) {
        if (needClearCache) ops.swapcacheClear?.(entry);
        w = store.entryWord(ptep);
        // somebody else faulted it in meanwhile: not an OOM
        return store.words[w] === origLo && store.words[w + 1] === origHi ? VM_FAULT_OOM : 0;
      }
      // Had to read the page from swap area: Major fault
      ret = VM_FAULT_MAJOR;
      m.vmstat.vmEvents[PGMAJFAULT]!++;
    } else this.stats[SWS_CACHE_HIT]!++;
    // folio_lock_or_retry(): a read still in flight (a disk device) is waited for with mmap_lock dropped
    if ((mem.flags[page]! & (1 << PG_locked)) !== 0) {
      ops.waitOnPage?.(page);
      if ((flags & FAULT_FLAG_ALLOW_RETRY) !== 0) {
        m.putPage(page);
        if (needClearCache) ops.swapcacheClear?.(entry);
        return ret | VM_FAULT_RETRY;
      }
    }
    const write = (flags & FAULT_FLAG_WRITE) !== 0;
    if (swapcache >= 0) {
      // folio_free_swap() or swapoff released the swap cache under us: refault
      if ((mem.flags[page]! & (1 << PG_swapcache)) === 0 || mem.private[page] !== entry) {
        m.putPage(page);
        return ret;
      }
      // a writable mapping needs the refcount exact: the page's LRU batch reference goes first
      if (write && (mem.flags[page]! & (1 << PG_lru)) === 0) this.m.lru?.lruAddDrain(m.cpu);
    }
    // pte_same(): somebody else already faulted this PTE in
    w = store.entryWord(ptep);
    if (store.words[w] !== origLo || store.words[w + 1] !== origHi) {
      m.putPage(page);
      if (needClearCache) ops.swapcacheClear?.(entry);
      return ret;
    }
    if ((mem.flags[page]! & (1 << PG_uptodate)) === 0) {
      m.putPage(page);
      if (needClearCache) ops.swapcacheClear?.(entry);
      return VM_FAULT_SIGBUS;
    }
    // a fresh page not exposed to the swap cache is certainly exclusive
    const exclusive = page !== swapcache || pteSwpExclusive(origLo);
    ops.swapFree(entry);
    if (this.shouldTryToFreeSwap(page, vma, flags)) {
      if (ops.folioFreeSwap(page)) this.stats[SWS_FREE_SWAP]!++;
    }
    const mm = vma.vmMm;
    addMmCounterFast(m.current, mm, MM_ANONPAGES, 1);
    addMmCounterFast(m.current, mm, MM_SWAPENTS, -1);
    const t = pfnPte(mem.pageToPfn(page), vma.vmPageProt, m.t); // mk_pte
    let rmapFlags = RMAP_NONE;
    let fl = flags;
    if (exclusive || mem.refcount[m.rmap.compoundHead(page)] === 1) {
      if (write) {
        pteMkdirty(t);
        if ((vma.vmFlags & VM_WRITE) !== 0) pteMkwrite(t); // maybe_mkwrite
        fl &= ~FAULT_FLAG_WRITE;
        ret |= VM_FAULT_WRITE;
        this.stats[SWS_REUSE]!++;
      }
      rmapFlags |= RMAP_EXCLUSIVE;
    }
    m.rmap.pageAddAnonRmap(page, vma, address, rmapFlags);
    mlockVmaPage(m, page, vma); // page_add_anon_rmap → mlock_vma_page
    store.words[w] = t.lo; // set_pte_at
    store.words[w + 1] = t.hi;
    if (needClearCache) ops.swapcacheClear?.(entry);
    if ((fl & FAULT_FLAG_WRITE) !== 0) {
      ret |= m.doWpPage(vma, address, fl, ptep);
      if ((ret & VM_FAULT_ERROR) !== 0) ret &= VM_FAULT_ERROR;
    }
    return ret;
  }

  /**
   * A fault met a migration entry: the folio is locked by the migration in progress; the task
   * sleeps until it is unlocked (remove_migration_ptes has run), and the fault returns 0 so the
   * access is retried. Migrations here finish within the step that starts them, so a migration
   * entry outside one is a leftover (the kernel would sleep forever on an unlocked folio's
   * entry... and here the access would fault forever): a bug. Kernel: `migration_entry_wait()` →
   * `__migration_entry_wait()` → `migration_entry_wait_on_locked()`.
   */
  /** A fault met a PMD migration entry (a THP migrating whole): as migrationEntryWait. Kernel: `pmd_migration_entry_wait()`. */
  pmdMigrationEntryWait(lo: number, hi: number): void {
    this.migrationEntryWait(lo, hi);
  }

  private migrationEntryWait(lo: number, hi: number): void {
    const mem = this.m.mem;
    const pfn = migrationPtePfn(lo, hi);
    this.stats[SWS_MIGRATION_WAIT]!++;
    if (!mem.pfnValid(pfn) || (mem.flags[mem.pfnToPage(pfn)]! & (1 << PG_locked)) === 0) {
      throw new MmBugError("fault.migration_entry_wait", `migration entry for pfn 0x${pfn.toString(16)} with no migration in progress (the folio is not locked)`);
    }
  }

  /**
   * The swap cache's copy goes at once when swap is short, the page is mlocked, or a write
   * fault will want it alone (its references: ours and the swap cache's). Kernel:
   * `should_try_to_free_swap()` (mem_cgroup_swap_full = vm_swap_full without memcg).
   */
  private shouldTryToFreeSwap(page: number, vma: VmAreaStruct, flags: number): boolean {
    const mem = this.m.mem;
    const f = mem.flags[page]!;
    if ((f & (1 << PG_swapcache)) === 0) return false;
    if (this.ops!.vmSwapFull() || (vma.vmFlags & VM_LOCKED) !== 0 || (f & (1 << PG_mlocked)) !== 0) return true;
    return (flags & FAULT_FLAG_WRITE) !== 0 && mem.refcount[page] === 2;
  }

  // ------------------------------------------------------------------ zap, fork

  /**
   * A page zap unmapped, on its way to its last put: if it was the swap cache's and no PTE maps
   * it any more, its slot goes (try_to_free_swap) and the cache's reference with it. Kernel:
   * `free_swap_cache()` (mm/swap_state.c, from the mmu_gather's free_pages_and_swap_cache).
   */
  freeSwapCache(page: number): void {
    const head = this.m.rmap.compoundHead(page);
    if (this.ops === null || (this.m.mem.flags[head]! & (1 << PG_swapcache)) === 0 || this.m.rmap.folioMapped(head)) return;
    this.ops.folioFreeSwap(head);
  }

  /**
   * zap_pte_range on a non-present PTE (already cleared by the caller): a genuine swap entry
   * drops its slot (free_swap_and_cache) and MM_SWAPENTS; a swap-in error or hwpoison entry
   * just goes. Kernel: `zap_pte_range()`'s swap part (details == NULL: should_zap_cows).
   */
  zapSwapPte(lo: number, hi: number, rss: Float64Array): void {
    const entry = pteToSwpEntry(lo, hi);
    if (!nonSwapEntry(entry)) {
      if (this.ops === null) noSwap("fault.zap_pte_range");
      rss[MM_SWAPENTS]!--;
      this.ops.freeSwapAndCache(entry);
      return;
    }
    if (isMigrationEntry(entry)) {
      // the mapping was already taken out of rmap by try_to_migrate: only the rss counter of the page it names goes
      rss[mmCounter(this.m.mem, this.m.mem.pfnToPage(migrationPtePfn(lo, hi)))]!--;
      return;
    }
    if (isSwapinErrorEntry(entry) || isHwpoisonEntry(entry)) return;
    unexpectedEntry("fault.zap_pte_range", entry);
  }

  /**
   * fork: the child's copy of a non-present PTE (source words at `sw`, destination at `dw` of
   * the store's words). A swap entry gains a user (swap_duplicate), the child's mm joins the
   * mmlist, the parent's PTE loses PTE_SWP_EXCLUSIVE (the entry is shared now) and so does
   * the child's. Kernel: `copy_nonpresent_pte()`.
   * @returns the rss counter to count in the child (MM_SWAPENTS), -1 for none, or -EIO (swap_duplicate failed)
   */
  copyNonpresentPte(dstMm: MmStruct, sw: number, dw: number, srcVmFlags = 0): number {
    const words = this.m.store.words;
    let lo = words[sw]!;
    let hi = words[sw + 1]!;
    const entry = pteToSwpEntry(lo, hi);
    let rss = -1;
    if (isMigrationEntry(entry)) {
      // the child maps the page too once migration ends; a writable entry of a COW mapping becomes readable in both
      rss = mmCounter(this.m.mem, this.m.mem.pfnToPage(migrationPtePfn(lo, hi)));
      if (isWritableMigrationPte(lo) && (srcVmFlags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE) {
        migrationPteMkReadable(lo, hi, this.m.t2);
        lo = this.m.t2.lo;
        hi = this.m.t2.hi;
        words[sw] = lo;
        words[sw + 1] = hi;
      }
    } else if (!nonSwapEntry(entry)) {
      if (this.ops === null) noSwap("fault.copy_nonpresent_pte");
      if (this.ops.swapDuplicate(entry) < 0) return -5;
      this.m.mmlist.add(dstMm);
      if ((lo & PTE_SWP_EXCLUSIVE) !== 0) {
        lo = (lo & ~PTE_SWP_EXCLUSIVE) >>> 0; // pte_swp_clear_exclusive + set_pte_at(src)
        words[sw] = lo;
      }
      rss = MM_SWAPENTS;
    } else if (!isSwapinErrorEntry(entry) && !isHwpoisonEntry(entry)) unexpectedEntry("fault.copy_nonpresent_pte", entry);
    words[dw] = lo;
    words[dw + 1] = hi;
    return rss;
  }

  // ------------------------------------------------------------------ swapoff (SwapUnuse)

  /**
   * swapoff's anonymous side: every mm of the mmlist, unuse_mm. Kernel: try_to_unuse()'s walk
   * of init_mm.mmlist → `unuse_mm()`.
   * @returns 0 or -ENOMEM
   */
  unuseMms(type: number): number {
    for (const mm of [...this.m.mmlist]) {
      const ret = this.unuseMm(mm, type);
      if (ret !== 0) return ret;
    }
    return 0;
  }

  /** Kernel: `unuse_mm()`: the VMAs with an anon_vma (not hugetlb). */
  unuseMm(mm: MmStruct, type: number): number {
    for (const vma of mm.mt) {
      if (vma.anonVma === null || (vma.vmFlags & VM_HUGETLB) !== 0) continue;
      const ret = this.unuseVma(vma, type);
      if (ret !== 0) return ret;
    }
    return 0;
  }

  /** Kernel: `unuse_vma()` → unuse_p4d/pud/pmd_range (none or huge PMDs skipped) → `unuse_pte_range()`. */
  unuseVma(vma: VmAreaStruct, type: number): number {
    const ops = this.ops;
    let ret = 0;
    walkPteRange(this.m, vma, vma.vmStart, vma.vmEnd, (ptep, lo, hi, addr, pmdp) => {
      if (!isSwapPte(lo, hi) || pteSwpType(lo) !== type) return false;
      if (ops === null) noSwap("fault.unuse_pte_range");
      const entry = pteToSwpEntry(lo, hi);
      let page = this.lookup(ops, entry, vma, addr);
      if (page < 0) page = this.readahead(ops, entry, vma, addr, pmdp);
      if (page < 0) {
        // the slot was freed meanwhile (or is bad): nothing to map; else no memory
        if (ops.swapCount !== undefined && ops.swapCount(entry) === 0) return false;
        ret = -ENOMEM;
        return true;
      }
      // folio_lock + folio_wait_writeback
      if ((this.m.mem.flags[page]! & (1 << PG_locked)) !== 0) ops.waitOnPage?.(page);
      this.unusePte(vma, ptep, addr, entry, page);
      ops.folioFreeSwap(page);
      this.m.putPage(page);
      return false;
    });
    return ret;
  }

  /**
   * Maps the page read for `entry` back at `ptep` (old, with the VMA's protection, exclusive
   * when the swap PTE was), MM_SWAPENTS → MM_ANONPAGES, swap_free; a page whose read failed
   * leaves a swap-in error entry (a later fault gets SIGBUS). Kernel: `unuse_pte()`.
   * @returns 1 when mapped, 0 when the PTE changed or the read failed
   */
  private unusePte(vma: VmAreaStruct, ptep: number, addr: number, entry: number, page: number): number {
    const m = this.m;
    const store = m.store;
    const mem = m.mem;
    const ops = this.ops!;
    const lo = store.readLo(ptep);
    const hi = store.readHi(ptep);
    if (!isSwapPte(lo, hi) || pteToSwpEntry(lo, hi) !== entry) return 0; // pte_same_as_swp
    const mm = vma.vmMm;
    if ((mem.flags[page]! & (1 << PG_uptodate)) === 0) {
      mm.rssStat[MM_SWAPENTS]!--;
      mkSwapPte(makeSwapinErrorEntry(mem.pageToPfn(page)), false, m.t);
      store.write(ptep, m.t.lo, m.t.hi);
      ops.swapFree(entry);
      return 0;
    }
    mm.rssStat[MM_SWAPENTS]!--;
    mm.rssStat[MM_ANONPAGES]!++;
    mem.refcount[m.rmap.compoundHead(page)]!++; // get_page: the PTE's reference
    m.rmap.pageAddAnonRmap(page, vma, addr, pteSwpExclusive(lo) ? RMAP_EXCLUSIVE : RMAP_NONE);
    mlockVmaPage(m, page, vma); // page_add_anon_rmap → mlock_vma_page
    const t = pfnPte(mem.pageToPfn(page), vma.vmPageProt, m.t);
    t.lo = (t.lo & ~PTE_AF) >>> 0; // pte_mkold
    store.write(ptep, t.lo, t.hi);
    ops.swapFree(entry);
    this.stats[SWS_UNUSE]!++;
    return 1;
  }

  // ------------------------------------------------------------------ MADV_WILLNEED

  /**
   * MADV_WILLNEED on an anonymous range: every swap PTE's page is read into the swap cache
   * (without mapping it), then the CPU's LRU batch is drained. Kernel: `madvise_willneed()` →
   * walk_page_range with `swapin_walk_pmd_entry()` (read_swap_cache_async) + lru_add_drain.
   */
  madviseWillneed(vma: VmAreaStruct, start: number, end: number): void {
    const ops = this.ops;
    if (ops === null) return;
    walkPteRange(this.m, vma, start, end, (_ptep, lo, hi) => {
      if (!isSwapPte(lo, hi)) return;
      const entry = pteToSwpEntry(lo, hi);
      if (nonSwapEntry(entry)) return;
      const page = ops.readSwapCacheAsync !== undefined ? ops.readSwapCacheAsync(entry, GFP_HIGHUSER_MOVABLE) : ops.swapinReadahead(entry, GFP_HIGHUSER_MOVABLE);
      if (page >= 0) {
        this.stats[SWS_WILLNEED]!++;
        this.m.putPage(page);
      }
    });
    this.m.lru?.lruAddDrain(this.m.cpu);
  }

  /** The pmd entry of `addr` when it points to a PTE table (pmd_none_or_trans_huge_or_clear_bad is false), else NULL_ENTRY. */
  pmdOf(pgd: number, addr: number): number {
    const store = this.m.store;
    const pudp = pudOffset(store, pgdOffsetPgd(store, pgd, addr), addr);
    if (pudp === NULL_ENTRY) return NULL_ENTRY;
    const pmdp = pmdOffset(store, pudp, addr);
    if (pmdp === NULL_ENTRY) return NULL_ENTRY;
    const lo = store.readLo(pmdp);
    const hi = store.readHi(pmdp);
    if ((lo === 0 && hi === 0) || pmdTransHuge(lo, hi) || (lo & 3) !== 3) return NULL_ENTRY;
    return pmdp;
  }
}
