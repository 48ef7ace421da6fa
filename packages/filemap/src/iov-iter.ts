// Kernel: lib/iov_iter.c (copy_page_to_iter, copy_page_from_iter_atomic, iov_iter_zero), include/linux/highmem.h (zero_user_segments, folio_zero_range) (v6.1) — what a copy does to the pages' content identities
/*
 * The simulator has no bytes: a page holds a content identity (PageContentStore; @mmsim/fault's
 * page-contents.ts defines them). A copy of a whole page carries its identity; a copy of part of
 * a page over different content makes a page equal to no other (a fresh identity from
 * contentRandom(): the mix is not tracked, and is taken not to compress). Zeroing all of a page
 * gives identity 0.
 */
import { PAGE_SIZE } from "@mmsim/core";
import type { IovIter } from "./fs.ts";
import type { Vfs } from "./vfs.ts";

/**
 * The content of frame `pfn` after `bytes` bytes of content `src` were stored at some offset:
 * `src` for the whole page, unchanged when it already held `src`, else a fresh identity.
 */
export function contentAfterStore(vfs: Vfs, pfn: number, bytes: number, src: number): void {
  const c = vfs.contents;
  if (bytes >= PAGE_SIZE) {
    c.set(pfn, src);
    return;
  }
  if (bytes <= 0) return;
  if (c.get(pfn) === src) return;
  c.set(pfn, c.contentRandom());
}

/** `bytes` bytes of the page at `page` are zeroed. Kernel: `zero_user_segments()` / `folio_zero_range()`. */
export function zeroPageRange(vfs: Vfs, page: number, bytes: number): void {
  contentAfterStore(vfs, vfs.mem.pageToPfn(page), bytes, 0);
}

/**
 * Copies `bytes` bytes of the page at `page` (or of the zero page when page < 0) from `offset`
 * to the user buffer. Kernel: `copy_page_to_iter()`.
 * @returns bytes copied (less than `bytes` when the user buffer faults)
 */
export function copyPageToIter(vfs: Vfs, page: number, _offset: number, bytes: number, iter: IovIter): number {
  if (bytes > iter.count) bytes = iter.count;
  const buf = iter.buf;
  if (buf !== null) {
    const id = page >= 0 ? vfs.contents.get(vfs.mem.pageToPfn(page)) : 0;
    if (!buf.writeContent(iter.done, bytes, id)) return 0;
  }
  iter.advance(bytes);
  return bytes;
}

/**
 * The content the next `bytes` bytes of the user buffer hold (a write's source), or -1 when
 * they fault. Kernel: `fault_in_iov_iter_readable()` (0 bytes faulted in: -EFAULT).
 */
export function iterSourceContent(iter: IovIter, bytes: number): number {
  const buf = iter.buf;
  return buf === null ? 0 : buf.readContent(iter.done, bytes);
}

/**
 * Copies `bytes` bytes of content `src` from the user buffer into the page at `page` at `offset`.
 * Kernel: `copy_page_from_iter_atomic()`.
 * @returns bytes copied
 */
export function copyPageFromIter(vfs: Vfs, page: number, _offset: number, bytes: number, src: number, iter: IovIter): number {
  if (bytes > iter.count) bytes = iter.count;
  contentAfterStore(vfs, vfs.mem.pageToPfn(page), bytes, src);
  iter.advance(bytes);
  return bytes;
}
