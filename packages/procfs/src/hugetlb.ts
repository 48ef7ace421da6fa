// Kernel: mm/hugetlb.c (v6.1) — hugetlb_report_meminfo(), hugetlb_total_pages(); arch/arm64/mm/hugetlbpage.c hugetlbpage_init()
/*
 * The HugeTLB pools ("hstates") as /proc/meminfo reports them. No HugeTLB mechanism exists in
 * mmsim yet, so the pools are an input; by default they are the four arm64 4 KiB-page pools
 * hugetlbpage_init() registers (PUD 1 GiB, CONT_PMD 32 MiB, PMD 2 MiB, CONT_PTE 64 KiB), all
 * empty, with the PMD pool as default_hstate (HPAGE_SIZE, 2048 kB). meminfo prints the default
 * pool's counters with `%5lu`, its size with `%8lu kB`, and "Hugetlb:" summed over every pool.
 */
import { HUGETLB_PAGE_ORDER, PAGE_SIZE, SZ_1K } from "@mmsim/core";
import { padLeft } from "./seq-file.ts";

/** One HugeTLB pool. Kernel: `struct hstate` (the counters meminfo reads). */
export interface Hstate {
  /** Page order of the pool's huge pages (9: 2 MiB). Kernel: `h->order`. */
  readonly order: number;
  /** Kernel: `h->nr_huge_pages`. */
  readonly nrHugePages: number;
  /** Kernel: `h->free_huge_pages`. */
  readonly freeHugePages: number;
  /** Kernel: `h->resv_huge_pages`. */
  readonly resvHugePages: number;
  /** Kernel: `h->surplus_huge_pages`. */
  readonly surplusHugePages: number;
}

/** An empty pool of the given order. */
function emptyHstate(order: number): Hstate {
  return { order, nrHugePages: 0, freeHugePages: 0, resvHugePages: 0, surplusHugePages: 0 };
}

/**
 * The pools arm64 registers with 4 KiB pages, in registration order, all empty.
 * Kernel: `hugetlbpage_init()` (PUD_SHIFT 30, CONT_PMD_SHIFT 25, PMD_SHIFT 21, CONT_PTE_SHIFT 16).
 */
export function arm64Hstates(): Hstate[] {
  return [emptyHstate(30 - 12), emptyHstate(25 - 12), emptyHstate(HUGETLB_PAGE_ORDER), emptyHstate(16 - 12)];
}

/** Base pages held by every pool. Kernel: `hugetlb_total_pages()`. */
export function hugetlbTotalPages(hstates: readonly Hstate[]): number {
  let n = 0;
  for (const h of hstates) n += h.nrHugePages * 2 ** h.order;
  return n;
}

/**
 * The HugePages_* / Hugepagesize / Hugetlb lines of /proc/meminfo.
 * Kernel: `hugetlb_report_meminfo()`.
 * @param defaultOrder order of default_hstate (HPAGE_SIZE: 9)
 */
export function hugetlbReportMeminfo(hstates: readonly Hstate[], defaultOrder: number = HUGETLB_PAGE_ORDER): string {
  let s = "";
  let totalBytes = 0;
  for (const h of hstates) {
    const size = PAGE_SIZE * 2 ** h.order;
    totalBytes += size * h.nrHugePages;
    if (h.order === defaultOrder) {
      s +=
        `HugePages_Total:   ${padLeft(h.nrHugePages, 5)}\n` +
        `HugePages_Free:    ${padLeft(h.freeHugePages, 5)}\n` +
        `HugePages_Rsvd:    ${padLeft(h.resvHugePages, 5)}\n` +
        `HugePages_Surp:    ${padLeft(h.surplusHugePages, 5)}\n` +
        `Hugepagesize:   ${padLeft(size / SZ_1K, 8)} kB\n`;
    }
  }
  return `${s}Hugetlb:        ${padLeft(Math.floor(totalBytes / SZ_1K), 8)} kB\n`;
}
