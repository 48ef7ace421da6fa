// mmsim: a model of glibc's malloc (malloc/malloc.c: sysmalloc, systrim, munmap_chunk, the mmap threshold) over this package's brk, mmap and munmap — no kernel counterpart
/*
 * What a learner's `malloc(n)` turns into, with glibc 2.3x's rules kept and its bins simplified:
 *   - a chunk is the request plus a 16-byte header, rounded up to 16 bytes, at least 32 bytes
 *     (MINSIZE); the pointer returned is the chunk's start + 16;
 *   - a request of at least the mmap threshold (M_MMAP_THRESHOLD, 128 KiB to start) gets its own
 *     anonymous mapping: mmap(NULL, PAGE_ALIGN(chunk), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS);
 *     free() munmaps it, and — glibc's dynamic threshold — raises the threshold to that chunk's
 *     size (up to 32 MiB, DEFAULT_MMAP_THRESHOLD_MAX) and the trim threshold to twice it;
 *   - smaller requests come from the brk heap: the first free chunk that fits (glibc's bins and
 *     tcache are a first-fit list here), split when the rest is at least MINSIZE; when nothing
 *     fits, the top chunk grows with brk by what is missing plus M_TOP_PAD (128 KiB), page aligned;
 *   - free() coalesces with free neighbours; when the top chunk (free space at the heap's end)
 *     exceeds M_TRIM_THRESHOLD (128 KiB to start), brk shrinks it to M_TOP_PAD (systrim).
 * A bad free (a pointer malloc did not return, or a double free) returns -EINVAL where glibc
 * would abort the process ("free(): invalid pointer").
 */
import { EINVAL, PAGE_SIZE } from "@mmsim/core";
import type { MmapContext } from "./mmap-context.ts";
import type { MmStruct } from "./mm-types.ts";
import { sysBrk, sysMmap, sysMunmap } from "./mmap.ts";
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from "./vm-flags.ts";

/** Bytes of a chunk header (prev_size + size). */
export const CHUNK_HEADER = 16;
/** glibc: `SIZE_SZ` (sizeof(size_t)). */
export const SIZE_SZ = 8;
/** Chunk alignment. glibc: `MALLOC_ALIGNMENT` (2 × SIZE_SZ). */
export const MALLOC_ALIGNMENT = 16;
/** Smallest chunk. glibc: `MINSIZE`. */
export const MINSIZE = 32;
/** glibc: `DEFAULT_MMAP_THRESHOLD_MIN` (128 KiB): the initial M_MMAP_THRESHOLD. */
export const DEFAULT_MMAP_THRESHOLD = 128 * 1024;
/** glibc: `DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit (4 × 1024 × 1024 × sizeof(long)). */
export const DEFAULT_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024;
/** glibc: `DEFAULT_TRIM_THRESHOLD` (128 KiB). */
export const DEFAULT_TRIM_THRESHOLD = 128 * 1024;
/** glibc: M_TOP_PAD's default (128 KiB, as mallopt(3) gives it). */
export const DEFAULT_TOP_PAD = 128 * 1024;

/** One process's malloc arena (the main arena only: one thread). */
export class GlibcMalloc {
  /** M_MMAP_THRESHOLD (bytes; raised by free of a larger mmapped chunk). */
  mmapThreshold = DEFAULT_MMAP_THRESHOLD;
  /** M_TRIM_THRESHOLD. */
  trimThreshold = DEFAULT_TRIM_THRESHOLD;
  /** M_TOP_PAD. */
  topPad = DEFAULT_TOP_PAD;
  /** Set by mallopt of either threshold: the dynamic adjustment stops (glibc: mp_.no_dyn_threshold). */
  noDynThreshold = false;
  /** Where the heap starts (the first brk), 0 before the first brk use. */
  private heapStart = 0;
  /** The top chunk's start: [top, mm.brk) is free space at the heap's end. */
  private top = 0;
  /** Free heap chunks below top, sorted by address: [start, size] pairs. */
  private readonly free: [number, number][] = [];
  /** Live chunks: user pointer → chunk size; mmapped ones have `mmapped` set. */
  private readonly live = new Map<number, { size: number; mmapped: boolean }>();

  constructor(private readonly ctx: MmapContext, private readonly mm: MmStruct) {}

  /** Chunk size for a request of `n` bytes. glibc: `request2size` (with the 16-byte header this model uses). */
  static chunkSize(n: number): number {
    // request2size: the size field is the only overhead of a chunk in use (the next chunk's
    // prev_size field belongs to it): (n + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK, at least MINSIZE.
    return Math.max(MINSIZE, Math.floor((n + SIZE_SZ + MALLOC_ALIGNMENT - 1) / MALLOC_ALIGNMENT) * MALLOC_ALIGNMENT);
  }

  /**
   * malloc(3).
   * @returns the pointer, or 0 (NULL: brk and mmap both refused)
   */
  malloc(n: number): number {
    const nb = GlibcMalloc.chunkSize(n);
    if (nb >= this.mmapThreshold) {
      const p = this.mmapChunk(nb);
      if (p !== 0) return p;
    }
    for (let i = 0; i < this.free.length; i++) {
      const [start, size] = this.free[i]!;
      if (size < nb) continue;
      if (size - nb >= MINSIZE) this.free[i] = [start + nb, size - nb];
      else {
        this.free.splice(i, 1);
        return this.use(start, size, false);
      }
      return this.use(start, nb, false);
    }
    if (this.heapStart === 0) {
      this.heapStart = this.top = Math.ceil(this.mm.brk / MALLOC_ALIGNMENT) * MALLOC_ALIGNMENT;
    }
    const avail = this.mm.brk - this.top;
    if (avail < nb) {
      const want = this.top + nb + this.topPad;
      const target = Math.ceil(want / PAGE_SIZE) * PAGE_SIZE;
      if (sysBrk(this.ctx, this.mm, target) !== target) {
        // sysmalloc falls back to mmap when brk fails.
        return this.mmapChunk(nb);
      }
    }
    const p = this.use(this.top, nb, false);
    this.top += nb;
    return p;
  }

  /**
   * free(3).
   * @returns 0, or -EINVAL for a pointer malloc did not return (glibc aborts)
   */
  freePtr(p: number): number {
    if (p === 0) return 0;
    const c = this.live.get(p);
    if (c === undefined) return -EINVAL;
    this.live.delete(p);
    const start = p - CHUNK_HEADER;
    if (c.mmapped) {
      if (!this.noDynThreshold && c.size > this.mmapThreshold && c.size <= DEFAULT_MMAP_THRESHOLD_MAX) {
        this.mmapThreshold = c.size;
        this.trimThreshold = 2 * c.size;
      }
      return sysMunmap(this.ctx, this.mm, start, c.size);
    }
    let s = start;
    let size = c.size;
    // Coalesce with free neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i]![0] < s) i++;
    if (i > 0 && this.free[i - 1]![0] + this.free[i - 1]![1] === s) {
      s = this.free[i - 1]![0];
      size += this.free[i - 1]![1];
      this.free.splice(--i, 1);
    }
    if (i < this.free.length && this.free[i]![0] === s + size) {
      size += this.free[i]![1];
      this.free.splice(i, 1);
    }
    if (s + size === this.top) {
      this.top = s;
      this.systrim();
    } else {
      this.free.splice(i, 0, [s, size]);
    }
    return 0;
  }

  /** mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD / M_TOP_PAD). */
  mallopt(param: "mmap_threshold" | "trim_threshold" | "top_pad", value: number): void {
    if (param === "mmap_threshold") this.mmapThreshold = value;
    else if (param === "trim_threshold") this.trimThreshold = value;
    else this.topPad = value;
    if (param !== "top_pad") this.noDynThreshold = true;
  }

  /** Bytes of live chunks (headers included) and whether each is mmapped, for tests and dumps. */
  stats(): { liveChunks: number; heapBytes: number; mmappedBytes: number; topFree: number; freeChunks: number } {
    let heapBytes = 0;
    let mmappedBytes = 0;
    for (const c of this.live.values()) {
      if (c.mmapped) mmappedBytes += c.size;
      else heapBytes += c.size;
    }
    return { liveChunks: this.live.size, heapBytes, mmappedBytes, topFree: this.mm.brk - this.top, freeChunks: this.free.length };
  }

  /** glibc: `systrim()`: gives the top chunk back down to top_pad once it exceeds the trim threshold. */
  private systrim(): void {
    const topSize = this.mm.brk - this.top;
    if (topSize < this.trimThreshold) return;
    const extra = Math.floor((topSize - this.topPad - MINSIZE - 1) / PAGE_SIZE) * PAGE_SIZE;
    if (extra <= 0) return;
    sysBrk(this.ctx, this.mm, this.mm.brk - extra);
  }

  private mmapChunk(nb: number): number {
    const size = Math.ceil(nb / PAGE_SIZE) * PAGE_SIZE;
    const a = sysMmap(this.ctx, this.mm, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (a < 0) return 0;
    return this.use(a, size, true);
  }

  private use(start: number, size: number, mmapped: boolean): number {
    const p = start + CHUNK_HEADER;
    this.live.set(p, { size, mmapped });
    return p;
  }
}
