// Kernel: mm/vmscan.c (the CONFIG_LRU_GEN half: aging, eviction, refault feedback loop, lru_gen_shrink_node, lru_gen_age_node, lru_gen_look_around), include/linux/mm_inline.h (lru_gen_add_folio, lru_gen_del_folio, lru_gen_update_size), mm/swap.c (folio_inc_refs, folio_activate_fn, lru_deactivate_fn, lru_deactivate_file_fn, lru_lazyfree_fn under lru_gen), mm/workingset.c (lru_gen_eviction, lru_gen_refault) (v6.1; read from 6.1.166, unifreq/linux-6.1.y) — the `mglru` reclaim policy
/*
 * MultiGenLru owns each node's lruvec as 6.1's lru_gen does (lru-gen.ts describes generations
 * and tiers). On this board (Cortex-A57: no hardware access flag, arch_has_hw_pte_young() false)
 * there are no page-table walks: the aging (try_to_inc_max_seq) only opens a new generation
 * (iterate_mm_list_nowalk), and pages move up only by
 *   - sort_folio during eviction: pages accessed through file descriptors (tiers the PID controller
 *     protects) and pages lru_gen_look_around promoted;
 *   - lru_gen_look_around, which the host's folio_referenced calls for a young PTE of a page under
 *     reclaim (lookAroundFolio below): the young neighbours within MIN_LRU_BATCH pages are promoted
 *     to max_seq (kswapd: folio_update_gen, batched; direct reclaim: folio_activate);
 *   - folio_activate (activate()), and pages added active (new pages faulted in: the host's
 *     folio_add_lru sets PG_active when lru_gen_in_fault()).
 *
 * What the host does around this policy (6.1's shrink_node returns to lru_gen_shrink_node when
 * MGLRU is on, so most of shrink_node does not run):
 *   - before shrinkLruvec: lru_add_drain(); after: shrink_slab and reclaimed_slab, and
 *     `pgdat->kswapd_failures = 0` ("kswapd should never fail"); shrinkLruvec may lower
 *     sc.priority (set_initial_priority);
 *   - shrinkFolioList: 6.1's shrink_folio_list keeps a mapped page that has PG_referenced under
 *     lru_gen (`folio_update_gen() tried to promote this page?`), and calls lookAroundFolio from
 *     folio_referenced_one for a young PTE (`lru_gen_enabled() && pte_young()`), counting it as
 *     one more reference;
 *   - ageNode for kswapd (kswapd_age_node); a true `oomRequested` afterwards means 6.1 would have
 *     called out_of_memory() (min_ttl_ms protection): the host runs its OOM handling and calls
 *     clearOomRequest().
 *
 * Isolation takes a page reference (folio_try_get) and putting back drops it; a page whose last
 * reference went meanwhile is handed to host.freeUnrefPageList (move_folios_to_lru).
 *
 * Simplified: one memcg (the root; the memcg LRU's bins and rotation are not simulated, so each
 * shrinkLruvec call shrinks the node's lruvec once, as shrink_many does for a single memcg); no
 * Bloom filters (only page-table walks use them); the per-CPU activate batch of folio_activate is
 * applied at once; folio_mark_dirty of a dirty young PTE is the host's.
 */
import {
  HPAGE_PMD_NR, LRU_ACTIVE, LRU_GEN_MASK, LRU_GEN_PGOFF, LRU_INACTIVE_FILE, LRU_REFS_MASK, LRU_REFS_PGOFF,
  LRU_UNEVICTABLE, MAX_NR_ZONES, MmBugError, NR_LRU_BASE, NR_ZONE_LRU_BASE, PGACTIVATE, PGDEACTIVATE,
  PGLAZYFREE, PGREFILL, PGROTATED, PGSCAN_ANON, PGSCAN_DIRECT, PGSCAN_KSWAPD, PGSCAN_SKIP_DMA, PGSTEAL_ANON, PGSTEAL_DIRECT,
  PGSTEAL_KSWAPD, PG_active, PG_dirty, PG_head, PG_locked, PG_lru, PG_reclaim, PG_referenced, PG_swapbacked, PG_swapcache,
  PG_unevictable, PG_workingset, PG_writeback, ReclaimStat, UNEVICTABLE_PGCULLED, WORKINGSET_ACTIVATE_BASE,
  WORKINGSET_REFAULT_BASE, WORKINGSET_RESTORE_BASE, __GFP_IO, listAdd, listAddTail, listDel, listEmpty, listLast, listMove,
  listMoveTail, listSpliceInit, pageZonenum, type MemMap, type ReclaimHost, type ReclaimPolicy, type ScanControl,
  type ValidationSink, type VmStat, LRUVEC_LIST_HEADS, NODES_SHIFT,
} from "@mmsim/core";
import { jiffiesToMsecs, nsToJiffies } from "@mmsim/block";
import {
  ANON_AND_FILE, LIST_CLEAN, LIST_ISOLATED, LIST_MOVED, LRU_GEN_ANON, LRU_GEN_FILE, LRU_GEN_LIST_HEADS, LruGenFolio,
  MAX_LRU_BATCH, MAX_NR_GENS, MAX_NR_TIERS, MAX_REFS, MEMCG_NR_GENS, MIN_LRU_BATCH, MIN_NR_GENS, folioLruGen, folioLruRefs,
  genTypeZone, histTypeTier, lruGenFromSeq, lruHistFromSeq, lruTierFromRefs,
} from "./lru-gen.ts";

/** Kernel: `DEF_PRIORITY`. */
const DEF_PRIORITY = 12;
/** Kernel: `LRU_REFS_FLAGS` (BIT(PG_referenced) | BIT(PG_workingset)). */
const LRU_REFS_FLAGS = (1 << PG_referenced) | (1 << PG_workingset);
/** workingset.c's shadow layout: WORKINGSET_SHIFT 1, then NODES_SHIFT, then MEM_CGROUP_ID_SHIFT. */
const WORKINGSET_SHIFT = 1;
const MEM_CGROUP_ID_SHIFT = 16;
/**
 * Bits of the eviction token kept in a shadow. The kernel keeps 64 - EVICTION_SHIFT = 42; mmsim's
 * shadows are integers below 2^53, so 53 - 21 = 32 bits: the same unless min_seq passes 2^30.
 */
const EVICTION_BITS = 53 - (WORKINGSET_SHIFT + NODES_SHIFT + MEM_CGROUP_ID_SHIFT);
const EVICTION_RANGE = 2 ** EVICTION_BITS;
/** 2^shift for the shadow fields (multiplication keeps 53-bit integers exact). */
const SHADOW_LOW = 2 ** (WORKINGSET_SHIFT + NODES_SHIFT + MEM_CGROUP_ID_SHIFT);

/** read_ctrl_pos's result. Kernel: `struct ctrl_pos`. */
class CtrlPos {
  refaulted = 0;
  total = 0;
  gain = 0;
}

/** Kernel: `positive_ctrl_err()`: the PV has few refaults or a lower refaulted/total than the SP. */
function positiveCtrlErr(sp: CtrlPos, pv: CtrlPos): boolean {
  return pv.refaulted < MIN_LRU_BATCH || pv.refaulted * (sp.total + MIN_LRU_BATCH) * sp.gain <= (sp.refaulted + 1) * pv.total * pv.gain;
}

/** Kernel: `fls_long()`: the 1-based index of the highest set bit, 0 for 0. */
function flsLong(x: number): number {
  return x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

/** The multi-generational LRU as a `reclaim` policy. Kernel: CONFIG_LRU_GEN (mm/vmscan.c). */
export class MultiGenLru implements ReclaimPolicy {
  readonly name = "mglru";
  /** One lruvec per node (the root memcg's), after attach. */
  readonly lruvecs: LruGenFolio[] = [];
  /** min_ttl_ms in jiffies: protect the working set of the last min_ttl jiffies. Kernel: `lru_gen_min_ttl`. */
  minTtl = 0;
  /**
   * Capability bits written to /sys/kernel/mm/lru_gen/enabled beyond LRU_GEN_CORE (the static keys
   * LRU_GEN_MM_WALK, LRU_GEN_NONLEAF_YOUNG; on by default with CONFIG_LRU_GEN_ENABLED). They have no
   * effect on this board: both need a hardware access flag.
   */
  capKeys = 0b111;
  /** lru_gen_age_node found every generation younger than min_ttl: 6.1 calls out_of_memory() here. */
  oomRequested = false;
  /** gfp_mask of that OOM (the scan_control's). */
  oomGfpMask = 0;
  /** Times lru_gen_age_node asked for the OOM killer. */
  nrOomRequests = 0;

  private host!: ReclaimHost;
  private mem!: MemMap;
  private vmstat!: VmStat;
  /** current->reclaim_state->mm_walk is set (kswapd, or proactive reclaim): look-around batches. */
  private walk = false;
  /** The walk's can_swap: pgdat->mm_walk of kswapd starts zeroed and no walk sets it here. */
  private walkCanSwap = false;
  private readonly stat = new ReclaimStat();
  private readonly sp = new CtrlPos();
  private readonly pv = new CtrlPos();

  attach(host: ReclaimHost): void {
    if (LRU_GEN_LIST_HEADS > LRUVEC_LIST_HEADS) {
      throw new MmBugError("reclaim.mglru.attach", `MGLRU needs ${LRU_GEN_LIST_HEADS} list heads per lruvec, the machine reserves ${LRUVEC_LIST_HEADS}`);
    }
    this.host = host;
    this.mem = host.mem;
    this.vmstat = host.vmstat;
    this.lruvecs.length = 0;
    const now = this.jiffies();
    for (let nid = 0; nid < host.nrNodes; nid++) this.lruvecs.push(new LruGenFolio(nid, host.lruvecHeads(nid), now));
  }

  /** The simulated jiffies. */
  jiffies(): number {
    return nsToJiffies(this.host.clock.now());
  }

  // ----------------------------------------------------------------------------- page helpers

  /** Kernel: `folio_nr_pages()` (a THP head stands for HPAGE_PMD_NR pages). */
  private nrPagesOf(page: number): number {
    return (this.mem.flags[page]! & (1 << PG_head)) !== 0 ? HPAGE_PMD_NR : 1;
  }

  /** Kernel: `folio_is_file_lru()`: 1 unless PG_swapbacked. */
  private typeOf(page: number): number {
    return (this.mem.flags[page]! & (1 << PG_swapbacked)) !== 0 ? LRU_GEN_ANON : LRU_GEN_FILE;
  }

  private lruvecOf(page: number): LruGenFolio {
    return this.lruvecs[this.host.pageNid(page)]!;
  }

  private test(page: number, bit: number): boolean {
    return (this.mem.flags[page]! & (1 << bit)) !== 0;
  }

  private set(page: number, bit: number): void {
    this.mem.flags[page] = this.mem.flags[page]! | (1 << bit);
  }

  private clear(page: number, bit: number): void {
    this.mem.flags[page] = this.mem.flags[page]! & ~(1 << bit);
  }

  /** Kernel: `folio_mapped()`. */
  private folioMapped(page: number): boolean {
    const mem = this.mem;
    if ((mem.flags[page]! & (1 << PG_head)) === 0) return mem.mapcount[page]! >= 0;
    if (mem.private[page + 1]! >= 0) return true; // compound_mapcount
    for (let i = 0; i < HPAGE_PMD_NR; i++) if (mem.mapcount[page + i]! >= 0) return true;
    return false;
  }

  /** Kernel: `folio_test_anon()`: mapping is an anon_vma (negative id here). */
  private folioAnon(page: number): boolean {
    return this.mem.mapping[page]! < 0;
  }

  /** Kernel: `mem_cgroup_id(folio_memcg())`; the root memcg's id is 1 as in the kernel (MemMap.memcg 0 = root). */
  private memcgId(page: number): number {
    const id = this.mem.memcg[page]!;
    return id === 0 ? 1 : id;
  }

  /** Kernel: `__update_lru_size()` for a zone of the lruvec's node without a page at hand (inc_max_seq, reset_batch_size). */
  private updateLruSizeZone(lrugen: LruGenFolio, lru: number, zone: number, delta: number): void {
    this.vmstat.modNodePageState(lrugen.nid, NR_LRU_BASE + lru, delta);
    this.vmstat.modZonePageState(lrugen.nid * MAX_NR_ZONES + zone, NR_ZONE_LRU_BASE + lru, delta);
  }

  // ----------------------------------------------------------------------------- mm_inline.h

  /** Kernel: `lru_gen_update_size()`: nr_pages and the NR_LRU_* counters (generations counted as active or inactive). */
  private lruGenUpdateSize(lrugen: LruGenFolio, page: number, oldGen: number, newGen: number): void {
    const type = this.typeOf(page);
    const zone = pageZonenum(this.mem, page);
    const delta = this.nrPagesOf(page);
    const lru = type * LRU_INACTIVE_FILE;
    if (oldGen >= 0) lrugen.nrPages[genTypeZone(oldGen, type, zone)] -= delta;
    if (newGen >= 0) lrugen.nrPages[genTypeZone(newGen, type, zone)] += delta;
    if (oldGen < 0) { // addition
      this.host.updateLruSize(page, lrugen.isActive(newGen) ? lru + LRU_ACTIVE : lru, delta);
      return;
    }
    if (newGen < 0) { // deletion
      this.host.updateLruSize(page, lrugen.isActive(oldGen) ? lru + LRU_ACTIVE : lru, -delta);
      return;
    }
    if (!lrugen.isActive(oldGen) && lrugen.isActive(newGen)) { // promotion
      this.host.updateLruSize(page, lru, -delta);
      this.host.updateLruSize(page, lru + LRU_ACTIVE, delta);
    }
    // demotion requires isolation, e.g., lru_deactivate_fn()
  }

  /**
   * Puts a page on its generation: active pages on max_seq, anon pages not in the swap cache and
   * dirty pages waiting for writeback on min_seq + 1, others on min_seq; clears PG_active.
   * Kernel: `lru_gen_add_folio()`. @returns false for an unevictable page (or MGLRU off)
   */
  private lruGenAddFolio(lrugen: LruGenFolio, page: number, reclaiming: boolean): boolean {
    const mem = this.mem;
    const f = mem.flags[page]!;
    if ((f & (1 << PG_unevictable)) !== 0 || !lrugen.enabled) return false;
    const type = this.typeOf(page);
    let seq: number;
    if ((f & (1 << PG_active)) !== 0) seq = lrugen.maxSeq;
    else if ((type === LRU_GEN_ANON && (f & (1 << PG_swapcache)) === 0) ||
      ((f & (1 << PG_reclaim)) !== 0 && (f & ((1 << PG_dirty) | (1 << PG_writeback))) !== 0)) seq = lrugen.minSeq[type]! + 1;
    else seq = lrugen.minSeq[type]!;
    const gen = lruGenFromSeq(seq);
    mem.flags[page] = ((f & ~(LRU_GEN_MASK | (1 << PG_active))) | ((gen + 1) << LRU_GEN_PGOFF)) >>> 0;
    this.lruGenUpdateSize(lrugen, page, -1, gen);
    const head = lrugen.listHead(gen, type, pageZonenum(mem, page));
    if (reclaiming) listAddTail(mem.lruNext, mem.lruPrev, page, head); // for folio_rotate_reclaimable()
    else listAdd(mem.lruNext, mem.lruPrev, page, head);
    return true;
  }

  /**
   * Takes a page off its generation list; sets PG_active when it was in an active generation and
   * the caller is not reclaim (folio_migrate_flags). Kernel: `lru_gen_del_folio()`.
   * @returns false when the page is on no generation (unevictable)
   */
  private lruGenDelFolio(lrugen: LruGenFolio, page: number, reclaiming: boolean): boolean {
    const mem = this.mem;
    const gen = folioLruGen(mem.flags, page);
    if (gen < 0) return false;
    const active = !reclaiming && lrugen.isActive(gen) ? 1 << PG_active : 0;
    mem.flags[page] = ((mem.flags[page]! & ~LRU_GEN_MASK) | active) >>> 0;
    this.lruGenUpdateSize(lrugen, page, gen, -1);
    listDel(mem.lruNext, mem.lruPrev, page);
    return true;
  }

  /** Kernel: `lruvec_add_folio()` / `lruvec_add_folio_tail()` (unevictable pages are counted, on no list). */
  private lruvecAddFolio(lrugen: LruGenFolio, page: number, tail: boolean): void {
    if (this.lruGenAddFolio(lrugen, page, tail)) return;
    if (!this.test(page, PG_unevictable)) {
      throw new MmBugError("reclaim.mglru.addFolio", `page ${page}: MGLRU is off for node ${lrugen.nid} but the mglru policy was asked to add an evictable page (switch policies through the host)`);
    }
    const nr = this.nrPagesOf(page);
    this.host.updateLruSize(page, LRU_UNEVICTABLE, nr);
    lrugen.nrUnevictable += nr;
  }

  /** Kernel: `lruvec_del_folio()`. */
  private lruvecDelFolio(lrugen: LruGenFolio, page: number): void {
    if (this.lruGenDelFolio(lrugen, page, false)) return;
    const nr = this.nrPagesOf(page);
    this.host.updateLruSize(page, LRU_UNEVICTABLE, -nr);
    lrugen.nrUnevictable -= nr;
  }

  // ----------------------------------------------------------------------------- ReclaimPolicy: lists

  addFolio(page: number, tail: boolean): void {
    this.set(page, PG_lru);
    this.lruvecAddFolio(this.lruvecOf(page), page, tail);
  }

  delFolio(page: number): void {
    this.lruvecDelFolio(this.lruvecOf(page), page);
    this.clear(page, PG_lru);
  }

  /**
   * folio_mark_accessed under lru_gen: PG_referenced first, then PG_workingset, then the refs
   * counter up to its maximum (tiers). Kernel: `folio_inc_refs()`.
   */
  markAccessed(page: number): void {
    const mem = this.mem;
    const f = mem.flags[page]!;
    if ((f & (1 << PG_unevictable)) !== 0) return;
    if ((f & (1 << PG_referenced)) === 0) {
      mem.flags[page] = f | (1 << PG_referenced);
      return;
    }
    if ((f & (1 << PG_workingset)) === 0) {
      mem.flags[page] = f | (1 << PG_workingset);
      return;
    }
    if ((f & LRU_REFS_MASK) === LRU_REFS_MASK) return; // see the comment on MAX_NR_TIERS
    mem.flags[page] = (f + (1 << LRU_REFS_PGOFF)) >>> 0;
  }

  /** Kernel: `folio_activate_fn()`: to max_seq; counts PGACTIVATE. */
  activate(page: number): void {
    const f = this.mem.flags[page]!;
    if ((f & ((1 << PG_active) | (1 << PG_unevictable))) !== 0) return;
    const lrugen = this.lruvecOf(page);
    const nr = this.nrPagesOf(page);
    this.lruvecDelFolio(lrugen, page);
    this.set(page, PG_active);
    this.lruvecAddFolio(lrugen, page, false);
    this.vmstat.countVmEvents(PGACTIVATE, nr);
  }

  /** Kernel: `lru_deactivate_fn()` (MADV_COLD): under lru_gen every evictable page goes back to min_seq (+1); counts PGDEACTIVATE. */
  deactivate(page: number): void {
    if (this.test(page, PG_unevictable)) return;
    const lrugen = this.lruvecOf(page);
    const nr = this.nrPagesOf(page);
    this.lruvecDelFolio(lrugen, page);
    this.clear(page, PG_active);
    this.clear(page, PG_referenced);
    this.lruvecAddFolio(lrugen, page, false);
    this.vmstat.countVmEvents(PGDEACTIVATE, nr);
  }

  /** Kernel: `lru_deactivate_file_fn()`: an unmapped page to the oldest generation (reclaim first), or marked PG_reclaim when dirty. */
  deactivateFile(page: number): void {
    if (this.test(page, PG_unevictable) || this.folioMapped(page)) return;
    const lrugen = this.lruvecOf(page);
    const nr = this.nrPagesOf(page);
    this.lruvecDelFolio(lrugen, page);
    const active = this.test(page, PG_active); // lru_gen_del_folio sets it for an active generation
    this.clear(page, PG_active);
    this.clear(page, PG_referenced);
    if (this.test(page, PG_writeback) || this.test(page, PG_dirty)) {
      this.lruvecAddFolio(lrugen, page, false);
      this.set(page, PG_reclaim);
    } else {
      this.lruvecAddFolio(lrugen, page, true);
      this.vmstat.countVmEvents(PGROTATED, nr);
    }
    if (active) this.vmstat.countVmEvents(PGDEACTIVATE, nr);
  }

  /** Kernel: `lru_lazyfree_fn()`: a clean anon page loses PG_swapbacked and joins the file generations; counts PGLAZYFREE. */
  lazyfree(page: number): void {
    const f = this.mem.flags[page]!;
    if (!this.folioAnon(page) || (f & (1 << PG_swapbacked)) === 0 || (f & (1 << PG_swapcache)) !== 0 || (f & (1 << PG_unevictable)) !== 0) return;
    const lrugen = this.lruvecOf(page);
    const nr = this.nrPagesOf(page);
    this.lruvecDelFolio(lrugen, page);
    this.clear(page, PG_active);
    this.clear(page, PG_referenced);
    this.clear(page, PG_swapbacked);
    this.lruvecAddFolio(lrugen, page, false);
    this.vmstat.countVmEvents(PGLAZYFREE, nr);
  }

  // ----------------------------------------------------------------------------- refault feedback loop (PID controller)

  /** Kernel: `read_ctrl_pos()`. */
  private readCtrlPos(lrugen: LruGenFolio, type: number, tier: number, gain: number, pos: CtrlPos): void {
    const hist = lruHistFromSeq(lrugen.minSeq[type]!);
    const i = histTypeTier(hist, type, tier);
    pos.refaulted = lrugen.avgRefaulted[type * MAX_NR_TIERS + tier]! + lrugen.refaulted[i]!;
    pos.total = lrugen.avgTotal[type * MAX_NR_TIERS + tier]! + lrugen.evicted[i]!;
    if (tier > 0) pos.total += lrugen.protected[(hist * ANON_AND_FILE + type) * (MAX_NR_TIERS - 1) + tier - 1]!;
    pos.gain = gain;
  }

  /** Kernel: `reset_ctrl_pos()`: on min_seq++ folds the counters into the averages (halving); on max_seq++ nothing with NR_HIST_GENS 1. */
  private resetCtrlPos(lrugen: LruGenFolio, type: number, carryover: boolean): void {
    const clear = carryover; // NR_HIST_GENS == 1
    if (!carryover && !clear) return;
    const seq = carryover ? lrugen.minSeq[type]! : lrugen.maxSeq + 1;
    const hist = lruHistFromSeq(seq);
    for (let tier = 0; tier < MAX_NR_TIERS; tier++) {
      const i = histTypeTier(hist, type, tier);
      const a = type * MAX_NR_TIERS + tier;
      const p = (hist * ANON_AND_FILE + type) * (MAX_NR_TIERS - 1) + tier - 1;
      if (carryover) {
        lrugen.avgRefaulted[a] = Math.floor((lrugen.avgRefaulted[a]! + lrugen.refaulted[i]!) / 2);
        let sum = lrugen.avgTotal[a]! + lrugen.evicted[i]!;
        if (tier > 0) sum += lrugen.protected[p]!;
        lrugen.avgTotal[a] = Math.floor(sum / 2);
      }
      if (clear) {
        lrugen.refaulted[i] = 0;
        lrugen.evicted[i] = 0;
        if (tier > 0) lrugen.protected[p] = 0;
      }
    }
  }

  /** The last tier of `type` to evict: tiers whose refault rate exceeds tier 0's (gain 1:2) are protected. Kernel: `get_tier_idx()`. */
  getTierIdx(lrugen: LruGenFolio, type: number): number {
    this.readCtrlPos(lrugen, type, 0, 1, this.sp);
    let tier = 1;
    for (; tier < MAX_NR_TIERS; tier++) {
      this.readCtrlPos(lrugen, type, tier, 2, this.pv);
      if (!positiveCtrlErr(this.sp, this.pv)) break;
    }
    return tier - 1;
  }

  /**
   * Which type to evict (tier 0 of anon vs file, weighed by swappiness : 200 - swappiness) and the
   * last tier of it to evict. Kernel: `get_type_to_scan()`. @returns [type, tier_idx]
   */
  getTypeToScan(lrugen: LruGenFolio, swappiness: number): [type: number, tierIdx: number] {
    const gain0 = swappiness;
    const gain1 = 200 - swappiness;
    this.readCtrlPos(lrugen, LRU_GEN_ANON, 0, gain0, this.sp);
    this.readCtrlPos(lrugen, LRU_GEN_FILE, 0, gain1, this.pv);
    const type = positiveCtrlErr(this.sp, this.pv) ? 1 : 0;
    const other = 1 - type;
    this.readCtrlPos(lrugen, other, 0, other === 0 ? gain0 : gain1, this.sp);
    let tier = 1;
    for (; tier < MAX_NR_TIERS; tier++) {
      this.readCtrlPos(lrugen, type, tier, type === 0 ? gain0 : gain1, this.pv);
      if (!positiveCtrlErr(this.sp, this.pv)) break;
    }
    return [type, tier - 1];
  }

  // ----------------------------------------------------------------------------- the aging

  /** Kernel: `folio_update_gen()`: promotes a page accessed through page tables (the list move waits for sort_folio). @returns the old gen, -1 if isolated */
  private folioUpdateGen(page: number, gen: number): number {
    const mem = this.mem;
    const f = mem.flags[page]!;
    if ((f & LRU_GEN_MASK) === 0) { // lru_gen_del_folio() has isolated this page? for shrink_folio_list()
      mem.flags[page] = f | (1 << PG_referenced);
      return -1;
    }
    mem.flags[page] = ((f & ~(LRU_GEN_MASK | LRU_REFS_MASK | LRU_REFS_FLAGS)) | ((gen + 1) << LRU_GEN_PGOFF)) >>> 0;
    return ((f & LRU_GEN_MASK) >>> LRU_GEN_PGOFF) - 1;
  }

  /** Kernel: `folio_inc_gen()`: to min_seq + 1 (refs cleared), PG_reclaim when reclaiming. @returns the new gen */
  private folioIncGen(lrugen: LruGenFolio, page: number, reclaiming: boolean): number {
    const mem = this.mem;
    const type = this.typeOf(page);
    const oldGen = lruGenFromSeq(lrugen.minSeq[type]!);
    const f = mem.flags[page]!;
    const cur = ((f & LRU_GEN_MASK) >>> LRU_GEN_PGOFF) - 1;
    if (cur >= 0 && cur !== oldGen) return cur; // folio_update_gen() has promoted this page?
    const newGen = (oldGen + 1) % MAX_NR_GENS;
    let nf = (f & ~(LRU_GEN_MASK | LRU_REFS_MASK | LRU_REFS_FLAGS)) | ((newGen + 1) << LRU_GEN_PGOFF);
    if (reclaiming) nf |= 1 << PG_reclaim; // for folio_end_writeback()
    mem.flags[page] = nf >>> 0;
    this.lruGenUpdateSize(lrugen, page, oldGen, newGen);
    return newGen;
  }

  /** Kernel: `update_batch_size()`. */
  private updateBatchSize(lrugen: LruGenFolio, page: number, oldGen: number, newGen: number): void {
    const type = this.typeOf(page);
    const zone = pageZonenum(this.mem, page);
    const delta = this.nrPagesOf(page);
    lrugen.walkBatched++;
    lrugen.walkNrPages[genTypeZone(oldGen, type, zone)] -= delta;
    lrugen.walkNrPages[genTypeZone(newGen, type, zone)] += delta;
  }

  /** Kernel: `reset_batch_size()`: applies the walk's batched generation moves to nr_pages and NR_LRU_*. */
  private resetBatchSize(lrugen: LruGenFolio): void {
    lrugen.walkBatched = 0;
    for (let gen = 0; gen < MAX_NR_GENS; gen++) {
      for (let type = 0; type < ANON_AND_FILE; type++) {
        for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
          const i = genTypeZone(gen, type, zone);
          const delta = lrugen.walkNrPages[i]!;
          if (delta === 0) continue;
          lrugen.walkNrPages[i] = 0;
          lrugen.nrPages[i] += delta;
          const lru = type * LRU_INACTIVE_FILE + (lrugen.isActive(gen) ? LRU_ACTIVE : 0);
          this.updateLruSizeZone(lrugen, lru, zone, delta);
        }
      }
    }
  }

  /** Kernel: `inc_min_seq()`: moves what is left in min_seq[type] up one generation (at most MAX_LRU_BATCH pages a call). */
  private incMinSeq(lrugen: LruGenFolio, type: number, canSwap: boolean): boolean {
    const mem = this.mem;
    const oldGen = lruGenFromSeq(lrugen.minSeq[type]!);
    if (!(type === LRU_GEN_ANON && !canSwap)) {
      let remaining = MAX_LRU_BATCH;
      for (let zone = 0; zone < MAX_NR_ZONES; zone++) { // prevent cold/hot inversion if force_scan is true
        const head = lrugen.listHead(oldGen, type, zone);
        while (!listEmpty(mem.lruNext, head)) {
          const page = listLast(mem.lruPrev, head);
          const newGen = this.folioIncGen(lrugen, page, false);
          listMoveTail(mem.lruNext, mem.lruPrev, page, lrugen.listHead(newGen, type, zone));
          if (--remaining === 0) return false;
        }
      }
    }
    this.resetCtrlPos(lrugen, type, true);
    lrugen.minSeq[type] = lrugen.minSeq[type]! + 1;
    return true;
  }

  /** Kernel: `try_to_inc_min_seq()`: min_seq[type] past empty generations (anon never ahead of file when swapping). */
  tryToIncMinSeq(lrugen: LruGenFolio, canSwap: boolean): boolean {
    const mem = this.mem;
    const minSeq0 = lrugen.minSeq[0]!;
    const minSeq = [minSeq0, lrugen.minSeq[1]!];
    let success = false;
    for (let type = canSwap ? 0 : 1; type < ANON_AND_FILE; type++) {
      next: while (minSeq[type]! + MIN_NR_GENS <= lrugen.maxSeq) {
        const gen = lruGenFromSeq(minSeq[type]!);
        for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
          if (!listEmpty(mem.lruNext, lrugen.listHead(gen, type, zone))) break next;
        }
        minSeq[type]!++;
      }
    }
    if (canSwap) { // see the comment on lru_gen_folio
      minSeq[LRU_GEN_ANON] = Math.min(minSeq[LRU_GEN_ANON]!, minSeq[LRU_GEN_FILE]!);
      minSeq[LRU_GEN_FILE] = Math.max(minSeq[LRU_GEN_ANON]!, lrugen.minSeq[LRU_GEN_FILE]!);
    }
    for (let type = canSwap ? 0 : 1; type < ANON_AND_FILE; type++) {
      if (minSeq[type] === lrugen.minSeq[type]) continue;
      this.resetCtrlPos(lrugen, type, true);
      lrugen.minSeq[type] = minSeq[type]!;
      success = true;
    }
    return success;
  }

  /** Kernel: `inc_max_seq()`: a new youngest generation (the oldest is folded first when all MAX_NR_GENS are in use). */
  private incMaxSeq(lrugen: LruGenFolio, canSwap: boolean): void {
    for (let type = ANON_AND_FILE - 1; type >= 0; type--) {
      if (lrugen.getNrGens(type) !== MAX_NR_GENS) continue;
      while (!this.incMinSeq(lrugen, type, canSwap)) { /* cond_resched() between batches */ }
    }
    // the active/inactive LRU sizes, for compatibility: max_seq - 1 becomes inactive, max_seq + 1 active
    const prev = lruGenFromSeq(lrugen.maxSeq - 1);
    const next = lruGenFromSeq(lrugen.maxSeq + 1);
    for (let type = 0; type < ANON_AND_FILE; type++) {
      for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
        const lru = type * LRU_INACTIVE_FILE;
        const delta = lrugen.nrPages[genTypeZone(prev, type, zone)]! - lrugen.nrPages[genTypeZone(next, type, zone)]!;
        if (delta === 0) continue;
        this.updateLruSizeZone(lrugen, lru, zone, delta);
        this.updateLruSizeZone(lrugen, lru + LRU_ACTIVE, zone, -delta);
      }
    }
    for (let type = 0; type < ANON_AND_FILE; type++) this.resetCtrlPos(lrugen, type, false);
    lrugen.timestamps[next] = this.jiffies();
    lrugen.maxSeq++;
  }

  /**
   * Kernel: `try_to_inc_max_seq()`. Without a hardware access flag (arch_has_hw_pte_young() false)
   * it takes the no-walk path: iterate_mm_list_nowalk, then inc_max_seq.
   * @returns false when another aging got there first (max_seq moved on)
   */
  tryToIncMaxSeq(lrugen: LruGenFolio, maxSeq: number, canSwap: boolean, _forceScan: boolean): boolean {
    if (maxSeq <= lrugen.mmStateSeq) return false; // see the comment in iterate_mm_list()
    // iterate_mm_list_nowalk(): the mm_state iteration ends at once
    lrugen.mmStateSeq++;
    this.incMaxSeq(lrugen, canSwap);
    return true;
  }

  // ----------------------------------------------------------------------------- working set protection

  /** Kernel: `lruvec_is_sizable()` (root memcg: online, so total >> priority). */
  private lruvecIsSizable(lrugen: LruGenFolio, sc: ScanControl): boolean {
    const canSwap = this.getSwappiness(lrugen, sc) !== 0;
    let total = 0;
    for (let type = canSwap ? 0 : 1; type < ANON_AND_FILE; type++) {
      for (let seq = lrugen.minSeq[type]!; seq <= lrugen.maxSeq; seq++) {
        const gen = lruGenFromSeq(seq);
        for (let zone = 0; zone < MAX_NR_ZONES; zone++) total += Math.max(lrugen.nrPages[genTypeZone(gen, type, zone)]!, 0);
      }
    }
    return Math.floor(total / 2 ** sc.priority) !== 0;
  }

  /** Kernel: `lruvec_is_reclaimable()`: the oldest file generation is older than min_ttl and the lruvec is sizable. */
  private lruvecIsReclaimable(lrugen: LruGenFolio, sc: ScanControl, minTtl: number): boolean {
    const gen = lruGenFromSeq(lrugen.minSeq[LRU_GEN_FILE]!);
    const birth = lrugen.timestamps[gen]!;
    if (birth + minTtl > this.jiffies()) return false; // time_is_after_jiffies(birth + min_ttl)
    return this.lruvecIsSizable(lrugen, sc);
  }

  /**
   * kswapd's aging: with min_ttl_ms set, when no lruvec's oldest generation is older than min_ttl
   * (or none is big enough), 6.1 calls out_of_memory() to protect the working set; here
   * `oomRequested` is raised for the host. Kernel: `lru_gen_age_node()`.
   */
  ageNode(nid: number, sc: ScanControl): void {
    const minTtl = this.minTtl;
    if (minTtl === 0 || sc.order !== 0 || sc.priority === DEF_PRIORITY) return; // check the order to exclude compaction-induced reclaim
    if (this.lruvecIsReclaimable(this.lruvecs[nid]!, sc, minTtl)) return;
    this.oomRequested = true;
    this.oomGfpMask = sc.gfpMask;
    this.nrOomRequests++;
  }

  /** The host ran its OOM handling for `oomRequested`. */
  clearOomRequest(): void {
    this.oomRequested = false;
  }

  // ----------------------------------------------------------------------------- rmap feedback

  /**
   * lru_gen_look_around's work on one young PTE's page, called by the host's folio_referenced_one
   * for each present, young PTE within the look-around window (MIN_LRU_BATCH pages of the PMD and
   * VMA around the young PTE of the page under reclaim, VM_SPECIAL VMAs excluded), before it
   * clears that PTE's young bit. Returns false for a page get_pfn_folio() skips (another node or
   * memcg than `refPage`'s; an anon page while kswapd's walk cannot swap): leave its PTE young.
   * In kswapd the page's generation is raised to max_seq (folio_update_gen, batched); in direct
   * reclaim it is activated (folio_activate), and an isolated page gets PG_referenced.
   * Kernel: the loop body of `lru_gen_look_around()` after `get_pfn_folio()`.
   */
  lookAroundFolio(refPage: number, page: number): boolean {
    const nid = this.host.pageNid(refPage);
    if (this.host.pageNid(page) !== nid || this.mem.memcg[page] !== this.mem.memcg[refPage]) return false;
    const canSwap = !this.walk || this.walkCanSwap;
    if (this.typeOf(page) === LRU_GEN_ANON && !canSwap) return false; // file VMAs can contain anon pages from COW
    const lrugen = this.lruvecs[nid]!;
    const newGen = lruGenFromSeq(lrugen.maxSeq);
    if (this.walk) {
      const oldGen = this.folioUpdateGen(page, newGen);
      if (oldGen >= 0 && oldGen !== newGen) this.updateBatchSize(lrugen, page, oldGen, newGen);
      return true;
    }
    const oldGen = folioLruGen(this.mem.flags, page);
    if (oldGen < 0) this.set(page, PG_referenced);
    else if (oldGen !== newGen && this.test(page, PG_lru)) this.activate(page);
    return true;
  }

  // ----------------------------------------------------------------------------- the eviction

  /** Kernel: `sort_folio()`: pages that must not be evicted now move to their place. @returns true when sorted */
  private sortFolio(lrugen: LruGenFolio, page: number, tierIdx: number): boolean {
    const mem = this.mem;
    const gen = folioLruGen(mem.flags, page);
    const type = this.typeOf(page);
    const zone = pageZonenum(mem, page);
    const delta = this.nrPagesOf(page);
    const refs = folioLruRefs(mem.flags, page);
    const tier = lruTierFromRefs(refs);
    if (!this.host.folioEvictable(page)) { // unevictable
      this.lruGenDelFolio(lrugen, page, true);
      this.set(page, PG_unevictable);
      this.lruvecAddFolio(lrugen, page, false);
      this.vmstat.countVmEvents(UNEVICTABLE_PGCULLED, delta);
      return true;
    }
    if (type === LRU_GEN_FILE && this.folioAnon(page) && this.test(page, PG_dirty)) { // dirty lazyfree
      this.lruGenDelFolio(lrugen, page, true);
      this.set(page, PG_swapbacked);
      this.lruvecAddFolio(lrugen, page, true);
      return true;
    }
    if (gen !== lruGenFromSeq(lrugen.minSeq[type]!)) { // promoted
      listMove(mem.lruNext, mem.lruPrev, page, lrugen.listHead(gen, type, zone));
      return true;
    }
    if (tier > tierIdx || refs === MAX_REFS) { // protected
      const hist = lruHistFromSeq(lrugen.minSeq[type]!);
      const newGen = this.folioIncGen(lrugen, page, false);
      listMoveTail(mem.lruNext, mem.lruPrev, page, lrugen.listHead(newGen, type, zone));
      lrugen.protected[(hist * ANON_AND_FILE + type) * (MAX_NR_TIERS - 1) + tier - 1] += delta;
      this.vmstat.modNodePageState(lrugen.nid, WORKINGSET_ACTIVATE_BASE + type, delta);
      return true;
    }
    if (this.test(page, PG_locked) || this.test(page, PG_writeback) || (type === LRU_GEN_FILE && this.test(page, PG_dirty))) { // waiting for writeback
      const newGen = this.folioIncGen(lrugen, page, true);
      listMove(mem.lruNext, mem.lruPrev, page, lrugen.listHead(newGen, type, zone));
      return true;
    }
    return false;
  }

  /** Kernel: `isolate_folio()`: takes a reference and the page off its generation (PG_lru, PG_referenced, PG_reclaim cleared). */
  private isolateFolio(lrugen: LruGenFolio, page: number, sc: ScanControl): boolean {
    const mem = this.mem;
    const f = mem.flags[page]!;
    if ((sc.gfpMask & __GFP_IO) === 0 && ((f & (1 << PG_dirty)) !== 0 || (this.folioAnon(page) && (f & (1 << PG_swapcache)) === 0))) return false; // swapping inhibited
    if (mem.refcount[page]! <= 0) return false; // raced with release_pages()
    if ((f & (1 << PG_lru)) === 0) return false; // raced with another isolation
    mem.refcount[page]!++;
    let nf = f & ~(1 << PG_lru);
    if ((nf & (1 << PG_referenced)) === 0) nf &= ~(LRU_REFS_MASK | LRU_REFS_FLAGS); // see the comment on MAX_NR_TIERS
    nf &= ~((1 << PG_reclaim) | (1 << PG_referenced)); // for shrink_folio_list()
    mem.flags[page] = nf >>> 0;
    this.lruGenDelFolio(lrugen, page, true);
    return true;
  }

  /** Kernel: `scan_folios()`: sorts or isolates pages of min_seq[type], highest eligible zone first. @returns pages scanned (0: none isolated) */
  private scanFolios(lrugen: LruGenFolio, sc: ScanControl, type: number, tier: number, list: number): number {
    const mem = this.mem;
    let sorted = 0;
    let scanned = 0;
    let isolated = 0;
    let remaining = MAX_LRU_BATCH;
    if (lrugen.getNrGens(type) === MIN_NR_GENS) return 0;
    const gen = lruGenFromSeq(lrugen.minSeq[type]!);
    const moved = lrugen.heads + LIST_MOVED;
    for (let zone = sc.reclaimIdx; zone >= 0; zone--) {
      let skipped = 0;
      const head = lrugen.listHead(gen, type, zone);
      while (!listEmpty(mem.lruNext, head)) {
        const page = listLast(mem.lruPrev, head);
        const delta = this.nrPagesOf(page);
        scanned += delta;
        if (this.sortFolio(lrugen, page, tier)) sorted += delta;
        else if (this.isolateFolio(lrugen, page, sc)) {
          listAdd(mem.lruNext, mem.lruPrev, page, list);
          isolated += delta;
        } else {
          listMove(mem.lruNext, mem.lruPrev, page, moved);
          skipped += delta;
        }
        if (--remaining === 0 || Math.max(isolated, skipped) >= MIN_LRU_BATCH) break;
      }
      if (skipped !== 0) {
        listSpliceInit(mem.lruNext, mem.lruPrev, moved, head);
        this.vmstat.countVmEvents(PGSCAN_SKIP_DMA + zone, skipped);
      }
      if (remaining === 0 || isolated >= MIN_LRU_BATCH) break;
    }
    this.vmstat.countVmEvents(sc.isKswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, isolated);
    this.vmstat.countVmEvents(PGREFILL, sorted);
    this.vmstat.countVmEvents(PGSCAN_ANON + type, isolated);
    // there might not be eligible folios due to reclaim_idx: check remaining to prevent livelock
    return isolated !== 0 || remaining === 0 ? scanned : 0;
  }

  /** Kernel: `isolate_folios()`. @returns [scanned, type scanned] */
  private isolateFolios(lrugen: LruGenFolio, sc: ScanControl, swappiness: number, list: number): [number, number] {
    let type: number;
    let tier = -1;
    let scanned = 0;
    // the obvious choice first; with both types in one generation swappiness 1 means file, 200 anon
    if (swappiness === 0) type = LRU_GEN_FILE;
    else if (lrugen.minSeq[LRU_GEN_ANON]! < lrugen.minSeq[LRU_GEN_FILE]!) type = LRU_GEN_ANON;
    else if (swappiness === 1) type = LRU_GEN_FILE;
    else if (swappiness === 200) type = LRU_GEN_ANON;
    else [type, tier] = this.getTypeToScan(lrugen, swappiness);
    for (let i = swappiness === 0 ? 1 : 0; i < ANON_AND_FILE; i++) {
      if (tier < 0) tier = this.getTierIdx(lrugen, type);
      scanned = this.scanFolios(lrugen, sc, type, tier, list);
      if (scanned !== 0) break;
      type = 1 - type;
      tier = -1;
    }
    return [scanned, type];
  }

  /**
   * Kernel: `evict_folios()`: isolates a batch of the oldest generation, has the host's
   * shrink_folio_list reclaim it, puts the rest back (rejected pages not to the oldest
   * generation) and retries once the clean pages that may have missed folio_rotate_reclaimable().
   * @returns pages scanned (0: stop)
   */
  evictFolios(lrugen: LruGenFolio, sc: ScanControl, swappiness: number): number {
    const mem = this.mem;
    const host = this.host;
    const list = lrugen.heads + LIST_ISOLATED;
    const clean = lrugen.heads + LIST_CLEAN;
    const [isolatedScan, type] = this.isolateFolios(lrugen, sc, swappiness, list);
    let scanned = isolatedScan + (this.tryToIncMinSeq(lrugen, swappiness !== 0) ? 1 : 0);
    if (lrugen.getNrGens(swappiness === 0 ? 1 : 0) === MIN_NR_GENS) scanned = 0;
    if (listEmpty(mem.lruNext, list)) return scanned;
    let skipRetry = false;
    for (;;) {
      const stat = this.stat.reset();
      const reclaimed = host.shrinkFolioList(list, lrugen.nid, sc, stat);
      sc.nrReclaimed += reclaimed;
      // list_for_each_entry_safe_reverse
      for (let page = mem.lruPrev[list]!; page !== list;) {
        const prev = mem.lruPrev[page]!;
        const f = mem.flags[page]!;
        if (!host.folioEvictable(page)) {
          listDel(mem.lruNext, mem.lruPrev, page);
          this.folioPutbackLru(lrugen, page);
        } else if ((f & (1 << PG_reclaim)) !== 0 && (f & ((1 << PG_dirty) | (1 << PG_writeback))) !== 0) {
          if ((f & (1 << PG_workingset)) !== 0) mem.flags[page] = f | (1 << PG_referenced); // restore LRU_REFS_FLAGS cleared by isolate_folio()
        } else if (skipRetry || (f & ((1 << PG_active) | (1 << PG_referenced) | (1 << PG_locked) | (1 << PG_dirty) | (1 << PG_writeback))) !== 0 || this.folioMapped(page)) {
          mem.flags[page] = ((f & ~(LRU_REFS_MASK | LRU_REFS_FLAGS)) | (1 << PG_active)) >>> 0; // don't add rejected folios to the oldest generation
        } else {
          listMove(mem.lruNext, mem.lruPrev, page, clean); // retry folios that may have missed folio_rotate_reclaimable()
        }
        page = prev;
      }
      this.moveFoliosToLru(lrugen, list);
      if (this.walk && lrugen.walkBatched !== 0) this.resetBatchSize(lrugen);
      this.vmstat.countVmEvents(sc.isKswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, reclaimed);
      this.vmstat.countVmEvents(PGSTEAL_ANON + type, reclaimed);
      if (!listEmpty(mem.lruNext, list)) {
        if (host.freeUnrefPageList === undefined) {
          throw new MmBugError("reclaim.mglru.evict_folios", `pages lost their last reference while isolated on node ${lrugen.nid} and the host offers no freeUnrefPageList to free them`);
        }
        host.freeUnrefPageList(list);
      }
      if (listEmpty(mem.lruNext, clean)) break;
      listSpliceInit(mem.lruNext, mem.lruPrev, clean, list);
      skipRetry = true;
    }
    return scanned;
  }

  /**
   * Kernel: `folio_putback_lru()` of an isolated page that became unevictable (lru_add_fn's
   * culling, then folio_put of the isolation reference); a page whose last reference that was goes
   * to the lruvec's free list (LIST_MOVED) for move_folios_to_lru's caller.
   */
  private folioPutbackLru(lrugen: LruGenFolio, page: number): void {
    const mem = this.mem;
    if (--mem.refcount[page]! === 0) {
      this.clear(page, PG_active);
      this.clear(page, PG_unevictable);
      listAdd(mem.lruNext, mem.lruPrev, page, lrugen.heads + LIST_MOVED);
      return;
    }
    this.clear(page, PG_active);
    if (!this.test(page, PG_unevictable)) {
      this.set(page, PG_unevictable);
      this.vmstat.countVmEvents(UNEVICTABLE_PGCULLED, this.nrPagesOf(page));
    }
    this.set(page, PG_lru);
    this.lruvecAddFolio(lrugen, page, false);
  }

  /**
   * Kernel: `move_folios_to_lru()`: puts the pages on `list` back and drops the isolation
   * reference; the pages whose last reference that was are left on `list` for freeing.
   */
  private moveFoliosToLru(lrugen: LruGenFolio, list: number): void {
    const mem = this.mem;
    const toFree = lrugen.heads + LIST_MOVED;
    while (!listEmpty(mem.lruNext, list)) {
      const page = listLast(mem.lruPrev, list);
      listDel(mem.lruNext, mem.lruPrev, page);
      if (!this.host.folioEvictable(page)) {
        this.folioPutbackLru(lrugen, page);
        continue;
      }
      if (--mem.refcount[page]! === 0) {
        this.clear(page, PG_active); // __folio_clear_lru_flags
        this.clear(page, PG_unevictable);
        listAdd(mem.lruNext, mem.lruPrev, page, toFree);
        continue;
      }
      this.set(page, PG_lru);
      this.lruvecAddFolio(lrugen, page, false);
    }
    listSpliceInit(mem.lruNext, mem.lruPrev, toFree, list);
  }

  /** Kernel: `should_run_aging()`. @returns [run aging, nr_to_scan] */
  private shouldRunAging(lrugen: LruGenFolio, maxSeq: number, sc: ScanControl, canSwap: boolean): [boolean, number] {
    const first = canSwap ? 0 : 1;
    if (lrugen.minSeq[first]! + MIN_NR_GENS > maxSeq) return [true, 0]; // completely out of cold folios
    let old = 0;
    let young = 0;
    let total = 0;
    for (let type = first; type < ANON_AND_FILE; type++) {
      for (let seq = lrugen.minSeq[type]!; seq <= maxSeq; seq++) {
        const gen = lruGenFromSeq(seq);
        let size = 0;
        for (let zone = 0; zone < MAX_NR_ZONES; zone++) size += Math.max(lrugen.nrPages[genTypeZone(gen, type, zone)]!, 0);
        total += size;
        if (seq === maxSeq) young += size;
        else if (seq + MIN_NR_GENS === maxSeq) old += size;
      }
    }
    const nrToScan = Math.floor(total / 2 ** sc.priority);
    // the ideal number of generations is MIN_NR_GENS + 1
    if (lrugen.minSeq[first]! + MIN_NR_GENS < maxSeq) return [false, nrToScan];
    // and 1/(MIN_NR_GENS + 1) of the pages in each: between 1/MIN_NR_GENS and 1/(MIN_NR_GENS + 2)
    if (young * MIN_NR_GENS > total) return [true, nrToScan];
    if (old * (MIN_NR_GENS + 2) < total) return [true, nrToScan];
    return [false, nrToScan];
  }

  /** Kernel: `get_nr_to_scan()`. @returns pages to scan, 0 to stop, -1 after a successful aging */
  private getNrToScan(lrugen: LruGenFolio, sc: ScanControl, canSwap: boolean): number {
    const maxSeq = lrugen.maxSeq;
    const [aging, nrToScan] = this.shouldRunAging(lrugen, maxSeq, sc, canSwap);
    if (!aging) return nrToScan;
    if (sc.priority === DEF_PRIORITY) return nrToScan; // skip the aging path at the default priority
    return this.tryToIncMaxSeq(lrugen, maxSeq, canSwap, false) ? -1 : 0; // low on cold folios
  }

  /** Kernel: `get_swappiness()`: 0 when anon pages cannot be reclaimed (no swap, or fewer than MIN_LRU_BATCH free slots). */
  getSwappiness(lrugen: LruGenFolio, sc: ScanControl): number {
    if (!sc.maySwap) return 0;
    const host = this.host;
    if (host.getNrSwapPages !== undefined ? host.getNrSwapPages() < MIN_LRU_BATCH : !host.canReclaimAnonPages(lrugen.nid, sc)) return 0;
    return host.swappiness;
  }

  /** Kernel: `try_to_shrink_lruvec()`. @returns whether try_to_inc_max_seq() succeeded */
  private tryToShrinkLruvec(lrugen: LruGenFolio, sc: ScanControl): boolean {
    const nrToReclaim = Math.max(sc.nrToReclaim, 2 << sc.order); // get_nr_to_reclaim: compact_gap(order)
    let swappiness = this.getSwappiness(lrugen, sc);
    if (swappiness !== 0 && (sc.gfpMask & __GFP_IO) === 0) swappiness = 1; // clean file folios are more likely to exist
    let scanned = 0;
    let nrToScan: number;
    for (;;) {
      nrToScan = this.getNrToScan(lrugen, sc, swappiness !== 0);
      if (nrToScan <= 0) break;
      const delta = this.evictFolios(lrugen, sc, swappiness);
      if (delta === 0) break;
      scanned += delta;
      if (scanned >= nrToScan) break;
      if (sc.nrReclaimed >= nrToReclaim) break;
    }
    return nrToScan < 0;
  }

  /** Kernel: `set_initial_priority()`: starts at the priority whose scan of the inactive pages would meet nr_to_reclaim. */
  private setInitialPriority(lrugen: LruGenFolio, sc: ScanControl): void {
    if (sc.priority !== DEF_PRIORITY || sc.nrToReclaim < MIN_LRU_BATCH) return;
    let reclaimable = this.vmstat.nodePageState(lrugen.nid, NR_LRU_BASE + LRU_INACTIVE_FILE);
    if (this.getSwappiness(lrugen, sc) !== 0) reclaimable += this.vmstat.nodePageState(lrugen.nid, NR_LRU_BASE);
    reclaimable = Math.floor(reclaimable / MEMCG_NR_GENS);
    const priority = flsLong(reclaimable) - 1 - flsLong(sc.nrToReclaim - 1); // round down reclaimable and round up nr_to_reclaim
    sc.priority = Math.min(Math.max(priority, 0), DEF_PRIORITY);
  }

  /**
   * The node's share of a global reclaim pass. Kernel: `lru_gen_shrink_node()` → `shrink_one()` →
   * `try_to_shrink_lruvec()` (shrink_slab, lru_add_drain and kswapd_failures are the host's).
   */
  shrinkLruvec(nid: number, sc: ScanControl): void {
    if (!sc.mayWritepage || !sc.mayUnmap) return; // unmapped clean folios are already prioritized
    const lrugen = this.lruvecs[nid]!;
    this.walk = sc.isKswapd || sc.proactive; // set_mm_walk(pgdat, sc->proactive)
    this.walkCanSwap = false;
    try {
      this.setInitialPriority(lrugen, sc);
      const reclaimed = sc.nrReclaimed;
      if (sc.isKswapd) sc.nrReclaimed = 0;
      if (this.lruvecIsSizable(lrugen, sc)) this.tryToShrinkLruvec(lrugen, sc); // shrink_one
      if (sc.isKswapd) sc.nrReclaimed += reclaimed;
    } finally {
      this.walk = false; // clear_mm_walk()
    }
  }

  // ----------------------------------------------------------------------------- debugfs commands

  /** Kernel: `run_aging()`. @returns 0 or a negative errno */
  runAging(lrugen: LruGenFolio, seq: number, canSwap: boolean, forceScan: boolean): number {
    const maxSeq = lrugen.maxSeq;
    if (seq < maxSeq) return 0;
    if (seq > maxSeq) return -22;
    if (!forceScan && lrugen.minSeq[canSwap ? 0 : 1]! + MAX_NR_GENS - 1 <= maxSeq) return -34;
    this.tryToIncMaxSeq(lrugen, maxSeq, canSwap, forceScan);
    return 0;
  }

  /** Kernel: `run_eviction()`. @returns 0 or a negative errno */
  runEviction(lrugen: LruGenFolio, seq: number, sc: ScanControl, swappiness: number, nrToReclaim: number): number {
    if (seq + MIN_NR_GENS > lrugen.maxSeq) return -22;
    sc.nrReclaimed = 0;
    this.walk = true; // lru_gen_seq_write: set_mm_walk(NULL, true)
    this.walkCanSwap = false;
    try {
      for (;;) {
        if (seq < lrugen.minSeq[swappiness === 0 ? 1 : 0]!) return 0;
        if (sc.nrReclaimed >= nrToReclaim) return 0;
        if (this.evictFolios(lrugen, sc, swappiness) === 0) return 0;
      }
    } finally {
      this.walk = false;
    }
  }

  // ----------------------------------------------------------------------------- workingset

  /**
   * The shadow of a page being reclaimed: the eviction token (min_seq << LRU_REFS_WIDTH | refs - 1)
   * packed with memcg id and node as pack_shadow() does, the workingset bit meaning refs > 0
   * (before xa_mk_value). Counts the page as evicted from its tier. Kernel: `lru_gen_eviction()`.
   */
  eviction(page: number): number {
    const type = this.typeOf(page);
    const delta = this.nrPagesOf(page);
    const refs = folioLruRefs(this.mem.flags, page);
    const tier = lruTierFromRefs(refs);
    const nid = this.host.pageNid(page);
    const lrugen = this.lruvecs[nid]!;
    const minSeq = lrugen.minSeq[type]!;
    const token = minSeq * MAX_REFS + Math.max(refs - 1, 0);
    lrugen.evicted[histTypeTier(lruHistFromSeq(minSeq), type, tier)] += delta;
    return packShadow(this.memcgId(page), nid, token, refs !== 0);
  }

  /**
   * A page came back where its shadow was: counts WORKINGSET_REFAULT and the refault of its tier
   * when it was evicted from the current oldest generation; a refault in a page fault, or of a
   * page read at least three times, is a stall (WORKINGSET_RESTORE, PG_workingset and the refs
   * counter set). Kernel: `lru_gen_refault()`.
   */
  refault(page: number, shadow: number): void {
    const s = unpackShadow(shadow);
    const nid = this.host.pageNid(page);
    if (s.nid !== nid) return;
    if (s.memcgId !== this.memcgId(page)) return;
    const type = this.typeOf(page);
    const delta = this.nrPagesOf(page);
    const lrugen = this.lruvecs[nid]!;
    const minSeq = lrugen.minSeq[type]!;
    if (Math.floor(s.token / MAX_REFS) !== minSeq % (EVICTION_RANGE / MAX_REFS)) return;
    const hist = lruHistFromSeq(minSeq);
    const refs = (s.token % MAX_REFS) + (s.workingset ? 1 : 0); // see the comment in folio_lru_refs()
    const tier = lruTierFromRefs(refs);
    lrugen.refaulted[histTypeTier(hist, type, tier)] += delta;
    this.vmstat.modNodePageState(nid, WORKINGSET_REFAULT_BASE + type, delta);
    if (this.host.inLruFault === true || refs >= MAX_REFS - 1) {
      this.mem.flags[page] = (this.mem.flags[page]! | LRU_REFS_MASK | (1 << PG_workingset)) >>> 0;
      this.vmstat.modNodePageState(nid, WORKINGSET_RESTORE_BASE + type, delta);
    }
  }

  // ----------------------------------------------------------------------------- walks, checks, text

  /** Every page on a generation list (not the unevictable ones, which 6.1 keeps on no list). */
  forEachFolio(fn: (page: number) => void): void {
    const mem = this.mem;
    for (const lrugen of this.lruvecs) {
      for (let i = 0; i < MAX_NR_GENS * ANON_AND_FILE * MAX_NR_ZONES; i++) {
        const head = lrugen.heads + i;
        for (let page = mem.lruNext[head]!; page !== head;) {
          const next = mem.lruNext[page]!;
          fn(page);
          page = next;
        }
      }
    }
  }

  /**
   * Checks: every page on a generation list has PG_lru, no PG_active/PG_unevictable, a generation,
   * and the list's type, zone and node; the generations are valid (seq_is_valid); nr_pages per
   * generation/type/zone equals the pages whose flags name it (the lists are sorted lazily, so a
   * promoted page may sit on an older list); the NR_LRU_* counters equal MGLRU's active/inactive
   * split plus the unevictable pages.
   */
  validate(sink: ValidationSink): void {
    const mem = this.mem;
    const count = new Float64Array(MAX_NR_GENS * ANON_AND_FILE * MAX_NR_ZONES);
    for (const lrugen of this.lruvecs) {
      const where = `mglru node ${lrugen.nid}`;
      if (!lrugen.seqIsValid()) sink.report(where, `generations invalid: max_seq ${lrugen.maxSeq}, min_seq ${lrugen.minSeq[0]}/${lrugen.minSeq[1]}`);
      count.fill(0);
      for (let gen = 0; gen < MAX_NR_GENS; gen++) {
        for (let type = 0; type < ANON_AND_FILE; type++) {
          for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
            const head = lrugen.listHead(gen, type, zone);
            let n = 0;
            for (let page = mem.lruNext[head]!; page !== head; page = mem.lruNext[page]!) {
              if (page < 0 || page >= mem.nrPages || ++n > mem.nrPages) {
                sink.report(`${where} lists[${gen}][${type}][${zone}]`, `broken list at slot ${page}`);
                break;
              }
              const f = mem.flags[page]!;
              const g = folioLruGen(mem.flags, page);
              const at = `${where} lists[${gen}][${type}][${zone}] page ${page}`;
              if ((f & (1 << PG_lru)) === 0) sink.report(at, "PG_lru clear on a generation list");
              if ((f & ((1 << PG_active) | (1 << PG_unevictable))) !== 0) sink.report(at, "PG_active or PG_unevictable set on a generation list");
              if (g < 0) sink.report(at, "no generation in its flags");
              if (this.typeOf(page) !== type || pageZonenum(mem, page) !== zone || this.host.pageNid(page) !== lrugen.nid) {
                sink.report(at, `type/zone/node ${this.typeOf(page)}/${pageZonenum(mem, page)}/${this.host.pageNid(page)} differ from the list's`);
              }
              if (g >= 0) count[genTypeZone(g, type, zone)] += this.nrPagesOf(page);
            }
          }
        }
      }
      if (lrugen.walkBatched !== 0) continue; // nr_pages waits for reset_batch_size()
      const lruSize = new Float64Array(5);
      for (let gen = 0; gen < MAX_NR_GENS; gen++) {
        for (let type = 0; type < ANON_AND_FILE; type++) {
          for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
            const i = genTypeZone(gen, type, zone);
            if (count[i] !== lrugen.nrPages[i]) sink.report(`${where} nr_pages[${gen}][${type}][${zone}]`, `${lrugen.nrPages[i]} but ${count[i]} pages have that generation`);
            lruSize[type * LRU_INACTIVE_FILE + (lrugen.isActive(gen) ? LRU_ACTIVE : 0)] += lrugen.nrPages[i]!;
          }
        }
      }
      lruSize[LRU_UNEVICTABLE] = lrugen.nrUnevictable;
      for (let lru = 0; lru <= LRU_UNEVICTABLE; lru++) {
        const v = this.vmstat.nodePageState(lrugen.nid, NR_LRU_BASE + lru);
        if (v !== lruSize[lru]) sink.report(`${where} NR_LRU_BASE + ${lru}`, `counter ${v}, generations hold ${lruSize[lru]}`);
      }
    }
  }

  /** /sys/kernel/debug/lru_gen's text. Kernel: `lru_gen_seq_show()`. */
  debugfs(): string {
    return this.seqShow(false);
  }

  /** /sys/kernel/debug/lru_gen_full's text (tiers and walker statistics per generation). */
  debugfsFull(): string {
    return this.seqShow(true);
  }

  /** Kernel: `lru_gen_seq_show()` for every node of the root memcg (path "/", id 1). */
  private seqShow(full: boolean): string {
    let out = "";
    const now = this.jiffies();
    for (const lrugen of this.lruvecs) {
      if (lrugen.nid === 0) out += `memcg ${pad(1, 5)} /\n`;
      out += ` node ${pad(lrugen.nid, 5)}\n`;
      const maxSeq = lrugen.maxSeq;
      let seq = !full ? lrugen.minSeq[LRU_GEN_ANON]! : maxSeq >= MAX_NR_GENS ? maxSeq - MAX_NR_GENS + 1 : 0;
      for (; seq <= maxSeq; seq++) {
        const gen = lruGenFromSeq(seq);
        const birth = lrugen.timestamps[gen]!;
        out += ` ${pad(seq, 10)} ${pad(jiffiesToMsecs(now - birth) >>> 0, 10)}`;
        for (let type = 0; type < ANON_AND_FILE; type++) {
          let size = 0;
          for (let zone = 0; zone < MAX_NR_ZONES; zone++) size += Math.max(lrugen.nrPages[genTypeZone(gen, type, zone)]!, 0);
          out += ` ${pad(size, 10)}${full && seq < lrugen.minSeq[type]! ? "x" : " "}`;
        }
        out += "\n";
        if (full) out += this.seqShowFull(lrugen, seq);
      }
    }
    return out;
  }

  /** Kernel: `lru_gen_seq_show_full()`. */
  private seqShowFull(lrugen: LruGenFolio, seq: number): string {
    let out = "";
    const hist = lruHistFromSeq(seq);
    const maxSeq = lrugen.maxSeq;
    for (let tier = 0; tier < MAX_NR_TIERS; tier++) {
      out += `            ${pad(tier, 10)}`;
      for (let type = 0; type < ANON_AND_FILE; type++) {
        let s = "   ";
        let n0 = 0;
        let n1 = 0;
        let n2 = 0;
        if (seq === maxSeq) {
          s = "RT ";
          n0 = lrugen.avgRefaulted[type * MAX_NR_TIERS + tier]!;
          n1 = lrugen.avgTotal[type * MAX_NR_TIERS + tier]!;
        } else if (seq === lrugen.minSeq[type]) { // || NR_HIST_GENS > 1
          s = "rep";
          n0 = lrugen.refaulted[histTypeTier(hist, type, tier)]!;
          n1 = lrugen.evicted[histTypeTier(hist, type, tier)]!;
          if (tier > 0) n2 = lrugen.protected[(hist * ANON_AND_FILE + type) * (MAX_NR_TIERS - 1) + tier - 1]!;
        }
        out += ` ${pad(n0, 10)}${s[0]} ${pad(n1, 10)}${s[1]} ${pad(n2, 10)}${s[2]}`;
      }
      out += "\n";
    }
    out += "                      ";
    for (let i = 0; i < 6; i++) {
      const s = seq === maxSeq ? "LOYNFA" : "      "; // NR_HIST_GENS == 1
      const n = seq === maxSeq ? lrugen.mmStats[hist * 6 + i]! : 0;
      out += ` ${pad(n, 10)}${s[i]}`;
    }
    return out + "\n";
  }
}

/** Right-aligns a number in `width` characters (printf's %Nd / %Nlu / %Nu). */
function pad(n: number, width: number): string {
  return String(n).padStart(width, " ");
}

/** A shadow's fields. Kernel: what `unpack_shadow()` fills in. */
export interface UnpackedShadow {
  memcgId: number;
  nid: number;
  token: number;
  workingset: boolean;
}

/** Kernel: `pack_shadow()` (without xa_mk_value): token (EVICTION_BITS) | memcg id (16) | node (NODES_SHIFT) | workingset (1). */
export function packShadow(memcgId: number, nid: number, token: number, workingset: boolean): number {
  const eviction = token % EVICTION_RANGE;
  const low = ((memcgId & 0xffff) * (1 << NODES_SHIFT) + nid) * 2 + (workingset ? 1 : 0);
  return eviction * SHADOW_LOW + low;
}

/** Kernel: `unpack_shadow()`. */
export function unpackShadow(shadow: number): UnpackedShadow {
  let low = shadow % SHADOW_LOW;
  const token = Math.floor(shadow / SHADOW_LOW);
  const workingset = (low & 1) !== 0;
  low >>>= WORKINGSET_SHIFT;
  const nid = low & ((1 << NODES_SHIFT) - 1);
  const memcgId = low >>> NODES_SHIFT;
  return { memcgId, nid, token, workingset };
}
