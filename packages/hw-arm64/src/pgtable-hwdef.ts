// Kernel: arch/arm64/include/asm/pgtable-hwdef.h, arch/arm64/include/asm/pgtable-prot.h (software bits) (v6.1) — translation table geometry and descriptor bits, 4 KiB granule
/*
 * A 64-bit descriptor is held as two uint32 words: `lo` = bits 31..0, `hi` = bits 63..32. The
 * kernel's masks below 32 keep their names (PTE_VALID, PTE_AF, …) and apply to `lo`; masks of
 * bits 63..32 are given for the high word with a `_HI` suffix (PTE_PXN is bit 53, so
 * PTE_PXN_HI = 1 << 21). Hot code tests `(hi & PTE_PXN_HI) !== 0` and never builds a bigint.
 *
 * Descriptor layout (stage 1, VMSAv8-64, 4 KiB granule):
 *
 *   63      NSTable      (table)        55  PTE_DIRTY     (software)
 *   62:61   APTable      (table)        54  UXN / XN      PTE_UXN
 *   60      UXNTable     (table)        53  PXN           PTE_PXN
 *   59      PXNTable     (table)        52  Contiguous    PTE_CONT
 *   58      PTE_PROT_NONE (software)    51  DBM           PTE_DBM = PTE_WRITE (software write)
 *   57      PTE_DEVMAP   (software)     50  GP (BTI)      PTE_GP
 *   56      PTE_SPECIAL  (software)     47:12 output address (next table, page or block)
 *   11 nG  10 AF  9:8 SH  7 AP[2] (PTE_RDONLY)  6 AP[1] (PTE_USER)  5 NS  4:2 AttrIndx
 *   1 table (levels 0–2) / page (level 3)   0 valid
 *
 * The store and the walk model the 4 KiB granule only (512 entries per table, 3 or 4 levels);
 * layout.ts also knows the 16 and 64 KiB layouts.
 */

/** Log2 of the granule. */
export const PT_PAGE_SHIFT = 12;
/** Entries per table of the 4 KiB granule. Kernel: `PTRS_PER_PTE` (= PTRS_PER_PMD = PTRS_PER_PUD). */
export const PTRS_PER_PTE = 512;
export const PTRS_PER_PMD = 512;
export const PTRS_PER_PUD = 512;
/** 32-bit words per table in the store (512 descriptors × 2). */
export const TABLE_WORDS = 1024;

/** Kernel: `PMD_SHIFT` (ARM64_HW_PGTABLE_LEVEL_SHIFT(2)). */
export const PMD_SHIFT = 21;
export const PMD_SIZE = 2 ** PMD_SHIFT;
/** Kernel: `PUD_SHIFT` (ARM64_HW_PGTABLE_LEVEL_SHIFT(1)). */
export const PUD_SHIFT = 30;
export const PUD_SIZE = 2 ** PUD_SHIFT;
/** PGDIR_SHIFT with 4 levels (VA_BITS 48); with 3 levels (VA_BITS 39) it is PUD_SHIFT. */
export const PGDIR_SHIFT_4L = 39;
/** Shift of a level's entries: level 0 → 39, 1 → 30, 2 → 21, 3 → 12. Kernel: `ARM64_HW_PGTABLE_LEVEL_SHIFT(n)`. */
export function levelShift(level: number): number {
  return 9 * (3 - level) + 12;
}

/** CONFIG_ARM64_CONT_PTE_SHIFT = 4: 16 contiguous PTEs (64 KiB). Kernel: `CONT_PTE_SHIFT`. */
export const CONT_PTE_SHIFT = 4 + PT_PAGE_SHIFT;
export const CONT_PTES = 16;
export const CONT_PTE_SIZE = 2 ** CONT_PTE_SHIFT;
/** CONFIG_ARM64_CONT_PMD_SHIFT = 4: 16 contiguous PMDs (32 MiB). Kernel: `CONT_PMD_SHIFT`. */
export const CONT_PMD_SHIFT = 4 + PMD_SHIFT;
export const CONT_PMDS = 16;
export const CONT_PMD_SIZE = 2 ** CONT_PMD_SHIFT;

// --- descriptor type bits (low word) --------------------------------------------------------

/** Kernel: `PTE_VALID` (bit 0). */
export const PTE_VALID = 1 << 0;
/** Kernel: `PTE_TYPE_MASK`. */
export const PTE_TYPE_MASK = 3;
/** Kernel: `PTE_TYPE_PAGE` (level 3 page descriptor). */
export const PTE_TYPE_PAGE = 3;
/** Kernel: `PTE_TABLE_BIT` (bit 1: table at levels 0–2, page at level 3; clear for a block). */
export const PTE_TABLE_BIT = 1 << 1;
/** Kernel: `PMD_TYPE_MASK`. */
export const PMD_TYPE_MASK = 3;
/** Kernel: `PMD_TYPE_FAULT`. */
export const PMD_TYPE_FAULT = 0;
/** Kernel: `PMD_TYPE_TABLE`. */
export const PMD_TYPE_TABLE = 3;
/** Kernel: `PMD_TYPE_SECT` (block). */
export const PMD_TYPE_SECT = 1;
/** Kernel: `PUD_TYPE_TABLE`. */
export const PUD_TYPE_TABLE = 3;
/** Kernel: `PUD_TYPE_SECT`. */
export const PUD_TYPE_SECT = 1;
/** Kernel: `P4D_TYPE_TABLE`. */
export const P4D_TYPE_TABLE = 3;

// --- lower attributes (low word) ------------------------------------------------------------

/** AttrIndx[2:0], bits 4:2: the MAIR_EL1 slot. Kernel: `PTE_ATTRINDX(t)`. */
export function PTE_ATTRINDX(t: number): number {
  return t << 2;
}
/** Kernel: `PTE_ATTRINDX_MASK`. */
export const PTE_ATTRINDX_MASK = 7 << 2;
/** NS (bit 5). Kernel: `PMD_SECT_NS` (no PTE_ name in 6.1). */
export const PTE_NS = 1 << 5;
/** AP[1] (bit 6): EL0 may access. Kernel: `PTE_USER`. */
export const PTE_USER = 1 << 6;
/** AP[2] (bit 7): read-only. Kernel: `PTE_RDONLY`. */
export const PTE_RDONLY = 1 << 7;
/** SH[1:0] = 0b11 (inner shareable), bits 9:8. Kernel: `PTE_SHARED`. */
export const PTE_SHARED = 3 << 8;
/** Access flag (bit 10). Kernel: `PTE_AF`. */
export const PTE_AF = 1 << 10;
/** not-Global (bit 11). Kernel: `PTE_NG`. */
export const PTE_NG = 1 << 11;
/** Kernel: `PMD_SECT_VALID`, `PMD_SECT_USER`, `PMD_SECT_RDONLY`, `PMD_SECT_S`, `PMD_SECT_AF`, `PMD_SECT_NG`. */
export const PMD_SECT_VALID = 1 << 0;
export const PMD_SECT_USER = 1 << 6;
export const PMD_SECT_RDONLY = 1 << 7;
export const PMD_SECT_S = 3 << 8;
export const PMD_SECT_AF = 1 << 10;
export const PMD_SECT_NG = 1 << 11;
/** Swap PTEs only: PG_anon_exclusive (bit 2). Kernel: `PTE_SWP_EXCLUSIVE`. */
export const PTE_SWP_EXCLUSIVE = 1 << 2;
/** Output address bits 31:12 in the low word. Kernel: `PTE_ADDR_LOW` (low part). */
export const PTE_ADDR_LO = 0xfffff000 | 0;
/** Output address bits 47:32 in the high word. Kernel: `PTE_ADDR_LOW` (high part). */
export const PTE_ADDR_HI = 0x0000ffff;

// --- upper attributes (high word: bit n of the descriptor is bit n - 32 here) ----------------

/** GP (bit 50): BTI guarded page. Kernel: `PTE_GP`. */
export const PTE_GP_HI = 1 << 18;
/** DBM (bit 51): dirty bit modifier. Kernel: `PTE_DBM`. */
export const PTE_DBM_HI = 1 << 19;
/** Contiguous hint (bit 52). Kernel: `PTE_CONT`, `PMD_SECT_CONT`. */
export const PTE_CONT_HI = 1 << 20;
/** Privileged execute-never (bit 53). Kernel: `PTE_PXN`, `PMD_SECT_PXN`. */
export const PTE_PXN_HI = 1 << 21;
/** Unprivileged execute-never (bit 54). Kernel: `PTE_UXN`, `PMD_SECT_UXN`. */
export const PTE_UXN_HI = 1 << 22;
/** Software: writable (= DBM, bit 51). Kernel: `PTE_WRITE`. */
export const PTE_WRITE_HI = PTE_DBM_HI;
/** Software: dirty (bit 55). Kernel: `PTE_DIRTY`. */
export const PTE_DIRTY_HI = 1 << 23;
/** Software: special mapping, no struct page refcount (bit 56). Kernel: `PTE_SPECIAL`. */
export const PTE_SPECIAL_HI = 1 << 24;
/** Software: device memory with pgmap (bit 57). Kernel: `PTE_DEVMAP`. */
export const PTE_DEVMAP_HI = 1 << 25;
/** Software: PROT_NONE, only when !PTE_VALID (bit 58). Kernel: `PTE_PROT_NONE`. */
export const PTE_PROT_NONE_HI = 1 << 26;
/** Table descriptors: PXNTable (bit 59). Kernel: `PMD_TABLE_PXN`, `PUD_TABLE_PXN`, `P4D_TABLE_PXN`. */
export const TABLE_PXN_HI = 1 << 27;
/** Table descriptors: UXNTable (bit 60). Kernel: `PMD_TABLE_UXN`, `PUD_TABLE_UXN`, `P4D_TABLE_UXN`. */
export const TABLE_UXN_HI = 1 << 28;
/** Table descriptors: APTable[1:0] (bits 62:61): bit 61 = no EL0 access below, bit 62 = read-only below. */
export const TABLE_AP_HI = 3 << 29;
/** Table descriptors: NSTable (bit 63). */
export const TABLE_NS_HI = 1 << 31;

/** PMD_TABLE_PXN and friends, as the kernel names them. */
export const PMD_TABLE_PXN_HI = TABLE_PXN_HI;
export const PMD_TABLE_UXN_HI = TABLE_UXN_HI;
export const PUD_TABLE_PXN_HI = TABLE_PXN_HI;
export const PUD_TABLE_UXN_HI = TABLE_UXN_HI;
export const P4D_TABLE_PXN_HI = TABLE_PXN_HI;
export const P4D_TABLE_UXN_HI = TABLE_UXN_HI;

// --- memory types (MAIR_EL1 slots) ----------------------------------------------------------

/** Kernel: `MT_NORMAL` (must be 0). */
export const MT_NORMAL = 0;
/** Kernel: `MT_NORMAL_TAGGED` (MTE; plain Normal in MAIR when the CPU has no MTE). */
export const MT_NORMAL_TAGGED = 1;
/** Kernel: `MT_NORMAL_NC`. */
export const MT_NORMAL_NC = 2;
/** Kernel: `MT_DEVICE_nGnRnE`. */
export const MT_DEVICE_nGnRnE = 3;
/** Kernel: `MT_DEVICE_nGnRE`. */
export const MT_DEVICE_nGnRE = 4;
/** Names of the MAIR slots 6.1 programs (5–7 unused). */
export const MT_NAMES: readonly string[] = Object.freeze(["NORMAL", "NORMAL_TAGGED", "NORMAL_NC", "DEVICE_nGnRnE", "DEVICE_nGnRE", "(unused 5)", "(unused 6)", "(unused 7)"]);

/** The 64-bit value of a descriptor (for display and tests; never in hot code). */
export function pteval(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Splits a 64-bit descriptor value into [lo, hi] (tests, parsing). */
export function pteWords(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** `0x` + 16 hex digits of a descriptor. */
export function formatPteval(lo: number, hi: number): string {
  return `0x${(hi >>> 0).toString(16).padStart(8, "0")}${(lo >>> 0).toString(16).padStart(8, "0")}`;
}

/** Output address (bits 47:12) of a descriptor, a physical address. Kernel: `__pte_to_phys()` (48-bit PA). */
export function descOutputAddress(lo: number, hi: number): number {
  return (hi & PTE_ADDR_HI) * 4294967296 + ((lo & PTE_ADDR_LO) >>> 0);
}
