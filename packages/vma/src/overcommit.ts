// Kernel: mm/util.c (__vm_enough_memory, vm_commit_limit, vm_memory_committed, overcommit_*_handler), mm/mmap.c (init_user_reserve, init_admin_reserve), include/linux/mman.h (vm_acct_memory) (v6.1) — overcommit accounting: Committed_AS and CommitLimit
/*
 * Every private writable mapping (VM_ACCOUNT), brk growth, stack growth and shared anonymous
 * (shmem) mapping charges its pages to vm_committed_as when it is made, and gives them back when
 * it is unmapped; vm.overcommit_memory decides whether a charge may fail:
 *   0 (OVERCOMMIT_GUESS): only a single request larger than totalram + swap fails;
 *   1 (OVERCOMMIT_ALWAYS): never fails;
 *   2 (OVERCOMMIT_NEVER): fails when Committed_AS would reach CommitLimit
 *     (= overcommit_kbytes, or (totalram − hugetlb) × overcommit_ratio / 100, plus swap), less
 *     admin_reserve_kbytes for a task without CAP_SYS_ADMIN and min(total_vm / 32,
 *     user_reserve_kbytes) of the caller's mm.
 *
 * Simplified: vm_committed_as is a percpu_counter in the kernel (its fast read can lag by
 * batch × nr_cpus pages); mmsim keeps the exact sum, which is what /proc/meminfo's Committed_AS
 * reads (percpu_counter_sum_positive). Tasks run as root (cap_sys_admin), as the captures do.
 */
import { token } from "@mmsim/core";
import { ENOMEM, PAGE_SHIFT } from "@mmsim/core";
import type { MmStruct } from "./mm-types.ts";

/** vm.overcommit_memory values. Kernel: include/uapi/linux/mman.h. */
export const OVERCOMMIT_GUESS = 0;
export const OVERCOMMIT_ALWAYS = 1;
export const OVERCOMMIT_NEVER = 2;

/**
 * What overcommit reads from the page allocator and swap. Implemented from the buddy allocator
 * (module.ts); swap reports 0 until the swap issue.
 */
export interface VmAcctMemoryInfo {
  /** Kernel: `totalram_pages()`. */
  totalramPages(): number;
  /** Kernel: `total_swap_pages`. */
  totalSwapPages(): number;
  /** Kernel: `hugetlb_total_pages()` (0: no hugetlbfs pools yet). */
  hugetlbTotalPages(): number;
  /** Kernel: `global_zone_page_state(NR_FREE_PAGES)` (read once, by init_user_reserve / init_admin_reserve). */
  nrFreePages(): number;
}
export const VM_ACCT_MEMORY_INFO = token<VmAcctMemoryInfo>("VmAcctMemoryInfo");

/** The overcommit sysctls and vm_committed_as of one machine. */
export class VmOvercommit {
  /** vm.overcommit_memory. Kernel: `sysctl_overcommit_memory` (OVERCOMMIT_GUESS). */
  overcommitMemory = OVERCOMMIT_GUESS;
  /** vm.overcommit_ratio (percent). Kernel: `sysctl_overcommit_ratio` (50). */
  overcommitRatio = 50;
  /** vm.overcommit_kbytes (0: use the ratio). Kernel: `sysctl_overcommit_kbytes`. */
  overcommitKbytes = 0;
  /** vm.user_reserve_kbytes. Kernel: `sysctl_user_reserve_kbytes` (128 MiB until init_user_reserve). */
  userReserveKbytes = 1 << 17;
  /** vm.admin_reserve_kbytes. Kernel: `sysctl_admin_reserve_kbytes` (8 MiB until init_admin_reserve). */
  adminReserveKbytes = 1 << 13;
  /** Pages committed. Kernel: `vm_committed_as`. */
  committedAs = 0;
  /** The caller has CAP_SYS_ADMIN (root, as on the capture board). */
  capSysAdmin = true;

  constructor(private readonly info: VmAcctMemoryInfo) {}

  /** Kernel: `vm_acct_memory()`. */
  vmAcctMemory(pages: number): void {
    this.committedAs += pages;
  }

  /** Kernel: `vm_unacct_memory()`. */
  vmUnacctMemory(pages: number): void {
    this.committedAs -= pages;
  }

  /** CommitLimit in pages. Kernel: `vm_commit_limit()`. */
  vmCommitLimit(): number {
    let allowed: number;
    if (this.overcommitKbytes !== 0) allowed = Math.floor(this.overcommitKbytes / (1 << (PAGE_SHIFT - 10)));
    else allowed = Math.floor(((this.info.totalramPages() - this.info.hugetlbTotalPages()) * this.overcommitRatio) / 100);
    return allowed + this.info.totalSwapPages();
  }

  /** Committed_AS in pages. Kernel: `vm_memory_committed()` (exact here, see the header). */
  vmMemoryCommitted(): number {
    return Math.max(0, this.committedAs);
  }

  /**
   * Charges `pages` to vm_committed_as if the policy allows it (undoing the charge if not).
   * Kernel: `__vm_enough_memory()` via security_vm_enough_memory_mm().
   * @returns 0, or -ENOMEM
   */
  vmEnoughMemory(mm: MmStruct | null, pages: number): number {
    this.vmAcctMemory(pages);
    if (this.overcommitMemory === OVERCOMMIT_ALWAYS) return 0;
    if (this.overcommitMemory === OVERCOMMIT_GUESS) {
      if (pages > this.info.totalramPages() + this.info.totalSwapPages()) {
        this.vmUnacctMemory(pages);
        return -ENOMEM;
      }
      return 0;
    }
    let allowed = this.vmCommitLimit();
    if (!this.capSysAdmin) allowed -= this.adminReserveKbytes >> (PAGE_SHIFT - 10);
    if (mm !== null) {
      const reserve = this.userReserveKbytes >> (PAGE_SHIFT - 10);
      allowed -= Math.min(Math.floor(mm.totalVm / 32), reserve);
    }
    if (this.vmMemoryCommitted() < allowed) return 0;
    this.vmUnacctMemory(pages);
    return -ENOMEM;
  }

  /** Kernel: `init_user_reserve()` (subsys_initcall): min(free / 32, 128 MiB). */
  initUserReserve(): void {
    const freeKbytes = this.info.nrFreePages() * (1 << (PAGE_SHIFT - 10));
    this.userReserveKbytes = Math.min(Math.floor(freeKbytes / 32), 1 << 17);
  }

  /** Kernel: `init_admin_reserve()` (subsys_initcall): min(free / 32, 8 MiB). */
  initAdminReserve(): void {
    const freeKbytes = this.info.nrFreePages() * (1 << (PAGE_SHIFT - 10));
    this.adminReserveKbytes = Math.min(Math.floor(freeKbytes / 32), 1 << 13);
  }

  /** Kernel: `overcommit_ratio_handler()`: a write clears overcommit_kbytes. */
  setOvercommitRatio(v: number): number {
    this.overcommitRatio = v;
    this.overcommitKbytes = 0;
    return 0;
  }

  /** Kernel: `overcommit_kbytes_handler()`: a write clears overcommit_ratio. */
  setOvercommitKbytes(v: number): number {
    this.overcommitKbytes = v;
    this.overcommitRatio = 0;
    return 0;
  }
}
