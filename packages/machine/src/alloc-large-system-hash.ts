// Kernel: mm/page_alloc.c (v6.1) — alloc_large_system_hash() with HASH_EARLY: the early hash tables from memblock
import { type KernelLog, PAGE_SHIFT, PAGE_SIZE, SZ_1G, SZ_1M, alignUp, fls32 } from "@mmsim/core";
import { type Memblock, SMP_CACHE_BYTES } from "@mmsim/memblock";

/**
 * One early hash table from memblock and its log line.
 * Kernel: `alloc_large_system_hash()` with HASH_EARLY | HASH_ZERO (mm/page_alloc.c).
 * @param nrKernelPages nr_kernel_pages (free_area_init's estimate of lowmem)
 * @param nrAllPages nr_all_pages
 * @param limits low_limit and high_limit in entries (0: none; the stack depot gives both)
 * @param caller what memblock=debug prints for this call site in the kernel build (`%pS`)
 */
export function allocLargeSystemHash(
  memblock: Memblock, log: KernelLog, tablename: string, bucketsize: number, scale: number, nrKernelPages: number, nrAllPages: number,
  limits: { readonly low?: number; readonly high?: number } = {}, caller?: string,
): number {
  const lowLimit = limits.low ?? 0;
  const highLimit = limits.high ?? 0;
  let numentries = alignUp(nrKernelPages, SZ_1M / PAGE_SIZE);
  // ADAPT_SCALE: one more scale step per 4× beyond 64 GiB of kernel pages, when no high limit is given.
  if (!highLimit) for (let adapt = ADAPT_SCALE_NPAGES; adapt < numentries; adapt *= 2 ** ADAPT_SCALE_SHIFT) scale++;
  numentries = scale > PAGE_SHIFT ? Math.floor(numentries / 2 ** (scale - PAGE_SHIFT)) : numentries * 2 ** (PAGE_SHIFT - scale);
  if (numentries * bucketsize < PAGE_SIZE) numentries = PAGE_SIZE / bucketsize;
  numentries = 2 ** Math.ceil(Math.log2(numentries));
  let max = highLimit || Math.floor((nrAllPages * PAGE_SIZE) / 16 / bucketsize);
  max = Math.min(max, 0x80000000);
  if (numentries < lowLimit) numentries = lowLimit;
  if (numentries > max) numentries = max;
  let log2qty = Math.floor(Math.log2(numentries));
  let size = 0;
  let table = 0;
  do {
    size = bucketsize * 2 ** log2qty;
    table = memblock.memblockAlloc(size, SMP_CACHE_BYTES, caller);
  } while (!table && size > PAGE_SIZE && --log2qty);
  if (!table) {
    log.printk(0, `Failed to allocate ${tablename} hash table`);
    return 0;
  }
  const order = fls32(size / PAGE_SIZE);
  log.prInfo(`${tablename} hash table entries: ${2 ** log2qty} (order: ${order}, ${size} bytes, linear)`);
  return table;
}

/** ADAPT_SCALE_NPAGES (64 GiB of pages, ADAPT_SCALE_BASE) and ADAPT_SCALE_SHIFT of mm/page_alloc.c. */
const ADAPT_SCALE_NPAGES = (64 * SZ_1G) / PAGE_SIZE;
const ADAPT_SCALE_SHIFT = 2;
