// Kernel: mm/vmalloc.c (v6.1) — the file's globals for one machine: trees, lists, counters, caches, per-CPU slots
/*
 * Everything mm/vmalloc.c keeps in static variables, gathered in one object per simulated
 * machine (STYLE C8: the functions of kva.ts, vmap-block.ts and vm-area.ts take it first):
 *
 *   vmap_area_root / vmap_area_list            areas.roots[VMAP_AREA_ROOT], VMAP_AREA_LIST
 *   free_vmap_area_root / _list                areas.roots[FREE_VMAP_AREA_ROOT], FREE_VMAP_AREA_LIST
 *   purge_vmap_area_root / _list               areas.roots[PURGE_VMAP_AREA_ROOT], PURGE_VMAP_AREA_LIST
 *   vmap_area_cachep                           vmapAreaCache (when a slab layer is attached)
 *   ne_fit_preload_node (per CPU)              nePreload[cpu]
 *   vmap_lazy_nr, nr_vmalloc_pages             vmapLazyNr, nrVmallocPages
 *   vmlist, vmap_initialized                   vmlist, vmapInitialized
 *   vmap_block_queue (per CPU), vmap_blocks    blocks (vmap-block.ts)
 *
 * `cpu` and `comm` stand for the running context (smp_processor_id(), current->comm): the
 * caller sets them before an API call; they pick the per-CPU slots and the CPU passed to the
 * page and slab allocators.
 */
import {
  type KernelLog, NSEC_PER_SEC, PAGE_SIZE, type PageAllocator, type SimClock, type SlabCache, type SlabCommon,
} from "@mmsim/core";
import type { ResolvedVmallocConfig } from "./layout.ts";
import type { VmapPageTables } from "./page-tables.ts";
import { RatelimitState } from "@mmsim/core";
import { NIL_VA, VmapAreas } from "./vmap-area.ts";
import { VmapBlocks } from "./vmap-block-state.ts";
import { VmStructs } from "./vm-struct.ts";

/** Kernel: `lazy_max_pages()` = fls(num_online_cpus()) × (32 MiB / PAGE_SIZE). */
export function lazyMaxPages(nrOnlineCpus: number): number {
  return (32 - Math.clz32(nrOnlineCpus)) * ((32 * 1024 * 1024) / PAGE_SIZE);
}

/** Counters a learner can read (no kernel counterpart except vmap_lazy_nr and nr_vmalloc_pages). */
export interface VmallocCounters {
  /** `vmap_lazy_nr`: pages of lazily freed areas not yet purged. */
  readonly vmapLazyNr: number;
  /** Purges that found lazily freed areas (`__purge_vmap_area_lazy()` returning true). */
  readonly purges: number;
  /** Pages of lazily freed areas returned to the free tree by purges. */
  readonly purgedPages: number;
  /** `flush_tlb_kernel_range()` calls made by vmalloc. */
  readonly tlbFlushes: number;
  /** Pages covered by those flushes (the whole [start, end) of each). */
  readonly tlbFlushedPages: number;
  /** Purges started because the drain threshold was passed (drain_vmap_area_work). */
  readonly drainRuns: number;
  /** `alloc_vmap_area()` retries after a purge (the overflow path). */
  readonly overflowPurges: number;
}

/** mm/vmalloc.c's state for one machine. */
export class VmallocState {
  readonly areas = new VmapAreas();
  readonly vms = new VmStructs();
  readonly blocks: VmapBlocks;
  /** The slab layer, once vmalloc_init() has run with one. */
  slab: SlabCommon | undefined = undefined;
  /** `vmap_area_cachep`. */
  vmapAreaCache: SlabCache | undefined = undefined;
  /** `vmlist`: the boot-time list vm_area_add_early() builds. */
  vmlist = -1;
  /** `vmap_initialized`. */
  vmapInitialized = false;
  /** `vmap_lazy_nr`. */
  vmapLazyNr = 0;
  /** `nr_vmalloc_pages`. */
  nrVmallocPages = 0;
  /** `ne_fit_preload_node` per CPU (a vmap_area slot or NIL_VA). */
  readonly nePreload: Int32Array;
  /** lazy_max_pages(), fixed for the online CPU count. */
  readonly lazyMaxPages: number;
  /** smp_processor_id() of the running context. */
  cpu = 0;
  /** current->comm of the running context (warn_alloc). */
  comm = "swapper/0";
  /** find_va_links() out-parameters: the parent and the side the new node goes. */
  linkParent = NIL_VA;
  linkDir = 0;
  /** printk_ratelimit_state (5 s, 10). */
  readonly printkRs = new RatelimitState(5 * NSEC_PER_SEC, 10);
  /** warn_alloc()'s nopage_rs (10*HZ, 1 in 6.1.y). */
  readonly nopageRs = new RatelimitState(10 * NSEC_PER_SEC, 1);
  /** show_numa_info()'s counters (m->private). */
  readonly numaCounters: Int32Array;
  purges = 0;
  purgedPages = 0;
  tlbFlushes = 0;
  tlbFlushedPages = 0;
  drainRuns = 0;
  overflowPurges = 0;

  constructor(
    readonly cfg: ResolvedVmallocConfig,
    readonly pages: PageAllocator,
    readonly pgtables: VmapPageTables,
    readonly log: KernelLog,
    readonly clock: SimClock,
  ) {
    this.nePreload = new Int32Array(cfg.nrCpus).fill(NIL_VA);
    this.lazyMaxPages = lazyMaxPages(cfg.nrCpus);
    this.numaCounters = new Int32Array(cfg.nrNodes);
    this.blocks = new VmapBlocks(cfg.nrCpus, cfg.configNrCpus);
  }

  /** `totalram_pages()` (unlimited when the configuration gives no source). */
  totalramPages(): number {
    return this.cfg.totalramPages ? this.cfg.totalramPages() : Number.MAX_SAFE_INTEGER;
  }
}
