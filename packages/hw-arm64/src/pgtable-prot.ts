// Kernel: arch/arm64/include/asm/pgtable-prot.h, arch/arm64/mm/mmap.c (protection_map) (v6.1) — pgprot values and descriptor decoding
/*
 * Every pgprot_t of 6.1 as two words. PTE_MAYBE_NG / PMD_MAYBE_NG are 0 on the reference board:
 * arm64_use_ng_mappings is false because KPTI is off (Cortex-A57 is not affected by Meltdown and
 * `nokaslr` leaves KASLR, which would force KPTI, disabled). Values (64-bit, hex):
 *
 *   PAGE_KERNEL        0x0068000000000703   PROT_NORMAL: RW, PXN, UXN, WRITE, Normal
 *   PAGE_KERNEL_RO     0x0060000000000783
 *   PAGE_KERNEL_ROX    0x0040000000000783
 *   PAGE_KERNEL_EXEC   0x0048000000000703
 *   PAGE_NONE          0x0460000000000f82   !VALID | PROT_NONE
 *   PAGE_SHARED        0x0068000000000fc3   USER | RDONLY | WRITE: clean until written
 *   PAGE_READONLY      0x0060000000000fc3
 *   PAGE_READONLY_EXEC 0x0020000000000fc3
 *   PAGE_EXECONLY      0x0020000000000f83
 *   PROT_DEVICE_nGnRE  0x0068000000000713   ioremap()
 */
import {
  MT_DEVICE_nGnRE, MT_DEVICE_nGnRnE, MT_NAMES, MT_NORMAL, MT_NORMAL_NC, MT_NORMAL_TAGGED, PMD_SECT_AF, PMD_SECT_S,
  PMD_TYPE_SECT, PTE_AF, PTE_ATTRINDX, PTE_ATTRINDX_MASK, PTE_CONT_HI, PTE_DBM_HI, PTE_DEVMAP_HI, PTE_DIRTY_HI, PTE_GP_HI,
  PTE_NG, PTE_NS, PTE_PROT_NONE_HI, PTE_PXN_HI, PTE_RDONLY, PTE_SHARED, PTE_SPECIAL_HI, PTE_TABLE_BIT, PTE_TYPE_PAGE,
  PTE_USER, PTE_UXN_HI, PTE_VALID, PTE_WRITE_HI, TABLE_AP_HI, TABLE_NS_HI, TABLE_PXN_HI, TABLE_UXN_HI, descOutputAddress,
  formatPteval,
} from "./pgtable-hwdef.ts";

/** A pgprot_t: the attribute bits of a descriptor, low and high word. */
export interface Pgprot {
  readonly lo: number;
  readonly hi: number;
}

/** Builds a frozen Pgprot (normalised to uint32 words). */
export function pgprot(lo: number, hi: number): Pgprot {
  return Object.freeze({ lo: lo >>> 0, hi: hi >>> 0 });
}

/** Kernel: `_PROT_DEFAULT` = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED. */
export const _PROT_DEFAULT = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED;
/** Kernel: `_PROT_SECT_DEFAULT` = PMD_TYPE_SECT | PMD_SECT_AF | PMD_SECT_S. */
export const _PROT_SECT_DEFAULT = PMD_TYPE_SECT | PMD_SECT_AF | PMD_SECT_S;
/** Kernel: `PTE_MAYBE_NG` with arm64_use_ng_mappings false (no KPTI on the reference board). */
export const PTE_MAYBE_NG = 0;
/** Kernel: `PROT_DEFAULT` = _PROT_DEFAULT | PTE_MAYBE_NG. */
export const PROT_DEFAULT = _PROT_DEFAULT | PTE_MAYBE_NG;
/** Kernel: `PROT_SECT_DEFAULT`. */
export const PROT_SECT_DEFAULT = _PROT_SECT_DEFAULT | PTE_MAYBE_NG;
/** Kernel: `_PAGE_DEFAULT` = _PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL). */
export const _PAGE_DEFAULT = _PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL);

const XN_W = PTE_PXN_HI | PTE_UXN_HI | PTE_WRITE_HI;

/** Kernel: `PROT_DEVICE_nGnRnE`. */
export const PROT_DEVICE_nGnRnE = pgprot(PROT_DEFAULT | PTE_ATTRINDX(MT_DEVICE_nGnRnE), XN_W);
/** Kernel: `PROT_DEVICE_nGnRE` (ioremap()). */
export const PROT_DEVICE_nGnRE = pgprot(PROT_DEFAULT | PTE_ATTRINDX(MT_DEVICE_nGnRE), XN_W);
/** Kernel: `PROT_NORMAL_NC`. */
export const PROT_NORMAL_NC = pgprot(PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL_NC), XN_W);
/** Kernel: `PROT_NORMAL`. */
export const PROT_NORMAL = pgprot(PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL), XN_W);
/** Kernel: `PROT_NORMAL_TAGGED`. */
export const PROT_NORMAL_TAGGED = pgprot(PROT_DEFAULT | PTE_ATTRINDX(MT_NORMAL_TAGGED), XN_W);
/** Kernel: `PROT_SECT_DEVICE_nGnRE`. */
export const PROT_SECT_DEVICE_nGnRE = pgprot(PROT_SECT_DEFAULT | PTE_ATTRINDX(MT_DEVICE_nGnRE), PTE_PXN_HI | PTE_UXN_HI);
/** Kernel: `PROT_SECT_NORMAL`. */
export const PROT_SECT_NORMAL = pgprot(PROT_SECT_DEFAULT | PTE_ATTRINDX(MT_NORMAL), PTE_PXN_HI | PTE_UXN_HI);
/** Kernel: `PROT_SECT_NORMAL_EXEC`. */
export const PROT_SECT_NORMAL_EXEC = pgprot(PROT_SECT_DEFAULT | PTE_ATTRINDX(MT_NORMAL), PTE_UXN_HI);

/** Kernel: `PAGE_KERNEL` = PROT_NORMAL. */
export const PAGE_KERNEL = PROT_NORMAL;
/** Kernel: `PAGE_KERNEL_TAGGED` = PROT_NORMAL_TAGGED. */
export const PAGE_KERNEL_TAGGED = PROT_NORMAL_TAGGED;
/** Kernel: `PAGE_KERNEL_RO` = (PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY. */
export const PAGE_KERNEL_RO = pgprot(PROT_NORMAL.lo | PTE_RDONLY, PROT_NORMAL.hi & ~PTE_WRITE_HI);
/** Kernel: `PAGE_KERNEL_ROX` = (PROT_NORMAL & ~(PTE_WRITE | PTE_PXN)) | PTE_RDONLY. */
export const PAGE_KERNEL_ROX = pgprot(PROT_NORMAL.lo | PTE_RDONLY, PROT_NORMAL.hi & ~(PTE_WRITE_HI | PTE_PXN_HI));
/** Kernel: `PAGE_KERNEL_EXEC` = PROT_NORMAL & ~PTE_PXN. */
export const PAGE_KERNEL_EXEC = pgprot(PROT_NORMAL.lo, PROT_NORMAL.hi & ~PTE_PXN_HI);
/** Kernel: `PAGE_KERNEL_EXEC_CONT` = (PROT_NORMAL & ~PTE_PXN) | PTE_CONT. */
export const PAGE_KERNEL_EXEC_CONT = pgprot(PROT_NORMAL.lo, (PROT_NORMAL.hi & ~PTE_PXN_HI) | PTE_CONT_HI);

/** Kernel: `PAGE_NONE` = ((_PAGE_DEFAULT) & ~PTE_VALID) | PTE_PROT_NONE | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN. */
export const PAGE_NONE = pgprot((_PAGE_DEFAULT & ~PTE_VALID) | PTE_RDONLY | PTE_NG, PTE_PROT_NONE_HI | PTE_PXN_HI | PTE_UXN_HI);
/** Kernel: `PAGE_SHARED` (shared+writable pages are clean by default, hence PTE_RDONLY|PTE_WRITE). */
export const PAGE_SHARED = pgprot(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG, PTE_PXN_HI | PTE_UXN_HI | PTE_WRITE_HI);
/** Kernel: `PAGE_SHARED_EXEC`. */
export const PAGE_SHARED_EXEC = pgprot(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG, PTE_PXN_HI | PTE_WRITE_HI);
/** Kernel: `PAGE_READONLY`. */
export const PAGE_READONLY = pgprot(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG, PTE_PXN_HI | PTE_UXN_HI);
/** Kernel: `PAGE_READONLY_EXEC`. */
export const PAGE_READONLY_EXEC = pgprot(_PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG, PTE_PXN_HI);
/** Kernel: `PAGE_EXECONLY` (EL0 execute-only; used by protection_map only with Enhanced PAN). */
export const PAGE_EXECONLY = pgprot(_PAGE_DEFAULT | PTE_RDONLY | PTE_NG, PTE_PXN_HI);

/** VM_READ … VM_SHARED of include/linux/mm.h, as protection_map indexes them. */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;

/**
 * The 16 user protections by vm_flags & (VM_READ|VM_WRITE|VM_EXEC|VM_SHARED): private writable
 * mappings start read-only (COW); PAGE_EXECONLY only with Enhanced PAN (not on a Cortex-A57).
 * Kernel: `protection_map[]` (arch/arm64/mm/mmap.c).
 */
export const protectionMap: readonly Pgprot[] = Object.freeze([
  PAGE_NONE, PAGE_READONLY, PAGE_READONLY, PAGE_READONLY,
  PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_READONLY_EXEC,
  PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PAGE_SHARED,
  PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_SHARED_EXEC, PAGE_SHARED_EXEC,
]);

/** Kernel: `vm_get_page_prot()` (no MTE, no BTI: PROT_MTE/PROT_BTI are not modelled). */
export function vmGetPageProt(vmFlags: number): Pgprot {
  return protectionMap[vmFlags & 0xf]!;
}

/** Kernel: `pgprot_tagged()`: AttrIndx = MT_NORMAL_TAGGED (the linear map's memory type). */
export function pgprotTagged(p: Pgprot): Pgprot {
  return pgprot((p.lo & ~PTE_ATTRINDX_MASK) | PTE_ATTRINDX(MT_NORMAL_TAGGED), p.hi);
}

/** Kernel: `pgprot_device()` / `pgprot_noncached()`: AttrIndx = nGnRE / nGnRnE, execute-never. */
export function pgprotDevice(p: Pgprot): Pgprot {
  return pgprot((p.lo & ~PTE_ATTRINDX_MASK) | PTE_ATTRINDX(MT_DEVICE_nGnRE), p.hi | PTE_PXN_HI | PTE_UXN_HI);
}

/** Every named pgprot, for tables and lookups (name → value). */
export const PGPROT_NAMES: readonly (readonly [string, Pgprot])[] = Object.freeze([
  ["PAGE_KERNEL", PAGE_KERNEL], ["PAGE_KERNEL_TAGGED", PAGE_KERNEL_TAGGED], ["PAGE_KERNEL_RO", PAGE_KERNEL_RO],
  ["PAGE_KERNEL_ROX", PAGE_KERNEL_ROX], ["PAGE_KERNEL_EXEC", PAGE_KERNEL_EXEC], ["PAGE_KERNEL_EXEC_CONT", PAGE_KERNEL_EXEC_CONT],
  ["PROT_DEVICE_nGnRE", PROT_DEVICE_nGnRE], ["PROT_DEVICE_nGnRnE", PROT_DEVICE_nGnRnE], ["PROT_NORMAL_NC", PROT_NORMAL_NC],
  ["PAGE_NONE", PAGE_NONE], ["PAGE_SHARED", PAGE_SHARED], ["PAGE_SHARED_EXEC", PAGE_SHARED_EXEC],
  ["PAGE_READONLY", PAGE_READONLY], ["PAGE_READONLY_EXEC", PAGE_READONLY_EXEC], ["PAGE_EXECONLY", PAGE_EXECONLY],
  ["PROT_SECT_NORMAL", PROT_SECT_NORMAL], ["PROT_SECT_NORMAL_EXEC", PROT_SECT_NORMAL_EXEC], ["PROT_SECT_DEVICE_nGnRE", PROT_SECT_DEVICE_nGnRE],
]);

// ---------------------------------------------------------------------------------------------
// Decoding (display only)
// ---------------------------------------------------------------------------------------------

/** What a descriptor is at its level. */
export type DescKind = "invalid" | "table" | "block" | "page" | "reserved";

/** A descriptor split into named fields. */
export interface DecodedDescriptor {
  readonly kind: DescKind;
  readonly level: number;
  readonly hex: string;
  /** Output address: next table, page or block base. */
  readonly outputAddress: number;
  readonly attrIndx: number;
  readonly memType: string;
  readonly ns: boolean;
  /** AP[1] (PTE_USER): EL0 access. */
  readonly user: boolean;
  /** AP[2] (PTE_RDONLY). */
  readonly rdonly: boolean;
  /** SH[1:0]. */
  readonly sh: number;
  readonly af: boolean;
  readonly ng: boolean;
  readonly gp: boolean;
  /** DBM, which Linux uses as PTE_WRITE. */
  readonly dbm: boolean;
  readonly cont: boolean;
  readonly pxn: boolean;
  readonly uxn: boolean;
  /** Software bits 55–58. */
  readonly dirty: boolean;
  readonly special: boolean;
  readonly devmap: boolean;
  readonly protNone: boolean;
  /** Table descriptors only: PXNTable, UXNTable, APTable, NSTable. */
  readonly pxnTable: boolean;
  readonly uxnTable: boolean;
  readonly apTable: number;
  readonly nsTable: boolean;
}

/**
 * Decodes a descriptor found at `level` (0–3) of a 4 KiB-granule table (blocks are legal at
 * levels 1 and 2 only).
 */
export function decodeDescriptor(lo: number, hi: number, level: number): DecodedDescriptor {
  let kind: DescKind;
  if ((lo & PTE_VALID) === 0) kind = "invalid";
  else if (level === 3) kind = (lo & PTE_TABLE_BIT) !== 0 ? "page" : "reserved";
  else if ((lo & PTE_TABLE_BIT) !== 0) kind = "table";
  else kind = level === 0 ? "reserved" : "block";
  const attrIndx = (lo & PTE_ATTRINDX_MASK) >> 2;
  return {
    kind, level, hex: formatPteval(lo, hi), outputAddress: descOutputAddress(lo, hi), attrIndx, memType: MT_NAMES[attrIndx]!,
    ns: (lo & PTE_NS) !== 0, user: (lo & PTE_USER) !== 0, rdonly: (lo & PTE_RDONLY) !== 0, sh: (lo >> 8) & 3,
    af: (lo & PTE_AF) !== 0, ng: (lo & PTE_NG) !== 0, gp: (hi & PTE_GP_HI) !== 0, dbm: (hi & PTE_DBM_HI) !== 0,
    cont: (hi & PTE_CONT_HI) !== 0, pxn: (hi & PTE_PXN_HI) !== 0, uxn: (hi & PTE_UXN_HI) !== 0,
    dirty: (hi & PTE_DIRTY_HI) !== 0, special: (hi & PTE_SPECIAL_HI) !== 0, devmap: (hi & PTE_DEVMAP_HI) !== 0,
    protNone: (hi & PTE_PROT_NONE_HI) !== 0, pxnTable: (hi & TABLE_PXN_HI) !== 0, uxnTable: (hi & TABLE_UXN_HI) !== 0,
    apTable: (hi & TABLE_AP_HI) >>> 29, nsTable: (hi & TABLE_NS_HI) !== 0,
  };
}

const SH_NAMES = ["non-shareable", "(reserved SH)", "outer-shareable", "inner-shareable"];

/** One line describing a descriptor's fields, e.g. `PAGE oa=0x40000000 NORMAL inner-shareable RW(EL1) AF PXN UXN WRITE`. */
export function formatDescriptor(lo: number, hi: number, level: number): string {
  const d = decodeDescriptor(lo, hi, level);
  const hexOa = `0x${d.outputAddress.toString(16)}`;
  if (d.kind === "invalid") {
    if (lo === 0 && hi === 0) return "none (0)";
    return `invalid${d.protNone ? " PROT_NONE" : ""} (software bits only${(lo >>> 0) !== 0 || hi !== 0 ? `, oa=${hexOa}` : ""})`;
  }
  if (d.kind === "reserved") return level === 0 ? "reserved: no level-0 block with 4 KiB pages" : "reserved: bits[1:0]=01 at level 3";
  if (d.kind === "table") {
    const t: string[] = [`TABLE next=${hexOa}`];
    if (d.pxnTable) t.push("PXNTable");
    if (d.uxnTable) t.push("UXNTable");
    if (d.apTable & 1) t.push("APTable[0]:no-EL0");
    if (d.apTable & 2) t.push("APTable[1]:read-only");
    if (d.nsTable) t.push("NSTable");
    return t.join(" ");
  }
  const f: string[] = [`${d.kind === "page" ? "PAGE" : "BLOCK"} oa=${hexOa}`, `AttrIndx=${d.attrIndx}(${d.memType})`, SH_NAMES[d.sh]!];
  f.push(d.rdonly ? (d.user ? "RO(EL0+EL1)" : "RO(EL1)") : d.user ? "RW(EL0+EL1)" : "RW(EL1)");
  if (d.af) f.push("AF");
  else f.push("!AF");
  if (d.ng) f.push("nG");
  if (d.ns) f.push("NS");
  if (d.cont) f.push("CONT");
  if (d.pxn) f.push("PXN");
  if (d.uxn) f.push("UXN");
  if (d.gp) f.push("GP");
  if (d.dbm) f.push("DBM(WRITE)");
  if (d.dirty) f.push("DIRTY");
  if (d.special) f.push("SPECIAL");
  if (d.devmap) f.push("DEVMAP");
  return f.join(" ");
}

/** The name of a pgprot equal to (lo, hi) without its output address, or undefined. */
export function pgprotName(lo: number, hi: number): string | undefined {
  const l = (lo & ~0xfffff000) >>> 0;
  const h = (hi & ~0xffff) >>> 0;
  for (const [name, p] of PGPROT_NAMES) if (p.lo === l && p.hi === h) return name;
  if (l === PROT_NORMAL_TAGGED.lo && h === PROT_NORMAL_TAGGED.hi) return "PAGE_KERNEL_TAGGED";
  return undefined;
}

