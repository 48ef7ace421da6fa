// Kernel: mm/util.c (v6.1) — vm_commit_limit(), the overcommit sysctls
/*
 * CommitLimit of /proc/meminfo. With vm.overcommit_kbytes = 0 (the default):
 *   (totalram_pages - hugetlb_total_pages) × overcommit_ratio / 100 + total_swap_pages
 * Reference board: 250209 × 50 / 100 = 125104 pages = 500416 kB.
 * The overcommit sysctls and vm_committed_as are inputs: there is no mmap accounting yet.
 */
import { PAGE_SHIFT } from "@mmsim/core";

/** The vm.overcommit_* sysctls vm_commit_limit() reads. */
export interface OvercommitSysctl {
  /** `vm.overcommit_ratio` (percent of RAM), default 50. */
  readonly overcommitRatio: number;
  /** `vm.overcommit_kbytes`: when non-zero, replaces the ratio. Default 0. */
  readonly overcommitKbytes: number;
}

/** 6.1's defaults. */
export const DEFAULT_OVERCOMMIT_SYSCTL: OvercommitSysctl = Object.freeze({ overcommitRatio: 50, overcommitKbytes: 0 });

/**
 * Pages that may be committed before strict overcommit refuses.
 * Kernel: `vm_commit_limit()`.
 */
export function vmCommitLimit(
  totalramPages: number,
  hugetlbTotalPages: number,
  totalSwapPages: number,
  sysctl: OvercommitSysctl = DEFAULT_OVERCOMMIT_SYSCTL,
): number {
  const allowed = sysctl.overcommitKbytes
    ? Math.floor(sysctl.overcommitKbytes / 2 ** (PAGE_SHIFT - 10))
    : Math.floor(((totalramPages - hugetlbTotalPages) * sysctl.overcommitRatio) / 100);
  return allowed + totalSwapPages;
}
