// Kernel: arch/arm64/include/asm/memory.h, arch/arm64/include/asm/pgtable.h, arch/arm64/include/asm/fixmap.h, arch/arm64/include/asm/processor.h, arch/arm64/include/asm/kernel-pgtable.h (v6.1) — the kernel virtual memory layout
/*
 * The 6.1 layout of the upper (TTBR1) half, derived as memory.h derives it (no KASAN, as in the
 * reference config). For VA_BITS 48 and 4 KiB pages:
 *
 *   PAGE_OFFSET    = -(1 << VA_BITS)                          0xffff000000000000  linear map
 *   PAGE_END       = _PAGE_END(VA_BITS_MIN) = -(1 << 47)      0xffff800000000000
 *   MODULES_VADDR  = PAGE_END, MODULES_VSIZE = 128 MiB        0xffff800000000000
 *   MODULES_END    = KIMAGE_VADDR = VMALLOC_START             0xffff800008000000
 *   VMEMMAP_SHIFT  = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT (6)
 *   VMEMMAP_START  = -(1 << (VA_BITS - VMEMMAP_SHIFT))        0xfffffc0000000000
 *   VMEMMAP_SIZE   = (PAGE_END - PAGE_OFFSET) >> VMEMMAP_SHIFT  2 TiB
 *   VMALLOC_END    = VMEMMAP_START - 256 MiB                  0xfffffbfff0000000
 *   FIXADDR_TOP    = VMEMMAP_START - 32 MiB                   0xfffffbfffe000000
 *   PCI_IO_START   = VMEMMAP_START - 24 MiB, PCI_IO_END = VMEMMAP_START - 8 MiB
 *
 * (6.5 moved modules to a 2 GiB window and 6.9 moved the fixmap and PCI I/O above vmemmap; the
 * capture's `VmallocTotal: 133143592960 kB` is VMALLOC_END - VMALLOC_START of exactly this
 * layout.) The kernel image lives inside the vmalloc area at KIMAGE_VADDR (+ the KASLR offset,
 * 0 with `nokaslr`). Every address is a `Va` (signed number, kernel half negative).
 *
 * FIXADDR_START = FIXADDR_TOP - (__end_of_permanent_fixed_addresses << PAGE_SHIFT). 6.1's enum
 * fixed_addresses holds FIX_HOLE, the FDT window (FIX_FDT_SIZE = MAX_FDT_SIZE + 2 MiB = 4 MiB),
 * FIX_EARLYCON_MEM_BASE, FIX_TEXT_POKE0, four APEI GHES slots (ACPI_APEI_GHES and
 * ARM_SDE_INTERFACE are =y in Debian's config) and four entry-trampoline slots
 * (UNMAP_KERNEL_AT_EL0 + RELOCATABLE): 1035 pages with 4 KiB pages.
 */
import { ConfigError, ArgumentError, SZ_128M, SZ_16M, SZ_256M, SZ_2M, SZ_32M, SZ_8M, describeValue } from "@mmsim/core";
import { type Va, formatVa } from "./va.ts";

/** log2(sizeof(struct page)) rounded up (64-byte struct page). Kernel: `STRUCT_PAGE_MAX_SHIFT`. */
export const STRUCT_PAGE_MAX_SHIFT = 6;
/** Size of the module area in 6.1. Kernel: `MODULES_VSIZE`. */
export const MODULES_VSIZE = SZ_128M;
/** Size of the PCI I/O window. Kernel: `PCI_IO_SIZE`. */
export const PCI_IO_SIZE = SZ_16M;
/** Largest flattened device tree the fixmap can map. Kernel: `MAX_FDT_SIZE`. */
export const MAX_FDT_SIZE = SZ_2M;
/** The fixmap's FDT window. Kernel: `FIX_FDT_SIZE` (6.1: MAX_FDT_SIZE + SZ_2M). */
export const FIX_FDT_SIZE = MAX_FDT_SIZE + SZ_2M;
/** Early-ioremap slots below the permanent fixmap: NR_FIX_BTMAPS pages × FIX_BTMAPS_SLOTS. Kernel: `FIX_BTMAPS_SLOTS`. */
export const FIX_BTMAPS_SLOTS = 7;
/** Alignment of kernel segments. Kernel: `SEGMENT_ALIGN`. */
export const SEGMENT_ALIGN = 0x10000;

/** Granules and VA sizes Kconfig offers in 6.1 (ARM64_VA_BITS_* choices; 52 only with 64 KiB pages before 6.9). */
const VA_BITS_CHOICES: Readonly<Record<number, readonly number[]>> = {
  12: [39, 48],
  14: [36, 47, 48],
  16: [42, 48, 52],
};

/** Inputs of the layout. */
export interface Arm64LayoutConfig {
  /** CONFIG_ARM64_VA_BITS: 39 or 48 with 4 KiB pages (36/47/48 with 16 KiB, 42/48/52 with 64 KiB). */
  readonly vaBits: number;
  /** PAGE_SHIFT of the granule: 12 (4 KiB, the default), 14 (16 KiB), 16 (64 KiB). */
  readonly pageShift?: number;
  /** vabits_actual: 48 when a VA_BITS 52 kernel runs on a CPU without LVA; else VA_BITS. */
  readonly vabitsActual?: number;
  /** memblock_start_of_DRAM(); PHYS_OFFSET is it rounded down to ARM64_MEMSTART_ALIGN. */
  readonly dramStart?: number;
  /** Physical address of `_text` (the kernel image), for kimage_voffset. */
  readonly kernelPhys?: number;
  /** The KASLR displacement (0 with `nokaslr`, the reference command line). */
  readonly kaslrOffset?: number;
  /** __end_of_permanent_fixed_addresses; default: 6.1's enum with Debian's config (see the file comment). */
  readonly fixmapPermanentSlots?: number;
}

/** The layout, every address a `Va`; end addresses are exclusive. */
export interface Arm64Layout {
  readonly vaBits: number;
  readonly vaBitsMin: number;
  readonly vabitsActual: number;
  readonly pageShift: number;
  readonly pageSize: number;
  /** CONFIG_PGTABLE_LEVELS = ARM64_HW_PGTABLE_LEVELS(VA_BITS). */
  readonly pgtableLevels: number;
  /** Shift of the top level's entries. Kernel: `PGDIR_SHIFT`. */
  readonly pgdirShift: number;
  /** Entries in the top-level table. Kernel: `PTRS_PER_PGD`. */
  readonly ptrsPerPgd: number;
  /** User space is [0, TASK_SIZE). Kernel: `TASK_SIZE_64` (1 << vabits_actual). */
  readonly TASK_SIZE: Va;
  readonly PAGE_OFFSET: Va;
  readonly PAGE_END: Va;
  /** Where the linear map really starts (PAGE_OFFSET, or _PAGE_OFFSET(48) on a 52-bit kernel without LVA). */
  readonly linearStart: Va;
  readonly MODULES_VADDR: Va;
  readonly MODULES_END: Va;
  readonly KIMAGE_VADDR: Va;
  readonly VMALLOC_START: Va;
  readonly VMALLOC_END: Va;
  readonly FIXADDR_START: Va;
  readonly FIXADDR_TOP: Va;
  readonly PCI_IO_START: Va;
  readonly PCI_IO_END: Va;
  readonly VMEMMAP_START: Va;
  readonly VMEMMAP_END: Va;
  readonly VMEMMAP_SIZE: number;
  /** ARM64_MEMSTART_ALIGN. */
  readonly memstartAlign: number;
  /** PHYS_OFFSET (memstart_addr), or NaN when no dramStart was given. */
  readonly PHYS_OFFSET: number;
  /** kimage_voffset = kimage_vaddr - __pa(_text), or NaN when no kernelPhys was given. */
  readonly kimageVoffset: number;
  /** kimage_vaddr (KIMAGE_VADDR + KASLR offset). */
  readonly kimageVaddr: Va;
}

const SITE = "hw-arm64.arm64Layout";

/** -(2^bits) as a Va. */
const neg = (bits: number): Va => -(2 ** bits);
/** Kernel: `_PAGE_END(va)` = -(1 << (va - 1)). */
const pageEnd = (va: number): Va => -(2 ** (va - 1));

/**
 * Computes the 6.1 layout for a granule and VA size.
 * Kernel: the macros of arch/arm64/include/asm/memory.h and pgtable.h (VMALLOC_START/END), fixmap.h.
 * @throws ConfigError for a granule or VA size 6.1 does not offer
 */
export function arm64Layout(cfg: Arm64LayoutConfig): Arm64Layout {
  const pageShift = cfg.pageShift ?? 12;
  const choices = VA_BITS_CHOICES[pageShift];
  if (!choices) {
    throw new ConfigError(SITE, "<api>", "pageShift", "12 (4 KiB), 14 (16 KiB) or 16 (64 KiB)", describeValue(cfg.pageShift));
  }
  if (!choices.includes(cfg.vaBits)) {
    throw new ConfigError(SITE, "<api>", "vaBits", `one of ${choices.join(", ")} with ${2 ** (pageShift - 10)} KiB pages (Linux 6.1 Kconfig ARM64_VA_BITS)`, describeValue(cfg.vaBits));
  }
  const vaBits = cfg.vaBits;
  const vaBitsMin = vaBits > 48 ? 48 : vaBits;
  const vabitsActual = cfg.vabitsActual ?? vaBits;
  if (vabitsActual !== vaBits && !(vaBits === 52 && vabitsActual === 48)) {
    throw new ConfigError(SITE, "<api>", "vabitsActual", `${vaBits}${vaBits === 52 ? " or 48 (no LVA)" : ""}`, describeValue(vabitsActual));
  }
  const pageSize = 2 ** pageShift;
  // ARM64_HW_PGTABLE_LEVELS(va_bits) = ((va_bits) - 4) / (PAGE_SHIFT - 3)
  const pgtableLevels = Math.floor((vaBits - 4) / (pageShift - 3));
  // ARM64_HW_PGTABLE_LEVEL_SHIFT(n) = (PAGE_SHIFT - 3) * (4 - n) + 3; PGDIR_SHIFT = that of (4 - levels)
  const pgdirShift = (pageShift - 3) * pgtableLevels + 3;
  const ptrsPerPgd = 2 ** (vaBits - pgdirShift);

  const PAGE_OFFSET = neg(vaBits);
  const PAGE_END = pageEnd(vaBitsMin);
  const MODULES_VADDR = PAGE_END;
  const MODULES_END = MODULES_VADDR + MODULES_VSIZE;
  const KIMAGE_VADDR = MODULES_END;
  const vmemmapShift = pageShift - STRUCT_PAGE_MAX_SHIFT;
  const VMEMMAP_SIZE = (PAGE_END - PAGE_OFFSET) / 2 ** vmemmapShift;
  const VMEMMAP_START = neg(vaBits - vmemmapShift);
  const VMEMMAP_END = VMEMMAP_START + VMEMMAP_SIZE;
  const PCI_IO_END = VMEMMAP_START - SZ_8M;
  const PCI_IO_START = PCI_IO_END - PCI_IO_SIZE;
  const FIXADDR_TOP = VMEMMAP_START - SZ_32M;
  const slots = cfg.fixmapPermanentSlots ?? defaultFixmapPermanentSlots(pageSize);
  const FIXADDR_START = FIXADDR_TOP - slots * pageSize;
  const VMALLOC_START = MODULES_END;
  const VMALLOC_END = VMEMMAP_START - SZ_256M;

  // ARM64_MEMSTART_SHIFT: PUD_SHIFT (4K), CONT_PMD_SHIFT (16K), PMD_SHIFT (64K); at least SECTION_SIZE_BITS.
  const pmdShift = (pageShift - 3) + pageShift;
  const sectionSizeBits = pageShift === 16 ? 29 : 27;
  const memstartShift = pageShift === 12 ? 30 : pageShift === 14 ? pmdShift + 5 : pmdShift;
  const memstartAlign = 2 ** Math.max(memstartShift, sectionSizeBits);
  let PHYS_OFFSET = Number.NaN;
  if (cfg.dramStart !== undefined) {
    if (!Number.isSafeInteger(cfg.dramStart) || cfg.dramStart < 0) throw new ArgumentError(SITE, "dramStart", "a physical address", describeValue(cfg.dramStart));
    PHYS_OFFSET = Math.floor(cfg.dramStart / memstartAlign) * memstartAlign;
    // arm64_memblock_init(): a 52-bit kernel on a 48-bit CPU shifts memstart_addr so the linear
    // map begins at _PAGE_OFFSET(48).
    if (vaBits === 52 && vabitsActual !== 52) PHYS_OFFSET -= neg(48) - neg(52);
  }
  const linearStart = vaBits === 52 && vabitsActual !== 52 ? neg(48) : PAGE_OFFSET;
  const kaslr = cfg.kaslrOffset ?? 0;
  const kimageVaddr = KIMAGE_VADDR + kaslr;
  let kimageVoffset = Number.NaN;
  if (cfg.kernelPhys !== undefined) {
    if (!Number.isSafeInteger(cfg.kernelPhys) || cfg.kernelPhys < 0) throw new ArgumentError(SITE, "kernelPhys", "a physical address", describeValue(cfg.kernelPhys));
    kimageVoffset = kimageVaddr - cfg.kernelPhys;
  }
  return {
    vaBits, vaBitsMin, vabitsActual, pageShift, pageSize, pgtableLevels, pgdirShift, ptrsPerPgd,
    TASK_SIZE: 2 ** vabitsActual, PAGE_OFFSET, PAGE_END, linearStart, MODULES_VADDR, MODULES_END,
    KIMAGE_VADDR, VMALLOC_START, VMALLOC_END, FIXADDR_START, FIXADDR_TOP, PCI_IO_START, PCI_IO_END,
    VMEMMAP_START, VMEMMAP_END, VMEMMAP_SIZE, memstartAlign, PHYS_OFFSET, kimageVoffset, kimageVaddr,
  };
}

/**
 * __end_of_permanent_fixed_addresses of 6.1 with the reference (Debian) config:
 * FIX_HOLE + FIX_FDT_SIZE/PAGE_SIZE + EARLYCON + TEXT_POKE0 + 4 GHES + 4 trampoline slots.
 */
export function defaultFixmapPermanentSlots(pageSize: number): number {
  return 1 + FIX_FDT_SIZE / pageSize + 2 + 4 + 4;
}

/** The reference layout: 4 KiB pages, VA_BITS 48. */
export function defaultArm64Layout(dramStart?: number, kernelPhys?: number): Arm64Layout {
  return arm64Layout({ vaBits: 48, dramStart, kernelPhys });
}

const site = (fn: string) => `hw-arm64.${fn}`;

function needPhysOffset(l: Arm64Layout, fn: string): void {
  if (Number.isNaN(l.PHYS_OFFSET)) throw new ArgumentError(site(fn), "layout", "a layout built with dramStart (PHYS_OFFSET)", "no dramStart");
}
function needVoffset(l: Arm64Layout, fn: string): void {
  if (Number.isNaN(l.kimageVoffset)) throw new ArgumentError(site(fn), "layout", "a layout built with kernelPhys (kimage_voffset)", "no kernelPhys");
}

/** True for a linear-map address. Kernel: `__is_lm_address()`. */
export function isLmAddress(l: Arm64Layout, va: Va): boolean {
  return va >= l.PAGE_OFFSET && va < l.PAGE_END;
}

/** True inside the kernel image's virtual range [kimage_vaddr, kimage_vaddr + size). */
export function isKimgAddress(l: Arm64Layout, va: Va, imageSize: number): boolean {
  return va >= l.kimageVaddr && va < l.kimageVaddr + imageSize;
}

/**
 * Linear-map address of a physical address. Kernel: `__va()` / `__phys_to_virt()` = (x - PHYS_OFFSET) | PAGE_OFFSET.
 * @throws ArgumentError when the result is outside the linear map, or the layout has no PHYS_OFFSET
 */
export function __va(l: Arm64Layout, pa: number): Va {
  needPhysOffset(l, "__va");
  const va = pa - l.PHYS_OFFSET + l.PAGE_OFFSET;
  if (!Number.isSafeInteger(pa) || pa < l.PHYS_OFFSET || va >= l.PAGE_END) {
    throw new ArgumentError(site("__va"), "pa", `a physical address the linear map covers ([${hexPa(Math.max(0, l.PHYS_OFFSET))}, +${hexPa(l.PAGE_END - l.PAGE_OFFSET)}))`, describeValue(pa));
  }
  return va;
}

/**
 * Physical address of a linear-map or kernel-image address.
 * Kernel: `__pa()` / `virt_to_phys()` → `__virt_to_phys_nodebug()`: `__lm_to_phys()` or `__kimg_to_phys()`.
 * @throws ArgumentError for any other address (the kernel would return garbage; CONFIG_DEBUG_VIRTUAL warns)
 */
export function __pa(l: Arm64Layout, va: Va): number {
  if (isLmAddress(l, va)) {
    needPhysOffset(l, "__pa");
    return va - l.PAGE_OFFSET + l.PHYS_OFFSET;
  }
  if (va >= l.kimageVaddr && va < l.VMALLOC_END && !Number.isNaN(l.kimageVoffset)) {
    const pa = va - l.kimageVoffset;
    if (pa >= 0) return pa;
  }
  throw new ArgumentError(site("__pa"), "va", "a linear-map or kernel-image address", formatVa(va));
}

/** Same as __pa(). Kernel: `virt_to_phys()`. */
export const virtToPhys = __pa;
/** Same as __va(). Kernel: `phys_to_virt()`. */
export const physToVirt = __va;

/**
 * Physical address of a kernel-image symbol. Kernel: `__pa_symbol()` → `__kimg_to_phys()` = x - kimage_voffset.
 * @throws ArgumentError when the layout has no kimage_voffset or the address is below the image
 */
export function __paSymbol(l: Arm64Layout, va: Va): number {
  needVoffset(l, "__paSymbol");
  const pa = va - l.kimageVoffset;
  if (va < l.kimageVaddr || pa < 0) throw new ArgumentError(site("__paSymbol"), "va", "a kernel-image address", formatVa(va));
  return pa;
}

/** Kernel-image virtual address of a physical address inside the image. Kernel: `__phys_to_kimg()`. */
export function __physToKimg(l: Arm64Layout, pa: number): Va {
  needVoffset(l, "__physToKimg");
  return pa + l.kimageVoffset;
}

/** The linear-map alias of a kernel-image address. Kernel: `lm_alias()` = __va(__pa_symbol(x)). */
export function lmAlias(l: Arm64Layout, va: Va): Va {
  return __va(l, __paSymbol(l, va));
}

const hexPa = (x: number): string => `0x${x.toString(16)}`;

/** A physical range [start, end) for formatLayout. */
export interface PhysRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The layout as a table in the style of Documentation/arm64/memory.rst (start, end inclusive,
 * size, use), full 64-bit hex. With `ram`, adds the populated part of the linear map and, when
 * the layout knows kimage_voffset, where the image sits in the vmalloc area.
 */
export function formatLayout(l: Arm64Layout, ram?: readonly PhysRange[], imageSize?: number): string {
  const rows: [Va, Va, string, boolean][] = []; // start, end (exclusive), use, indented
  const row = (s: Va, e: Va, use: string, sub = false) => {
    if (e > s || (e === 0 && s < 0)) rows.push([s, e, use, sub]);
  };
  row(0, l.TASK_SIZE, "user");
  rows.push([l.TASK_SIZE, l.PAGE_OFFSET, "[non-canonical: neither TTBR0 nor TTBR1]", false]);
  row(l.PAGE_OFFSET, l.PAGE_END, "kernel logical memory map (linear map)");
  if (ram && !Number.isNaN(l.PHYS_OFFSET)) {
    for (const r of ram) row(r.start - l.PHYS_OFFSET + l.PAGE_OFFSET, r.end - l.PHYS_OFFSET + l.PAGE_OFFSET, `populated: RAM ${hexPa(r.start)}-${hexPa(r.end - 1)}`, true);
  }
  row(l.MODULES_VADDR, l.MODULES_END, "modules");
  row(l.VMALLOC_START, l.VMALLOC_END, "vmalloc");
  if (imageSize !== undefined && !Number.isNaN(l.kimageVoffset)) {
    row(l.kimageVaddr, l.kimageVaddr + imageSize, `kernel image (KIMAGE_VADDR; phys ${hexPa(l.kimageVaddr - l.kimageVoffset)})`, true);
  }
  row(l.VMALLOC_END, l.FIXADDR_START, "[guard region]");
  row(l.FIXADDR_START, l.FIXADDR_TOP, "fixed mappings (top down)");
  row(l.FIXADDR_TOP, l.PCI_IO_START, "[guard region]");
  row(l.PCI_IO_START, l.PCI_IO_END, "PCI I/O space");
  row(l.PCI_IO_END, l.VMEMMAP_START, "[guard region]");
  row(l.VMEMMAP_START, l.VMEMMAP_END, "vmemmap");
  rows.push([l.VMEMMAP_END, 0, "[guard region]", false]);
  const lines = [
    `arm64 kernel layout (Linux 6.1): ${l.pageSize / 1024} KiB pages, VA_BITS ${l.vaBits}${l.vabitsActual !== l.vaBits ? ` (vabits_actual ${l.vabitsActual})` : ""}, ${l.pgtableLevels} levels of tables`,
    "  Start             End               Size      Use",
    "  -----------------------------------------------------------------------",
  ];
  for (const [s, e, use, sub] of rows) {
    const u = (x: number): number => (x < 0 ? x + 2 ** 64 : x);
    const size = (e === 0 ? 2 ** 64 : u(e)) - u(s);
    lines.push(`${sub ? " [" : "  "}${formatVa(s)}  ${formatVa(e - 1)}${sub ? "]" : " "} ${formatSize(size).padStart(8)}  ${use}`);
  }
  return lines.join("\n") + "\n";
}

/** `256TB`, `128MB`, `≈124TB`: memory.rst's size column. */
export function formatSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return Number.isInteger(v) ? `${v}${units[u]}` : `≈${Math.round(v)}${units[u]}`;
}


/**
 * The region of the layout `va` falls in: "user", "linear map", "modules", "vmalloc",
 * "fixmap", "PCI I/O", "vmemmap", "guard", or "non-canonical" (neither TTBR covers it).
 */
export function layoutRegion(l: Arm64Layout, va: Va): string {
  if (va >= 0) return va < l.TASK_SIZE ? "user" : "non-canonical";
  if (va < -(2 ** l.vabitsActual) && va < l.linearStart) return "non-canonical";
  if (va < l.PAGE_END) return "linear map";
  if (va < l.MODULES_END) return "modules";
  if (va < l.VMALLOC_END) return "vmalloc";
  if (va >= l.FIXADDR_START && va < l.FIXADDR_TOP) return "fixmap";
  if (va >= l.PCI_IO_START && va < l.PCI_IO_END) return "PCI I/O";
  if (va >= l.VMEMMAP_START && va < l.VMEMMAP_END) return "vmemmap";
  return "guard";
}
