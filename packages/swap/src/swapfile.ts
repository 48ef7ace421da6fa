// Kernel: mm/swapfile.c, mm/swap_slots.c (v6.1) — swap areas: swapon/swapoff with priorities, slot allocation (get_swap_pages, scan_swap_map_slots with per-CPU clusters), the swap_map counts (swap_duplicate, swap_free, put_swap_folio, free_swap_and_cache, folio_free_swap), the per-CPU swap slot caches, si_swapinfo
/*
 * One machine's swap (the kernel's globals of swapfile.c and swap_slots.c): swap_info[], the
 * active list and the available list ordered by priority (plists: equal priorities rotate,
 * plist_requeue), nr_swap_pages and total_swap_pages, least_priority (auto-assigned priorities
 * are -2, -3, …), nr_rotate_swap, and the per-CPU slot caches (SWAP_SLOTS_CACHE_SIZE = 64
 * slots to hand out and 64 freed slots to return in batches).
 *
 * Allocation (folio_alloc_swap): the CPU's slot cache, refilled by get_swap_pages(64), which
 * walks the available areas in priority order and scans each with scan_swap_map_slots: a
 * non-rotational area (zram) allocates from the CPU's cluster (a free cluster taken from the
 * head of free_clusters, filled slot by slot), a rotational one looks for a run of
 * SWAPFILE_CLUSTER free slots from lowest_bit and fills it. A slot handed out has
 * SWAP_HAS_CACHE; nr_swap_pages counts it used from then on, also while it sits in a slot cache.
 *
 * Freeing: the last user of a slot (a swap PTE, shmem's entry, the swap cache) leaves
 * SWAP_HAS_CACHE behind; free_swap_slot puts it in the CPU's return cache, and a full cache
 * (64) goes back through swapcache_free_entries → swap_entry_free → swap_range_free, which
 * counts the slots free again and tells the device (zram frees its copy: notify_free).
 *
 * Randomness: per-CPU cluster_next starts at 1 + prandom_u32_max(highest_bit) (wear levelling)
 * and moves to a random 64 MiB trunk when it leaves its own — from the machine's Prandom stream.
 *
 * Simplified: one NUMA node's swap_avail list (a device on the node of the allocating CPU would
 * get list priority 1: no device here has a node); no discard (swapon's discard flags are
 * accepted and shown in the log line, but no discard is issued); no THP swap (arm64 6.1 has no
 * CONFIG_THP_SWAP); no frontswap/zswap; mem cgroup charging is memcg's.
 */
import {
  DEFAULT_RATELIMIT_BURST, DEFAULT_RATELIMIT_INTERVAL, RatelimitState, ENOENT, ENOMEM, EEXIST, EINVAL, EBUSY, EPERM, EINTR, PAGE_SHIFT, PG_swapbacked, PG_swapcache, PG_writeback, PG_dirty, PG_locked,
  type CostModel, type KernelLog, type MemMap, type PageAllocator, type Rng, type SimClock, type SwapOps, type VmStat, type Lru,
  type SwapRaVma, type SwapVmFault, swpEntry, swpOffset, swpType, SWP_OFFSET_MAX,
} from "@mmsim/core";
import type { PteVal } from "@mmsim/hw-arm64";
import type { SwapUnmapHooks } from "@mmsim/rmap";
import { XArray, type Vfs } from "@mmsim/filemap";
import { armSwpEntryToPte } from "./arm64-swap-pte.ts";
import type { SwapBdev } from "./swap-bdev.ts";
import {
  CLUSTER_FLAG_FREE, CLUSTER_NULL, COUNT_CONTINUED, LATENCY_LIMIT, SWAP_ADDRESS_SPACE_PAGES, SWAP_ADDRESS_SPACE_SHIFT, SWAP_BATCH,
  SWAP_CLUSTER_COLS, SWAP_HAS_CACHE, SWAP_MAP_BAD, SWAP_MAP_MAX, SWAP_MAP_SHMEM, SWAPFILE_CLUSTER, SWP_BLKDEV, SWP_DISCARDABLE,
  SWP_PAGE_DISCARD, SWP_AREA_DISCARD, SWP_SOLIDSTATE, SWP_SYNCHRONOUS_IO, SWP_USED, SWP_WRITEOK, SwapInfoStruct, swapCount,
} from "./swap-info.ts";
import type { SwapUnuse } from "./swap-unuse.ts";
import * as swapState from "./swap-state.ts";
import * as pageIo from "./page-io.ts";
import * as swapRa from "./swap-readahead.ts";

/** Kernel: `MAX_SWAPFILES` = 32 − SWP_DEVICE_NUM (4) − SWP_MIGRATION_NUM (3) − SWP_HWPOISON_NUM (1) − SWP_PTE_MARKER_NUM (1) with the reference config. */
export const MAX_SWAPFILES = 23;
/** swapon(2) flags. Kernel: include/linux/swap.h. */
export const SWAP_FLAG_PREFER = 0x8000;
export const SWAP_FLAG_PRIO_MASK = 0x7fff;
export const SWAP_FLAG_PRIO_SHIFT = 0;
export const SWAP_FLAG_DISCARD = 0x10000;
export const SWAP_FLAG_DISCARD_ONCE = 0x20000;
export const SWAP_FLAG_DISCARD_PAGES = 0x40000;
export const SWAP_FLAGS_VALID = SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES;
/** Kernel: `SWAP_SLOTS_CACHE_SIZE` (= SWAP_BATCH). */
export const SWAP_SLOTS_CACHE_SIZE = SWAP_BATCH;
/** Kernel: `THRESHOLD_ACTIVATE_SWAP_SLOTS_CACHE`, `THRESHOLD_DEACTIVATE_SWAP_SLOTS_CACHE` (per online CPU). */
export const THRESHOLD_ACTIVATE_SWAP_SLOTS_CACHE = 5 * SWAP_SLOTS_CACHE_SIZE;
export const THRESHOLD_DEACTIVATE_SWAP_SLOTS_CACHE = 2 * SWAP_SLOTS_CACHE_SIZE;
/** Bound on try_to_unuse's retries without progress (the kernel retries until a signal; see swapoff). */
export const TRY_TO_UNUSE_MAX_RETRIES = 4;

/** One CPU's slot caches. Kernel: `struct swap_slots_cache`. */
export class SwapSlotsCache {
  readonly slots = new Int32Array(SWAP_SLOTS_CACHE_SIZE);
  nr = 0;
  cur = 0;
  readonly slotsRet = new Int32Array(SWAP_SLOTS_CACHE_SIZE);
  nRet = 0;
}

/** What the machine's swap is built over. */
export interface SwapDeps {
  readonly mem: MemMap;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  /** The VFS: page contents, the page references of filemap (folio_put), shmem (shmem_unuse), overcommit (swapoff). */
  readonly vfs: Vfs;
  readonly clock: SimClock;
  readonly cost: CostModel;
  /** prandom for cluster_next (wear levelling). */
  readonly rng: Rng;
  readonly log?: KernelLog | null;
  readonly nrCpus: number;
  /** The LRU (@mmsim/reclaim's), or null where no reclaim module runs. */
  readonly lru?: () => Lru | null;
}

/** The machine's swap. Implements core's SwapOps and rmap's SwapUnmapHooks. */
export class Swap implements SwapOps, SwapUnmapHooks {
  readonly mem: MemMap;
  readonly pages: PageAllocator;
  readonly vmstat: VmStat;
  readonly vfs: Vfs;
  readonly clock: SimClock;
  /** The static ratelimit_state of end_swap_bio_write's / end_swap_bio_read's pr_alert_ratelimited(). */
  readonly writeErrorRs = new RatelimitState(DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
  readonly readErrorRs = new RatelimitState(DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST);
  readonly cost: CostModel;
  readonly rng: Rng;
  readonly log: KernelLog | null;
  readonly nrCpus: number;
  private readonly lruOf: () => Lru | null;
  /** The process side of swapoff (the fault path's); null: no process memory to walk. */
  unuse: SwapUnuse | null = null;

  /** Kernel: `swap_info[]` (nr_swapfiles = its length). */
  readonly swapInfo: SwapInfoStruct[] = [];
  /** Kernel: `swap_active_head` (priority order). */
  readonly active: SwapInfoStruct[] = [];
  /** Kernel: `swap_avail_heads[nid]` (one node's; priority order, equal priorities rotated). */
  readonly avail: SwapInfoStruct[] = [];
  /** Kernel: `nr_swap_pages`. */
  nrSwapPagesVal = 0;
  /** Kernel: `total_swap_pages`. */
  totalSwapPagesVal = 0;
  /** Kernel: `least_priority`. */
  leastPriority = -1;
  /** Kernel: `nr_rotate_swap`. */
  nrRotateSwap = 0;
  /** Kernel: `vm.page-cluster` (`page_cluster`): readahead of 2^n pages. */
  pageCluster = 3;
  /** Kernel: `enable_vma_readahead` (/sys/kernel/mm/swap/vma_ra_enabled). */
  enableVmaReadahead = true;
  /** Kernel: `swapin_readahead_hits` (starts at 4), and swapin_nr_pages' statics. */
  swapinReadaheadHits = 4;
  prevOffset = 0;
  lastReadaheadPages = 0;

  /** Kernel: `swp_slots` (per CPU), `swap_slot_cache_active`, `swap_slot_cache_enabled`, `swap_slot_cache_initialized`. */
  readonly slotsCache: SwapSlotsCache[];
  swapSlotCacheActive = false;
  swapSlotCacheEnabled = false;
  swapSlotCacheInitialized = false;

  /** Devices swapon can name, by path (the zram disks, swap files). */
  readonly devices = new Map<string, SwapBdev>();
  /** __read_swap_cache_async's second result: it allocated a new page (the caller reads it). */
  newPageAllocated = false;
  /** swap_vma_readahead's window (the kernel's on-stack struct vma_swap_readahead). */
  readonly vmaRaInfo = new swapRa.VmaSwapReadahead();
  /** The shadow out-parameter of add_to_swap_cache on swap-in. */
  readonly shadowScratch = new Float64Array(1);
  /** The entries freed by one call (scratch of swapcache_free_entries). */
  private readonly one = new Int32Array(1);

  constructor(deps: SwapDeps) {
    this.mem = deps.mem;
    this.pages = deps.pages;
    this.vmstat = deps.vmstat;
    this.vfs = deps.vfs;
    this.clock = deps.clock;
    this.cost = deps.cost;
    this.rng = deps.rng;
    this.log = deps.log ?? null;
    this.nrCpus = deps.nrCpus;
    this.lruOf = deps.lru ?? (() => null);
    this.slotsCache = Array.from({ length: deps.nrCpus }, () => new SwapSlotsCache());
  }

  /** The LRU, or null. */
  get lru(): Lru | null {
    return this.lruOf();
  }

  /** The running CPU. */
  cpu(): number {
    return this.vfs.current().cpu;
  }

  /** Makes `dev` nameable by swapon. */
  registerDevice(dev: SwapBdev): void {
    this.devices.set(dev.path, dev);
  }

  // ------------------------------------------------------------------ counters

  totalSwapPages(): number {
    return this.totalSwapPagesVal;
  }
  nrSwapPages(): number {
    return this.nrSwapPagesVal;
  }
  /** Kernel: `vm_swap_full()`: less than half the swap free. */
  vmSwapFull(): boolean {
    return this.nrSwapPagesVal * 2 < this.totalSwapPagesVal;
  }

  /**
   * Total and free swap with the slots of areas being swapped off counted in. Kernel: `si_swapinfo()`.
   */
  siSwapinfo(): { totalswap: number; freeswap: number } {
    let nrToBeUnused = 0;
    for (const si of this.swapInfo) if ((si.flags & SWP_USED) !== 0 && (si.flags & SWP_WRITEOK) === 0) nrToBeUnused += si.inusePages;
    return { totalswap: this.totalSwapPagesVal + nrToBeUnused, freeswap: this.nrSwapPagesVal + nrToBeUnused };
  }

  /** The area of an entry, or null. Kernel: `swp_swap_info()` / `get_swap_device()` (without the reference). */
  swpSwapInfo(entry: number): SwapInfoStruct | null {
    const si = this.swapInfo[swpType(entry)];
    if (si === undefined || si.swapMap.length === 0) return null;
    if (swpOffset(entry) >= si.max) return null;
    return si;
  }

  // ------------------------------------------------------------------ priority lists

  /** plist_add: after the last area of a higher or equal priority. */
  private plistAdd(list: SwapInfoStruct[], si: SwapInfoStruct): void {
    let i = 0;
    while (i < list.length && list[i]!.prio >= si.prio) i++;
    list.splice(i, 0, si);
  }

  /** plist_requeue: after its siblings of the same priority. */
  private plistRequeue(list: SwapInfoStruct[], si: SwapInfoStruct): void {
    const i = list.indexOf(si);
    if (i < 0) return;
    let j = i + 1;
    while (j < list.length && list[j]!.prio === si.prio) j++;
    if (j === i + 1) return;
    list.splice(i, 1);
    list.splice(j - 1, 0, si);
  }

  /** Kernel: `add_to_avail_list()`. */
  addToAvailList(si: SwapInfoStruct): void {
    if (!this.avail.includes(si)) this.plistAdd(this.avail, si);
  }

  /** Kernel: `del_from_avail_list()`. */
  delFromAvailList(si: SwapInfoStruct): void {
    const i = this.avail.indexOf(si);
    if (i >= 0) this.avail.splice(i, 1);
  }

  // ------------------------------------------------------------------ clusters

  private clusterListAddTail(si: SwapInfoStruct, idx: number): void {
    si.clusterNextFree![idx] = CLUSTER_NULL;
    if (si.freeHead === CLUSTER_NULL) si.freeHead = idx;
    else si.clusterNextFree![si.freeTail] = idx;
    si.freeTail = idx;
  }

  /** Kernel: `alloc_cluster()`: the head of free_clusters becomes used (count 0, no flag). */
  private allocCluster(si: SwapInfoStruct, idx: number): void {
    if (si.freeHead !== idx) {
      // the kernel's VM_BUG_ON; allocation outside the head is prevented by the conflict check
      this.clusterListDel(si, idx);
    } else {
      si.freeHead = si.clusterNextFree![idx]!;
      if (si.freeHead === CLUSTER_NULL) si.freeTail = CLUSTER_NULL;
    }
    si.clusterFlags![idx] = 0;
    si.clusterCount![idx] = 0;
  }

  private clusterListDel(si: SwapInfoStruct, idx: number): void {
    let prev = CLUSTER_NULL;
    for (let c = si.freeHead; c !== CLUSTER_NULL; prev = c, c = si.clusterNextFree![c]!) {
      if (c !== idx) continue;
      const next = si.clusterNextFree![c]!;
      if (prev === CLUSTER_NULL) si.freeHead = next;
      else si.clusterNextFree![prev] = next;
      if (si.freeTail === c) si.freeTail = prev;
      return;
    }
  }

  /** Kernel: `inc_cluster_info_page()`. */
  private incClusterInfoPage(si: SwapInfoStruct, offset: number): void {
    if (si.clusterCount === null) return;
    const idx = Math.floor(offset / SWAPFILE_CLUSTER);
    if ((si.clusterFlags![idx]! & CLUSTER_FLAG_FREE) !== 0) this.allocCluster(si, idx);
    si.clusterCount[idx]!++;
  }

  /** Kernel: `dec_cluster_info_page()` → `free_cluster()` at 0 (no discard: straight to the free list's tail). */
  private decClusterInfoPage(si: SwapInfoStruct, offset: number): void {
    if (si.clusterCount === null) return;
    const idx = Math.floor(offset / SWAPFILE_CLUSTER);
    si.clusterCount[idx]!--;
    if (si.clusterCount[idx] === 0) {
      si.clusterFlags![idx] = CLUSTER_FLAG_FREE;
      this.clusterListAddTail(si, idx);
    }
  }

  /** Kernel: `scan_swap_map_ssd_cluster_conflict()`. */
  private ssdClusterConflict(si: SwapInfoStruct, offset: number, cpu: number): boolean {
    const idx = Math.floor(offset / SWAPFILE_CLUSTER);
    const conflict = si.freeHead !== CLUSTER_NULL && idx !== si.freeHead && (si.clusterFlags![idx]! & CLUSTER_FLAG_FREE) !== 0;
    if (!conflict) return false;
    si.percpuIndex[cpu] = CLUSTER_NULL;
    return true;
  }

  /** Scan results of tryToSsdCluster (offset, scan_base). */
  private scanOffset = 0;
  private scanBase = 0;

  /**
   * The next free slot of the CPU's cluster, taking the head of free_clusters when it has none
   * or its cluster is full. Kernel: `scan_swap_map_try_ssd_cluster()` (no discard clusters).
   * @returns false when no cluster is free (the caller scans the whole map)
   */
  private tryToSsdCluster(si: SwapInfoStruct, cpu: number): boolean {
    for (;;) {
      if (si.percpuIndex[cpu] === CLUSTER_NULL) {
        if (si.freeHead === CLUSTER_NULL) return false;
        si.percpuIndex[cpu] = si.freeHead;
        si.percpuNext[cpu] = si.freeHead * SWAPFILE_CLUSTER;
      }
      let tmp = si.percpuNext[cpu]!;
      const max = Math.min(si.max, (si.percpuIndex[cpu]! + 1) * SWAPFILE_CLUSTER);
      while (tmp < max && si.swapMap[tmp] !== 0) tmp++;
      if (tmp >= max) {
        si.percpuIndex[cpu] = CLUSTER_NULL;
        continue;
      }
      si.percpuNext[cpu] = tmp + 1;
      this.scanOffset = tmp;
      this.scanBase = tmp;
      return true;
    }
  }

  /** Kernel: `set_cluster_next()`. */
  private setClusterNext(si: SwapInfoStruct, next: number, cpu: number): void {
    if ((si.flags & SWP_SOLIDSTATE) === 0) {
      si.clusterNext = next;
      return;
    }
    const prev = si.clusterNextCpu[cpu]!;
    if (prev >>> SWAP_ADDRESS_SPACE_SHIFT !== next >>> SWAP_ADDRESS_SPACE_SHIFT) {
      if (si.highestBit <= si.lowestBit) return;
      next = si.lowestBit + this.rng.below(si.highestBit - si.lowestBit + 1);
      next = next - (next % SWAP_ADDRESS_SPACE_PAGES);
      next = Math.max(next, si.lowestBit);
    }
    si.clusterNextCpu[cpu] = next;
  }

  /** Kernel: `swap_range_alloc()`. */
  private swapRangeAlloc(si: SwapInfoStruct, offset: number, nr: number): void {
    const end = offset + nr - 1;
    if (offset === si.lowestBit) si.lowestBit += nr;
    if (end === si.highestBit) si.highestBit -= nr;
    si.inusePages += nr;
    if (si.inusePages === si.pages) {
      si.lowestBit = si.max;
      si.highestBit = 0;
      this.delFromAvailList(si);
    }
  }

  /** Kernel: `swap_range_free()`: the slots count free again; the device drops them; their shadows go. */
  private swapRangeFree(si: SwapInfoStruct, offset: number, nr: number): void {
    const end = offset + nr - 1;
    if (offset < si.lowestBit) si.lowestBit = offset;
    if (end > si.highestBit) {
      const wasFull = si.highestBit === 0;
      si.highestBit = end;
      if (wasFull && (si.flags & SWP_WRITEOK) !== 0) this.addToAvailList(si);
    }
    this.nrSwapPagesVal += nr;
    si.inusePages -= nr;
    const notify = (si.flags & SWP_BLKDEV) !== 0 ? si.bdev?.slotFreeNotify : undefined;
    for (let o = offset; o <= end; o++) {
      if (notify !== undefined) notify.call(si.bdev, o);
    }
    swapState.clearShadowFromSwapCache(this, si, offset, end);
  }

  /**
   * Up to `nr` free slots of `si`, each set to `usage`, into `slots` from `at`. Kernel:
   * `scan_swap_map_slots()` (the reuse of cache-only slots when swap is full included).
   * @returns slots found
   */
  scanSwapMapSlots(si: SwapInfoStruct, usage: number, nr: number, slots: Int32Array, at: number): number {
    const cpu = this.cpu();
    const map = si.swapMap;
    let latencyRation = LATENCY_LIMIT;
    let nRet = 0;
    let scannedMany = false;
    let scanBase = (si.flags & SWP_SOLIDSTATE) !== 0 ? si.clusterNextCpu[cpu]! : si.clusterNext;
    let offset = scanBase;
    // state machine for the kernel's gotos: 0 checks, 1 scan, 2 done, 3 no_page
    let state = 0;
    if (si.clusterCount !== null) {
      if (this.tryToSsdCluster(si, cpu)) {
        offset = this.scanOffset;
        scanBase = this.scanBase;
      } else state = 1;
    } else if (si.clusterNr-- === 0) {
      if (si.pages - si.inusePages < SWAPFILE_CLUSTER) {
        si.clusterNr = SWAPFILE_CLUSTER - 1;
      } else {
        // locate the first empty (unaligned) run of SWAPFILE_CLUSTER slots from lowest_bit
        scanBase = offset = si.lowestBit;
        let lastInCluster = offset + SWAPFILE_CLUSTER - 1;
        let found = false;
        for (; lastInCluster <= si.highestBit; offset++) {
          if (map[offset] !== 0) lastInCluster = offset + SWAPFILE_CLUSTER;
          else if (offset === lastInCluster) {
            offset -= SWAPFILE_CLUSTER - 1;
            si.clusterNext = offset;
            si.clusterNr = SWAPFILE_CLUSTER - 1;
            found = true;
            break;
          }
        }
        if (!found) {
          offset = scanBase;
          si.clusterNr = SWAPFILE_CLUSTER - 1;
        }
      }
    }
    for (;;) {
      if (state === 0) {
        // checks:
        if (si.clusterCount !== null) {
          let toScan = false;
          while (this.ssdClusterConflict(si, offset, cpu)) {
            if (nRet !== 0) {
              state = 2;
              break;
            }
            if (this.tryToSsdCluster(si, cpu)) {
              offset = this.scanOffset;
              scanBase = this.scanBase;
            } else {
              toScan = true;
              break;
            }
          }
          if (state === 2) continue;
          if (toScan) {
            state = 1;
            continue;
          }
        }
        if ((si.flags & SWP_WRITEOK) === 0 || si.highestBit === 0) {
          state = 3;
          continue;
        }
        if (offset > si.highestBit) scanBase = offset = si.lowestBit;
        if (this.vmSwapFull() && map[offset] === SWAP_HAS_CACHE) {
          // reuse the slot of a cache-only page if it is not busy
          if (swapState.tryToReclaimSwap(this, si, offset, swapState.TTRS_ANYWAY) > 0) continue;
          state = 1;
          continue;
        }
        if (map[offset] !== 0) {
          state = nRet === 0 ? 1 : 2;
          continue;
        }
        map[offset] = usage;
        this.incClusterInfoPage(si, offset);
        this.swapRangeAlloc(si, offset, 1);
        slots[at + nRet++] = swpEntry(si.type, offset);
        if (nRet === nr || offset >= si.highestBit) {
          state = 2;
          continue;
        }
        if (--latencyRation < 0) {
          if (nRet !== 0) {
            state = 2;
            continue;
          }
          latencyRation = LATENCY_LIMIT;
        }
        if (si.clusterCount !== null) {
          if (this.tryToSsdCluster(si, cpu)) {
            offset = this.scanOffset;
            scanBase = this.scanBase;
            continue;
          }
        } else if (si.clusterNr !== 0 && map[++offset] === 0) {
          --si.clusterNr;
          continue;
        }
        if (!scannedMany) {
          const scanLimit = offset < scanBase ? scanBase : si.highestBit;
          let found = false;
          for (; offset <= scanLimit && --latencyRation > 0; offset++) {
            if (map[offset] === 0) {
              found = true;
              break;
            }
          }
          if (found) continue;
        }
        state = 2;
      } else if (state === 1) {
        // scan: the whole map from offset, then from lowest_bit up to scan_base
        let found = false;
        while (++offset <= si.highestBit) {
          if (map[offset] === 0 || (this.vmSwapFull() && map[offset] === SWAP_HAS_CACHE)) {
            found = true;
            break;
          }
          if (--latencyRation < 0) {
            latencyRation = LATENCY_LIMIT;
            scannedMany = true;
          }
        }
        if (!found) {
          offset = si.lowestBit;
          while (offset < scanBase) {
            if (map[offset] === 0 || (this.vmSwapFull() && map[offset] === SWAP_HAS_CACHE)) {
              found = true;
              break;
            }
            if (--latencyRation < 0) {
              latencyRation = LATENCY_LIMIT;
              scannedMany = true;
            }
            offset++;
          }
        }
        state = found ? 0 : 3;
      } else if (state === 2) {
        this.setClusterNext(si, offset + 1, cpu);
        return nRet;
      } else {
        return nRet;
      }
    }
  }

  /**
   * Up to `nGoal` slots (each with SWAP_HAS_CACHE) from the available areas in priority order,
   * rotating areas of equal priority. Kernel: `get_swap_pages()` (entry_size 1).
   * @returns slots written to `out` from `at`
   */
  getSwapPages(nGoal: number, out: Int32Array, at: number): number {
    const availPgs = this.nrSwapPagesVal;
    if (availPgs <= 0) return 0;
    nGoal = Math.min(nGoal, SWAP_BATCH, availPgs);
    this.nrSwapPagesVal -= nGoal;
    let nRet = 0;
    const tried = this.avail.slice(); // plist_for_each_entry_safe with requeues
    for (const si of tried) {
      if (!this.avail.includes(si)) continue;
      this.plistRequeue(this.avail, si);
      if (si.highestBit === 0 || (si.flags & SWP_WRITEOK) === 0) {
        this.delFromAvailList(si);
        continue;
      }
      nRet = this.scanSwapMapSlots(si, SWAP_HAS_CACHE, nGoal, out, at);
      if (nRet !== 0) break;
    }
    if (nRet < nGoal) this.nrSwapPagesVal += nGoal - nRet;
    return nRet;
  }

  // ------------------------------------------------------------------ swap_slots.c

  /** Kernel: `check_cache_active()`. */
  private checkCacheActive(): boolean {
    if (!this.swapSlotCacheEnabled) return false;
    const pages = this.nrSwapPagesVal;
    if (!this.swapSlotCacheActive) {
      if (pages > this.nrCpus * THRESHOLD_ACTIVATE_SWAP_SLOTS_CACHE) this.swapSlotCacheActive = true; // reactivate_swap_slots_cache
      return this.swapSlotCacheActive;
    }
    if (pages < this.nrCpus * THRESHOLD_DEACTIVATE_SWAP_SLOTS_CACHE) {
      // deactivate_swap_slots_cache: the alloc caches go back to the pool
      this.swapSlotCacheActive = false;
      this.drainSwapSlotsCache(true, false);
    }
    return this.swapSlotCacheActive;
  }

  /** Kernel: `use_swap_slot_cache` (a macro of the three flags). */
  private useSwapSlotCache(): boolean {
    return this.swapSlotCacheActive && this.swapSlotCacheEnabled && this.swapSlotCacheInitialized;
  }

  /** Returns every CPU's cached slots to the pool. Kernel: `__drain_swap_slots_cache()` (SLOTS_CACHE and/or SLOTS_CACHE_RET). */
  drainSwapSlotsCache(alloc: boolean, ret: boolean): void {
    for (const cache of this.slotsCache) {
      if (alloc && cache.nr > 0) {
        this.swapcacheFreeEntries(cache.slots.subarray(cache.cur, cache.cur + cache.nr), cache.nr);
        cache.cur = 0;
        cache.nr = 0;
      }
      if (ret && cache.nRet > 0) {
        this.swapcacheFreeEntries(cache.slotsRet, cache.nRet);
        cache.nRet = 0;
      }
    }
  }

  /** Kernel: `enable_swap_slots_cache()` (at the end of a successful swapon). */
  enableSwapSlotsCache(): void {
    this.swapSlotCacheInitialized = true;
    this.swapSlotCacheEnabled = this.active.length > 0; // __reenable_swap_slots_cache: has_usable_swap()
  }

  /** Kernel: `disable_swap_slots_cache_lock()` (swapoff): caches drained, none used until reenabled. */
  disableSwapSlotsCache(): void {
    this.swapSlotCacheEnabled = false;
    if (this.swapSlotCacheInitialized) this.drainSwapSlotsCache(true, true);
  }

  /** Kernel: `reenable_swap_slots_cache_unlock()`. */
  reenableSwapSlotsCache(): void {
    this.swapSlotCacheEnabled = this.active.length > 0;
  }

  /**
   * A slot freed by its last user: to the CPU's return cache, which goes back to the pool in
   * batches of 64. Kernel: `free_swap_slot()`.
   */
  freeSwapSlot(entry: number): void {
    if (this.useSwapSlotCache()) {
      const cache = this.slotsCache[this.cpu()]!;
      if (cache.nRet >= SWAP_SLOTS_CACHE_SIZE) {
        this.swapcacheFreeEntries(cache.slotsRet, cache.nRet);
        cache.nRet = 0;
      }
      cache.slotsRet[cache.nRet++] = entry;
      return;
    }
    this.one[0] = entry;
    this.swapcacheFreeEntries(this.one, 1);
  }

  /**
   * A slot for a page (SWAP_HAS_CACHE set): the CPU's slot cache, refilled from the pool.
   * Kernel: `folio_alloc_swap()` (order 0; refill_swap_slots_cache).
   * @returns the entry, or 0 when no slot is free
   */
  folioAllocSwap(page: number): number {
    const entry = this.allocSwapSlot();
    // mem_cgroup_try_charge_swap(folio, entry): memory.swap.max; a refused charge gives the slot back
    const memcg = this.vfs.memcg;
    if (memcg !== null && memcg.tryChargeSwap(page, entry, 1) !== 0) {
      this.putSwapFolio(entry);
      return 0;
    }
    return entry;
  }

  /** folio_alloc_swap's slot: the CPU's slot cache, refilled from the pool. @returns the entry or 0 */
  private allocSwapSlot(): number {
    if (this.checkCacheActive() && this.swapSlotCacheInitialized) {
      const cache = this.slotsCache[this.cpu()]!;
      for (;;) {
        if (cache.nr > 0) {
          const entry = cache.slots[cache.cur]!;
          cache.slots[cache.cur++] = 0;
          cache.nr--;
          return entry;
        }
        // refill_swap_slots_cache
        cache.cur = 0;
        cache.nr = this.swapSlotCacheActive ? this.getSwapPages(SWAP_SLOTS_CACHE_SIZE, cache.slots, 0) : 0;
        if (cache.nr === 0) break;
      }
    }
    const n = this.getSwapPages(1, this.one, 0);
    return n === 1 ? this.one[0]! : 0;
  }

  // ------------------------------------------------------------------ swap_map counts

  /** The exact count of a slot (the continuation's digits included). */
  private countOf(si: SwapInfoStruct, offset: number, ent: number): number {
    const c = swapCount(ent);
    if ((c & COUNT_CONTINUED) !== 0 && c !== SWAP_MAP_SHMEM) return si.continued.get(offset) ?? SWAP_MAP_MAX;
    return c;
  }

  /** Writes a count (≤ SWAP_MAP_MAX inline, above it as a continuation) and the cache bit. */
  private setCount(si: SwapInfoStruct, offset: number, count: number, hasCache: number): void {
    if (count > SWAP_MAP_MAX && count !== SWAP_MAP_SHMEM) {
      si.continued.set(offset, count);
      si.swapMap[offset] = SWAP_MAP_MAX | COUNT_CONTINUED | hasCache;
      return;
    }
    if ((si.swapMap[offset]! & COUNT_CONTINUED) !== 0 && si.continued.size !== 0) si.continued.delete(offset); // only a continued slot has digits to drop
    si.swapMap[offset] = count | hasCache;
  }

  /** The users of a slot without the cache. Kernel: `__swap_count()` / `swap_swapcount()`. */
  swapCountOf(entry: number): number {
    const si = this.swpSwapInfo(entry);
    if (si === null) return 0;
    const off = swpOffset(entry);
    const c = this.countOf(si, off, si.swapMap[off]!);
    return c === SWAP_MAP_SHMEM ? 1 : c;
  }

  /** The raw swap_map byte of an entry (tests, validate). */
  swapMapOf(entry: number): number {
    const si = this.swpSwapInfo(entry);
    return si === null ? 0 : si.swapMap[swpOffset(entry)]!;
  }

  /**
   * Adds `usage` (1, SWAP_MAP_SHMEM, or SWAP_HAS_CACHE) to a slot. Kernel: `__swap_duplicate()`.
   * @returns 0, -EEXIST (someone else has the cache), -ENOENT (unused slot), -EINVAL
   */
  private __swapDuplicate(entry: number, usage: number): number {
    const si = this.swpSwapInfo(entry);
    if (si === null) return -EINVAL;
    const offset = swpOffset(entry);
    const ent = si.swapMap[offset]!;
    if (ent === SWAP_MAP_BAD) return -ENOENT;
    let hasCache = ent & SWAP_HAS_CACHE;
    let count = this.countOf(si, offset, ent);
    if (usage === SWAP_HAS_CACHE) {
      if (hasCache === 0 && count !== 0) hasCache = SWAP_HAS_CACHE;
      else if (hasCache !== 0) return -EEXIST;
      else return -ENOENT;
    } else if (count !== 0 || hasCache !== 0) {
      if (usage === SWAP_MAP_SHMEM) count = SWAP_MAP_SHMEM;
      else if (count === SWAP_MAP_SHMEM) return -EINVAL;
      else count += usage;
    } else {
      return -ENOENT;
    }
    this.setCount(si, offset, count, hasCache);
    return 0;
  }

  /** Another user of a slot (fork, a swap PTE). Kernel: `swap_duplicate()` (continuations never fail here). */
  swapDuplicate(entry: number): number {
    return this.__swapDuplicate(entry, 1);
  }

  /** shmem's hold on a slot. Kernel: `swap_shmem_alloc()`. */
  swapShmemAlloc(entry: number): void {
    this.__swapDuplicate(entry, SWAP_MAP_SHMEM);
  }

  /** Claims the cache of a slot for a page about to be read. Kernel: `swapcache_prepare()`. @returns 0, -EEXIST or -ENOENT */
  swapcachePrepare(entry: number): number {
    return this.__swapDuplicate(entry, SWAP_HAS_CACHE);
  }

  /**
   * Drops `usage` (1 or SWAP_HAS_CACHE) from a slot; a slot left with nothing keeps
   * SWAP_HAS_CACHE until it is really freed. Kernel: `__swap_entry_free_locked()`.
   * @returns what is left (count | has_cache), 0 when the slot is to be freed
   */
  private swapEntryFreeLocked(si: SwapInfoStruct, offset: number, usage: number): number {
    const ent = si.swapMap[offset]!;
    let hasCache = ent & SWAP_HAS_CACHE;
    let count = this.countOf(si, offset, ent);
    if (usage === SWAP_HAS_CACHE) hasCache = 0;
    else if (count === SWAP_MAP_SHMEM) count = 0;
    else if (count > 0) count--;
    const left = count | hasCache;
    if (left !== 0) this.setCount(si, offset, count, hasCache);
    else {
      if ((ent & COUNT_CONTINUED) !== 0 && si.continued.size !== 0) si.continued.delete(offset);
      si.swapMap[offset] = SWAP_HAS_CACHE;
    }
    return left;
  }

  /** Kernel: `__swap_entry_free()`: drops one user; the last one frees the slot. @returns what is left */
  private __swapEntryFree(si: SwapInfoStruct, entry: number): number {
    const usage = this.swapEntryFreeLocked(si, swpOffset(entry), 1);
    if (usage === 0) this.freeSwapSlot(entry);
    return usage;
  }

  /** Drops one user of a slot. Kernel: `swap_free()`. */
  swapFree(entry: number): void {
    const si = this.swpSwapInfo(entry);
    if (si !== null) this.__swapEntryFree(si, entry);
  }

  /** The swap cache's hold on a slot is gone. Kernel: `put_swap_folio()` (order 0). */
  putSwapFolio(entry: number): void {
    const si = this.swpSwapInfo(entry);
    if (si === null) return;
    if (this.swapEntryFreeLocked(si, swpOffset(entry), SWAP_HAS_CACHE) === 0) this.freeSwapSlot(entry);
  }

  /** Frees slots left with SWAP_HAS_CACHE only. Kernel: `swapcache_free_entries()` → `swap_entry_free()`. */
  swapcacheFreeEntries(entries: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const entry = entries[i]!;
      const si = this.swpSwapInfo(entry);
      if (si === null) continue;
      const offset = swpOffset(entry);
      si.swapMap[offset] = 0;
      this.decClusterInfoPage(si, offset);
      this.vfs.memcg?.unchargeSwap(entry, 1); // mem_cgroup_uncharge_swap
      this.swapRangeFree(si, offset, 1);
    }
  }

  /**
   * Drops one user of a slot; if only the swap cache is left and the page is unmapped (or swap
   * is full), frees the cached page's slot too. Kernel: `free_swap_and_cache()`.
   */
  freeSwapAndCache(entry: number): void {
    const si = this.swpSwapInfo(entry);
    if (si === null || si.swapMap[swpOffset(entry)] === 0) return;
    const count = this.__swapEntryFree(si, entry);
    if (count === SWAP_HAS_CACHE) swapState.tryToReclaimSwap(this, si, swpOffset(entry), swapState.TTRS_UNMAPPED | swapState.TTRS_FULL);
  }

  /**
   * Frees the slot of a swap-cache page no one else refers to (not under writeback): out of the
   * swap cache (its reference dropped), dirty. Kernel: `folio_free_swap()`.
   * @returns true if freed
   */
  folioFreeSwap(page: number): boolean {
    const f = this.mem.flags[page]!;
    if ((f & (1 << PG_swapcache)) === 0 || (f & (1 << PG_swapbacked)) === 0) return false;
    if ((f & (1 << PG_writeback)) !== 0) return false;
    if (this.swapCountOf(this.mem.private[page]!) !== 0) return false; // folio_swapped
    swapState.deleteFromSwapCache(this, page);
    this.mem.flags[page] = this.mem.flags[page]! | (1 << PG_dirty);
    return true;
  }

  // ------------------------------------------------------------------ SwapOps: the swap cache and I/O

  addToSwap(page: number): boolean {
    return swapState.addToSwap(this, page);
  }
  addToSwapCache(page: number, entry: number, gfp: number): number {
    return swapState.addToSwapCache(this, page, entry, gfp, null);
  }
  swapWritepage(page: number): number {
    return pageIo.swapWritepage(this, page);
  }
  deleteFromSwapCache(page: number, shadow: number): void {
    const entry = this.mem.private[page]!;
    swapState.__deleteFromSwapCache(this, page, entry, shadow);
    this.putSwapFolio(entry);
  }
  lookupSwapCache(entry: number): number {
    return swapState.lookupSwapCache(this, entry, false);
  }
  swapinReadahead(entry: number, gfp: number): number {
    return swapState.swapClusterReadahead(this, entry, gfp);
  }
  lookupSwapCacheVma(entry: number, vma: SwapRaVma, addr: number): number {
    return swapRa.lookupSwapCacheVma(this, entry, vma, addr);
  }
  swapinReadaheadVmf(entry: number, gfp: number, vmf: SwapVmFault): number {
    return swapRa.swapinReadahead(this, entry, gfp, vmf);
  }

  // do_swap_page's SWP_SYNCHRONOUS_IO path (zram): a slot with one user is read into a new page
  // without the swap cache and without readahead.

  /** Kernel: `data_race(si->flags & SWP_SYNCHRONOUS_IO)` (a device with rw_page: zram). */
  swapSynchronousIo(entry: number): boolean {
    const si = this.swpSwapInfo(entry);
    return si !== null && (si.flags & SWP_SYNCHRONOUS_IO) !== 0;
  }
  /** Kernel: `__swap_count()`. */
  swapCount(entry: number): number {
    return this.swapCountOf(entry);
  }
  /** Drops the SWAP_HAS_CACHE swapcache_prepare took; a slot left with nothing is freed. Kernel: `swapcache_clear()` (6.1.y). */
  swapcacheClear(entry: number): void {
    const si = this.swpSwapInfo(entry);
    if (si === null) return;
    if (this.swapEntryFreeLocked(si, swpOffset(entry), SWAP_HAS_CACHE) === 0) this.freeSwapSlot(entry);
  }
  getShadowFromSwapCache(entry: number): number {
    return swapState.getShadowFromSwapCache(this, entry);
  }
  swapReadpage(page: number, synchronous: boolean): void {
    pageIo.swapReadpage(this, page, synchronous);
  }
  readSwapCacheAsync(entry: number, gfp: number): number {
    return swapState.readSwapCacheAsync(this, entry, gfp);
  }

  /**
   * The task sleeps until the read of a locked swap-cache page completes (a disk's bio on the
   * simulated clock; a zram read is done on return). Kernel: `folio_lock()` / `folio_wait_locked()`.
   */
  waitOnPage(page: number): void {
    const si = this.swpSwapInfo(this.mem.private[page]!);
    si?.bdev?.waitOnPage?.(page);
  }

  reapIo(): void {
    for (let i = 0; i < this.active.length; i++) this.active[i]!.bdev?.reap?.();
  }

  /** Plugs the swap devices' queues for a batch of reads (readahead). Kernel: `blk_start_plug()` (the task's plug). */
  blkStartPlug(): void {
    for (let i = 0; i < this.active.length; i++) this.active[i]!.bdev?.startPlug?.();
  }

  /** Dispatches what the plug holds. Kernel: `blk_finish_plug()`. */
  blkFinishPlug(): void {
    for (let i = 0; i < this.active.length; i++) this.active[i]!.bdev?.finishPlug?.();
  }

  // ------------------------------------------------------------------ SwapUnmapHooks (try_to_unmap)

  mkSwapPte(entry: number, exclusive: boolean, out: PteVal): void {
    armSwpEntryToPte(entry, exclusive, out);
  }

  // ------------------------------------------------------------------ swapon / swapoff

  /**
   * Writes a version-1 swap header over the whole device, as util-linux's mkswap does
   * (last_page = size / PAGE_SIZE − 1, no bad pages). No kernel counterpart (a user tool).
   * @returns 0, or what mkswap would print
   */
  mkswap(path: string): 0 | string {
    const dev = this.devices.get(path);
    if (dev === undefined) return `mkswap: cannot open ${path}: No such file or directory (devices: ${[...this.devices.keys()].join(", ")})`;
    if (dev.claimed) return `mkswap: error: ${path} is mounted; will not make swapspace`;
    const pages = Math.floor(dev.sizeBytes() / 4096);
    if (pages < 10) return `mkswap: error: swap area needs to be at least 40 KiB (${path} has ${pages * 4} KiB${pages === 0 ? ": set its disksize first" : ""})`;
    dev.header = { version: 1, lastPage: pages - 1, nrBadpages: 0, label: "", uuid: "" };
    return 0;
  }

  /**
   * Parses the header, sizes the area. Kernel: `read_swap_header()`.
   * @returns maxpages, or 0 (the caller fails with -EINVAL), with the kernel's message logged
   */
  private readSwapHeader(si: SwapInfoStruct, dev: SwapBdev): number {
    const h = dev.header;
    if (h === null) {
      this.log?.printk(3, "Unable to find swap-space signature");
      return 0;
    }
    if (h.version !== 1) {
      this.log?.printk(4, `Unable to handle swap header version ${h.version}`);
      return 0;
    }
    si.lowestBit = 1;
    si.clusterNext = 1;
    si.clusterNr = 0;
    let maxpages = SWP_OFFSET_MAX + 1; // swapfile_maximum_size(): what a swap PTE (and the entry packing here) can address
    const lastPage = h.lastPage;
    if (lastPage === 0) {
      this.log?.printk(4, "Empty swap-file");
      return 0;
    }
    if (lastPage > maxpages) {
      this.log?.printk(4, `Truncating oversized swap area, only using ${maxpages << (PAGE_SHIFT - 10)}k out of ${lastPage * 4}k`);
    }
    if (maxpages > lastPage) maxpages = lastPage + 1;
    si.highestBit = maxpages - 1;
    const swapfilepages = Math.floor(dev.sizeBytes() / 4096);
    if (swapfilepages !== 0 && maxpages > swapfilepages) {
      this.log?.printk(4, "Swap area shorter than signature indicates");
      return 0;
    }
    if (h.nrBadpages !== 0 && !dev.isBlk) return 0;
    return maxpages;
  }

  /**
   * swapon(2). Kernel: `sys_swapon()` (alloc_swap_info, claim_swapfile, read_swap_header,
   * setup_swap_map_and_extents, the SSD cluster setup, init_swap_address_space, enable_swap_info),
   * "Adding …k swap on …" logged as 6.1 does.
   * @returns 0 or -errno: -EINVAL (bad flags, no signature), -ENOENT (no such device), -EBUSY
   *   (already a swap area), -EPERM (MAX_SWAPFILES areas in use)
   */
  swapon(path: string, swapFlags: number): number {
    if ((swapFlags & ~SWAP_FLAGS_VALID) !== 0) return -EINVAL;
    // alloc_swap_info: the first unused swap_info[] slot
    let type = 0;
    while (type < this.swapInfo.length && (this.swapInfo[type]!.flags & SWP_USED) !== 0) type++;
    if (type >= MAX_SWAPFILES) return -EPERM;
    const dev = this.devices.get(path);
    if (dev === undefined) return -ENOENT;
    for (const q of this.swapInfo) if ((q.flags & SWP_USED) !== 0 && q.bdev === dev) return -EBUSY;
    if (dev.claimed) return -EBUSY; // claim_swapfile: blkdev_get_by_dev(FMODE_EXCL) / IS_SWAPFILE
    const si = type < this.swapInfo.length ? this.swapInfo[type]! : new SwapInfoStruct(type);
    const maxpages = this.readSwapHeader(si, dev);
    if (maxpages === 0) return -EINVAL;
    if (type === this.swapInfo.length) this.swapInfo.push(si);
    si.flags = SWP_USED;
    si.bdev = dev;
    si.path = path;
    if (dev.isBlk) si.flags |= SWP_BLKDEV;
    if (dev.rwPage) si.flags |= SWP_SYNCHRONOUS_IO;
    si.swapMap = new Uint8Array(maxpages);
    si.continued.clear();
    si.clusterCount = null;
    si.clusterFlags = null;
    si.clusterNextFree = null;
    si.freeHead = si.freeTail = CLUSTER_NULL;
    const nrClusters = Math.ceil(maxpages / SWAPFILE_CLUSTER);
    if (dev.nonrot) {
      si.flags |= SWP_SOLIDSTATE;
      si.clusterNextCpu = new Int32Array(this.nrCpus);
      for (let cpu = 0; cpu < this.nrCpus; cpu++) si.clusterNextCpu[cpu] = 1 + this.rng.below(si.highestBit);
      si.clusterCount = new Uint16Array(nrClusters);
      si.clusterFlags = new Uint8Array(nrClusters);
      si.clusterNextFree = new Int32Array(nrClusters).fill(CLUSTER_NULL);
      si.percpuIndex = new Int32Array(this.nrCpus).fill(CLUSTER_NULL);
      si.percpuNext = new Int32Array(this.nrCpus);
    } else {
      this.nrRotateSwap++;
    }
    // setup_swap_map_and_extents: bad pages, the header slot, the tail of the last cluster
    const h = dev.header!;
    let nrGoodPages = maxpages - 1;
    void h;
    if (si.clusterCount !== null) for (let i = maxpages; i < nrClusters * SWAPFILE_CLUSTER; i++) si.clusterCount[Math.floor(i / SWAPFILE_CLUSTER)]!++;
    if (nrGoodPages > 0) {
      si.swapMap[0] = SWAP_MAP_BAD;
      if (si.clusterCount !== null) si.clusterCount[0]!++;
      si.max = maxpages;
      si.pages = nrGoodPages;
    } else {
      this.log?.printk(4, "Empty swap-file");
      si.flags = 0;
      return -EINVAL;
    }
    nrGoodPages = si.pages;
    if (si.clusterCount !== null) {
      // the free clusters, interleaved over SWAP_CLUSTER_COLS columns from cluster_next's
      const col = si.clusterNext % SWAP_CLUSTER_COLS;
      for (let k = 0; k < SWAP_CLUSTER_COLS; k++) {
        const j = (k + col) % SWAP_CLUSTER_COLS;
        for (let i = 0; i < Math.ceil(nrClusters / SWAP_CLUSTER_COLS); i++) {
          const idx = i * SWAP_CLUSTER_COLS + j;
          if (idx >= nrClusters || si.clusterCount[idx] !== 0) continue;
          si.clusterFlags![idx] = CLUSTER_FLAG_FREE;
          this.clusterListAddTail(si, idx);
        }
      }
    }
    if ((swapFlags & SWAP_FLAG_DISCARD) !== 0 && dev.isBlk) {
      si.flags |= SWP_DISCARDABLE;
      if ((swapFlags & SWAP_FLAG_DISCARD_ONCE) !== 0) si.flags |= SWP_AREA_DISCARD;
      else if ((swapFlags & SWAP_FLAG_DISCARD_PAGES) !== 0) si.flags |= SWP_PAGE_DISCARD;
      else si.flags |= SWP_AREA_DISCARD | SWP_PAGE_DISCARD;
    }
    // init_swap_address_space
    const nrSpaces = Math.ceil(maxpages / SWAP_ADDRESS_SPACE_PAGES);
    si.spaces = Array.from({ length: nrSpaces }, () => new XArray());
    si.spaceNrpages = new Int32Array(nrSpaces);
    dev.claimed = true;
    const prio = (swapFlags & SWAP_FLAG_PREFER) !== 0 ? (swapFlags & SWAP_FLAG_PRIO_MASK) >> SWAP_FLAG_PRIO_SHIFT : -1;
    // enable_swap_info → setup_swap_info, _enable_swap_info
    si.prio = prio >= 0 ? prio : --this.leastPriority;
    this.enableSwapInfo(si);
    const kb = si.pages << (PAGE_SHIFT - 10);
    this.log?.printk(
      6,
      `Adding ${kb}k swap on ${path}.  Priority:${si.prio} extents:1 across:${kb}k ` +
        `${(si.flags & SWP_SOLIDSTATE) !== 0 ? "SS" : ""}${(si.flags & SWP_DISCARDABLE) !== 0 ? "D" : ""}` +
        `${(si.flags & SWP_AREA_DISCARD) !== 0 ? "s" : ""}${(si.flags & SWP_PAGE_DISCARD) !== 0 ? "c" : ""}`,
    );
    this.enableSwapSlotsCache();
    return 0;
  }

  /** Kernel: `_enable_swap_info()`. */
  private enableSwapInfo(si: SwapInfoStruct): void {
    si.flags |= SWP_WRITEOK;
    this.nrSwapPagesVal += si.pages;
    this.totalSwapPagesVal += si.pages;
    this.plistAdd(this.active, si);
    this.addToAvailList(si);
  }

  /**
   * swapoff(2): the area leaves the lists, every page on it is read back (shmem's, then each
   * mm's, then what only the swap cache holds), then it is torn down. Too little memory fails
   * with -ENOMEM — the overcommit check of the area's size (security_vm_enough_memory_mm), or a
   * page that cannot be allocated during try_to_unuse — and the area goes back where it was
   * (reinsert_swap_info) with whatever was not read back still on it: nothing is lost. Kernel:
   * `sys_swapoff()`.
   * @returns 0 or -errno: -EINVAL (not a swap area), -ENOMEM, -EINTR (try_to_unuse made no
   *   progress after TRY_TO_UNUSE_MAX_RETRIES passes: entries no walker can reach)
   */
  swapoff(path: string): number {
    const p = this.active.find((s) => s.path === path);
    if (p === undefined) return -EINVAL;
    const vfs = this.vfs;
    if (vfs.overcommit.vmEnoughMemory(vfs.current().mm, p.pages) !== 0) return -ENOMEM;
    vfs.overcommit.vmUnacctMemory(p.pages);
    this.delFromAvailList(p);
    if (p.prio < 0) {
      // areas of lower auto-assigned priority move up one
      let after = false;
      for (const si of this.active) {
        if (si === p) {
          after = true;
          continue;
        }
        if (after) si.prio++;
      }
      this.leastPriority++;
    }
    this.active.splice(this.active.indexOf(p), 1);
    this.nrSwapPagesVal -= p.pages;
    this.totalSwapPagesVal -= p.pages;
    p.flags &= ~SWP_WRITEOK;
    this.disableSwapSlotsCache();
    const err = this.tryToUnuse(p.type);
    if (err !== 0) {
      // reinsert_swap_info: setup_swap_info with its (unchanged) prio, _enable_swap_info
      this.enableSwapInfo(p);
      this.reenableSwapSlotsCache();
      return err;
    }
    this.reenableSwapSlotsCache();
    if ((p.flags & SWP_SOLIDSTATE) === 0) this.nrRotateSwap--;
    p.highestBit = 0;
    p.max = 0;
    p.pages = 0;
    p.swapMap = new Uint8Array(0);
    p.continued.clear();
    p.clusterCount = null;
    p.clusterFlags = null;
    p.clusterNextFree = null;
    p.freeHead = p.freeTail = CLUSTER_NULL;
    p.spaces = [];
    p.spaceNrpages = new Int32Array(0);
    if (p.bdev !== null) p.bdev.claimed = false;
    p.bdev = null;
    p.path = "";
    p.flags = 0;
    return 0;
  }

  /** Kernel: `find_next_to_unuse()`: the next slot in use after `prev` (0: none). */
  private findNextToUnuse(si: SwapInfoStruct, prev: number): number {
    for (let i = prev + 1; i < si.max; i++) {
      const c = si.swapMap[i]!;
      if (c !== 0 && swapCount(c) !== SWAP_MAP_BAD) return i;
    }
    return 0;
  }

  /**
   * Reads back every page of area `type`: shmem's entries, each mm's swap PTEs, and frees what
   * only the swap cache holds. Kernel: `try_to_unuse()` (its endless retry bounded here).
   * @returns 0, -ENOMEM, or -EINTR
   */
  tryToUnuse(type: number): number {
    const si = this.swapInfo[type]!;
    let stalls = 0;
    while (si.inusePages !== 0) {
      const before = si.inusePages;
      const shmem = this.vfs.shmem;
      if (shmem !== null) {
        const r = shmem.unuse(type);
        if (r !== 0) return r;
      }
      if (this.unuse !== null) {
        const r = this.unuse.unuseMms(type);
        if (r !== 0) return r;
      }
      let i = 0;
      while (si.inusePages !== 0 && (i = this.findNextToUnuse(si, i)) !== 0) {
        const entry = swpEntry(type, i);
        const page = swapState.lookupSwapCache(this, entry, true);
        if (page < 0) continue;
        const f = this.mem.flags;
        // folio_lock, folio_wait_writeback: a disk's bio in flight is slept on until it ends
        if ((f[page]! & ((1 << PG_locked) | (1 << PG_writeback))) !== 0) this.waitOnPage(page);
        f[page] = f[page]! | (1 << PG_locked);
        this.folioFreeSwap(page);
        f[page] = f[page]! & ~(1 << PG_locked);
        swapState.putPage(this, page);
      }
      if (si.inusePages === 0) break;
      if (si.inusePages >= before && ++stalls >= TRY_TO_UNUSE_MAX_RETRIES) {
        this.log?.printk(4, `swapoff: ${si.inusePages} slots of ${si.path} are held by no page table or shmem file mmsim can walk`);
        return -EINTR;
      }
    }
    return 0;
  }
}

export { EBUSY, EINVAL, ENOENT, EPERM, ENOMEM, SWP_USED };
