// mmsim: a fake page allocator for the boot hand-over (records memblock_free_pages / reserve_bootmem_region)
import type { BootPageSink } from "../policies/boot-page-sink.ts";
import type { Validatable, ValidationSink } from "../validation.ts";

/**
 * Records what memblock hands over, and checks it as the buddy allocator would: every block is
 * naturally aligned, no page is freed twice, no freed page lies in a reserved range.
 */
export class RecordingBootPageSink implements BootPageSink, Validatable {
  /** Blocks in the order they were freed: [pfn, order]. */
  readonly freed: [pfn: number, order: number][] = [];
  /** Reserved ranges in the order they were marked: [start, end) in bytes. */
  readonly reserved: [start: number, end: number][] = [];
  /** Count of blocks per order. */
  readonly perOrder: number[] = [];
  /** What totalramPagesAdd() received, summed. */
  totalramPages = 0;
  /** Times resetAllZonesManagedPages() was called. */
  resets = 0;

  resetAllZonesManagedPages(): void {
    this.resets++;
  }

  totalramPagesAdd(count: number): void {
    this.totalramPages += count;
  }

  reserveBootmemRegion(start: number, end: number): void {
    this.reserved.push([start, end]);
  }

  memblockFreePages(pfn: number, order: number): void {
    this.freed.push([pfn, order]);
    this.perOrder[order] = (this.perOrder[order] ?? 0) + 1;
  }

  /** Total pages freed. */
  get freedPages(): number {
    let n = 0;
    for (const [, order] of this.freed) n += 2 ** order;
    return n;
  }

  validate(sink: ValidationSink): void {
    const sorted = [...this.freed].sort((a, b) => a[0] - b[0]);
    let prevEnd = -1;
    for (const [pfn, order] of sorted) {
      const size = 2 ** order;
      if (pfn % size !== 0) sink.report(`freed block pfn ${pfn}`, `not aligned to its order ${order}`);
      if (pfn < prevEnd) sink.report(`freed block pfn ${pfn}`, `overlaps the previous block ending at pfn ${prevEnd}`);
      prevEnd = Math.max(prevEnd, pfn + size);
      const start = pfn * 4096;
      const end = (pfn + size) * 4096;
      for (const [rs, re] of this.reserved) {
        if (start < re && rs < end) sink.report(`freed block pfn ${pfn} order ${order}`, `overlaps reserved range [${rs.toString(16)}, ${re.toString(16)})`);
      }
    }
  }
}
