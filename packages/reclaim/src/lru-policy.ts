// Kernel: mm/vmscan.c (shrink_lruvec, get_scan_count, shrink_list, shrink_active_list, shrink_inactive_list, isolate_lru_folios, move_folios_to_lru, kswapd_age_node), mm/swap.c (folio_mark_accessed, folio_activate_fn, lru_deactivate_file_fn, lru_deactivate_fn, lru_lazyfree_fn, lru_add_fn), include/linux/mm_inline.h (lruvec_add_folio, lruvec_add_folio_tail, lruvec_del_folio), mm/workingset.c (workingset_eviction, workingset_refault, workingset_activation, workingset_age_nonresident) (v6.1) — the classic two-list LRU: the `lru` reclaim policy
/*
 * Five lists per node (inactive/active anon, inactive/active file, unevictable) on the node's
 * lruvec heads (heads 0–4), plus scratch lists for isolation (5: the folios taken, 6: l_active,
 * 7: l_inactive, 8: the folios of zones above reclaim_idx skipped by isolate_lru_folios). New
 * pages go to the head of their inactive list; reclaim isolates from the tail. A page-cache page
 * is activated on its second access (folio_mark_accessed: use-once), a mapped page when
 * shrink_folio_list finds it referenced twice; shrink_active_list deactivates active pages (a
 * referenced executable file page gets one more trip), and the inactive lists are kept at least
 * 1/inactive_ratio of their pair. get_scan_count splits each pass between anon and file by
 * vm.swappiness and the cost of past reclaim (lru_note_cost), with the no-swap, tiny-file and
 * cache-trim cases; prepare_scan_count (the host's) gives those flags.
 *
 * Shadows (workingset.ts): `nonresident_age` per node is the eviction clock; a refault within the
 * workingset size activates the page.
 *
 * Not modelled: memcg lruvecs (one lruvec per node: the root memcg's), the LRU lock, the rmap
 * lock contention result (-1) of folio_referenced, buffer_heads_over_limit.
 */
import {
  ANON_AND_FILE, DEACTIVATE_ANON, DEACTIVATE_FILE, DEF_PRIORITY, LRU_ACTIVE, LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_BASE, LRU_FILE, LRU_INACTIVE_ANON,
  LRU_INACTIVE_FILE, LRU_UNEVICTABLE, MAX_NR_ZONES, MmBugError, NR_ACTIVE_ANON, NR_ACTIVE_FILE, NR_INACTIVE_ANON, NR_INACTIVE_FILE, NR_ISOLATED_ANON,
  NR_LRU_LISTS, NR_VM_NODE_STAT_ITEMS, PGACTIVATE, PGDEACTIVATE, PGLAZYFREE, PGREFILL, PGROTATED, PGSCAN_ANON, PGSCAN_DIRECT, PGSCAN_KSWAPD,
  PGSCAN_SKIP_DMA, PGSTEAL_ANON, PGSTEAL_DIRECT, PGSTEAL_KSWAPD, PG_referenced, PG_workingset, type ReclaimHost, type ReclaimPolicy, ReclaimStat,
  type ScanControl, UNEVICTABLE_PGCULLED, type ValidationSink, WORKINGSET_ACTIVATE_BASE, WORKINGSET_REFAULT_BASE, WORKINGSET_RESTORE_BASE,
  debugVm, lruListNames, NR_LRU_BASE, TP_MM_VMSCAN_LRU_ISOLATE, TP_MM_VMSCAN_LRU_SHRINK_ACTIVE, TP_MM_VMSCAN_LRU_SHRINK_INACTIVE, traceReclaimFlags,
} from "@mmsim/core";
import {
  ACTIVE_FLAG, LRU_FLAG, SWAPBACKED_FLAG, SWAP_CLUSTER_MAX, UNEVICTABLE_FLAG, folioIsFileLru, folioLruList, folioNrPages, inactiveIsLow,
  lruvecLruSize, nodeState,
} from "./lru-common.ts";
import { ROOT_MEM_CGROUP_ID, UnpackedShadow, packShadow, refaultDistance, unpackShadow } from "./workingset.ts";

const REFERENCED = 1 << PG_referenced;
const WORKINGSET = 1 << PG_workingset;
/** vm_flags bits read from folio_referenced (include/linux/mm.h). */
const VM_EXEC = 0x00000004;

/** Scratch lists after the five LRU lists. */
const HEAD_TAKEN = NR_LRU_LISTS;
const HEAD_ACTIVE = NR_LRU_LISTS + 1;
const HEAD_INACTIVE = NR_LRU_LISTS + 2;
const HEAD_SKIPPED = NR_LRU_LISTS + 3;
/** List heads this policy uses of the node's LRUVEC_LIST_HEADS. */
export const TWO_LIST_HEADS = NR_LRU_LISTS + 4;

/** get_scan_count's scan_balance. Kernel: `enum scan_balance`. */
export const SCAN_EQUAL = 0;
export const SCAN_FRACT = 1;
export const SCAN_ANON = 2;
export const SCAN_FILE = 3;

/** The classic LRU. */
export class TwoListLru implements ReclaimPolicy {
  readonly name: string = "lru";
  private host!: ReclaimHost;
  private next!: Int32Array;
  private prev!: Int32Array;
  private flags!: Uint32Array;
  private refcount!: Int32Array;
  private heads = new Int32Array(0);
  /** lruvec->nonresident_age per node: the eviction clock of workingset.c. */
  nonresidentAge = new Float64Array(0);
  /**
   * folio_mark_accessed's folio_activate() for a page on a list: the per-CPU activate batch when
   * the LRU core gives one (swap.ts), else an immediate move.
   */
  batchActivate: ((page: number) => void) | null = null;
  /** get_scan_count's nr[] and targets[], per evictable list. */
  private readonly nr = new Float64Array(NR_LRU_LISTS);
  private readonly targets = new Float64Array(NR_LRU_LISTS);
  private readonly zoneTaken = new Float64Array(MAX_NR_ZONES);
  private readonly zoneSkipped = new Float64Array(MAX_NR_ZONES);
  private readonly stat = new ReclaimStat();
  private readonly shadow = new UnpackedShadow();
  /** The fraction of get_scan_count (SCAN_FRACT), for tests and the trace. */
  readonly fraction = new Float64Array(ANON_AND_FILE);
  lastScanBalance = SCAN_EQUAL;

  attach(host: ReclaimHost): void {
    this.host = host;
    this.next = host.mem.lruNext;
    this.prev = host.mem.lruPrev;
    this.flags = host.mem.flags;
    this.refcount = host.mem.refcount;
    this.heads = new Int32Array(host.nrNodes);
    this.nonresidentAge = new Float64Array(host.nrNodes);
    for (let nid = 0; nid < host.nrNodes; nid++) {
      const h = host.lruvecHeads(nid);
      this.heads[nid] = h;
      for (let i = 0; i < TWO_LIST_HEADS; i++) {
        this.next[h + i] = h + i;
        this.prev[h + i] = h + i;
      }
    }
  }

  /** The head slot of list `lru` of node `nid` (tests, validate). */
  listHead(nid: number, lru: number): number {
    return this.heads[nid]! + lru;
  }

  // ------------------------------------------------------------------ list primitives

  private linkHead(page: number, head: number): void {
    const next = this.next;
    const first = next[head]!;
    next[page] = first;
    this.prev[page] = head;
    this.prev[first] = page;
    next[head] = page;
  }

  private linkTail(page: number, head: number): void {
    const prev = this.prev;
    const last = prev[head]!;
    this.next[page] = head;
    prev[page] = last;
    this.next[last] = page;
    prev[head] = page;
  }

  private unlink(page: number): void {
    const n = this.next[page]!;
    const p = this.prev[page]!;
    this.next[p] = n;
    this.prev[n] = p;
    this.next[page] = -1;
    this.prev[page] = -1;
  }

  /** Kernel: `lruvec_add_folio()` / `lruvec_add_folio_tail()`. */
  addFolio(page: number, tail: boolean): void {
    const f = this.flags[page]!;
    const lru = folioLruList(f);
    const head = this.heads[this.host.pageNid(page)]! + lru;
    this.host.updateLruSize(page, lru, folioNrPages(f));
    if (tail) this.linkTail(page, head);
    else this.linkHead(page, head);
    this.flags[page] = f | LRU_FLAG;
  }

  /** Kernel: `lruvec_del_folio()` + `folio_clear_lru()`. */
  delFolio(page: number): void {
    const f = this.flags[page]!;
    this.unlink(page);
    this.host.updateLruSize(page, folioLruList(f), -folioNrPages(f));
    this.flags[page] = f & ~LRU_FLAG;
  }

  // ------------------------------------------------------------------ mm/swap.c's moves

  /** Kernel: `folio_mark_accessed()` (classic half) + `workingset_activation()`. */
  markAccessed(page: number): void {
    const flags = this.flags;
    const f = flags[page]!;
    if ((f & REFERENCED) === 0) {
      flags[page] = f | REFERENCED;
    } else if ((f & UNEVICTABLE_FLAG) !== 0) {
      // the unevictable list is not rotated
    } else if ((f & ACTIVE_FLAG) === 0) {
      if ((f & LRU_FLAG) !== 0) {
        if (this.batchActivate !== null) this.batchActivate(page);
        else this.activate(page);
      } else {
        flags[page] = f | ACTIVE_FLAG; // __lru_cache_activate_folio: a page still in a per-CPU batch
      }
      flags[page] = flags[page]! & ~REFERENCED;
      this.nonresidentAge[this.host.pageNid(page)]! += folioNrPages(f); // workingset_activation → workingset_age_nonresident
    }
  }

  /** Kernel: `folio_activate_fn()`. */
  activate(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & (ACTIVE_FLAG | UNEVICTABLE_FLAG)) !== 0) return;
    this.delFolio(page);
    this.flags[page] = this.flags[page]! | ACTIVE_FLAG;
    this.addFolio(page, false);
    this.host.vmstat.vmEvents[PGACTIVATE]! += folioNrPages(f);
  }

  /** Kernel: `lru_deactivate_fn()` (MADV_COLD): an active page to the inactive head, unreferenced. */
  deactivate(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & ACTIVE_FLAG) === 0 || (f & UNEVICTABLE_FLAG) !== 0) return;
    this.delFolio(page);
    this.flags[page] = this.flags[page]! & ~(ACTIVE_FLAG | REFERENCED);
    this.addFolio(page, false);
    this.host.vmstat.vmEvents[PGDEACTIVATE]! += folioNrPages(f);
  }

  /**
   * Kernel: `lru_deactivate_file_fn()`: a page invalidate could not drop goes to the inactive
   * list — its tail (PG_reclaim) when it is dirty or under writeback, so that it is reclaimed
   * when written back; a mapped page is left alone.
   */
  deactivateFile(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & UNEVICTABLE_FLAG) !== 0) return;
    if (this.host.mem.mapcount[page]! >= 0) return; // folio_mapped: leave it
    const active = (f & ACTIVE_FLAG) !== 0;
    const nr = folioNrPages(f);
    this.delFolio(page);
    this.flags[page] = this.flags[page]! & ~(ACTIVE_FLAG | REFERENCED);
    const dirtyOrWb = (f & ((1 << 3) | (1 << 15))) !== 0; // PG_dirty | PG_writeback
    if (dirtyOrWb) {
      this.flags[page] = this.flags[page]! | (1 << 18); // folio_set_reclaim
      this.addFolio(page, false);
    } else {
      this.addFolio(page, true);
      this.host.vmstat.vmEvents[PGROTATED]! += nr;
    }
    if (active) this.host.vmstat.vmEvents[PGDEACTIVATE]! += nr;
  }

  /** Kernel: `lru_lazyfree_fn()` (MADV_FREE): a clean swap-backed anonymous page to the inactive file list. */
  lazyfree(page: number): void {
    const f = this.flags[page]!;
    if ((f & LRU_FLAG) === 0 || (f & SWAPBACKED_FLAG) === 0 || (f & UNEVICTABLE_FLAG) !== 0) return;
    if ((f & (1 << 10)) !== 0) return; // PG_swapcache
    const nr = folioNrPages(f);
    this.delFolio(page);
    this.flags[page] = this.flags[page]! & ~(ACTIVE_FLAG | REFERENCED | SWAPBACKED_FLAG);
    this.addFolio(page, false);
    this.host.vmstat.vmEvents[PGLAZYFREE]! += nr;
  }

  // ------------------------------------------------------------------ reclaim

  /** Kernel: `get_scan_count()` (root memcg: div64_u64 in SCAN_FRACT, no protection). */
  getScanCount(nid: number, sc: ScanControl, nr: Float64Array): void {
    const host = this.host;
    const swappiness = host.swappiness;
    let scanBalance: number;
    let denominator = 0;
    const fraction = this.fraction;
    fraction[0] = 0;
    fraction[1] = 0;
    if (!sc.maySwap || !host.canReclaimAnonPages(nid, sc)) scanBalance = SCAN_FILE;
    else if (sc.priority === 0 && swappiness !== 0) scanBalance = SCAN_EQUAL;
    else if (sc.fileIsTiny) scanBalance = SCAN_ANON;
    else if (sc.cacheTrimMode) scanBalance = SCAN_FILE;
    else {
      scanBalance = SCAN_FRACT;
      let totalCost = sc.anonCost + sc.fileCost;
      const anonCost = totalCost + sc.anonCost;
      const fileCost = totalCost + sc.fileCost;
      totalCost = anonCost + fileCost;
      const ap = Math.floor((swappiness * (totalCost + 1)) / (anonCost + 1));
      const fp = Math.floor(((200 - swappiness) * (totalCost + 1)) / (fileCost + 1));
      fraction[0] = ap;
      fraction[1] = fp;
      denominator = ap + fp;
    }
    this.lastScanBalance = scanBalance;
    for (let lru = LRU_BASE; lru < LRU_UNEVICTABLE; lru++) {
      const file = lru >= LRU_FILE ? 1 : 0;
      const size = lruvecLruSize(host.vmstat, nid, lru, sc.reclaimIdx);
      let scan = Math.floor(size / 2 ** sc.priority);
      switch (scanBalance) {
        case SCAN_EQUAL:
          break;
        case SCAN_FRACT:
          scan = denominator > 0 ? Math.floor((scan * fraction[file]!) / denominator) : 0;
          break;
        default:
          if ((scanBalance === SCAN_FILE) !== (file === 1)) scan = 0;
      }
      nr[lru] = scan;
    }
    nr[LRU_UNEVICTABLE] = 0;
  }

  /** Kernel: `shrink_lruvec()` (the classic half). */
  shrinkLruvec(nid: number, sc: ScanControl): void {
    const nr = this.nr;
    const targets = this.targets;
    this.getScanCount(nid, sc, nr);
    targets.set(nr);
    let nrReclaimed = 0;
    const nrToReclaim = sc.nrToReclaim;
    // Global direct reclaim at DEF_PRIORITY scans the whole of its targets ("proportional reclaim" off).
    let scanAdjusted = !sc.isKswapd && sc.priority === DEF_PRIORITY;
    while (nr[LRU_INACTIVE_ANON]! > 0 || nr[LRU_ACTIVE_FILE]! > 0 || nr[LRU_INACTIVE_FILE]! > 0) {
      for (let lru = LRU_BASE; lru < LRU_UNEVICTABLE; lru++) {
        if (nr[lru]! > 0) {
          const nrToScan = Math.min(nr[lru]!, SWAP_CLUSTER_MAX);
          nr[lru] = nr[lru]! - nrToScan;
          nrReclaimed += this.shrinkList(lru, nrToScan, nid, sc);
        }
      }
      if (nrReclaimed < nrToReclaim || scanAdjusted) continue;
      // Enough reclaimed: scale the other type's remaining scan to the proportion already scanned.
      const nrFile = nr[LRU_INACTIVE_FILE]! + nr[LRU_ACTIVE_FILE]!;
      const nrAnon = nr[LRU_INACTIVE_ANON]! + nr[LRU_ACTIVE_ANON]!;
      if (nrFile === 0 || nrAnon === 0) break;
      let lru: number;
      let percentage: number;
      if (nrFile > nrAnon) {
        lru = LRU_BASE;
        percentage = Math.floor((nrAnon * 100) / (targets[LRU_INACTIVE_ANON]! + targets[LRU_ACTIVE_ANON]! + 1));
      } else {
        lru = LRU_FILE;
        percentage = Math.floor((nrFile * 100) / (targets[LRU_INACTIVE_FILE]! + targets[LRU_ACTIVE_FILE]! + 1));
      }
      nr[lru] = 0;
      nr[lru + LRU_ACTIVE] = 0;
      lru = lru === LRU_FILE ? LRU_BASE : LRU_FILE;
      let nrScanned = targets[lru]! - nr[lru]!;
      nr[lru] = Math.floor((targets[lru]! * (100 - percentage)) / 100);
      nr[lru] = nr[lru]! - Math.min(nr[lru]!, nrScanned);
      lru += LRU_ACTIVE;
      nrScanned = targets[lru]! - nr[lru]!;
      nr[lru] = Math.floor((targets[lru]! * (100 - percentage)) / 100);
      nr[lru] = nr[lru]! - Math.min(nr[lru]!, nrScanned);
      scanAdjusted = true;
    }
    sc.nrReclaimed += nrReclaimed;
    // Even if we did not try to evict anon pages at all, we want to rebalance the anon lru active/inactive ratio.
    if (this.host.canReclaimAnonPages(nid, sc) && inactiveIsLow(this.host.vmstat, nid, LRU_INACTIVE_ANON)) {
      this.shrinkActiveList(SWAP_CLUSTER_MAX, nid, sc, LRU_ACTIVE_ANON);
    }
  }

  /** Kernel: `shrink_list()`. */
  private shrinkList(lru: number, nrToScan: number, nid: number, sc: ScanControl): number {
    if (lru === LRU_ACTIVE_ANON || lru === LRU_ACTIVE_FILE) {
      if ((sc.mayDeactivate & (lru >= LRU_FILE ? DEACTIVATE_FILE : DEACTIVATE_ANON)) !== 0) this.shrinkActiveList(nrToScan, nid, sc, lru);
      else sc.skippedDeactivate = true;
      return 0;
    }
    return this.shrinkInactiveList(nrToScan, nid, sc, lru);
  }

  /**
   * Takes up to `nrToScan` pages from the tail of list `lru` onto `dst`: PG_lru cleared, a
   * reference taken; pages of zones above sc.reclaimIdx are skipped (PGSCAN_SKIP_*) and go back
   * to the head. Kernel: `isolate_lru_folios()`.
   * @returns pages taken; `this.nrScannedOut` the pages looked at
   */
  private isolateLruFolios(nrToScan: number, nid: number, dst: number, sc: ScanControl, lru: number): number {
    const h = this.heads[nid]!;
    const src = h + lru;
    const skippedHead = h + HEAD_SKIPPED;
    const mem = this.host.mem;
    const flags = this.flags;
    const zoneTaken = this.zoneTaken;
    const zoneSkipped = this.zoneSkipped;
    zoneTaken.fill(0);
    zoneSkipped.fill(0);
    let nrTaken = 0;
    let totalScan = 0;
    let scan = 0;
    // Limit reclaim (sc->target_mem_cgroup): one lruvec per node here, so the target's folios are
    // found among the others, which stay where they are and are not counted as scanned.
    const mask = sc.memcgMask;
    let cur = this.prev[src]!;
    while (scan < nrToScan && this.next[src] !== src) {
      let page: number;
      if (mask === null) page = this.prev[src]!;
      else {
        while (cur !== src && mask[mem.memcg[cur]!] !== 1) cur = this.prev[cur]!;
        if (cur === src) break;
        page = cur;
        cur = this.prev[page]!;
      }
      const f = flags[page]!;
      const nrPages = folioNrPages(f);
      totalScan += nrPages;
      const zid = mem.nodeZone[page]! & (MAX_NR_ZONES - 1);
      this.unlink(page);
      if (zid > sc.reclaimIdx) {
        zoneSkipped[zid] = zoneSkipped[zid]! + nrPages;
        this.linkHead(page, skippedHead);
        continue;
      }
      scan += nrPages;
      if ((f & LRU_FLAG) === 0 || (!sc.mayUnmap && mem.mapcount[page]! >= 0) || this.refcount[page]! <= 0) {
        this.linkHead(page, src);
        continue;
      }
      this.refcount[page] = this.refcount[page]! + 1; // folio_try_get
      flags[page] = f & ~LRU_FLAG; // folio_test_clear_lru
      nrTaken += nrPages;
      zoneTaken[zid] = zoneTaken[zid]! + nrPages;
      this.linkHead(page, dst);
    }
    // Splice the skipped pages to the head of the list.
    if (this.next[skippedHead] !== skippedHead) {
      const first = this.next[skippedHead]!;
      const last = this.prev[skippedHead]!;
      const at = this.next[src]!;
      this.prev[first] = src;
      this.next[src] = first;
      this.next[last] = at;
      this.prev[at] = last;
      this.next[skippedHead] = skippedHead;
      this.prev[skippedHead] = skippedHead;
      const ev = this.host.vmstat.vmEvents;
      for (let zid = 0; zid < MAX_NR_ZONES; zid++) if (zoneSkipped[zid]! > 0) ev[PGSCAN_SKIP_DMA + zid]! += zoneSkipped[zid]!;
    }
    this.nrScannedOut = totalScan;
    const trace = this.host.trace;
    if (trace.on) {
      let skipped = 0;
      for (let zid = 0; zid < MAX_NR_ZONES; zid++) skipped += zoneSkipped[zid]!;
      const a = trace.args;
      a[0] = sc.reclaimIdx; a[1] = sc.order; a[2] = nrToScan; a[3] = totalScan; a[4] = skipped; a[5] = nrTaken;
      a[6] = sc.mayUnmap ? 0 : ISOLATE_UNMAPPED; a[7] = lru;
      trace.emitArgs(TP_MM_VMSCAN_LRU_ISOLATE);
    }
    // update_lru_sizes()
    if (nrTaken > 0) {
      const zoneBase = nid * MAX_NR_ZONES;
      for (let zid = 0; zid < MAX_NR_ZONES; zid++) if (zoneTaken[zid]! > 0) this.host.updateLruSize(this.pageOfZone(zoneBase + zid, dst), lru, -zoneTaken[zid]!);
    }
    return nrTaken;
  }
  private nrScannedOut = 0;

  /** A page of zone `zoneId` on list `head` (update_lru_size takes a page to find its zone). */
  private pageOfZone(zoneId: number, head: number): number {
    const mem = this.host.mem;
    for (let p = this.next[head]!; p !== head; p = this.next[p]!) if (mem.nodeZone[p] === zoneId) return p;
    throw new MmBugError("reclaim.isolateLruFolios", `no isolated page of zone ${zoneId}`);
  }

  /**
   * Puts the pages of `list` back on their lists (an unevictable one on the unevictable list),
   * drops the isolation reference, and ages the eviction clock for each activated page.
   * Kernel: `move_folios_to_lru()`. @returns pages moved
   */
  private moveFoliosToLru(nid: number, list: number): number {
    const flags = this.flags;
    let nrMoved = 0;
    while (this.next[list] !== list) {
      const page = this.prev[list]!;
      this.unlink(page);
      const f = flags[page]!;
      const nrPages = folioNrPages(f);
      if (!this.host.folioEvictable(page)) {
        this.putbackUnevictable(page);
        this.putIsolationRef(page);
        continue;
      }
      this.putIsolationRef(page);
      this.addFolio(page, false);
      nrMoved += nrPages;
      if ((f & ACTIVE_FLAG) !== 0) this.nonresidentAge[nid]! += nrPages; // workingset_age_nonresident
    }
    return nrMoved;
  }

  /** folio_putback_lru() → lru_add_fn() of a page that is not evictable: to the unevictable list. */
  private putbackUnevictable(page: number): void {
    const f = this.flags[page]!;
    this.flags[page] = (f & ~ACTIVE_FLAG) | UNEVICTABLE_FLAG;
    if ((f & UNEVICTABLE_FLAG) === 0) this.host.vmstat.vmEvents[UNEVICTABLE_PGCULLED]! += folioNrPages(f);
    this.addFolio(page, false);
  }

  private putIsolationRef(page: number): void {
    const rc = this.refcount[page]! - 1;
    if (rc <= 0 && debugVm.on) throw new MmBugError("reclaim.moveFoliosToLru", `page ${page} lost its last reference while isolated`);
    this.refcount[page] = rc;
  }

  /** Kernel: `shrink_inactive_list()`. @returns pages reclaimed */
  private shrinkInactiveList(nrToScan: number, nid: number, sc: ScanControl, lru: number): number {
    const host = this.host;
    const file = lru >= LRU_FILE ? 1 : 0;
    const ev = host.vmstat.vmEvents;
    const nodeStat = host.vmstat.nodeVmStat;
    const taken = this.heads[nid]! + HEAD_TAKEN;
    const nrTaken = this.isolateLruFolios(nrToScan, nid, taken, sc, lru);
    const nrScanned = this.nrScannedOut;
    nodeStat[nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_ANON + file]! += nrTaken;
    ev[sc.isKswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT]! += nrScanned;
    ev[PGSCAN_ANON + file]! += nrScanned;
    if (nrTaken === 0) return 0;
    const stat = this.stat.reset();
    const nrReclaimed = host.shrinkFolioList(taken, nid, sc, stat);
    this.moveFoliosToLru(nid, taken);
    // Dirty folios scanned that are not queued for I/O: nudge the flushers in case they sleep.
    if (stat.nrUnqueuedDirty === nrTaken) host.wakeupFlusherThreads();
    nodeStat[nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_ANON + file]! -= nrTaken;
    ev[sc.isKswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT]! += nrReclaimed;
    ev[PGSTEAL_ANON + file]! += nrReclaimed;
    host.lruNoteCost(nid, file === 1, stat.nrPageout, nrScanned - nrReclaimed);
    sc.nrDirty += stat.nrDirty;
    sc.nrCongested += stat.nrCongested;
    sc.nrUnqueuedDirty += stat.nrUnqueuedDirty;
    sc.nrWriteback += stat.nrWriteback;
    sc.nrImmediate += stat.nrImmediate;
    sc.nrTaken += nrTaken;
    if (file === 1) sc.nrFileTaken += nrTaken;
    this.lastInactive.set(nid, nrScanned, nrReclaimed, stat, sc.priority, file);
    if (host.trace.on) traceShrinkInactive(host, nid, nrScanned, nrReclaimed, stat, sc.priority, file);
    return nrReclaimed;
  }
  /** The last shrink_inactive_list's figures (mm_vmscan_lru_shrink_inactive). */
  readonly lastInactive = new ShrinkInactiveFigures();

  /** Kernel: `shrink_active_list()`. */
  shrinkActiveList(nrToScan: number, nid: number, sc: ScanControl, lru: number): void {
    const host = this.host;
    const file = lru >= LRU_FILE ? 1 : 0;
    const h = this.heads[nid]!;
    const hold = h + HEAD_TAKEN;
    const lActive = h + HEAD_ACTIVE;
    const lInactive = h + HEAD_INACTIVE;
    const nodeStat = host.vmstat.nodeVmStat;
    const nrTaken = this.isolateLruFolios(nrToScan, nid, hold, sc, lru);
    const nrScanned = this.nrScannedOut;
    nodeStat[nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_ANON + file]! += nrTaken;
    host.vmstat.vmEvents[PGREFILL]! += nrScanned;
    let nrRotated = 0;
    const flags = this.flags;
    while (this.next[hold] !== hold) {
      const page = this.prev[hold]!;
      this.unlink(page);
      if (!host.folioEvictable(page)) {
        this.putbackUnevictable(page);
        this.putIsolationRef(page);
        continue;
      }
      if (host.folioReferenced(page) !== 0) {
        // A referenced executable file page gets one more trip around the active list.
        if ((host.referencedVmFlags & VM_EXEC) !== 0 && folioIsFileLru(flags[page]!)) {
          nrRotated += folioNrPages(flags[page]!);
          this.linkHead(page, lActive);
          continue;
        }
      }
      flags[page] = (flags[page]! & ~ACTIVE_FLAG) | WORKINGSET; // deactivating
      this.linkHead(page, lInactive);
    }
    const nrActivate = this.moveFoliosToLru(nid, lActive);
    const nrDeactivate = this.moveFoliosToLru(nid, lInactive);
    host.vmstat.vmEvents[PGDEACTIVATE]! += nrDeactivate;
    nodeStat[nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_ANON + file]! -= nrTaken;
    this.lastActive.set(nid, nrTaken, nrActivate, nrDeactivate, nrRotated, sc.priority, file);
    const trace = host.trace;
    if (trace.on) {
      const a = trace.args;
      a[0] = nid; a[1] = nrTaken; a[2] = nrActivate; a[3] = nrDeactivate; a[4] = nrRotated; a[5] = sc.priority; a[6] = traceReclaimFlags(file);
      trace.emitArgs(TP_MM_VMSCAN_LRU_SHRINK_ACTIVE);
    }
  }
  /** The last shrink_active_list's figures (mm_vmscan_lru_shrink_active). */
  readonly lastActive = new ShrinkActiveFigures();

  /** Kernel: `kswapd_age_node()` (classic): deactivate anon pages when swap exists and the inactive anon list is low. */
  ageNode(nid: number, sc: ScanControl): void {
    if (!this.host.canReclaimAnonPages(nid, sc)) return;
    if (!inactiveIsLow(this.host.vmstat, nid, LRU_INACTIVE_ANON)) return;
    this.shrinkActiveList(SWAP_CLUSTER_MAX, nid, sc, LRU_ACTIVE_ANON);
  }

  // ------------------------------------------------------------------ workingset.c

  /** Kernel: `workingset_eviction()`. */
  eviction(page: number): number {
    const nid = this.host.pageNid(page);
    const eviction = this.nonresidentAge[nid]!;
    this.nonresidentAge[nid] = eviction + folioNrPages(this.flags[page]!);
    return packShadow(ROOT_MEM_CGROUP_ID, nid, eviction, (this.flags[page]! & WORKINGSET) !== 0);
  }

  /** Kernel: `workingset_refault()`. */
  refault(page: number, shadow: number): void {
    const host = this.host;
    const f = this.flags[page]!;
    const file = folioIsFileLru(f) ? 1 : 0;
    const s = unpackShadow(shadow, this.shadow);
    if (s.memcgid !== ROOT_MEM_CGROUP_ID || s.nid >= host.nrNodes) return; // mem_cgroup_from_id() found nothing
    const evictionNid = s.nid;
    const distance = refaultDistance(this.nonresidentAge[evictionNid]!, s.eviction);
    const nr = folioNrPages(f);
    const nid = host.pageNid(page);
    const vs = host.vmstat;
    vs.nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + WORKINGSET_REFAULT_BASE + file]! += nr;
    let workingsetSize = nodeState(vs, evictionNid, NR_ACTIVE_FILE);
    if (file === 0) workingsetSize += nodeState(vs, evictionNid, NR_INACTIVE_FILE);
    if (host.canReclaimAnonPages(evictionNid, REFAULT_SC)) {
      workingsetSize += nodeState(vs, evictionNid, NR_ACTIVE_ANON);
      if (file === 1) workingsetSize += nodeState(vs, evictionNid, NR_INACTIVE_ANON);
    }
    if (distance > workingsetSize) return;
    this.flags[page] = this.flags[page]! | ACTIVE_FLAG;
    this.nonresidentAge[nid]! += nr;
    vs.nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + WORKINGSET_ACTIVATE_BASE + file]! += nr;
    if (s.workingset) {
      this.flags[page] = this.flags[page]! | WORKINGSET;
      host.lruNoteCost(nid, file === 1, nr, 0); // lru_note_cost_refault
      vs.nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + WORKINGSET_RESTORE_BASE + file]! += nr;
    }
  }

  // ------------------------------------------------------------------ walks and checks

  forEachFolio(fn: (page: number) => void): void {
    for (let nid = 0; nid < this.heads.length; nid++) {
      for (let lru = 0; lru < NR_LRU_LISTS; lru++) {
        const head = this.heads[nid]! + lru;
        for (let p = this.next[head]!; p !== head; ) {
          const nextP = this.next[p]!;
          fn(p);
          p = nextP;
        }
      }
    }
  }

  /**
   * Every page on list L of node N has PG_lru, lives on node N, and its flags say L; the lists
   * are well linked; each list's pages sum to the node counter of L; the scratch lists are empty.
   */
  validate(sink: ValidationSink): void {
    const mem = this.host.mem;
    const vs = this.host.vmstat;
    for (let nid = 0; nid < this.heads.length; nid++) {
      for (let lru = 0; lru < NR_LRU_LISTS; lru++) {
        const head = this.heads[nid]! + lru;
        let n = 0;
        let steps = 0;
        const limit = mem.nrPages + 1;
        for (let p = this.next[head]!; p !== head; p = this.next[p]!) {
          const where = `lru node ${nid} ${lruListNames[lru]} page ${p}`;
          if (++steps > limit) {
            sink.report(`lru node ${nid} ${lruListNames[lru]}`, "the list does not come back to its head");
            break;
          }
          if (p < 0 || p >= mem.nrPages) {
            sink.report(where, "a list entry is not a page");
            break;
          }
          if (this.prev[this.next[p]!] !== p) sink.report(where, "next->prev does not point back");
          const f = mem.flags[p]!;
          if ((f & LRU_FLAG) === 0) sink.report(where, "on a list without PG_lru");
          if (folioLruList(f) !== lru) sink.report(where, `its flags say ${lruListNames[folioLruList(f)]}`);
          if (this.host.pageNid(p) !== nid) sink.report(where, `belongs to node ${this.host.pageNid(p)}`);
          if (mem.refcount[p]! <= 0) sink.report(where, `free page (refcount ${mem.refcount[p]}) on an LRU list`);
          n += folioNrPages(f);
        }
        const counted = nodeState(vs, nid, NR_LRU_BASE + lru);
        if (counted !== n) sink.report(`lru node ${nid} ${lruListNames[lru]}`, `${n} pages on the list, the counter says ${counted}`);
      }
      for (let s = HEAD_TAKEN; s < TWO_LIST_HEADS; s++) {
        const head = this.heads[nid]! + s;
        if (this.next[head] !== head) sink.report(`lru node ${nid} scratch list ${s}`, "isolated pages left on a scratch list");
      }
    }
  }
}

/** isolate_mode_t's bit for !sc->may_unmap. Kernel: `ISOLATE_UNMAPPED` (include/linux/mmzone.h). */
export const ISOLATE_UNMAPPED = 0x2;

/**
 * Fires mm_vmscan_lru_shrink_inactive (13 fields) for one shrink_inactive_list or, under MGLRU,
 * one evict_folios. Callers test `host.trace.on` first.
 */
export function traceShrinkInactive(host: ReclaimHost, nid: number, nrScanned: number, nrReclaimed: number, stat: ReclaimStat, priority: number, file: number): void {
  const trace = host.trace;
  const a = trace.args;
  a[0] = nid; a[1] = nrScanned; a[2] = nrReclaimed; a[3] = stat.nrDirty; a[4] = stat.nrWriteback; a[5] = stat.nrCongested;
  a[6] = stat.nrImmediate; a[7] = stat.nrActivate[0]!; a[8] = stat.nrActivate[1]!; a[9] = stat.nrRefKeep; a[10] = stat.nrUnmapFail;
  a[11] = priority; a[12] = traceReclaimFlags(file);
  trace.emitArgs(TP_MM_VMSCAN_LRU_SHRINK_INACTIVE);
}

/** The ScanControl workingset_refault passes to canReclaimAnonPages (only swap space matters). */
const REFAULT_SC = { maySwap: true } as ScanControl;

/** mm_vmscan_lru_shrink_inactive's fields of the last call. */
export class ShrinkInactiveFigures {
  nid = 0;
  nrScanned = 0;
  nrReclaimed = 0;
  nrDirty = 0;
  nrWriteback = 0;
  nrCongested = 0;
  nrImmediate = 0;
  nrActivateAnon = 0;
  nrActivateFile = 0;
  nrRefKeep = 0;
  nrUnmapFail = 0;
  priority = 0;
  file = 0;
  set(nid: number, scanned: number, reclaimed: number, stat: ReclaimStat, priority: number, file: number): void {
    this.nid = nid;
    this.nrScanned = scanned;
    this.nrReclaimed = reclaimed;
    this.nrDirty = stat.nrDirty;
    this.nrWriteback = stat.nrWriteback;
    this.nrCongested = stat.nrCongested;
    this.nrImmediate = stat.nrImmediate;
    this.nrActivateAnon = stat.nrActivate[0]!;
    this.nrActivateFile = stat.nrActivate[1]!;
    this.nrRefKeep = stat.nrRefKeep;
    this.nrUnmapFail = stat.nrUnmapFail;
    this.priority = priority;
    this.file = file;
  }
}

/** mm_vmscan_lru_shrink_active's fields of the last call. */
export class ShrinkActiveFigures {
  nid = 0;
  nrTaken = 0;
  nrActive = 0;
  nrDeactivated = 0;
  nrReferenced = 0;
  priority = 0;
  file = 0;
  set(nid: number, taken: number, active: number, deactivated: number, referenced: number, priority: number, file: number): void {
    this.nid = nid;
    this.nrTaken = taken;
    this.nrActive = active;
    this.nrDeactivated = deactivated;
    this.nrReferenced = referenced;
    this.priority = priority;
    this.file = file;
  }
}

export { LRU_INACTIVE_FILE, LRU_ACTIVE_ANON, NR_INACTIVE_ANON, NR_ACTIVE_FILE, NR_INACTIVE_FILE };
