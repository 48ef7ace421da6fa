// Kernel: mm/slab_common.c, include/linux/slab.h (v6.1; read from the android14-6.1 tree) — the allocator-independent half of SLAB and SLUB
/*
 * What both slab allocators share, written once on top of the KmemCacheAllocator slot:
 * kmem_cache_create()'s checks and cache merging (aliases), the kmalloc size classes and caches
 * (normal, cgroup, reclaimable, dma), kmalloc/kzalloc/krealloc/kfree/ksize with large
 * allocations going straight to the page allocator, kmem_cache_destroy()'s complaint, and
 * /proc/slabinfo.
 *
 * arm64 6.1: ARCH_DMA_MINALIGN = ARCH_KMALLOC_MINALIGN = 128, so KMALLOC_MIN_SIZE is 128 and the
 * smallest kmalloc cache is kmalloc-128 (no -8 … -96, no -192). In 6.1 both SLAB and SLUB serve
 * kmalloc from caches up to 2 × PAGE_SIZE (kmalloc-8k, KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1) and
 * hand larger sizes to the page allocator (SLAB's caches up to 32 MiB ended with 6.1).
 *
 * Caches are kept in slab_caches order (newest first, list_add), which is /proc/slabinfo's.
 */
import { EINVAL } from "./errno.ts";
import { MAX_ORDER } from "./mmzone.ts";
import type { KernelLog } from "./printk.ts";
import { panic } from "./panic.ts";
import {
  type KmemCacheAllocator, NIL_OBJECT, SLAB_ACCOUNT, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_CONSISTENCY_CHECKS,
  SLAB_DEBUG_OBJECTS, SLAB_FAILSLAB, SLAB_HWCACHE_ALIGN, SLAB_KMALLOC, SLAB_MEM_SPREAD, SLAB_NO_USER_FLAGS,
  SLAB_NOLEAKTRACE, SLAB_PANIC, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE,
  SLAB_TYPESAFE_BY_RCU,
} from "./policies/kmem-cache-allocator.ts";
import type { PageAllocator } from "./policies/page-allocator.ts";
import { NR_SLAB_UNRECLAIMABLE_B } from "./vmstat.ts";
import { __GFP_ACCOUNT, __GFP_COMP, __GFP_DMA, __GFP_RECLAIMABLE, __GFP_ZERO } from "./gfp.ts";
import { PAGE_SHIFT, PAGE_SIZE } from "./sizes.ts";

/** arm64: ARCH_DMA_MINALIGN (L1_CACHE_BYTES of the largest cache line, 128 in 6.1). */
export const ARCH_DMA_MINALIGN = 128;
/** arm64 6.1: ARCH_KMALLOC_MINALIGN = ARCH_DMA_MINALIGN. */
export const ARCH_KMALLOC_MINALIGN = ARCH_DMA_MINALIGN;
/** ARCH_SLAB_MINALIGN: __alignof__(unsigned long long). */
export const ARCH_SLAB_MINALIGN = 8;
/** cache_line_size() of the reference CPU (Cortex-A57, CTR_EL0.CWG): 64 bytes. */
export const CACHE_LINE_SIZE = 64;
/** KMALLOC_MIN_SIZE = ARCH_KMALLOC_MINALIGN (when larger than 8). */
export const KMALLOC_MIN_SIZE = ARCH_KMALLOC_MINALIGN;
/** KMALLOC_SHIFT_LOW = ilog2(KMALLOC_MIN_SIZE). */
export const KMALLOC_SHIFT_LOW = 7;
/** KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1 for SLAB and SLUB in 6.1 (include/linux/slab.h): kmalloc-8k is the largest cache. */
export const KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1;
/** KMALLOC_SHIFT_MAX = MAX_ORDER + PAGE_SHIFT - 1: KMALLOC_MAX_SIZE is 4 MiB for both. */
export const KMALLOC_SHIFT_MAX = MAX_ORDER + PAGE_SHIFT - 1;
export const KMALLOC_MAX_SIZE = 2 ** KMALLOC_SHIFT_MAX;

/** Kernel: `enum kmalloc_cache_type` with CONFIG_MEMCG_KMEM and CONFIG_ZONE_DMA. */
export const KMALLOC_NORMAL = 0;
export const KMALLOC_CGROUP = 1;
export const KMALLOC_RECLAIM = 2;
export const KMALLOC_DMA = 3;
export const NR_KMALLOC_TYPES = 4;

/** Flags that prevent merging. Kernel: `SLAB_NEVER_MERGE` (KASAN off). */
export const SLAB_NEVER_MERGE = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_FAILSLAB;
/** Flags two caches must share to merge. Kernel: `SLAB_MERGE_SAME`. */
export const SLAB_MERGE_SAME = SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_ACCOUNT;
/** Flags kmem_cache_create accepts (6.1's SLAB_CORE_FLAGS | SLAB_DEBUG_FLAGS | SLAB_CACHE_FLAGS). */
export const SLAB_FLAGS_PERMITTED =
  SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_DEBUG_OBJECTS |
  SLAB_NOLEAKTRACE | SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT | SLAB_NO_USER_FLAGS | SLAB_KMALLOC | SLAB_RED_ZONE |
  SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS | SLAB_MEM_SPREAD | SLAB_FAILSLAB;

/** kmalloc_info[]: the short size names (index = kmalloc index = log2 of the size, 1 and 2 the odd sizes). */
const KMALLOC_SHORT: Readonly<Record<number, string>> = {
  1: "96", 2: "192", 3: "8", 4: "16", 5: "32", 6: "64", 7: "128", 8: "256", 9: "512", 10: "1k", 11: "2k", 12: "4k",
  13: "8k", 14: "16k", 15: "32k", 16: "64k", 17: "128k", 18: "256k", 19: "512k", 20: "1M", 21: "2M", 22: "4M",
};

/** Name of a kmalloc cache. Kernel: `kmalloc_info[idx].name[type]`. */
export function kmallocCacheName(type: number, idx: number): string {
  const short = KMALLOC_SHORT[idx] ?? String(2 ** idx);
  switch (type) {
    case KMALLOC_CGROUP:
      return `kmalloc-cg-${short}`;
    case KMALLOC_RECLAIM:
      return `kmalloc-rcl-${short}`;
    case KMALLOC_DMA:
      return `dma-kmalloc-${short}`;
    default:
      return `kmalloc-${short}`;
  }
}

/**
 * size_index[] after setup_kmalloc_cache_index_table() with KMALLOC_MIN_SIZE 128: every size up to
 * 128 maps to index 7 (kmalloc-128), 129..192 to 8 (kmalloc-256).
 */
const SIZE_INDEX = Uint8Array.from({ length: 24 }, (_, elem) => ((elem + 1) * 8 <= 128 ? KMALLOC_SHIFT_LOW : 8));

/** The kmalloc index serving `size` bytes (size ≥ 1). Kernel: `kmalloc_slab()`'s index computation. */
export function kmallocIndex(size: number): number {
  if (size <= 192) return SIZE_INDEX[((size - 1) / 8) | 0]!;
  return 32 - Math.clz32(size - 1);
}

/** Kernel: `kmalloc_type()`: which kmalloc array a GFP mask uses. */
export function kmallocType(gfp: number): number {
  if ((gfp & (__GFP_RECLAIMABLE | __GFP_DMA | __GFP_ACCOUNT)) === 0) return KMALLOC_NORMAL;
  if ((gfp & __GFP_DMA) !== 0) return KMALLOC_DMA;
  if ((gfp & __GFP_RECLAIMABLE) !== 0) return KMALLOC_RECLAIM;
  return KMALLOC_CGROUP;
}

/** Kernel: `calculate_alignment()`. */
export function calculateAlignment(flags: number, align: number, size: number): number {
  if ((flags & SLAB_HWCACHE_ALIGN) !== 0) {
    let ralign = CACHE_LINE_SIZE;
    while (size <= ralign / 2) ralign /= 2;
    align = Math.max(align, ralign);
  }
  align = Math.max(align, ARCH_SLAB_MINALIGN);
  return Math.ceil(align / 8) * 8;
}

/** Kernel: `get_order()`. */
export function getOrder(size: number): number {
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

/** One cache as slab_common knows it. Kernel: the common part of `struct kmem_cache`. */
export interface SlabCache {
  /** The allocator's cache id. */
  readonly id: number;
  readonly name: string;
  /** `object_size`: grows when a larger cache merges into this one. */
  objectSize: number;
  readonly align: number;
  readonly flags: number;
  readonly ctor?: (obj: number) => void;
  /** `usersize` (hardened usercopy region); kmalloc caches set it, which makes them unmergeable. */
  readonly usersize: number;
  /** `refcount`: users of the cache, merged aliases included; -1 = never merge. */
  refcount: number;
  /** Names of caches merged into this one (sysfs `aliases` counts them). */
  readonly aliases: string[];
}

/** Options of slab_common (kernel command line). */
export interface SlabCommonOptions {
  /** `slab_nomerge` (CONFIG_SLAB_MERGE_DEFAULT=y in the reference: merging on). */
  readonly slabNomerge?: boolean;
  /** KMALLOC_SHIFT_HIGH (13 in 6.1 for both allocators). */
  readonly kmallocShiftHigh?: number;
  /** CONFIG_MEMCG_KMEM on and not `cgroup.memory=nokmem`: the kmalloc-cg-* caches exist. */
  readonly memcgKmem?: boolean;
}

/**
 * The allocator-independent slab layer of one machine.
 * Kernel: mm/slab_common.c (`slab_caches`, `kmalloc_caches[][]`, kmem_cache_create, kmalloc, kfree).
 */
export class SlabCommon {
  /** `slab_caches`, newest first. */
  readonly caches: SlabCache[] = [];
  /** `kmalloc_caches[type][index]`. */
  readonly kmallocCaches: (SlabCache | undefined)[][] = Array.from({ length: NR_KMALLOC_TYPES }, () => []);
  /** Large kmalloc allocations (straight from the page allocator): address → order. */
  private readonly large = new Map<number, number>();
  private readonly byId = new Map<number, SlabCache>();
  readonly kmallocShiftHigh: number;
  readonly kmallocMaxCacheSize: number;
  private readonly slabNomerge: boolean;
  private readonly memcgKmem: boolean;

  constructor(
    readonly allocator: KmemCacheAllocator,
    readonly pages: PageAllocator,
    readonly log: KernelLog,
    opts: SlabCommonOptions = {},
  ) {
    this.kmallocShiftHigh = opts.kmallocShiftHigh ?? KMALLOC_SHIFT_HIGH;
    this.kmallocMaxCacheSize = 2 ** this.kmallocShiftHigh;
    this.slabNomerge = opts.slabNomerge ?? false;
    this.memcgKmem = opts.memcgKmem ?? true;
  }

  private add(c: SlabCache): SlabCache {
    this.caches.unshift(c); // list_add(&s->list, &slab_caches)
    this.byId.set(c.id, c);
    return c;
  }

  /** The flags in effect for a cache: its own and what the allocator's boot options add. Kernel: `kmem_cache_flags()`. */
  private effectiveFlags(size: number, flags: number, name: string): number {
    return this.allocator.kmemCacheFlags?.(size, flags, name) ?? flags;
  }

  /** Kernel: `slab_unmergeable()` (s->flags are the flags kmem_cache_flags() gave the cache). */
  private unmergeable(s: SlabCache): boolean {
    return this.slabNomerge || (this.effectiveFlags(s.objectSize, s.flags, s.name) & SLAB_NEVER_MERGE) !== 0 || s.ctor !== undefined || s.usersize !== 0 || s.refcount < 0;
  }

  /**
   * An existing cache a new one of this shape can share. Kernel: `find_mergeable()`.
   * @param name the new cache's name: the allocator's boot options may give it flags that forbid merging (slub_debug)
   */
  findMergeable(size: number, align: number, flags: number, ctor?: (obj: number) => void, name?: string): SlabCache | undefined {
    if (this.slabNomerge || ctor) return undefined;
    size = Math.ceil(size / 8) * 8;
    align = calculateAlignment(flags, align, size);
    size = Math.ceil(size / align) * align;
    if (name !== undefined) flags = this.effectiveFlags(size, flags, name);
    if ((flags & SLAB_NEVER_MERGE) !== 0) return undefined;
    for (let i = this.caches.length - 1; i >= 0; i--) {
      // list_for_each_entry_reverse: oldest first
      const s = this.caches[i]!;
      if (this.unmergeable(s)) continue;
      const g = this.allocator.geometry(s.id);
      if (size > g.size) continue;
      if ((flags & SLAB_MERGE_SAME) !== (s.flags & SLAB_MERGE_SAME)) continue;
      if (g.size % align !== 0) continue;
      if (g.size - size >= 8) continue;
      if (this.allocator.name === "slab" && align && (align > g.align || g.align % align !== 0)) continue;
      return s;
    }
    return undefined;
  }

  /**
   * Creates a cache, or returns an existing one it merges with (counted in its aliases).
   * Kernel: `kmem_cache_create()` → `kmem_cache_create_usercopy()`.
   * @returns the cache, or undefined (NULL) after the kernel's warning
   * @throws KernelPanic with SLAB_PANIC, where the kernel panics
   */
  kmemCacheCreate(name: string, size: number, align: number, flags: number, ctor?: (obj: number) => void, usersize = 0): SlabCache | undefined {
    let err = 0;
    if (!name || !Number.isInteger(size) || size < 8 || size > KMALLOC_MAX_SIZE) err = -EINVAL;
    else if ((flags & ~SLAB_FLAGS_PERMITTED) !== 0) err = -EINVAL;
    if (err === 0 && usersize === 0) {
      const s = this.findMergeable(size, align, flags, ctor, name);
      if (s) {
        s.refcount++;
        s.objectSize = Math.max(s.objectSize, size);
        s.aliases.push(name);
        return s;
      }
    }
    if (err === 0) {
      const id = this.allocator.kmemCacheCreate(name, size, calculateAlignment(flags, align, size), flags, ctor);
      if (id < 0) err = id;
      else return this.add({ id, name, objectSize: size, align: calculateAlignment(flags, align, size), flags, ctor, usersize, refcount: 1, aliases: [] });
    }
    if ((flags & SLAB_PANIC) !== 0) panic("kmem_cache_create_usercopy", `kmem_cache_create_usercopy: Failed to create slab '${name}'. Error ${err}\n`);
    else this.log.prWarn(`kmem_cache_create(${name}) failed with error ${err}`);
    return undefined;
  }

  /**
   * Creates every kmalloc cache, type by type. Kernel: `create_kmalloc_caches()` →
   * `new_kmalloc_cache()` → `create_kmalloc_cache()` → `create_boot_cache()`.
   */
  createKmallocCaches(): void {
    for (let type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; type++) {
      for (let i = KMALLOC_SHIFT_LOW; i <= this.kmallocShiftHigh; i++) {
        if (this.kmallocCaches[type]![i]) continue;
        // create_kmalloc_caches(0) in 6.1: only SLAB_KMALLOC (create_kmalloc_cache adds it), so slub_debug applies to them
        let flags = SLAB_KMALLOC;
        if (type === KMALLOC_RECLAIM) flags |= SLAB_RECLAIM_ACCOUNT;
        else if (type === KMALLOC_CGROUP) {
          if (!this.memcgKmem) {
            this.kmallocCaches[type]![i] = this.kmallocCaches[KMALLOC_NORMAL]![i];
            continue;
          }
          flags |= SLAB_ACCOUNT;
        } else if (type === KMALLOC_DMA) flags |= SLAB_CACHE_DMA;
        const size = 2 ** i;
        // create_boot_cache: power-of-two kmalloc sizes are naturally aligned
        const align = calculateAlignment(flags, Math.max(ARCH_KMALLOC_MINALIGN, size), size);
        const name = kmallocCacheName(type, i);
        const id = this.allocator.kmemCacheCreate(name, size, align, flags);
        if (id < 0) {
          panic("create_boot_cache", `Creation of kmalloc slab ${name} size=${size} failed. Reason ${id}\n`);
        }
        // usersize = size (hardened usercopy): never merged; KMALLOC_NORMAL also refcount -1 (MEMCG_KMEM)
        const c = this.add({ id, name, objectSize: size, align, flags, usersize: size, refcount: type === KMALLOC_NORMAL ? -1 : 1, aliases: [] });
        this.kmallocCaches[type]![i] = c;
      }
    }
  }

  /** The cache of an id. */
  cache(id: number): SlabCache | undefined {
    return this.byId.get(id);
  }

  /** Finds a cache by name (aliases included). */
  findCache(name: string): SlabCache | undefined {
    return this.caches.find((c) => c.name === name || c.aliases.includes(name));
  }

  /**
   * Destroys a cache; the kernel WARNs and keeps a cache that still has objects.
   * Kernel: `kmem_cache_destroy()`.
   * @returns 0, or -EBUSY
   */
  kmemCacheDestroy(c: SlabCache): number {
    c.refcount--;
    if (c.refcount > 0) return 0;
    const err = this.allocator.kmemCacheDestroy(c.id);
    if (err !== 0) {
      this.log.warn("kmem_cache_destroy+0x0/0x0 (mm/slab_common.c)", `kmem_cache_destroy ${c.name}: Slab cache still has objects when called from 0x0`);
      return err;
    }
    this.caches.splice(this.caches.indexOf(c), 1);
    this.byId.delete(c.id);
    return 0;
  }

  /**
   * Allocates `size` bytes. Kernel: `kmalloc()` → `__do_kmalloc_node()`; sizes above the largest
   * kmalloc cache go to the page allocator (`__kmalloc_large_node`, counted in NR_SLAB_UNRECLAIMABLE_B).
   * @returns the address, or NIL_OBJECT (NULL; also for size 0, the kernel's ZERO_SIZE_PTR case)
   */
  kmalloc(size: number, gfp: number, cpu: number, nid = -1): number {
    if (size <= 0) return NIL_OBJECT;
    if (size > this.kmallocMaxCacheSize) {
      if (size > KMALLOC_MAX_SIZE) return NIL_OBJECT;
      const order = getOrder(size);
      const pfn = this.pages.allocPages(gfp | __GFP_COMP, order, cpu, nid);
      if (pfn < 0) return NIL_OBJECT;
      this.pages.modNodePageState(pfn, NR_SLAB_UNRECLAIMABLE_B, 2 ** order);
      const addr = pfn * PAGE_SIZE;
      this.large.set(addr, order);
      return addr;
    }
    const c = this.kmallocCaches[kmallocType(gfp)]![kmallocIndex(size)];
    if (!c) return NIL_OBJECT;
    return this.allocator.kmemCacheAlloc(c.id, gfp, cpu, nid);
  }

  /** Kernel: `kzalloc()` = kmalloc with __GFP_ZERO. */
  kzalloc(size: number, gfp: number, cpu: number): number {
    return this.kmalloc(size, gfp | __GFP_ZERO, cpu);
  }

  /**
   * Frees what kmalloc returned; NULL is ignored. Kernel: `kfree()`.
   * @returns 0, or -EINVAL for an address that is neither a slab object nor a large kmalloc
   */
  kfree(obj: number, cpu: number): number {
    if (obj === NIL_OBJECT) return 0;
    const order = this.large.get(obj);
    if (order !== undefined) {
      this.large.delete(obj);
      const pfn = obj / PAGE_SIZE;
      this.pages.modNodePageState(pfn, NR_SLAB_UNRECLAIMABLE_B, -(2 ** order));
      return this.pages.freePages(pfn, order, cpu);
    }
    const id = this.allocator.objectCache(obj);
    if (id < 0) {
      // 6.1's kfree sends a non-slab folio to free_large_kmalloc, whose order is 0 here:
      // WARN_ON_ONCE(order == 0) and pr_warn_once of the pointer. mmsim stops there and frees
      // nothing (the kernel goes on to __free_pages a page that is not kmalloc's), and prints the
      // address itself where the kernel prints %p's hash.
      warnFreeLargeKmalloc(this.log, obj);
      return -EINVAL;
    }
    this.allocator.kmemCacheFree(id, obj, cpu);
    return 0;
  }

  /** Usable size of an allocation. Kernel: `ksize()` → `__ksize()`. */
  ksize(obj: number): number {
    const order = this.large.get(obj);
    if (order !== undefined) return PAGE_SIZE * 2 ** order;
    const id = this.allocator.objectCache(obj);
    return id < 0 ? 0 : this.allocator.geometry(id).objectSize;
  }

  /**
   * Resizes an allocation, keeping it when it still fits. Kernel: `krealloc()`.
   * @returns the (possibly new) address, or NIL_OBJECT (the old allocation is kept then)
   */
  krealloc(obj: number, newSize: number, gfp: number, cpu: number): number {
    if (newSize === 0) {
      this.kfree(obj, cpu);
      return NIL_OBJECT;
    }
    if (obj !== NIL_OBJECT && this.ksize(obj) >= newSize) return obj;
    const fresh = this.kmalloc(newSize, gfp, cpu);
    if (fresh === NIL_OBJECT) return NIL_OBJECT;
    if (obj !== NIL_OBJECT) this.kfree(obj, cpu);
    return fresh;
  }

  /**
   * /proc/slabinfo. Kernel: `print_slabinfo_header()` + `cache_show()` over slab_caches.
   */
  slabinfo(): string {
    let out = "slabinfo - version: 2.1\n";
    out += "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
    for (const c of this.caches) {
      const g = this.allocator.geometry(c.id);
      const st = this.allocator.stats(c.id);
      out += `${c.name.padEnd(17)} ${pad(st.activeObjs, 6)} ${pad(st.numObjs, 6)} ${pad(g.size, 6)} ${pad(g.objsPerSlab, 4)} ${pad(2 ** g.order, 4)}`;
      out += ` : tunables ${pad(st.limit, 4)} ${pad(st.batchcount, 4)} ${pad(st.sharedfactor, 4)}`;
      out += ` : slabdata ${pad(st.activeSlabs, 6)} ${pad(st.numSlabs, 6)} ${pad(st.sharedAvail, 6)}\n`;
    }
    return out;
  }
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, " ");
}

/** free_large_kmalloc's WARN_ON_ONCE(order == 0) and pr_warn_once of the pointer (a cold path, out of kfree). */
function warnFreeLargeKmalloc(log: KernelLog, obj: number): void {
  if (log.warnOnce("free_large_kmalloc", "free_large_kmalloc+0x0/0x0 (mm/slab_common.c)")) {
    log.prWarn(`object pointer: 0x${obj.toString(16).padStart(16, "0")}`);
  }
}
