// Kernel: include/linux/pageblock-flags.h, mm/page_alloc.c (get_pfnblock_flags_mask, set_pfnblock_flags_mask) — v6.1
/*
 * NR_PAGEBLOCK_BITS (4) per pageblock of PAGEBLOCK_NR_PAGES (512) pages: bits 0..2 the
 * pageblock's migratetype (PB_migrate), bit 3 PB_migrate_skip (compaction). The kernel keeps a
 * bitmap per zone (per section with SPARSEMEM); mmsim keeps one byte per pageblock for the
 * whole MemMap span, indexed by (pfn >> PAGEBLOCK_ORDER) - (basePfn >> PAGEBLOCK_ORDER).
 * New pageblocks start MIGRATE_UNMOVABLE (0) until memmap_init marks them MOVABLE.
 */
import { MIGRATETYPE_MASK, PAGEBLOCK_ORDER, PB_migrate_skip } from "@mmsim/core";

/** The pageblock bitmap. */
export class PageblockFlags {
  /** One byte per pageblock: bits 0..2 migratetype, bit 3 skip. */
  readonly bits: Uint8Array;
  /** Pageblock number of the first pageblock covered. */
  readonly firstBlock: number;

  constructor(basePfn: number, endPfn: number) {
    this.firstBlock = Math.floor(basePfn / 2 ** PAGEBLOCK_ORDER);
    const lastBlock = Math.ceil(endPfn / 2 ** PAGEBLOCK_ORDER);
    this.bits = new Uint8Array(Math.max(0, lastBlock - this.firstBlock));
  }

  /** Bytes of simulator memory per simulated page frame this bitmap costs (1/512). */
  static bytesPerFrame(): number {
    return 1 / 2 ** PAGEBLOCK_ORDER;
  }
}

/** Migratetype of the pageblock holding `pfn`. Kernel: `get_pfnblock_migratetype()`. */
export function getPfnblockMigratetype(pb: PageblockFlags, pfn: number): number {
  return pb.bits[(pfn >>> PAGEBLOCK_ORDER) - pb.firstBlock]! & MIGRATETYPE_MASK;
}

/** Sets the migratetype of the pageblock holding `pfn`. Kernel: `set_pageblock_migratetype()`. */
export function setPageblockMigratetype(pb: PageblockFlags, pfn: number, migratetype: number): void {
  const i = (pfn >>> PAGEBLOCK_ORDER) - pb.firstBlock;
  pb.bits[i] = (pb.bits[i]! & ~MIGRATETYPE_MASK) | migratetype;
}

/** Kernel: `get_pageblock_skip()`. */
export function getPageblockSkip(pb: PageblockFlags, pfn: number): boolean {
  return (pb.bits[(pfn >>> PAGEBLOCK_ORDER) - pb.firstBlock]! & (1 << PB_migrate_skip)) !== 0;
}

/** Kernel: `set_pageblock_skip()` / `clear_pageblock_skip()`. */
export function setPageblockSkip(pb: PageblockFlags, pfn: number, skip: boolean): void {
  const i = (pfn >>> PAGEBLOCK_ORDER) - pb.firstBlock;
  pb.bits[i] = skip ? pb.bits[i]! | (1 << PB_migrate_skip) : pb.bits[i]! & ~(1 << PB_migrate_skip);
}
