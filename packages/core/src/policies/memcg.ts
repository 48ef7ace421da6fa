// Kernel: include/linux/memcontrol.h (mem_cgroup_charge, mem_cgroup_swapin_charge_folio, mem_cgroup_uncharge, mem_cgroup_migrate, __mem_cgroup_try_charge_swap, mem_cgroup_uncharge_swap), include/linux/swap.h (try_to_free_mem_cgroup_pages) (v6.1) — how the page paths reach the memory controller, and how the controller reaches reclaim
/*
 * @mmsim/memcg-psi (mm/memcontrol.c) sits before block, filemap, swap, fault and reclaim in the
 * order of mechanisms, yet those are the paths that charge pages to a memory cgroup; and memcg's
 * limit reclaim (try_to_free_mem_cgroup_pages) is reclaim's. Both directions go through core:
 *
 *  - MemcgCharger: the charge/uncharge entry points the fault, filemap, shmem, swap and page
 *    allocator paths call (each call site is `memcg?.charge(…)`: null when no memcg module is
 *    loaded, which costs one null test). The charged memcg is recorded in MemMap's `memcg` column
 *    (page->memcg_data: the memcg's id; 0 = not charged).
 *  - MemcgReclaimer: try_to_free_mem_cgroup_pages, implemented by @mmsim/reclaim over the node
 *    lists with ScanControl.memcgMask (see reclaim-policy.ts).
 */
import { token } from "../di/token.ts";

/** The memory controller as the page paths call it. Implemented by @mmsim/memcg-psi. */
export interface MemcgCharger {
  /**
   * Charges a new folio of `nrPages` pages (head page index `page`) to the memcg of the running
   * task (mmsim's faults and page-cache insertions always run for `current`, so
   * get_mem_cgroup_from_mm(mm) is current's memcg). May reclaim the memcg (try_charge_memcg) and
   * invoke the memcg OOM killer. Kernel: `mem_cgroup_charge()`.
   * `cpu` is the CPU the caller runs on (the per-CPU charge stock).
   * @returns 0, or -ENOMEM (the caller frees the folio and fails: VM_FAULT_OOM, -ENOMEM)
   */
  charge(page: number, nrPages: number, gfp: number, cpu: number): number;
  /**
   * Charges a folio read from swap to the memcg recorded for its swap entry (swap_cgroup), or to
   * current's when none is. Kernel: `mem_cgroup_swapin_charge_folio()`. @returns 0 or -ENOMEM
   */
  swapinCharge(page: number, nrPages: number, gfp: number, entry: number, cpu: number): number;
  /**
   * Uncharges a folio being freed (`order` = its size): called by the page allocator's
   * free_pages_prepare for a page whose memcg column is set. Kernel: `mem_cgroup_uncharge()` /
   * `__memcg_kmem_uncharge_page()`.
   */
  uncharge(page: number, order: number): void;
  /** Moves a charge to a migration's new folio. Kernel: `mem_cgroup_migrate()`. */
  migrate(oldPage: number, newPage: number): void;
  /**
   * Charges the swap slots `entry`..+nrPages to the folio's memcg (memory.swap.max) and records
   * the memcg for the entries. Kernel: `__mem_cgroup_try_charge_swap()`.
   * @returns 0, or -ENOMEM (swap.max reached: add_to_swap fails, the folio stays in memory)
   */
  tryChargeSwap(page: number, entry: number, nrPages: number): number;
  /** Uncharges freed swap slots. Kernel: `mem_cgroup_uncharge_swap()`. */
  unchargeSwap(entry: number, nrPages: number): void;
  /**
   * __GFP_ACCOUNT kernel memory: charges `nrPages` pages of a kmem allocation (a slab of a
   * kmalloc-cg cache, an accounted page table) to current's memcg. Kernel: `__memcg_kmem_charge_page()`.
   * @returns 0 or -ENOMEM
   */
  kmemCharge(page: number, order: number, gfp: number, cpu: number): number;
  /**
   * memory.min/low in global reclaim (shrink_node_memcgs): a flag per memcg id (and id 0), nonzero
   * where reclaim may take folios; a memcg below its effective min is skipped, one below its
   * effective low too unless `lowReclaim` (MEMCG_LOW is raised for those reclaimed anyway).
   * `skipped[0]` is set to 1 when a memcg was skipped for low (sc->memcg_low_skipped).
   * Kernel: `mem_cgroup_calculate_protection()`, `mem_cgroup_below_min()`, `mem_cgroup_below_low()`.
   * @returns null when no memcg is protected (reclaim takes every folio)
   */
  reclaimProtection(lowReclaim: boolean, skipped: Uint8Array): Uint8Array | null;
}
export const MemcgCharger = token<MemcgCharger>("MemcgCharger");

/** Kernel: `MEMCG_RECLAIM_MAY_SWAP`, `MEMCG_RECLAIM_PROACTIVE` (try_to_free_mem_cgroup_pages' reclaim_options). */
export const MEMCG_RECLAIM_MAY_SWAP = 1;
export const MEMCG_RECLAIM_PROACTIVE = 2;

/** Limit reclaim of one memcg subtree. Implemented by @mmsim/reclaim. */
export interface MemcgReclaimer {
  /**
   * Reclaims at least `nrPages` (SWAP_CLUSTER_MAX at least) from the pages whose memcg id has a
   * nonzero entry in `mask` (the target memcg and its descendants). Kernel:
   * `try_to_free_mem_cgroup_pages()`. @returns pages reclaimed
   */
  tryToFreeMemCgroupPages(mask: Uint8Array, nrPages: number, gfp: number, reclaimOptions: number): number;
}
export const MemcgReclaimer = token<MemcgReclaimer>("MemcgReclaimer");

/**
 * What a memcg OOM hands the `oom` slot's killer (struct oom_control with oc->memcg set): the
 * killer selects among the memcg's tasks, prints the memcg's meminfo instead of __show_mem, and
 * says "Memory cgroup out of memory". Kernel: `mem_cgroup_out_of_memory()`.
 */
export interface MemcgOomControl {
  readonly gfp: number;
  readonly order: number;
  /** The cgroup's path ("/test"), for oom_memcg= in the summary. */
  readonly path: string;
  /** mem_cgroup_get_max(): memory.max plus the swap it may still use (the badness scale). */
  readonly totalpages: number;
  /** mem_cgroup_scan_tasks(): is the task in the memcg or a descendant. */
  contains(pid: number): boolean;
  /** The path of the task's memcg (task_memcg= in the summary). */
  taskPath(pid: number): string;
  /** mem_cgroup_print_oom_meminfo(): the memory:/swap: lines and the memcg's memory.stat. */
  printMeminfo(): void;
  /** A victim was killed: MEMCG_OOM_KILL in its memcg (memcg_memory_event_mm). */
  killed(pid: number): void;
}
