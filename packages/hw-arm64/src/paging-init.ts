// Kernel: arch/arm64/mm/mmu.c (paging_init, map_kernel, map_kernel_segment, map_mem, __map_memblock, arm64_kfence_alloc_pool, arm64_kfence_map_pool, create_idmap, early_pgtable_alloc, mark_rodata_ro, mark_linear_text_alias_ro, update_mapping_prot, fixmap_remap_fdt, early_fixmap_init), arch/arm64/mm/pageattr.c (can_set_direct_map), arch/arm64/include/asm/kfence.h (v6.1.65+) — building swapper_pg_dir
/*
 * paging_init() fills swapper_pg_dir (a page inside the kernel image) with, in this order:
 *
 *  1. map_kernel(): the image at KIMAGE_VADDR, one vm_struct per segment —
 *       .text      [_stext, _etext)                  PAGE_KERNEL_ROX (rodata=off: PAGE_KERNEL_EXEC)
 *       .rodata    [__start_rodata, __inittext_begin) PAGE_KERNEL, NO_CONT_MAPPINGS
 *                  (made read-only later by mark_rodata_ro())
 *       init text  [__inittext_begin, __inittext_end) PAGE_KERNEL_ROX
 *       init data  [__initdata_begin, __initdata_end) PAGE_KERNEL
 *       data+bss   [_data, _end)                      PAGE_KERNEL (vm_struct with a guard page)
 *     with 2 MiB blocks where the image is aligned; then the fixmap's pgd entry is copied from
 *     init_pg_dir (it points at bm_pud/bm_pmd/bm_pte, static tables in the image's bss);
 *  2. map_mem(): with early-initialised KFENCE, first the KFENCE pool (arm64_kfence_alloc_pool:
 *     KFENCE_POOL_SIZE = 2 MiB from memblock_phys_alloc(…, PAGE_SIZE), top-down, marked NOMAP
 *     meanwhile); then every memblock.memory range (NOMAP skipped) into the linear map with
 *     pgprot_tagged(PAGE_KERNEL) and NO_EXEC_MAPPINGS — at page granularity when
 *     can_set_direct_map(), else with PUD/PMD blocks and contiguous runs where aligned. The
 *     kernel's [_stext, __init_begin) is skipped in that pass (marked NOMAP meanwhile) and mapped
 *     afterwards with PAGE_KERNEL and only NO_CONT_MAPPINGS — so 2 MiB blocks there even with
 *     rodata=full; last the KFENCE pool with pages (arm64_kfence_map_pool: NO_BLOCK_MAPPINGS |
 *     NO_CONT_MAPPINGS), which stays reserved in memblock;
 *  3. create_idmap(): the idmap text and the KPTI flag, identity-mapped in idmap_pg_dir.
 *
 * can_set_direct_map() of the reference kernel (Debian 6.1.192, which has the 6.1.65 stable
 * backports of acfa60dbe038 and bfa7965b33ab — see early-params.ts) is
 *
 *   rodata_full || debug_pagealloc_enabled() || arm64_kfence_can_set_direct_map()
 *
 * where arm64_kfence_can_set_direct_map() = CONFIG_KFENCE && !kfence_early_init (a late-init
 * pool can be anywhere, so then the whole linear map must be pages). The reference board has
 * rodata_full (CONFIG_RODATA_FULL_DEFAULT_ENABLED=y, no rodata= on its command line), no
 * CONFIG_DEBUG_PAGEALLOC and no CONFIG_KFENCE: its linear map is page-granular because of
 * rodata_full alone; `rodata=on` or `rodata=off` gives blocks.
 *
 * Every missing table comes from early_pgtable_alloc() → memblock_phys_alloc_range(PAGE_SIZE,
 * PAGE_SIZE, 0, MEMBLOCK_ALLOC_NOLEAKTRACE): one page at a time, top-down, not counted in
 * PageTables. On the 1 GiB reference board this is 7 tables for the image (a PUD, a PMD and
 * 5 PTE tables around the unaligned segment ends), 504 for the linear map (a PUD, a PMD and 502
 * PTE tables: 512 minus the 10 2 MiB blocks of the kernel alias) and 4 for the idmap (PUD, PMD,
 * and one PTE table each for the idmap text and the KPTI flag in .data): 515 pages, the
 * 0x7fdfd000..0x7fffffff block of the capture's memblock/reserved (2, 4, 6, 8 GiB: 1028, 2054,
 * 3080, 4106 — also as captured).
 */
import { ArgumentError, PAGE_SIZE, describeValue, panic } from "@mmsim/core";
import { CONFIG_KFENCE_SAMPLE_INTERVAL, RODATA_FULL_DEFAULT_ENABLED } from "./early-params.ts";
import {
  NO_BLOCK_MAPPINGS, NO_CONT_MAPPINGS, NO_EXEC_MAPPINGS, type PgtableAllocFn, createPgdMapping, levelOfShift,
} from "./create-mapping.ts";
import { __physToKimg, type Arm64Layout } from "./layout.ts";
import { populate } from "./mm-pgtables.ts";
import { P4D_TYPE_TABLE, PMD_TYPE_TABLE, PUD_TYPE_TABLE, PT_PAGE_SHIFT } from "./pgtable-hwdef.ts";
import { PAGE_KERNEL, PAGE_KERNEL_EXEC, PAGE_KERNEL_RO, PAGE_KERNEL_ROX, type Pgprot, pgprotTagged } from "./pgtable-prot.ts";
import { TABLE_ORIGIN_IMAGE, TABLE_ORIGIN_MEMBLOCK, type PgtableStore } from "./pgtable-store.ts";
import { pgdOffsetPgd, pmdIndex, pudIndex } from "./pgtable.ts";
import { type Va, formatVa0x } from "./va.ts";

/** Physical addresses of the kernel image's segment boundaries (System.map symbols minus kimage_voffset). */
export interface KernelSegments {
  readonly _text: number;
  readonly _stext: number;
  readonly _etext: number;
  readonly __start_rodata: number;
  /** = __init_begin. */
  readonly __inittext_begin: number;
  readonly __inittext_end: number;
  readonly __initdata_begin: number;
  /** = __init_end. */
  readonly __initdata_end: number;
  /** = _sdata. */
  readonly _data: number;
  readonly _end: number;
}

/** One memblock.memory region. */
export interface MemoryRegion {
  readonly base: number;
  readonly size: number;
  /** MEMBLOCK_NOMAP: not in the linear map. */
  readonly nomap?: boolean;
}

/** An early vm_struct paging_init registers (vm_area_add_early): what /proc/vmallocinfo shows as `paging_init+…  vmap`. */
export interface EarlyVmArea {
  readonly name: "text" | "rodata" | "inittext" | "initdata" | "data";
  readonly addr: Va;
  /** Includes the guard page unless VM_NO_GUARD (only the data segment has one). */
  readonly size: number;
  readonly physAddr: number;
  /** VM_NO_GUARD for all but data. */
  readonly noGuard: boolean;
}

/** CONFIG_KFENCE_NUM_OBJECTS: Kconfig's default (KFENCE is not set in the reference config). */
export const CONFIG_KFENCE_NUM_OBJECTS = 255;
/** The KFENCE pool: an object page and a guard page per object, plus two. Kernel: `KFENCE_POOL_SIZE` (include/linux/kfence.h). */
export const KFENCE_POOL_SIZE = (CONFIG_KFENCE_NUM_OBJECTS + 1) * 2 * PAGE_SIZE;

/** Inputs of paging_init(): plain data, no Memblock object (hw-arm64 is an arch package). */
export interface PagingInitOptions {
  /** A layout built with dramStart (PHYS_OFFSET) and kernelPhys (kimage_voffset); 4 KiB pages, VA_BITS = store.vaBits. */
  readonly layout: Arm64Layout;
  readonly store: PgtableStore;
  /** memblock.memory, in address order. */
  readonly memory: readonly MemoryRegion[];
  readonly image: KernelSegments;
  /** Physical address of swapper_pg_dir (a page inside the image's read-only data). */
  readonly swapperPgDir: number;
  /**
   * memblock_phys_alloc_range(size, align, 0, MEMBLOCK_ALLOC_NOLEAKTRACE): a physical address,
   * or 0 when memblock is full (then paging_init panics: KernelPanic). The KFENCE pool comes from
   * it too: memblock_phys_alloc() (MEMBLOCK_ALLOC_ACCESSIBLE) places it the same way, both ends
   * meaning memblock.current_limit; only kmemleak tells them apart.
   */
  readonly earlyAlloc: (size: number, align: number) => number;
  /** rodata_enabled: rodata=on|full (true) or rodata=off (false). Default true. */
  readonly rodataEnabled?: boolean;
  /**
   * rodata_full: rodata=full, or no rodata= with CONFIG_RODATA_FULL_DEFAULT_ENABLED=y (the
   * reference config). Counts only with rodataEnabled (6.1.65's arch_parse_debug_rodata() never
   * sets one without the other). Default true.
   */
  readonly rodataFull?: boolean;
  /** CONFIG_KFENCE (not set in the reference config). Default false. */
  readonly kfence?: boolean;
  /** kfence.sample_interval (CONFIG_KFENCE_SAMPLE_INTERVAL, 100, by default): non-zero initialises KFENCE early (kfence_early_init). */
  readonly kfenceSampleInterval?: number;
  /** debug_pagealloc_enabled(): CONFIG_DEBUG_PAGEALLOC (not set in the reference config) and debug_pagealloc=on. Default false. */
  readonly debugPagealloc?: boolean;
  /** Where paging_init's pr_err() lines go ("failed to allocate kfence pool"). Dropped when absent. */
  readonly log?: { prErr(text: string): void };
  /**
   * What paging_init() does between switching to swapper_pg_dir and create_idmap(): the
   * memblock_phys_free() of init_pg_dir and memblock_allow_resize() (the caller's memblock).
   */
  readonly beforeIdmap?: () => void;
  /** create_idmap(): idmap_pg_dir (in the image) and the physical ranges it identity-maps. Skipped when absent. */
  readonly idmap?: {
    readonly pgDir: number;
    readonly textStart: number;
    readonly textEnd: number;
    /** __idmap_kpti_flag (in .data): mapped RW because CONFIG_UNMAP_KERNEL_AT_EL0=y. */
    readonly kptiFlag?: number;
  };
  /** The fixmap's static tables (bm_pud, bm_pmd, bm_pte in the image's bss) and the FDT it maps. Skipped when absent. */
  readonly fixmap?: {
    readonly bmPud: number;
    readonly bmPmd: number;
    readonly bmPte: number;
    /** The DTB fixmap_remap_fdt() maps read-only at __fix_to_virt(FIX_FDT). */
    readonly fdt?: { readonly phys: number; readonly size: number };
  };
}

/** Tables paging_init allocated from memblock, per step. */
export interface PagingInitTables {
  readonly mapKernel: number;
  readonly mapMem: number;
  readonly idmap: number;
  readonly total: number;
  /** Of the total, tables at hardware level 1 (PUD), 2 (PMD) and 3 (PTE); index = level. */
  readonly byLevel: readonly number[];
}

const SITE = "hw-arm64.pagingInit";

/**
 * The kernel's page tables: swapper_pg_dir in a store, with what built it. Kernel: `init_mm`
 * (its pgd), plus the symbols mmu.c uses.
 */
export class KernelPageTables {
  constructor(
    readonly store: PgtableStore,
    readonly layout: Arm64Layout,
    readonly swapperPgDir: number,
    readonly image: KernelSegments,
    readonly memory: readonly MemoryRegion[],
    readonly idmapPgDir: number,
    readonly rodataEnabled: boolean,
    /** Physical address of the early KFENCE pool (__kfence_pool = phys_to_virt() of it), 0 when there is none. */
    readonly kfencePool = 0,
  ) {}

  /** Virtual address of an image symbol given by its physical address. Kernel: `__phys_to_kimg()`. */
  kimg(pa: number): Va {
    return __physToKimg(this.layout, pa);
  }

  /**
   * Changes the protection of an existing kernel mapping (never allocates; NO_CONT_MAPPINGS).
   * Kernel: `update_mapping_prot()`.
   * @param flushTlbKernelRange called after the change (flush_tlb_kernel_range), when given
   * @returns false (and changes nothing) for an address between PAGE_END and VMALLOC_START, as the kernel's "BUG: not updating mapping" warning
   */
  updateMappingProt(phys: number, virt: Va, size: number, prot: Pgprot, flushTlbKernelRange?: (start: Va, end: Va) => void): boolean {
    const l = this.layout;
    if (virt >= l.PAGE_END && virt < l.VMALLOC_START) return false;
    createPgdMapping(this.store, this.swapperPgDir, phys, virt, size, prot, null, NO_CONT_MAPPINGS);
    flushTlbKernelRange?.(virt, virt + size);
    return true;
  }

  /** .rodata (up to __init_begin, covering NOTES and the exception table) becomes read-only. Kernel: `mark_rodata_ro()`. */
  markRodataRo(flush?: (start: Va, end: Va) => void): void {
    const i = this.image;
    this.updateMappingProt(i.__start_rodata, this.kimg(i.__start_rodata), i.__inittext_begin - i.__start_rodata, PAGE_KERNEL_RO, flush);
  }

  /** The linear alias of [_stext, __init_begin) loses write permission. Kernel: `mark_linear_text_alias_ro()`. */
  markLinearTextAliasRo(flush?: (start: Va, end: Va) => void): void {
    const i = this.image;
    const l = this.layout;
    this.updateMappingProt(i._stext, i._stext - l.PHYS_OFFSET + l.PAGE_OFFSET, i.__inittext_begin - i._stext, PAGE_KERNEL_RO, flush);
  }
}

/**
 * Wraps memblock's allocator as mmu.c's early_pgtable_alloc(): one zeroed page per call,
 * registered in the store as a memblock table of the level `shift` implies.
 * Kernel: `early_pgtable_alloc()`.
 * @throws KernelPanic "Failed to allocate page table page", as the kernel panics, when memblock returns 0
 */
export function earlyPgtableAlloc(store: PgtableStore, physAlloc: (size: number, align: number) => number, counter?: number[]): PgtableAllocFn {
  return (shift: number): number => {
    const pa = physAlloc(PAGE_SIZE, PAGE_SIZE);
    if (!pa) panic("early_pgtable_alloc", "Failed to allocate page table page\n");
    const level = levelOfShift(shift);
    store.addTable(pa, level, TABLE_ORIGIN_MEMBLOCK);
    if (counter) counter[level]!++;
    return pa;
  };
}

type DirectMapInputs = Pick<PagingInitOptions, "rodataEnabled" | "rodataFull" | "kfence" | "kfenceSampleInterval" | "debugPagealloc">;

/** kfence_early_init: CONFIG_KFENCE and a non-zero kfence.sample_interval. Kernel: arch/arm64/mm/mmu.c (6.1.65+). */
export function kfenceEarlyInit(o: Pick<PagingInitOptions, "kfence" | "kfenceSampleInterval">): boolean {
  return (o.kfence ?? false) && (o.kfenceSampleInterval ?? CONFIG_KFENCE_SAMPLE_INTERVAL) !== 0;
}

/** A late-initialised KFENCE pool needs the whole linear map at page granularity. Kernel: `arm64_kfence_can_set_direct_map()` (asm/kfence.h, 6.1.65+). */
export function arm64KfenceCanSetDirectMap(o: Pick<PagingInitOptions, "kfence" | "kfenceSampleInterval">): boolean {
  return (o.kfence ?? false) && !kfenceEarlyInit(o);
}

/**
 * The linear map must be page-granular. Kernel: `can_set_direct_map()` (arch/arm64/mm/pageattr.c,
 * 6.1.65+): rodata_full || debug_pagealloc_enabled() || arm64_kfence_can_set_direct_map().
 */
export function canSetDirectMap(o: DirectMapInputs): boolean {
  const rodataFull = (o.rodataEnabled ?? true) && (o.rodataFull ?? RODATA_FULL_DEFAULT_ENABLED);
  return rodataFull || (o.debugPagealloc ?? false) || arm64KfenceCanSetDirectMap(o);
}

function checkPage(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0 || v % PAGE_SIZE !== 0) throw new ArgumentError(SITE, what, "a page-aligned physical address", describeValue(v));
}

/**
 * Builds swapper_pg_dir as 6.1's paging_init() does (see the file comment) and sets
 * store.swapperPgDir (init_mm.pgd). The caller then frees init_pg_dir in memblock.
 * Kernel: `paging_init()`.
 * @throws ArgumentError for inconsistent inputs (unaligned segments, a layout without PHYS_OFFSET or kimage_voffset)
 * @throws KernelPanic when memblock runs out of pages, as the kernel panics
 */
export function pagingInit(o: PagingInitOptions): { kernel: KernelPageTables; tables: PagingInitTables; vmAreas: EarlyVmArea[] } {
  const { layout: l, store, image: img } = o;
  if (l.pageShift !== PT_PAGE_SHIFT || l.vaBits !== store.vaBits) {
    throw new ArgumentError(SITE, "layout", `4 KiB pages and VA_BITS ${store.vaBits} (the store's)`, `${l.pageSize / 1024} KiB pages, VA_BITS ${l.vaBits}`);
  }
  if (Number.isNaN(l.PHYS_OFFSET) || Number.isNaN(l.kimageVoffset)) {
    throw new ArgumentError(SITE, "layout", "a layout built with dramStart and kernelPhys", Number.isNaN(l.PHYS_OFFSET) ? "no PHYS_OFFSET" : "no kimage_voffset");
  }
  const order: (keyof KernelSegments)[] = ["_text", "_stext", "_etext", "__start_rodata", "__inittext_begin", "__inittext_end", "__initdata_begin", "__initdata_end", "_data", "_end"];
  for (let k = 0; k < order.length; k++) {
    checkPage(`image.${order[k]}`, img[order[k]!]);
    if (k > 0 && img[order[k]!] < img[order[k - 1]!]) throw new ArgumentError(SITE, `image.${order[k]}`, `≥ image.${order[k - 1]} (segments in link order)`, `0x${img[order[k]!].toString(16)}`);
  }
  checkPage("swapperPgDir", o.swapperPgDir);
  const rodataEnabled = o.rodataEnabled ?? true;

  // swapper_pg_dir is part of the image: a table frame from the start.
  store.addTable(o.swapperPgDir, store.startLevel, TABLE_ORIGIN_IMAGE);
  const byLevel = [0, 0, 0, 0];
  const alloc = earlyPgtableAlloc(store, o.earlyAlloc, byLevel);
  const pgdp = o.swapperPgDir;
  const count = () => byLevel[0]! + byLevel[1]! + byLevel[2]! + byLevel[3]!;

  // 1. map_kernel()
  const vmAreas: EarlyVmArea[] = [];
  const textProt = rodataEnabled ? PAGE_KERNEL_ROX : PAGE_KERNEL_EXEC;
  const seg = (name: EarlyVmArea["name"], start: number, end: number, prot: Pgprot, flags: number, noGuard: boolean) => {
    // map_kernel_segment(): BUG_ON(!PAGE_ALIGNED(pa_start)), BUG_ON(!PAGE_ALIGNED(size)) checked above.
    if (end <= start) return;
    const va = __physToKimg(l, start);
    createPgdMapping(store, pgdp, start, va, end - start, prot, alloc, flags);
    vmAreas.push({ name, addr: va, size: end - start + (noGuard ? 0 : PAGE_SIZE), physAddr: start, noGuard });
  };
  seg("text", img._stext, img._etext, textProt, 0, true);
  seg("rodata", img.__start_rodata, img.__inittext_begin, PAGE_KERNEL, NO_CONT_MAPPINGS, true);
  seg("inittext", img.__inittext_begin, img.__inittext_end, textProt, 0, true);
  seg("initdata", img.__initdata_begin, img.__initdata_end, PAGE_KERNEL, 0, true);
  seg("data", img._data, img._end, PAGE_KERNEL, 0, false);
  if (o.fixmap) mapFixmap(store, l, pgdp, o.fixmap);
  const mapKernel = count();

  // 2. map_mem()
  // arm64_kfence_alloc_pool(): the pool before any linear-map table, marked NOMAP until mapped.
  let kfencePool = 0;
  let direct: DirectMapInputs = o;
  if (kfenceEarlyInit(o)) {
    kfencePool = o.earlyAlloc(KFENCE_POOL_SIZE, PAGE_SIZE);
    if (!kfencePool) {
      o.log?.prErr("failed to allocate kfence pool");
      direct = { ...o, kfenceSampleInterval: 0 }; // kfence_early_init = false
    } else {
      checkPage("kfence pool", kfencePool);
    }
  }
  let flags = NO_EXEC_MAPPINGS;
  if (canSetDirectMap(direct)) flags |= NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS;
  const kernelStart = img._stext;
  const kernelEnd = img.__inittext_begin; // __init_begin
  const lm = (pa: number): Va => pa - l.PHYS_OFFSET + l.PAGE_OFFSET;
  const mapMemblock = (start: number, end: number, prot: Pgprot, f: number) => {
    if (start < l.PHYS_OFFSET || lm(end) > l.PAGE_END) {
      throw new ArgumentError(SITE, "memory", `ranges the linear map can hold ([0x${l.PHYS_OFFSET.toString(16)}, +2^${l.vaBitsMin - 1}))`, `[0x${start.toString(16)}, 0x${end.toString(16)})`);
    }
    createPgdMapping(store, pgdp, start, lm(start), end - start, prot, alloc, f);
  };
  const linearProt = pgprotTagged(PAGE_KERNEL);
  // The ranges memblock_mark_nomap() takes out of for_each_mem_range() meanwhile, in address order.
  const holes: [number, number][] = [[kernelStart, kernelEnd]];
  if (kfencePool) holes.push([kfencePool, kfencePool + KFENCE_POOL_SIZE]);
  holes.sort((a, b) => a[0] - b[0]);
  for (const r of o.memory) {
    if (!Number.isSafeInteger(r.base) || !Number.isSafeInteger(r.size) || r.size < 0) throw new ArgumentError(SITE, "memory", "regions with integer base and size", describeValue(r));
    if (r.nomap || r.size === 0) continue;
    let s = r.base;
    const e = r.base + r.size;
    // memblock_mark_nomap() splits the region around each hole.
    for (const [hs, he] of holes) {
      if (he <= s || hs >= e) continue;
      if (hs > s) mapMemblock(s, hs, linearProt, flags);
      s = Math.max(s, he);
    }
    if (e > s) mapMemblock(s, e, linearProt, flags);
  }
  mapMemblock(kernelStart, kernelEnd, PAGE_KERNEL, NO_CONT_MAPPINGS);
  // arm64_kfence_map_pool(): the pool with pages; memblock_clear_nomap(); __kfence_pool = __va(pool).
  if (kfencePool) mapMemblock(kfencePool, kfencePool + KFENCE_POOL_SIZE, linearProt, NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS);
  const mapMem = count() - mapKernel;

  // init_mm.pgd = swapper_pg_dir
  store.swapperPgDir = o.swapperPgDir;
  o.beforeIdmap?.();

  // 3. create_idmap()
  let idmapPgDir = -1;
  if (o.idmap) {
    const im = o.idmap;
    checkPage("idmap.pgDir", im.pgDir);
    if (!(im.textEnd > im.textStart)) throw new ArgumentError(SITE, "idmap.textEnd", "> idmap.textStart", describeValue(im.textEnd));
    idmapPgDir = im.pgDir;
    store.addTable(im.pgDir, store.startLevel, TABLE_ORIGIN_IMAGE);
    // VA_BITS < 48 with RAM beyond 2^VA_BITS would need an extra level (idmap_t0sz); not on a 39-bit board with RAM below 512 GiB.
    if (img._end >= 2 ** store.vaBits) throw new ArgumentError(SITE, "image._end", `below 2^${store.vaBits} (an extended idmap is not modelled)`, `0x${img._end.toString(16)}`);
    createPgdMapping(store, im.pgDir, im.textStart, im.textStart, im.textEnd - im.textStart, PAGE_KERNEL_ROX, alloc, 0);
    if (im.kptiFlag !== undefined) createPgdMapping(store, im.pgDir, im.kptiFlag, im.kptiFlag, 4, PAGE_KERNEL, alloc, 0);
  }
  const total = count();
  const tables: PagingInitTables = { mapKernel, mapMem, idmap: total - mapKernel - mapMem, total, byLevel: byLevel.slice() };
  const kernel = new KernelPageTables(store, l, o.swapperPgDir, img, o.memory, idmapPgDir, rodataEnabled, kfencePool);
  return { kernel, tables, vmAreas };
}

/** Kernel: `__fix_to_virt()` = FIXADDR_TOP - (idx << PAGE_SHIFT). */
export function fixToVirt(l: Arm64Layout, idx: number): Va {
  return l.FIXADDR_TOP - idx * l.pageSize;
}
/** Kernel: `FIX_FDT` (6.1: FIX_FDT_END + FIX_FDT_SIZE / PAGE_SIZE - 1, FIX_FDT_END = 1). */
export function fixFdt(l: Arm64Layout): number {
  return 1 + (4 * 1024 * 1024) / l.pageSize - 1;
}

/**
 * The fixmap as swapper sees it after paging_init: early_fixmap_init() linked bm_pud → bm_pmd →
 * bm_pte for FIXADDR_START in init_pg_dir, map_kernel() copied that pgd entry into swapper, and
 * setup_machine_fdt() left the DTB mapped read-only by PMD blocks at __fix_to_virt(FIX_FDT).
 * Kernel: `early_fixmap_init()`, map_kernel()'s fixmap pgd copy, `fixmap_remap_fdt()`.
 */
function mapFixmap(store: PgtableStore, l: Arm64Layout, pgd: number, f: NonNullable<PagingInitOptions["fixmap"]>): void {
  for (const [k, v] of [["fixmap.bmPud", f.bmPud], ["fixmap.bmPmd", f.bmPmd], ["fixmap.bmPte", f.bmPte]] as const) checkPage(k, v);
  const addr = l.FIXADDR_START;
  const pgdp = pgdOffsetPgd(store, pgd, addr);
  if (store.readLo(pgdp) !== 0) throw new ArgumentError(SITE, "fixmap", "a fixmap pgd entry of its own (16K/4-level sharing is not modelled)", `pgd entry of ${formatVa0x(addr)} already used`);
  let pudp: number;
  if (store.levels === 4) {
    store.addTable(f.bmPud, 1, TABLE_ORIGIN_IMAGE);
    populate(store, pgdp, f.bmPud, P4D_TYPE_TABLE, 0); // __p4d_populate(p4dp, __pa_symbol(bm_pud), P4D_TYPE_TABLE)
    pudp = f.bmPud + pudIndex(addr) * 8;
  } else {
    pudp = pgdp;
  }
  store.addTable(f.bmPmd, 2, TABLE_ORIGIN_IMAGE);
  populate(store, pudp, f.bmPmd, PUD_TYPE_TABLE, 0); // __pud_populate(pudp, __pa_symbol(bm_pmd), PUD_TYPE_TABLE)
  store.addTable(f.bmPte, 3, TABLE_ORIGIN_IMAGE);
  populate(store, f.bmPmd + pmdIndex(addr) * 8, f.bmPte, PMD_TYPE_TABLE, 0); // __pmd_populate(pmdp, __pa_symbol(bm_pte), PMD_TYPE_TABLE)
  if (f.fdt) {
    // fixmap_remap_fdt(dt_phys, &size, PAGE_KERNEL_RO): SWAPPER_BLOCK_SIZE (2 MiB) blocks, create_mapping_noalloc().
    const block = 2 * 1024 * 1024;
    const base = Math.floor(f.fdt.phys / block) * block;
    const offset = f.fdt.phys - base;
    if (f.fdt.size > 2 * 1024 * 1024) throw new ArgumentError(SITE, "fixmap.fdt.size", "≤ MAX_FDT_SIZE (2 MiB)", describeValue(f.fdt.size));
    const size = Math.ceil((offset + f.fdt.size) / block) * block;
    createPgdMapping(store, pgd, base, fixToVirt(l, fixFdt(l)), size, PAGE_KERNEL_RO, null, NO_CONT_MAPPINGS);
  }
}
