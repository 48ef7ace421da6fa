// Kernel: mm/vmscan.c (update_lru_size, shrink_folio_list, folio_check_references, folio_check_dirty_writeback, pageout, __remove_mapping, folio_evictable, can_reclaim_anon_pages, prepare_scan_count, shrink_node, shrink_zones, do_try_to_free_pages, try_to_free_pages, throttle_direct_reclaim, allow_direct_reclaim, reclaim_throttle, skip_throttle_noprogress, consider_reclaim_throttle, snapshot_refaults, zone_reclaimable_pages, wakeup_kswapd, kswapd, kswapd_try_to_sleep, prepare_kswapd_sleep, balance_pgdat, kswapd_shrink_node, pgdat_balanced, reclaim_pages), mm/swap.c (lru_note_cost) (v6.1) — the reclaim mechanism: the ReclaimHost every policy runs on, direct reclaim and kswapd
/*
 * One `Vmscan` per machine. It is the ReclaimHost of the machine's reclaim policy (the lists are
 * the policy's; shrink_folio_list, the counters, the costs and the watermark logic are here), the
 * page allocator's DirectReclaimer (try_to_free_pages, zone_reclaimable_pages) and KswapdWaker
 * (wakeup_kswapd), and it runs kswapd of each node.
 *
 * kswapd and time (docs/architecture.md, "kswapd runs beside the workload"): each node's kswapd
 * has a clock of its own (the local time of the CPU it runs on). Woken by the allocator, it runs
 * balance_pgdat one priority round at a time (`kswapdStep`): between workload steps (its
 * KernelThread), and — on a board with more than one CPU — during a long step, at the LRU's batch
 * points (every PAGEVEC_SIZE pages added to the LRU) and at each wakeup_kswapd, for as long as
 * its clock is behind the running task's. What a round costs moves kswapd's clock, not the
 * task's; a task throttled in throttle_direct_reclaim waits for kswapd (its clock moves to
 * kswapd's). With one CPU, kswapd runs between steps only, on the machine's clock.
 *
 * Tracepoints (include/trace/events/vmscan.h): wakeup_kswapd, kswapd_wake, kswapd_sleep,
 * direct_reclaim_begin/end, write_folio (pageout) and throttled (reclaim_throttle) fire here; the
 * list events in the classic LRU (lru-policy.ts); mm_shrink_slab_start/end in shrinker.ts.
 *
 * Slab shrinkers: shrink_node calls shrink_slab (shrinker.ts) after each lruvec pass, with the
 * pass's gfp mask and priority; the pages it frees (slab pages given back, page cache the inode
 * shrinker stole) are added to nr_reclaimed as reclaim_state->reclaimed_slab.
 *
 * Not modelled: memcg (one root lruvec per node), laptop_mode, demotion, should_continue_reclaim's
 * compaction check (no compaction yet: it never continues), vmpressure, PSI.
 */
import {
  DEACTIVATE_ANON, DEACTIVATE_FILE, DEF_PRIORITY, GFP_KERNEL, type KernelLog, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, MAX_NR_ZONES, type MemMap, MmBugError,
  NR_ACTIVE_ANON, NR_ACTIVE_FILE, NR_FREE_PAGES, NR_INACTIVE_ANON, NR_INACTIVE_FILE, NR_LRU_BASE, NR_VMSCAN_IMMEDIATE, NR_VMSCAN_WRITE,
  NR_VM_NODE_STAT_ITEMS, NR_VM_ZONE_STAT_ITEMS, NR_ZONE_ACTIVE_ANON, NR_ZONE_ACTIVE_FILE, NR_ZONE_INACTIVE_ANON, NR_ZONE_INACTIVE_FILE,
  NR_ZONE_LRU_BASE, NR_ZONE_WRITE_PENDING, NSEC_PER_SEC, PAGEOUTRUN, PAGE_ACTIVATE, PAGE_CLEAN, PAGE_KEEP, PAGE_SUCCESS, type PageAllocator,
  PGLAZYFREED, ReclaimStat, PGSCAN_DIRECT_THROTTLE, PG_dirty, PG_locked, PG_mlocked, PG_private, PG_reclaim, PG_referenced, PG_swapcache,
  PG_writeback, PG_workingset, type ReclaimHost, type ReclaimPolicy, ScanControl, type SimClock, type SwapOps,
  TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, TP_MM_VMSCAN_DIRECT_RECLAIM_END, TP_MM_VMSCAN_KSWAPD_SLEEP, TP_MM_VMSCAN_KSWAPD_WAKE, TP_MM_VMSCAN_THROTTLED,
  TP_MM_VMSCAN_WAKEUP_KSWAPD, TP_MM_VMSCAN_WRITE_FOLIO, type TraceBus, traceReclaimFlags,
  type ValidationSink, type VmStat, ZONE_NORMAL, __GFP_DIRECT_RECLAIM, __GFP_FS, __GFP_IO, ALLOCSTALL_DMA, KSWAPD_HIGH_WMARK_HIT_QUICKLY,
  KSWAPD_LOW_WMARK_HIT_QUICKLY, NR_ISOLATED_ANON, NR_ISOLATED_FILE, WORKINGSET_ACTIVATE_ANON, WORKINGSET_ACTIVATE_FILE, debugVm, gfpZone, GFP_HIGHUSER_MOVABLE, GFP_RECLAIM_MASK, type MemcgCharger, MEMCG_RECLAIM_MAY_SWAP, MEMCG_RECLAIM_PROACTIVE, TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN, TP_MM_VMSCAN_MEMCG_RECLAIM_END, listAdd, listDel, listSpliceInit,
} from "@mmsim/core";
import type { KcompactdWaker } from "@mmsim/core";
import { type PageAllocState, type PglistData, type Zone, zoneWatermarkOk } from "@mmsim/buddy";
import type { Rmap } from "@mmsim/rmap";
import { AS_UNEVICTABLE, type AddressSpace, type Vfs, __filemapRemoveFolio, inodeAddLru, mappingShrinkable, xaMkValue } from "@mmsim/filemap";
import {
  ACTIVE_FLAG, LRU_FLAG, SWAPBACKED_FLAG, SWAP_CLUSTER_MAX, UNEVICTABLE_FLAG, folioIsFileLru, folioNrPages, inactiveIsLow, nodeState,
} from "./lru-common.ts";
import { MultiGenLru } from "./mglru/multi-gen-lru.ts";
import { ShrinkerList } from "./shrinker.ts";

const LOCKED = 1 << PG_locked;
const DIRTY = 1 << PG_dirty;
const WRITEBACK = 1 << PG_writeback;
const RECLAIM = 1 << PG_reclaim;
const REFERENCED = 1 << PG_referenced;
const MLOCKED = 1 << PG_mlocked;
const SWAPCACHE = 1 << PG_swapcache;
const PRIVATE = 1 << PG_private;
const WORKINGSET = 1 << PG_workingset;
/** vm_flags bits folio_check_references reads. */
const VM_EXEC = 0x00000004;
const VM_LOCKED = 0x00002000;

/** folio_check_references' verdicts. Kernel: `enum folio_references`. */
export const FOLIOREF_RECLAIM = 0;
export const FOLIOREF_RECLAIM_CLEAN = 1;
export const FOLIOREF_KEEP = 2;
export const FOLIOREF_ACTIVATE = 3;

/** pgdat->flags bits reclaim sets. Kernel: `PGDAT_DIRTY`, `PGDAT_WRITEBACK` (enum pgdat_flags), `LRUVEC_CONGESTED`. */
export const PGDAT_DIRTY = 0;
export const PGDAT_WRITEBACK = 1;
export const LRUVEC_CONGESTED = 2;

/** Why a reclaimer sleeps. Kernel: `enum vmscan_throttle_state`. */
export const VMSCAN_THROTTLE_WRITEBACK = 0;
export const VMSCAN_THROTTLE_ISOLATED = 1;
export const VMSCAN_THROTTLE_NOPROGRESS = 2;
export const VMSCAN_THROTTLE_CONGESTED = 3;
export const NR_VMSCAN_THROTTLE = 4;

/** Kernel: `MAX_RECLAIM_RETRIES` (mm/internal.h). */
export const MAX_RECLAIM_RETRIES = 16;
/** The reference config's HZ (jiffies per second). */
const HZ = 250;
const JIFFY_NS = NSEC_PER_SEC / HZ;
/** AOP_WRITEPAGE_ACTIVATE: a writepage that wants the page kept active. */
export const AOP_WRITEPAGE_ACTIVATE = 0x80000;

/**
 * Simulated costs of reclaim (ns), charged to the clock of whoever reclaims (the task in direct
 * reclaim, kswapd's own clock). Estimates: kswapd reclaims clean page cache at about 1–2 GB/s per
 * core on a 2 GHz arm64 (250–500 k pages/s), i.e. 2–4 µs per page all told; split as below.
 */
export interface ReclaimCosts {
  /** isolate_lru_folios' work per page looked at (list move, flags, folio_try_get). */
  readonly isolatePage: number;
  /** shrink_folio_list's fixed work per page (trylock, checks, __remove_mapping, counters). */
  readonly shrinkPage: number;
  /** folio_referenced's rmap walk, per mapped page. */
  readonly rmapWalk: number;
  /** try_to_unmap, per mapped page. */
  readonly unmapPage: number;
  /** One balance_pgdat round's fixed work (watermark checks, the loop). */
  readonly kswapdRound: number;
}
export const RECLAIM_COSTS: ReclaimCosts = Object.freeze({ isolatePage: 60, shrinkPage: 900, rmapWalk: 400, unmapPage: 600, kswapdRound: 2000 });

/** What a Vmscan is built over; the later mechanisms are found lazily (they are built after it). */
export interface VmscanDeps {
  readonly mem: MemMap;
  readonly vmstat: VmStat;
  readonly clock: SimClock;
  readonly trace: TraceBus;
  readonly log?: KernelLog;
  readonly pa: PageAllocState;
  readonly pages: PageAllocator;
  readonly nrCpus: number;
  readonly policy: ReclaimPolicy;
  /** rmap (folio_referenced, try_to_unmap); null: no page is mapped. */
  readonly rmap: () => Rmap | null;
  /** The page cache (__remove_mapping of file pages); null: no file pages. */
  readonly vfs: () => Vfs | null;
  /** Swap; null: no swap (anonymous pages are not reclaimed). */
  readonly swap: () => SwapOps | null;
  /** Frees a page whose last reference reclaim dropped (clears its content). Default: pages.freePages. */
  readonly freePage?: (page: number, order: number) => void;
  readonly costs?: ReclaimCosts;
  /** kcompactd (wakeup_kcompactd, reset_isolation_suitable); null or absent: no compaction. */
  readonly kcompactd?: () => KcompactdWaker | null;
  /** The list-head slots of each node's lruvec (LRUVEC_LIST_HEADS each); default: taken from mem. */
  readonly lruvecHeads?: Int32Array;
}

/** kswapd's per-node state. Kernel: pgdat->kswapd_*, the kthread's own locals. */
export class KswapdState {
  /** Awake: woken and not yet asleep again. */
  awake = false;
  /** In balance_pgdat (a round is pending). */
  balancing = false;
  /** kswapd's CPU clock (ns): when its next round may start. */
  clockNs = 0;
  /** The short sleep (HZ/10) of kswapd_try_to_sleep ends at this time; -1: not in it. */
  shortSleepUntil = -1;
  /** pgdat->kswapd_failures. */
  failures = 0;
  allocOrder = 0;
  reclaimOrder = 0;
  /** pgdat->kswapd_highest_zoneidx (MAX_NR_ZONES: none asked) and pgdat->kswapd_order as wake-ups set them. */
  highestZoneidx = 0;
  allocOrderPending = 0;
  /** kswapd()'s local highest_zoneidx: the zone it balances and sleeps on. */
  highestZoneSleep = MAX_NR_ZONES - 1;
  /** balance_pgdat's state between rounds. */
  readonly sc = new ScanControl();
  nrBoostReclaim = 0;
  boosted = false;
  readonly zoneBoosts = new Float64Array(MAX_NR_ZONES);
  /** Rounds run and simulated ns spent (figures). */
  rounds = 0;
  busyNs = 0;
}

/** The reclaim mechanism of one machine. */
export class Vmscan implements ReclaimHost {
  readonly mem: MemMap;
  readonly vmstat: VmStat;
  readonly trace: TraceBus;
  readonly clock: SimClock;
  readonly nrNodes: number;
  readonly nrCpus: number;
  readonly pa: PageAllocState;
  readonly pages: PageAllocator;
  readonly costs: ReclaimCosts;
  private readonly kcompactdOf: (() => KcompactdWaker | null) | undefined;
  policy: ReclaimPolicy;
  /** vm.swappiness (0–200). */
  swappiness = 60;
  /** vm.vfs_cache_pressure: the VFS's (super_cache_count reads it there); kept here too for a machine without a VFS. */
  get vfsCachePressure(): number {
    return this.vfsOf()?.vfsCachePressure ?? this.vfsCachePressureNoVfs;
  }
  set vfsCachePressure(n: number) {
    this.vfsCachePressureNoVfs = n;
    const vfs = this.vfsOf();
    if (vfs !== null) vfs.vfsCachePressure = n;
  }
  private vfsCachePressureNoVfs = 100;
  /** The shrinker list (core's ShrinkerRegistry): shrink_slab's. Kernel: `shrinker_list`. */
  readonly shrinkers: ShrinkerList;
  /** lruvec->anon_cost, file_cost per node. */
  readonly anonCost: Float64Array;
  readonly fileCost: Float64Array;
  /** lruvec->refaults[ANON_AND_FILE] per node (snapshot_refaults). */
  readonly refaults: Float64Array;
  /** pgdat->flags / lruvec->flags bits (PGDAT_DIRTY, PGDAT_WRITEBACK, LRUVEC_CONGESTED) per node. */
  readonly nodeFlags: Uint8Array;
  readonly kswapd: KswapdState[];
  /** Simulated ns tasks spent in direct reclaim and throttling (a compare figure). */
  directReclaimNs = 0;
  throttledNs = 0;
  private readonly heads: Int32Array;
  private readonly rmapOf: () => Rmap | null;
  private readonly vfsOf: () => Vfs | null;
  private readonly swapOf: () => SwapOps | null;
  private readonly freePageFn: (page: number, order: number) => void;
  private readonly log: KernelLog | null;
  /** The ScanControl of direct reclaim (one caller at a time). */
  private readonly directSc = new ScanControl();
  private readonly pageoutSc = new ScanControl();
  /** folio_referenced's vm_flags of the last call. */
  referencedVmFlags = 0;
  /** lru_add_drain() of the running CPU (the LRU core sets it; MGLRU's shrink_node drains first). */
  lruAddDrain: (() => void) | null = null;
  /** Times MGLRU's lru_gen_age_node asked for the OOM killer (min_ttl_ms); none exists yet: counted and cleared. */
  lruGenOomRequests = 0;
  /** current->in_lru_fault: the running task is in handle_mm_fault (lru_gen_enter_fault). */
  inLruFault = false;
  /** The node kswapd is running for (current_is_kswapd); -1: a task. */
  private kswapdRunning = -1;
  /** A wake-up during this call may not run kswapd (re-entry guard). */
  private inReclaim = 0;

  constructor(deps: VmscanDeps) {
    this.mem = deps.mem;
    this.vmstat = deps.vmstat;
    this.trace = deps.trace;
    this.clock = deps.clock;
    this.pa = deps.pa;
    this.pages = deps.pages;
    this.nrNodes = deps.pa.pgdat.length;
    this.nrCpus = deps.nrCpus;
    this.costs = deps.costs ?? RECLAIM_COSTS;
    this.kcompactdOf = deps.kcompactd;
    this.policy = deps.policy;
    this.rmapOf = deps.rmap;
    this.vfsOf = deps.vfs;
    this.swapOf = deps.swap;
    this.log = deps.log ?? null;
    this.freePageFn = deps.freePage ?? ((page, order) => void this.pages.freePages(this.mem.pageToPfn(page), order, 0));
    const n = this.nrNodes;
    this.anonCost = new Float64Array(n);
    this.fileCost = new Float64Array(n);
    this.refaults = new Float64Array(2 * n);
    this.nodeFlags = new Uint8Array(n);
    this.kswapd = Array.from({ length: n }, () => new KswapdState());
    for (const k of this.kswapd) k.highestZoneidx = MAX_NR_ZONES;
    this.heads = deps.lruvecHeads ?? takeLruvecHeads(this.mem, n);
    this.shrinkers = new ShrinkerList(this.vmstat, n, this.trace);
    this.policy.attach(this);
  }

  // ------------------------------------------------------------------ ReclaimHost

  lruvecHeads(nid: number): number {
    return this.heads[nid]!;
  }

  pageNid(page: number): number {
    return this.mem.nodeZone[page]! >>> 2;
  }

  /** Kernel: `update_lru_size()`: node NR_LRU_BASE + lru and zone NR_ZONE_LRU_BASE + lru. */
  updateLruSize(page: number, lru: number, nr: number): void {
    const zone = this.mem.nodeZone[page]!;
    this.vmstat.nodeVmStat[(zone >>> 2) * NR_VM_NODE_STAT_ITEMS + NR_LRU_BASE + lru]! += nr;
    this.vmstat.zoneVmStat[zone * NR_VM_ZONE_STAT_ITEMS + NR_ZONE_LRU_BASE + lru]! += nr;
  }

  folioReferenced(page: number): number {
    const rmap = this.rmapOf();
    if (rmap === null || !rmap.folioMapped(page)) {
      this.referencedVmFlags = 0;
      return 0;
    }
    this.clock.advance(this.costs.rmapWalk);
    rmap.lookAround = this.lruGenEnabled ? this.lookAroundFolio : null; // folio_referenced_one's lru_gen_enabled()
    const n = rmap.folioReferenced(page);
    this.referencedVmFlags = rmap.referencedVmFlags;
    return n;
  }

  /** MGLRU's per-folio look-around (rmap walks the window). Kernel: `lru_gen_look_around()`'s loop body. */
  private readonly lookAroundFolio = (refPage: number, page: number): boolean => (this.policy as MultiGenLru).lookAroundFolio(refPage, page);

  /** Kernel: `folio_evictable()`: not mlocked, and its mapping not AS_UNEVICTABLE (ramfs, SHM_LOCK). */
  folioEvictable(page: number): boolean {
    if ((this.mem.flags[page]! & MLOCKED) !== 0) return false;
    const m = this.mem.mapping[page]!;
    if (m > 0) {
      const mapping = this.mappingOf(m);
      if (mapping !== undefined && (mapping.flags & (1 << AS_UNEVICTABLE)) !== 0) return false;
    }
    return true;
  }

  /** The address_space of id `m` (folio_mapping), with a one-entry cache: reclaim meets runs of one file's pages. */
  private mappingOf(m: number): AddressSpace | undefined {
    if (m === this.lastMappingId && this.lastMapping !== undefined && this.lastMapping.nrpages > 0) return this.lastMapping;
    const mapping = this.vfsOf()?.mappings.get(m) as AddressSpace | undefined;
    this.lastMappingId = m;
    this.lastMapping = mapping;
    return mapping;
  }
  private lastMappingId = 0;
  private lastMapping: AddressSpace | undefined = undefined;

  /** Kernel: `can_reclaim_anon_pages()` (global reclaim, no demotion): free swap is left. */
  canReclaimAnonPages(_nid: number, _sc: ScanControl): boolean {
    const swap = this.swapOf();
    return swap !== null && swap.nrSwapPages() > 0;
  }

  /** Kernel: `lru_note_cost()`: cost = nr_io × SWAP_CLUSTER_MAX + nr_rotated, halved when the sum passes a quarter of the LRU. */
  lruNoteCost(nid: number, file: boolean, nrIo: number, nrRotated: number): void {
    const cost = nrIo * SWAP_CLUSTER_MAX + nrRotated;
    if (file) this.fileCost[nid]! += cost;
    else this.anonCost[nid]! += cost;
    const vs = this.vmstat;
    const lrusize = nodeState(vs, nid, NR_INACTIVE_ANON) + nodeState(vs, nid, NR_ACTIVE_ANON) + nodeState(vs, nid, NR_INACTIVE_FILE) + nodeState(vs, nid, NR_ACTIVE_FILE);
    if (this.fileCost[nid]! + this.anonCost[nid]! > Math.floor(lrusize / 4)) {
      this.fileCost[nid] = Math.floor(this.fileCost[nid]! / 2);
      this.anonCost[nid] = Math.floor(this.anonCost[nid]! / 2);
    }
  }

  /** current_is_kswapd(). */
  get currentIsKswapd(): boolean {
    return this.kswapdRunning >= 0;
  }

  /** The machine's policy is MGLRU. Kernel: `lru_gen_enabled()` (the LRU_GEN_CORE static key). */
  get lruGenEnabled(): boolean {
    return this.policy instanceof MultiGenLru;
  }

  // ------------------------------------------------------------------ shrink_folio_list

  /** Kernel: `folio_check_references()`. */
  folioCheckReferences(page: number): number {
    const referencedPtes = this.folioReferenced(page);
    const vmFlags = this.referencedVmFlags;
    const f = this.mem.flags[page]!;
    const referencedFolio = (f & REFERENCED) !== 0;
    this.mem.flags[page] = f & ~REFERENCED; // folio_test_clear_referenced
    if ((vmFlags & VM_LOCKED) !== 0) return FOLIOREF_ACTIVATE;
    if (referencedPtes !== 0) {
      this.mem.flags[page] = this.mem.flags[page]! | REFERENCED;
      if (referencedFolio || referencedPtes > 1) return FOLIOREF_ACTIVATE;
      if ((vmFlags & VM_EXEC) !== 0 && folioIsFileLru(f)) return FOLIOREF_ACTIVATE;
      return FOLIOREF_KEEP;
    }
    if (referencedFolio && folioIsFileLru(f)) return FOLIOREF_RECLAIM_CLEAN;
    return FOLIOREF_RECLAIM;
  }

  /**
   * Reclaims what it can of the isolated pages on `head` (taken from the tail, as lru_to_folio
   * does); the pages kept stay on `head` (PG_active set on those to activate). Kernel:
   * `shrink_folio_list()` (ignore_references false, no demotion).
   */
  shrinkFolioList(head: number, nid: number, sc: ScanControl, stat: ReclaimStat): number {
    const mem = this.mem;
    const next = mem.lruNext;
    const prev = mem.lruPrev;
    const flags = mem.flags;
    const costs = this.costs;
    const vs = this.vmstat;
    const rmap = this.rmapOf();
    let nrReclaimed = 0;
    // Walk the list from the tail; kept pages are moved to a local chain first, then back.
    const keep = this.keepHead(nid);
    this.inReclaim++;
    while (next[head] !== head) {
      const page = prev[head]!;
      listDel(next, prev, page);
      this.clock.advance(costs.shrinkPage);
      let f = flags[page]!;
      let nrPages = folioNrPages(f);
      sc.nrScanned += nrPages;
      let outcome = KEEP;
      let references = FOLIOREF_RECLAIM;
      shrink: {
        if ((f & LOCKED) !== 0) break shrink; // !folio_trylock: keep
        flags[page] = f | LOCKED;
        f = flags[page]!;
        outcome = KEEP_LOCKED;
        if (!this.folioEvictable(page)) {
          outcome = ACTIVATE_LOCKED;
          break shrink;
        }
        const mapped = rmap !== null ? rmap.folioMapped(page) : mem.mapcount[page]! >= 0;
        if (!sc.mayUnmap && mapped) break shrink;
        // folio_update_gen() tried to promote this page? (lru_gen: look-around set PG_referenced on it)
        if (mapped && (f & REFERENCED) !== 0 && this.lruGenEnabled) break shrink;
        // folio_check_dirty_writeback
        const fileLru = folioIsFileLru(f);
        const anonLazy = mem.mapping[page]! < 0 && (f & SWAPBACKED_FLAG) === 0;
        const dirty = fileLru && !anonLazy && (f & DIRTY) !== 0;
        const writeback = fileLru && !anonLazy && (f & WRITEBACK) !== 0;
        if (dirty || writeback) stat.nrDirty += nrPages;
        if (dirty && !writeback) stat.nrUnqueuedDirty += nrPages;
        if (writeback && (f & RECLAIM) !== 0) stat.nrCongested += nrPages;
        if ((f & WRITEBACK) !== 0) {
          if (this.currentIsKswapd && (f & RECLAIM) !== 0 && (this.nodeFlags[nid]! & (1 << PGDAT_WRITEBACK)) !== 0) {
            stat.nrImmediate += nrPages;
          } else {
            flags[page] = flags[page]! | RECLAIM;
            stat.nrWriteback += nrPages;
          }
          outcome = ACTIVATE_LOCKED;
          break shrink;
        }
        references = this.folioCheckReferences(page);
        if (references === FOLIOREF_ACTIVATE) {
          outcome = ACTIVATE_LOCKED;
          break shrink;
        }
        if (references === FOLIOREF_KEEP) {
          stat.nrRefKeep += nrPages;
          break shrink;
        }
        f = flags[page]!;
        const anon = mem.mapping[page]! < 0 || ((f & SWAPCACHE) !== 0 && mem.mapping[page] === 0);
        // Anonymous memory needs swap space.
        if (anon && (f & SWAPBACKED_FLAG) !== 0 && (f & SWAPCACHE) === 0) {
          if ((sc.gfpMask & __GFP_IO) === 0) break shrink;
          const swap = this.swapOf();
          if ((f & (1 << 16)) !== 0 || swap === null || !sc.maySwap || !swap.addToSwap(page)) {
            outcome = ACTIVATE_LOCKED; // activate_locked_split: no swap slot (a THP is not split here)
            break shrink;
          }
          f = flags[page]!;
        }
        // Unmap it from every page table.
        if (rmap !== null ? rmap.folioMapped(page) : mem.mapcount[page]! >= 0) {
          const wasSwapbacked = (f & SWAPBACKED_FLAG) !== 0;
          this.clock.advance(costs.unmapPage);
          if (rmap === null || !rmap.tryToUnmap(page)) {
            stat.nrUnmapFail += nrPages;
            if (!wasSwapbacked && (flags[page]! & SWAPBACKED_FLAG) !== 0) stat.nrLazyfreeFail += nrPages;
            outcome = ACTIVATE_LOCKED;
            break shrink;
          }
          f = flags[page]!;
        }
        if ((f & DIRTY) !== 0) {
          if (folioIsFileLru(f) && !(mem.mapping[page]! < 0) && (!this.currentIsKswapd || (f & RECLAIM) === 0 || (this.nodeFlags[nid]! & (1 << PGDAT_DIRTY)) === 0)) {
            vs.nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + NR_VMSCAN_IMMEDIATE]! += nrPages;
            flags[page] = flags[page]! | RECLAIM;
            outcome = ACTIVATE_LOCKED;
            break shrink;
          }
          if (references === FOLIOREF_RECLAIM_CLEAN || !sc.mayWritepage) break shrink;
          const res = this.pageout(page, nid);
          if (res === PAGE_KEEP) break shrink;
          if (res === PAGE_ACTIVATE) {
            outcome = ACTIVATE_LOCKED;
            break shrink;
          }
          if (res === PAGE_SUCCESS) {
            stat.nrPageout += nrPages;
            f = flags[page]!;
            if ((f & (WRITEBACK | DIRTY)) !== 0) {
              flags[page] = f & ~LOCKED; // the I/O owns the lock until it completes: here, unlocked
              outcome = KEEP;
              break shrink;
            }
          }
        }
        f = flags[page]!;
        // Lazy-free pages (MADV_FREE): only the isolation reference may be left.
        if (mem.mapping[page]! < 0 && (f & SWAPBACKED_FLAG) === 0) {
          if (mem.refcount[page] !== 1) break shrink;
          vs.vmEvents[PGLAZYFREED]! += nrPages;
          mem.mapping[page] = 0;
        } else if (!this.removeMapping(page, true)) {
          break shrink;
        }
        flags[page] = flags[page]! & ~LOCKED;
        outcome = FREE_IT;
      }
      if (outcome === FREE_IT) {
        nrReclaimed += nrPages;
        this.freeReclaimed(page, nrPages);
        continue;
      }
      if (outcome === ACTIVATE_LOCKED) {
        f = flags[page]!;
        const swap = this.swapOf();
        if ((f & SWAPCACHE) !== 0 && swap !== null && (swap.vmSwapFull() || (f & MLOCKED) !== 0)) swap.folioFreeSwap(page);
        if ((flags[page]! & MLOCKED) === 0) {
          flags[page] = flags[page]! | ACTIVE_FLAG;
          stat.nrActivate[folioIsFileLru(f) ? 1 : 0]! += nrPages;
        }
      }
      if (outcome !== KEEP) flags[page] = flags[page]! & ~LOCKED; // keep_locked: folio_unlock
      listAdd(next, prev, page, keep);
      void nrPages;
      nrPages = 0;
    }
    // list_splice(&ret_folios, folio_list)
    listSpliceInit(next, prev, keep, head);
    vs.vmEvents[PGACTIVATE_ITEM]! += stat.nrActivate[0]! + stat.nrActivate[1]!;
    this.inReclaim--;
    return nrReclaimed;
  }

  /** The host's own scratch list of node `nid` (head LRUVEC_LIST_HEADS − 1; policies use the others). */
  keepHead(nid: number): number {
    return this.heads[nid]! + HOST_KEEP_HEAD;
  }
  reclaimPagesHead(nid: number): number {
    return this.heads[nid]! + HOST_PAGES_HEAD;
  }

  /** Frees a reclaimed page: its isolation reference is the last one. */
  private freeReclaimed(page: number, nrPages: number): void {
    const mem = this.mem;
    if (debugVm.on && mem.refcount[page] !== 1) throw new MmBugError("reclaim.shrinkFolioList", `page ${page} freed with refcount ${mem.refcount[page]}`);
    mem.flags[page] = mem.flags[page]! & ~(ACTIVE_FLAG | UNEVICTABLE_FLAG | LRU_FLAG | REFERENCED | WORKINGSET | RECLAIM | LOCKED);
    // free_pages_prepare: PageMappingFlags → page->mapping = NULL (an anonymous page keeps its
    // anon_vma until it is freed, through swap-out or after its last unmap while isolated)
    if (mem.mapping[page]! < 0) mem.mapping[page] = 0;
    this.freePageFn(page, nrPages > 1 ? 9 : 0);
  }

  /**
   * Frees the isolated pages on `head` whose last reference went while the policy put them back
   * (refcount 0, PG_lru clear). Kernel: `free_unref_page_list()` (after mem_cgroup_uncharge_list).
   */
  freeUnrefPageList(head: number): void {
    const mem = this.mem;
    while (mem.lruNext[head] !== head) {
      const page = mem.lruPrev[head]!;
      listDel(mem.lruNext, mem.lruPrev, page);
      if (debugVm.on && mem.refcount[page] !== 0) throw new MmBugError("reclaim.freeUnrefPageList", `page ${page} has refcount ${mem.refcount[page]}`);
      const nrPages = folioNrPages(mem.flags[page]!);
      mem.refcount[page] = 1; // freePageFn drops the reference it frees with (__free_pages)
      this.freeReclaimed(page, nrPages);
    }
  }

  /**
   * Writes a dirty page for reclaim: a swap-cache page through swap_writepage, a page-cache page
   * through its a_ops->writepage if the mapping has one (shmem's: `aOps.writepage(page)` returning
   * 0 or AOP_WRITEPAGE_ACTIVATE); none (ext2 here: no single-page writepage) → PAGE_ACTIVATE.
   * Kernel: `pageout()`.
   */
  private pageout(page: number, nid: number): number {
    const mem = this.mem;
    const f = mem.flags[page]!;
    // is_page_cache_freeable: the isolation reference + the cache's
    if (mem.refcount[page]! - ((f & PRIVATE) !== 0 ? 1 : 0) !== 2) return PAGE_KEEP;
    let res: number;
    if ((f & SWAPCACHE) !== 0 && (f & SWAPBACKED_FLAG) !== 0) {
      const swap = this.swapOf();
      if (swap === null) return PAGE_KEEP;
      mem.flags[page] = (f & ~DIRTY) | RECLAIM; // folio_clear_dirty_for_io, folio_set_reclaim
      res = swap.swapWritepage(page);
      if (res === PAGE_ACTIVATE || res === PAGE_KEEP) {
        mem.flags[page] = mem.flags[page]! & ~RECLAIM;
        return res;
      }
    } else {
      const m = mem.mapping[page]!;
      if (m <= 0) return PAGE_KEEP;
      const mapping = this.vfsOf()?.mappings.get(m) as (AddressSpace & { aOps: { writepage?: (page: number, forReclaim: boolean) => number } }) | undefined;
      if (mapping === undefined) return PAGE_KEEP;
      const writepage = mapping.aOps.writepage;
      if (writepage === undefined) return PAGE_ACTIVATE;
      if ((mem.flags[page]! & DIRTY) === 0) return PAGE_CLEAN;
      mem.flags[page] = mem.flags[page]! | RECLAIM;
      const r = writepage.call(mapping.aOps, page, true); // wbc->for_reclaim
      if (r === AOP_WRITEPAGE_ACTIVATE) {
        mem.flags[page] = mem.flags[page]! & ~RECLAIM;
        return PAGE_ACTIVATE;
      }
    }
    if ((mem.flags[page]! & WRITEBACK) === 0) mem.flags[page] = mem.flags[page]! & ~RECLAIM;
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_WRITE_FOLIO, mem.pageToPfn(page), traceReclaimFlags(folioIsFileLru(mem.flags[page]!)), 0, 0, 0, 0);
    this.vmstat.nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + NR_VMSCAN_WRITE]! += 1;
    return PAGE_SUCCESS;
  }

  /**
   * Takes a clean, locked page out of its page cache or swap cache, leaving the policy's shadow
   * (file LRU pages and swap-cache pages), if only the cache and the caller hold it. Kernel:
   * `__remove_mapping()`.
   */
  removeMapping(page: number, reclaimed: boolean): boolean {
    const mem = this.mem;
    const f = mem.flags[page]!;
    if (mem.refcount[page] !== 2) return false; // folio_ref_freeze(folio, 1 + nr)
    if ((f & DIRTY) !== 0) return false;
    if ((f & SWAPCACHE) !== 0 && (f & SWAPBACKED_FLAG) !== 0) {
      const swap = this.swapOf();
      if (swap === null) return false;
      const shadow = reclaimed ? this.policy.eviction(page) : 0;
      swap.deleteFromSwapCache(page, shadow); // drops the cache's reference
      if (mem.refcount[page] === 2) mem.refcount[page] = 1;
      return true;
    }
    const m = mem.mapping[page]!;
    if (m <= 0) return false;
    const vfs = this.vfsOf();
    const mapping = this.mappingOf(m);
    if (vfs === null || mapping === undefined) return false;
    const exiting = (mapping.flags & (1 << 4)) !== 0; // AS_EXITING
    const shadow = reclaimed && folioIsFileLru(f) && !exiting ? xaMkValue(this.policy.eviction(page)) : 0;
    __filemapRemoveFolio(vfs, mapping, page, shadow);
    if (mapping.host.iCount === 0 && mappingShrinkable(mapping)) inodeAddLru(mapping.host); // the last page gone: the inode may be shrunk
    mapping.aOps.freeFolio?.(page);
    mem.refcount[page] = 1; // folio_ref_unfreeze(folio, 1): the cache's reference is gone
    return true;
  }

  // ------------------------------------------------------------------ shrink_node and direct reclaim

  /** Kernel: `prepare_scan_count()`. */
  prepareScanCount(nid: number, sc: ScanControl): void {
    const vs = this.vmstat;
    sc.anonCost = this.anonCost[nid]!;
    sc.fileCost = this.fileCost[nid]!;
    if (!sc.forceDeactivate) {
      let refaults = nodeState(vs, nid, WORKINGSET_ACTIVATE_ANON);
      if (refaults !== this.refaults[2 * nid] || inactiveIsLow(vs, nid, LRU_INACTIVE_ANON)) sc.mayDeactivate |= DEACTIVATE_ANON;
      else sc.mayDeactivate &= ~DEACTIVATE_ANON;
      refaults = nodeState(vs, nid, WORKINGSET_ACTIVATE_FILE);
      if (refaults !== this.refaults[2 * nid + 1] || inactiveIsLow(vs, nid, LRU_INACTIVE_FILE)) sc.mayDeactivate |= DEACTIVATE_FILE;
      else sc.mayDeactivate &= ~DEACTIVATE_FILE;
    } else sc.mayDeactivate = DEACTIVATE_ANON | DEACTIVATE_FILE;
    let file = nodeState(vs, nid, NR_INACTIVE_FILE);
    sc.cacheTrimMode = Math.floor(file / 2 ** sc.priority) !== 0 && (sc.mayDeactivate & DEACTIVATE_FILE) === 0;
    // Prevent the cache trap: anon reclaim when file + free is below the high watermarks.
    const pgdat = this.pa.pgdat[nid]!;
    let totalHighWmark = 0;
    let free = 0;
    for (const zone of pgdat.zones) {
      free += zone.vmStat[NR_FREE_PAGES]!;
      if (zone.managed) totalHighWmark += zone.highWmarkPages();
    }
    file = nodeState(vs, nid, NR_ACTIVE_FILE) + nodeState(vs, nid, NR_INACTIVE_FILE);
    const anon = nodeState(vs, nid, NR_INACTIVE_ANON);
    sc.fileIsTiny = file + free <= totalHighWmark && (sc.mayDeactivate & DEACTIVATE_ANON) === 0 && Math.floor(anon / 2 ** sc.priority) !== 0;
  }

  /** Kernel: `shrink_node()` (root memcg: shrink_node_memcgs is one shrink_lruvec + shrink_slab). */
  shrinkNode(nid: number, sc: ScanControl): void {
    if (this.lruGenEnabled) {
      this.lruGenShrinkNode(nid, sc);
      return;
    }
    sc.nrDirty = 0; sc.nrUnqueuedDirty = 0; sc.nrCongested = 0; sc.nrWriteback = 0; sc.nrImmediate = 0; sc.nrFileTaken = 0; sc.nrTaken = 0;
    const nrReclaimed = sc.nrReclaimed;
    this.prepareScanCount(nid, sc);
    // shrink_node_memcgs' memory.min/low in global reclaim (limit reclaim has its target's mask)
    const protect = sc.memcgMask === null ? this.memcgProtection(sc) : null;
    if (protect !== null) sc.memcgMask = protect;
    try {
      this.policy.shrinkLruvec(nid, sc);
    } finally {
      if (protect !== null) sc.memcgMask = null;
    }
    // shrink_slab for a memcg target calls only SHRINKER_MEMCG_AWARE shrinkers on the memcg's own
    // lists; mmsim's shrinker lists are not per memcg, so limit reclaim shrinks no slab
    if (sc.memcgMask === null) this.shrinkSlab(nid, sc);
    sc.nrReclaimed += sc.reclaimedSlab;
    sc.reclaimedSlab = 0;
    const reclaimable = sc.nrReclaimed - nrReclaimed > 0;
    if (this.currentIsKswapd) {
      if (sc.nrWriteback !== 0 && sc.nrWriteback === sc.nrTaken) this.nodeFlags[nid] = this.nodeFlags[nid]! | (1 << PGDAT_WRITEBACK);
      if (sc.nrUnqueuedDirty === sc.nrFileTaken) this.nodeFlags[nid] = this.nodeFlags[nid]! | (1 << PGDAT_DIRTY);
      if (sc.nrImmediate !== 0) this.reclaimThrottle(nid, VMSCAN_THROTTLE_WRITEBACK);
    }
    if (this.currentIsKswapd && sc.nrDirty !== 0 && sc.nrDirty === sc.nrCongested) this.nodeFlags[nid] = this.nodeFlags[nid]! | (1 << LRUVEC_CONGESTED);
    if (!this.currentIsKswapd && (this.nodeFlags[nid]! & (1 << LRUVEC_CONGESTED)) !== 0) this.reclaimThrottle(nid, VMSCAN_THROTTLE_CONGESTED);
    // should_continue_reclaim: only for compaction, which does not exist yet.
    if (reclaimable) this.kswapd[nid]!.failures = 0;
  }

  /**
   * shrink_node under MGLRU: none of the classic part (prepare_scan_count, the writeback and
   * congestion flags, throttling) runs. The policy's shrinkLruvec does the rest of
   * lru_gen_shrink_node (set_mm_walk, set_initial_priority — which may lower sc.priority —,
   * kswapd's nr_reclaimed, shrink_one); shrink_slab follows.
   * Kernel: `lru_gen_shrink_node()`.
   */
  private lruGenShrinkNode(nid: number, sc: ScanControl): void {
    const reclaimed = sc.nrReclaimed;
    if (sc.mayWritepage && sc.mayUnmap) {
      this.lruAddDrain?.(); // lru_add_drain()
      this.policy.shrinkLruvec(nid, sc);
      this.shrinkSlab(nid, sc); // shrink_one's shrink_slab
      sc.nrReclaimed += sc.reclaimedSlab;
      sc.reclaimedSlab = 0;
    }
    // done: only clear kswapd_failures if reclaimable (mm/mglru's fix of the unconditional
    // "kswapd should never fail", which kept kswapd running forever with nothing reclaimable)
    if (sc.nrReclaimed > reclaimed) this.kswapd[nid]!.failures = 0;
  }

  /**
   * The slab shrinkers after a node's lruvec pass, at the pass's priority; what they freed in
   * pages goes to reclaim_state->reclaimed_slab. Kernel: shrink_node_memcgs' `shrink_slab()`
   * (the root memcg).
   */
  private shrinkSlab(nid: number, sc: ScanControl): void {
    const list = this.shrinkers;
    list.isKswapd = this.currentIsKswapd;
    sc.reclaimedSlab += list.shrinkSlab(sc.gfpMask, nid, sc.priority).reclaimedPages;
  }

  /** Kernel: `shrink_zones()` (each node of the zonelist once). */
  private shrinkZones(zonelist: readonly Zone[], sc: ScanControl): void {
    let lastNid = -1;
    let firstNid = -1;
    for (let i = 0; i < zonelist.length; i++) {
      const zone = zonelist[i]!;
      if (zone.zid > sc.reclaimIdx || zone.nid === lastNid) continue;
      if (firstNid < 0) firstNid = zone.nid;
      lastNid = zone.nid;
      this.shrinkNode(zone.nid, sc);
    }
    if (firstNid >= 0) this.considerReclaimThrottle(firstNid, sc);
  }

  /** Kernel: `consider_reclaim_throttle()`. */
  private considerReclaimThrottle(nid: number, sc: ScanControl): void {
    if (sc.nrReclaimed > Math.floor(sc.nrScanned / 8)) return;
    if (this.currentIsKswapd) return;
    if (sc.priority === 1 && sc.nrReclaimed === 0) this.reclaimThrottle(nid, VMSCAN_THROTTLE_NOPROGRESS);
  }

  /** Kernel: `wakeup_flusher_threads(WB_REASON_VMSCAN)`: every disk's flusher writes back everything dirty. */
  wakeupFlusherThreads(): void {
    this.vfsOf()?.disk?.wakeupFlusher();
  }

  /**
   * Sleeps the reclaimer for the reason's timeout on the clock (nobody wakes it early here: the
   * I/O completions that would are not tracked per wait queue). Kernel: `reclaim_throttle()`.
   */
  reclaimThrottle(nid: number, reason: number): void {
    let timeout: number;
    switch (reason) {
      case VMSCAN_THROTTLE_WRITEBACK:
        timeout = HZ / 10;
        break;
      case VMSCAN_THROTTLE_CONGESTED:
      case VMSCAN_THROTTLE_NOPROGRESS:
        if (this.skipThrottleNoprogress(nid)) return;
        timeout = 1;
        break;
      case VMSCAN_THROTTLE_ISOLATED:
        timeout = HZ / 50;
        break;
      default:
        timeout = HZ;
    }
    const ns = timeout * JIFFY_NS;
    this.clock.advance(ns);
    this.swapOf()?.reapIo?.(); // the swap bios that completed meanwhile end (their interrupts)
    if (!this.currentIsKswapd) this.throttledNs += ns;
    this.vfsOf()?.disk?.runFlusherIfDue(); // the flusher runs while the reclaimer sleeps
    this.throttleCount[reason]!++;
    // schedule_timeout() ran out (ret 0): delayed = timeout, both jiffies_to_usecs.
    const usec = timeout * (1_000_000 / HZ);
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_THROTTLED, nid, usec, usec, 1 << reason, 0, 0);
  }
  /** Throttles per VMSCAN_THROTTLE_* reason (mm_vmscan_throttled events). */
  readonly throttleCount = new Float64Array(NR_VMSCAN_THROTTLE);

  /** Kernel: `skip_throttle_noprogress()`. */
  private skipThrottleNoprogress(nid: number): boolean {
    if (this.kswapd[nid]!.failures >= MAX_RECLAIM_RETRIES) return true;
    let reclaimable = 0;
    let writePending = 0;
    for (const zone of this.pa.pgdat[nid]!.zones) {
      if (!zone.managed) continue;
      reclaimable += this.zoneReclaimablePages(zone.id);
      writePending += zone.vmStat[NR_ZONE_WRITE_PENDING]!;
    }
    return 2 * writePending <= reclaimable;
  }

  /** Kernel: `snapshot_refaults()`. */
  private snapshotRefaults(nid: number): void {
    this.refaults[2 * nid] = nodeState(this.vmstat, nid, WORKINGSET_ACTIVATE_ANON);
    this.refaults[2 * nid + 1] = nodeState(this.vmstat, nid, WORKINGSET_ACTIVATE_FILE);
  }

  /** Kernel: `do_try_to_free_pages()`. */
  doTryToFreePages(zonelist: readonly Zone[], sc: ScanControl): number {
    const initialPriority = sc.priority;
    for (;;) {
      // retry:
      if (sc.memcgMask === null) this.vmstat.vmEvents[ALLOCSTALL_DMA + sc.reclaimIdx]! += 1; // if (!cgroup_reclaim(sc)) __count_zid_vm_events(ALLOCSTALL, …)
      do {
        sc.nrScanned = 0;
        this.shrinkZones(zonelist, sc);
        if (sc.nrReclaimed >= sc.nrToReclaim) break;
        if (sc.priority < DEF_PRIORITY - 2) sc.mayWritepage = true;
      } while (--sc.priority >= 0);
      let lastNid = -1;
      for (const zone of zonelist) {
        if (zone.zid > sc.reclaimIdx || zone.nid === lastNid) continue;
        lastNid = zone.nid;
        this.snapshotRefaults(zone.nid);
      }
      if (sc.nrReclaimed > 0) return sc.nrReclaimed;
      if (sc.skippedDeactivate) {
        sc.priority = initialPriority;
        sc.forceDeactivate = true;
        sc.skippedDeactivate = false;
        continue;
      }
      // Untapped memcg protection: reclaim below memory.low too
      if (sc.memcgLowSkipped) {
        sc.priority = initialPriority;
        sc.forceDeactivate = false;
        sc.memcgLowReclaim = true;
        sc.memcgLowSkipped = false;
        continue;
      }
      return 0;
    }
  }

  /** Kernel: `try_to_free_pages()` (the DirectReclaimer the allocator's slow path calls). */
  tryToFreePages(gfp: number, order: number, preferredNid: number, _highestZoneidx: number): number {
    const pgdat = this.pa.pgdat[preferredNid] ?? this.pa.pgdat[0]!;
    const zonelist = pgdat.zonelistFallback;
    const start = this.clock.now();
    if (this.throttleDirectReclaim(gfp, zonelist)) return 1;
    const sc = this.directSc.reset();
    sc.nrToReclaim = SWAP_CLUSTER_MAX;
    sc.gfpMask = gfp;
    sc.reclaimIdx = gfpZone(gfp);
    sc.order = order;
    sc.priority = DEF_PRIORITY;
    sc.mayWritepage = true;
    sc.mayUnmap = true;
    sc.maySwap = true;
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, order, gfp, 0, 0, 0, 0);
    this.inReclaim++;
    let n: number;
    try {
      n = this.doTryToFreePages(zonelist, sc);
    } finally {
      this.inReclaim--;
    }
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_DIRECT_RECLAIM_END, n, 0, 0, 0, 0, 0);
    this.directReclaimNs += this.clock.now() - start;
    return n;
  }

  /**
   * Limit reclaim of a memcg subtree (`mask`: a flag per memcg id), through the same
   * do_try_to_free_pages as direct reclaim, with PF_MEMALLOC set. Under MGLRU (lru_gen on) the
   * policy's lists are not filtered by memcg: 6.1's per-memcg generations are not modelled, so
   * nothing is reclaimed and the charge goes on to the memcg OOM. Kernel: `try_to_free_mem_cgroup_pages()`.
   */
  tryToFreeMemCgroupPages(mask: Uint8Array, nrPages: number, gfp: number, reclaimOptions: number): number {
    if (this.lruGenEnabled) return 0;
    const sc = this.memcgSc.reset();
    sc.nrToReclaim = Math.max(nrPages, SWAP_CLUSTER_MAX);
    sc.gfpMask = (gfp & GFP_RECLAIM_MASK) | (GFP_HIGHUSER_MOVABLE & ~GFP_RECLAIM_MASK);
    sc.reclaimIdx = MAX_NR_ZONES - 1;
    sc.priority = DEF_PRIORITY;
    sc.mayWritepage = true;
    sc.mayUnmap = true;
    sc.maySwap = (reclaimOptions & MEMCG_RECLAIM_MAY_SWAP) !== 0;
    sc.proactive = (reclaimOptions & MEMCG_RECLAIM_PROACTIVE) !== 0;
    sc.memcgMask = mask;
    const zonelist = this.pa.pgdat[0]!.zonelistFallback; // node_zonelist(numa_node_id(), …)
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_MEMCG_RECLAIM_BEGIN, 0, sc.gfpMask, 0, 0, 0, 0);
    const start = this.clock.now();
    this.pa.pfMemalloc++; // memalloc_noreclaim_save
    this.inReclaim++;
    let n: number;
    try {
      n = this.doTryToFreePages(zonelist, sc);
    } finally {
      this.inReclaim--;
      this.pa.pfMemalloc--;
    }
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_MEMCG_RECLAIM_END, n, 0, 0, 0, 0, 0);
    this.memcgReclaimNs += this.clock.now() - start;
    return n;
  }
  /** memory.min/low of the memcgs for a global pass (null: none protected, or no memcg). */
  private memcgProtection(sc: ScanControl): Uint8Array | null {
    const m = this.memcgOf();
    if (m === null) return null;
    const skipped = this.lowSkipped;
    skipped[0] = 0;
    const mask = m.reclaimProtection(sc.memcgLowReclaim, skipped);
    if (skipped[0] !== 0) sc.memcgLowSkipped = true;
    return mask;
  }
  private readonly lowSkipped = new Uint8Array(1);
  /** The memory controller, set by the reclaim module when the machine has one. */
  memcgOf: () => MemcgCharger | null = () => null;

  /** The scan_control of limit reclaim (one, reused). */
  private readonly memcgSc = new ScanControl();
  /** Simulated time spent in limit reclaim. */
  memcgReclaimNs = 0;

  /** Kernel: `zone_reclaimable_pages()`: the file lists, plus the anon lists when swap is left. */
  zoneReclaimablePages(zoneId: number): number {
    const z = this.vmstat.zoneVmStat;
    const b = zoneId * NR_VM_ZONE_STAT_ITEMS;
    let nr = z[b + NR_ZONE_INACTIVE_FILE]! + z[b + NR_ZONE_ACTIVE_FILE]!;
    const swap = this.swapOf();
    if (swap !== null && swap.nrSwapPages() > 0) nr += z[b + NR_ZONE_INACTIVE_ANON]! + z[b + NR_ZONE_ACTIVE_ANON]!;
    return nr;
  }

  /** Kernel: `allow_direct_reclaim()`: free pages above half the min watermarks of the zones up to Normal (and wake kswapd if not). */
  allowDirectReclaim(nid: number): boolean {
    const k = this.kswapd[nid]!;
    if (k.failures >= MAX_RECLAIM_RETRIES) return true;
    let reserve = 0;
    let free = 0;
    const zones = this.pa.pgdat[nid]!.zones;
    for (let i = 0; i <= ZONE_NORMAL && i < zones.length; i++) {
      const zone = zones[i]!;
      if (!zone.managed || this.zoneReclaimablePages(zone.id) === 0) continue;
      reserve += zone.minWmarkPages();
      free += zone.vmStat[NR_FREE_PAGES]!;
    }
    if (reserve === 0) return true;
    const ok = free > Math.floor(reserve / 2);
    if (!ok && !k.awake) {
      if (k.highestZoneidx === MAX_NR_ZONES || k.highestZoneidx > ZONE_NORMAL) k.highestZoneidx = ZONE_NORMAL;
      this.wakeKswapd(nid);
    }
    return ok;
  }

  /**
   * Throttles a direct reclaimer while the node is below half its min watermarks: it waits for
   * kswapd, which runs now until allow_direct_reclaim() (or gives up), and the task's clock moves
   * to kswapd's. Kernel: `throttle_direct_reclaim()`. @returns false (a killed task would return true)
   */
  private throttleDirectReclaim(gfp: number, zonelist: readonly Zone[]): boolean {
    let nid = -1;
    for (const zone of zonelist) {
      if (zone.zid > ZONE_NORMAL || zone.zid > gfpZone(gfp)) continue;
      nid = zone.nid;
      if (this.allowDirectReclaim(nid)) return false;
      break;
    }
    if (nid < 0) return false;
    this.vmstat.vmEvents[PGSCAN_DIRECT_THROTTLE]! += 1;
    const k = this.kswapd[nid]!;
    const before = this.clock.now();
    // wait_event_killable(pfmemalloc_wait, allow_direct_reclaim): kswapd runs until the node allows it.
    let rounds = 0;
    while (!this.allowDirectReclaim(nid) && k.awake && rounds++ < 4 * DEF_PRIORITY) this.kswapdStep(nid);
    if ((gfp & __GFP_FS) === 0 && this.clock.now() < before + HZ * JIFFY_NS) void 0;
    if (k.clockNs > this.clock.now()) this.clock.advanceTo(k.clockNs);
    this.throttledNs += this.clock.now() - before;
    return false;
  }

  // ------------------------------------------------------------------ kswapd

  /** Kernel: `pgdat_balanced()`: some zone up to highest_zoneidx meets its high watermark at `order`. */
  pgdatBalanced(nid: number, order: number, highestZoneidx: number): boolean {
    const zones = this.pa.pgdat[nid]!.zones;
    let mark = -1;
    for (let i = 0; i <= highestZoneidx && i < zones.length; i++) {
      const zone = zones[i]!;
      if (!zone.managed) continue;
      mark = zone.highWmarkPages();
      if (zoneWatermarkOk(this.pa, zone, order, mark, highestZoneidx, 0, zone.vmStat[NR_FREE_PAGES]!)) return true;
    }
    return mark === -1;
  }

  /** Kernel: `pgdat_watermark_boosted()`. */
  private pgdatWatermarkBoosted(nid: number, highestZoneidx: number): boolean {
    const zones = this.pa.pgdat[nid]!.zones;
    for (let i = highestZoneidx; i >= 0; i--) if (i < zones.length && zones[i]!.managed && zones[i]!.watermarkBoost > 0) return true;
    return false;
  }

  /** Kernel: `wakeup_kswapd()` (the KswapdWaker of the allocator's slow path). */
  wakeupKswapd(zoneId: number, gfp: number, order: number, highestZoneidx: number): void {
    const nid = zoneId >>> 2;
    const pgdat: PglistData | undefined = this.pa.pgdat[nid];
    if (pgdat === undefined) return;
    const zone = pgdat.zones[zoneId & 3];
    if (zone === undefined || !zone.managed) return;
    const k = this.kswapd[nid]!;
    if (k.highestZoneidx === MAX_NR_ZONES || k.highestZoneidx < highestZoneidx) k.highestZoneidx = highestZoneidx;
    if (k.allocOrderPending < order) k.allocOrderPending = order;
    pgdat.kswapdOrder = k.allocOrderPending;
    pgdat.kswapdHighestZoneidx = k.highestZoneidx;
    if (k.awake && k.shortSleepUntil < 0) {
      this.kswapdCatchUp();
      return; // !waitqueue_active: already running
    }
    if (k.failures >= MAX_RECLAIM_RETRIES || (this.pgdatBalanced(nid, order, highestZoneidx) && !this.pgdatWatermarkBoosted(nid, highestZoneidx))) {
      // Free memory may be plenty but too fragmented for the order: let kcompactd decide.
      if ((gfp & __GFP_DIRECT_RECLAIM) === 0) this.kcompactdOf?.()?.wakeupKcompactd(nid, order, highestZoneidx);
      return;
    }
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_WAKEUP_KSWAPD, nid, highestZoneidx, order, gfp, 0, 0);
    this.wakeKswapd(nid);
    this.kswapdCatchUp();
  }

  /** wake_up_interruptible(&pgdat->kswapd_wait): kswapd's clock starts at the waker's time. */
  private wakeKswapd(nid: number): void {
    const k = this.kswapd[nid]!;
    if (k.shortSleepUntil >= 0) {
      // Woken during the short sleep: kswapd_try_to_sleep's "remaining" case.
      this.vmstat.vmEvents[KSWAPD_LOW_WMARK_HIT_QUICKLY]! += 1;
      k.shortSleepUntil = -1;
      if (k.allocOrderPending < k.reclaimOrder) k.allocOrderPending = k.reclaimOrder;
    }
    if (!k.awake) {
      k.awake = true;
      k.clockNs = Math.max(k.clockNs, this.clock.now());
    }
  }

  /** True when some node's kswapd has work (its KernelThread's pending()). */
  kswapdPending(nid: number): boolean {
    const k = this.kswapd[nid]!;
    if (k.shortSleepUntil >= 0) return true;
    return k.awake;
  }

  /**
   * Runs one step of kswapd of `nid` on its own clock: start balance_pgdat (kswapd's loop top),
   * one round of it, or the end of its sleep check. Kernel: `kswapd()` / `balance_pgdat()` /
   * `kswapd_try_to_sleep()`, cut at their loop iterations.
   */
  kswapdStep(nid: number): void {
    const k = this.kswapd[nid]!;
    if (!k.awake) return;
    const saved = this.clock.now();
    const ownClock = this.nrCpus > 1;
    if (ownClock) this.clock.switchTo(Math.max(k.clockNs, 0));
    const t0 = this.clock.now();
    this.kswapdRunning = nid;
    this.inReclaim++;
    this.pa.pfMemalloc++; // kswapd runs with PF_MEMALLOC
    try {
      if (k.shortSleepUntil >= 0) {
        // The HZ/10 nap of kswapd_try_to_sleep ended without a wake-up.
        this.clock.advanceTo(k.shortSleepUntil);
        k.shortSleepUntil = -1;
        if (this.prepareKswapdSleep(nid, k.reclaimOrder, k.highestZoneSleep)) {
          if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_KSWAPD_SLEEP, nid, 0, 0, 0, 0, 0);
          k.awake = false; // schedule(): asleep until woken
        } else {
          this.vmstat.vmEvents[KSWAPD_HIGH_WMARK_HIT_QUICKLY]! += 1;
          this.kswapdStart(nid);
        }
      } else if (!k.balancing) {
        this.kswapdStart(nid);
      } else {
        this.balancePgdatRound(nid);
      }
    } finally {
      this.pa.pfMemalloc--;
      this.kswapdRunning = -1;
      this.inReclaim--;
      this.clock.advance(0);
      k.rounds++;
      k.busyNs += this.clock.now() - t0;
      if (ownClock) {
        k.clockNs = Math.max(this.clock.now(), t0 + 1);
        this.clock.switchTo(saved);
      } else k.clockNs = this.clock.now();
    }
  }

  /** kswapd's loop top: read the order and zone asked for, then balance_pgdat's start. */
  private kswapdStart(nid: number): void {
    const k = this.kswapd[nid]!;
    const pgdat = this.pa.pgdat[nid]!;
    k.allocOrder = k.allocOrderPending;
    const highest = k.highestZoneidx === MAX_NR_ZONES ? k.highestZoneSleep : k.highestZoneidx;
    k.allocOrderPending = 0;
    k.highestZoneidx = MAX_NR_ZONES;
    pgdat.kswapdOrder = 0;
    pgdat.kswapdHighestZoneidx = MAX_NR_ZONES;
    k.highestZoneSleep = highest;
    if (this.trace.on) this.trace.emit(TP_MM_VMSCAN_KSWAPD_WAKE, nid, highest, k.allocOrder, 0, 0, 0);
    // balance_pgdat(): the start
    const sc = k.sc.reset();
    sc.gfpMask = GFP_KERNEL;
    sc.order = k.allocOrder;
    sc.mayUnmap = true;
    sc.isKswapd = true;
    this.vmstat.vmEvents[PAGEOUTRUN]! += 1;
    k.nrBoostReclaim = 0;
    const zones = pgdat.zones;
    k.zoneBoosts.fill(0);
    for (let i = 0; i <= highest && i < zones.length; i++) {
      if (!zones[i]!.managed) continue;
      k.nrBoostReclaim += zones[i]!.watermarkBoost;
      k.zoneBoosts[i] = zones[i]!.watermarkBoost;
    }
    k.boosted = k.nrBoostReclaim > 0;
    sc.priority = DEF_PRIORITY;
    k.balancing = true;
  }

  /** One iteration of balance_pgdat's do-while; at its end, kswapd_try_to_sleep. */
  private balancePgdatRound(nid: number): void {
    const k = this.kswapd[nid]!;
    const sc = k.sc;
    const highest = k.highestZoneSleep;
    this.clock.advance(this.costs.kswapdRound);
    const nrReclaimedBefore = sc.nrReclaimed;
    let raisePriority = true;
    sc.reclaimIdx = highest;
    const balanced = this.pgdatBalanced(nid, sc.order, highest);
    if (!balanced && k.nrBoostReclaim > 0) {
      k.nrBoostReclaim = 0;
      sc.priority = DEF_PRIORITY; // goto restart
      return;
    }
    if (k.nrBoostReclaim === 0 && balanced) {
      this.balancePgdatEnd(nid, false);
      return;
    }
    if (k.nrBoostReclaim > 0 && sc.priority === DEF_PRIORITY - 2) raisePriority = false;
    sc.mayWritepage = k.nrBoostReclaim === 0;
    sc.maySwap = k.nrBoostReclaim === 0;
    this.policy.ageNode(nid, sc);
    const policy = this.policy;
    if (policy instanceof MultiGenLru && policy.oomRequested) {
      // lru_gen_age_node's out_of_memory(): no OOM killer exists yet — counted, and the request cleared.
      this.lruGenOomRequests++;
      policy.clearOomRequest();
    }
    if (sc.priority < DEF_PRIORITY - 2) sc.mayWritepage = true;
    sc.nrScanned = 0;
    if (this.kswapdShrinkNode(nid, sc)) raisePriority = false;
    const nrReclaimed = sc.nrReclaimed - nrReclaimedBefore;
    k.nrBoostReclaim -= Math.min(k.nrBoostReclaim, nrReclaimed);
    if (k.nrBoostReclaim > 0 && nrReclaimed === 0) {
      this.balancePgdatEnd(nid, true);
      return;
    }
    if (raisePriority || nrReclaimed === 0) sc.priority--;
    if (sc.priority < 1) this.balancePgdatEnd(nid, true);
  }

  /** balance_pgdat's end (out:) and kswapd_try_to_sleep's first check. */
  private balancePgdatEnd(nid: number, countFailure: boolean): void {
    const k = this.kswapd[nid]!;
    const sc = k.sc;
    if (countFailure && sc.nrReclaimed === 0) k.failures++;
    if (k.boosted) {
      const zones = this.pa.pgdat[nid]!.zones;
      for (let i = 0; i <= k.highestZoneSleep && i < zones.length; i++) {
        if (k.zoneBoosts[i] === 0) continue;
        zones[i]!.watermarkBoost -= Math.min(zones[i]!.watermarkBoost, k.zoneBoosts[i]!);
      }
    }
    this.snapshotRefaults(nid);
    k.balancing = false;
    k.reclaimOrder = sc.order;
    // if (reclaim_order < alloc_order) goto kswapd_try_sleep — the same next step either way here.
    // kswapd_try_to_sleep(): a short nap if balanced, then the full sleep if still balanced.
    if (this.prepareKswapdSleep(nid, k.reclaimOrder, k.highestZoneSleep)) {
      // Compaction may now succeed where it recently failed, and the memory freed may be compacted.
      const kcompactd = this.kcompactdOf?.() ?? null;
      kcompactd?.resetIsolationSuitable(nid);
      kcompactd?.wakeupKcompactd(nid, k.allocOrder, k.highestZoneSleep);
      k.shortSleepUntil = this.clock.now() + HZ / 10 * JIFFY_NS;
    } else {
      this.vmstat.vmEvents[KSWAPD_HIGH_WMARK_HIT_QUICKLY]! += 1;
    }
  }

  /** Kernel: `prepare_kswapd_sleep()`. */
  private prepareKswapdSleep(nid: number, order: number, highestZoneidx: number): boolean {
    if (this.kswapd[nid]!.failures >= MAX_RECLAIM_RETRIES) return true;
    if (this.pgdatBalanced(nid, order, highestZoneidx)) {
      this.nodeFlags[nid] = this.nodeFlags[nid]! & ~((1 << LRUVEC_CONGESTED) | (1 << PGDAT_DIRTY) | (1 << PGDAT_WRITEBACK)); // clear_pgdat_congested
      return true;
    }
    return false;
  }

  /** Kernel: `kswapd_shrink_node()`. @returns true when it scanned at least its target */
  private kswapdShrinkNode(nid: number, sc: ScanControl): boolean {
    sc.nrToReclaim = 0;
    const zones = this.pa.pgdat[nid]!.zones;
    for (let z = 0; z <= sc.reclaimIdx && z < zones.length; z++) {
      if (!zones[z]!.managed) continue;
      sc.nrToReclaim += Math.max(zones[z]!.highWmarkPages(), SWAP_CLUSTER_MAX);
    }
    this.shrinkNode(nid, sc);
    if (sc.order !== 0 && sc.nrReclaimed >= 2 << sc.order) sc.order = 0; // compact_gap(order)
    return sc.nrScanned >= sc.nrToReclaim;
  }

  /**
   * Runs awake kswapds while their clocks are behind the running task's (a board with more than
   * one CPU: kswapd on its own CPU). Called at the LRU's batch points and at wake-ups. Bounded:
   * every step moves kswapd's clock forward.
   */
  kswapdCatchUp(): void {
    if (this.nrCpus < 2 || this.inReclaim > 0) return;
    const now = this.clock.now();
    for (let nid = 0; nid < this.nrNodes; nid++) {
      const k = this.kswapd[nid]!;
      let guard = 0;
      while (k.awake && k.clockNs < now && guard++ < 1000) {
        if (k.shortSleepUntil >= 0 && k.shortSleepUntil > now) break; // napping past now
        this.kswapdStep(nid);
      }
    }
  }

  /** Runs kswapd of `nid` until it sleeps (its KernelThread between steps). Bounded by its rounds. */
  kswapdRun(nid: number): void {
    const k = this.kswapd[nid]!;
    let guard = 0;
    while (this.kswapdPending(nid) && guard++ < 10000) this.kswapdStep(nid);
    if (this.nrCpus > 1 && k.clockNs > this.clock.now()) {
      // kswapd's work ran on its own CPU; nothing moves the task's clock.
    }
  }

  // ------------------------------------------------------------------ reclaim_pages (MADV_PAGEOUT)

  /** Kernel: `reclaim_pages()` → `reclaim_folio_list()` per node. */
  reclaimPages(pages: Int32Array, n: number, putback: (page: number) => void): number {
    const mem = this.mem;
    let nrReclaimed = 0;
    const sc = this.pageoutSc;
    for (let nid = 0; nid < this.nrNodes; nid++) {
      const head = this.reclaimPagesHead(nid);
      let any = false;
      for (let i = 0; i < n; i++) {
        const page = pages[i]!;
        if (this.pageNid(page) !== nid) continue;
        listAdd(mem.lruNext, mem.lruPrev, page, head);
        any = true;
      }
      if (!any) continue;
      sc.reset();
      sc.gfpMask = GFP_KERNEL;
      sc.mayWritepage = true;
      sc.mayUnmap = true;
      sc.maySwap = true;
      sc.proactive = true;
      nrReclaimed += this.shrinkFolioList(head, nid, sc, this.dummyStat.reset());
      while (mem.lruNext[head] !== head) {
        const page = mem.lruPrev[head]!;
        listDel(mem.lruNext, mem.lruPrev, page);
        putback(page);
      }
    }
    return nrReclaimed;
  }
  private readonly dummyStat = new ReclaimStat();

  // ------------------------------------------------------------------ switching policies

  /**
   * Moves every page from the current policy's lists to `next`'s and makes it the machine's
   * policy: what /sys/kernel/mm/lru_gen/enabled does in 6.1 (lru_gen_change_state: with the
   * batches drained, each lruvec's pages are taken off one set of lists — fill_evictable /
   * drain_evictable — and put on the other). `drain` empties the per-CPU batches first (the LRU
   * core's lruAddDrainAll). Pages keep PG_active/PG_referenced/PG_workingset; shadows left by the
   * old policy stay in the page cache (6.1 reads an old-format shadow as a distant refault).
   * @returns the pages moved
   */
  switchPolicy(next: ReclaimPolicy, drain: () => void): number {
    if (next === this.policy) return 0;
    drain();
    const old = this.policy;
    const pages: number[] = [];
    const seen = new Uint8Array(this.mem.nrPages);
    old.forEachFolio((page) => {
      pages.push(page);
      seen[page] = 1;
    });
    // Unevictable pages are on no list in 6.1 (lruvec_add_folio skips LRU_UNEVICTABLE), and a
    // policy may not walk them (MGLRU's forEachFolio does not): PG_lru says where they are.
    const flags = this.mem.flags;
    for (let page = 0; page < this.mem.nrPages; page++) {
      if (seen[page] === 0 && (flags[page]! & (LRU_FLAG | UNEVICTABLE_FLAG)) === (LRU_FLAG | UNEVICTABLE_FLAG)) pages.push(page);
    }
    for (const page of pages) old.delFolio(page);
    next.attach(this);
    this.policy = next;
    for (const page of pages) next.addFolio(page, false);
    return pages.length;
  }

  // ------------------------------------------------------------------ checks

  /** No page is left isolated between steps (NR_ISOLATED_* are 0), and the policy's lists check out. */
  validate(sink: ValidationSink): void {
    for (let nid = 0; nid < this.nrNodes; nid++) {
      for (const item of [NR_ISOLATED_ANON, NR_ISOLATED_FILE]) {
        const v = nodeState(this.vmstat, nid, item);
        if (v !== 0) sink.report(`reclaim node ${nid}`, `${item === NR_ISOLATED_ANON ? "nr_isolated_anon" : "nr_isolated_file"} is ${v} between steps`);
      }
      for (const s of [HOST_KEEP_HEAD, HOST_PAGES_HEAD]) {
        const h = this.heads[nid]! + s;
        if (this.mem.lruNext[h] !== h) sink.report(`reclaim node ${nid}`, `the host's scratch list ${s} is not empty`);
      }
    }
    this.policy.validate(sink);
  }
}

const KEEP = 0;
const KEEP_LOCKED = 1;
const ACTIVATE_LOCKED = 2;
const FREE_IT = 3;
const PGACTIVATE_ITEM = 17; // PGACTIVATE (vm_event_item)
/** The host's scratch heads among each node's LRUVEC_LIST_HEADS: the last two. */
export const HOST_KEEP_HEAD = 47;
export const HOST_PAGES_HEAD = 46;
/** List heads a policy may use: 0 … POLICY_LIST_HEADS − 1 of its node's. */
export const POLICY_LIST_HEADS = 46;

/** Takes LRUVEC_LIST_HEADS heads per node from MemMap (the machine reserved them). */
export function takeLruvecHeads(mem: MemMap, nrNodes: number): Int32Array {
  const heads = new Int32Array(nrNodes);
  for (let nid = 0; nid < nrNodes; nid++) heads[nid] = mem.allocListHeads(48);
  return heads;
}

