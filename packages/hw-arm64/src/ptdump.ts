// Kernel: arch/arm64/mm/ptdump.c (address_markers, pte_bits, note_page, ptdump_walk), mm/ptdump.c (ptdump_walk_pgd and its pagewalk callbacks), mm/pagewalk.c (walk_page_range_novma, real_depth) (v6.1) — /sys/kernel/debug/kernel_page_tables
/*
 * The kernel's dump of swapper_pg_dir, in 6.1's format. mm/ptdump.c walks [PAGE_OFFSET, ~0UL]
 * with walk_page_range_novma() and calls note_page(addr, level, val) for every leaf (a block at
 * the pud (level 2) or pmd (level 3), every pte (level 4), present or not) and for every hole
 * (an empty entry, at its depth: the folded p4d reports top-level holes at depth 0). note_page()
 * coalesces consecutive calls with the same level and the same attribute bits into one line,
 *
 *   0x%016lx-0x%016lx   %9lu%c %s <attributes>
 *
 * (size in the largest of K/M/G/T/P/E that divides it, the level's name PGD/PUD/PMD/PTE), and
 * prints `---[ <marker> ]---` when the address reaches the next address marker. The attribute
 * columns, in pte_bits order: " "/"F" (valid), USR, ro/RW, NX/"x ", SHD, AF, NG, CON,
 * "   "/BLK, UXN, GP, then the memory type (DEVICE/nGnRnE, DEVICE/nGnRE, MEM/NORMAL-NC,
 * MEM/NORMAL, MEM/NORMAL-TAGGED). 6.1 prints no DBM column. Holes and invalid ptes (attributes 0)
 * print no attributes. The last range ends at 0x0000000000000000 (the final flush,
 * note_page(0, -1, 0)).
 *
 * The real capture kernel has no CONFIG_PTDUMP_DEBUGFS; this renders what it would print.
 */
import { vaToBigInt, type Va } from "./va.ts";
import {
  MT_DEVICE_nGnRE, MT_DEVICE_nGnRnE, MT_NORMAL, MT_NORMAL_NC, MT_NORMAL_TAGGED, PTE_AF, PTE_ATTRINDX, PTE_ATTRINDX_MASK,
  PTE_CONT_HI, PTE_GP_HI, PTE_NG, PTE_PXN_HI, PTE_RDONLY, PTE_SHARED, PTE_TABLE_BIT, PTE_USER, PTE_UXN_HI, PTE_VALID,
  descOutputAddress,
} from "./pgtable-hwdef.ts";
import type { Arm64Layout } from "./layout.ts";
import type { PgtableStore } from "./pgtable-store.ts";

/** An address marker. Kernel: `struct addr_marker`. */
export interface AddrMarker {
  readonly startAddress: Va;
  readonly name: string;
}

/** 6.1's address_markers[] for a layout (no KASAN), ending with the { -1, NULL } sentinel. */
export function addressMarkers(l: Arm64Layout): AddrMarker[] {
  return [
    { startAddress: l.PAGE_OFFSET, name: "Linear Mapping start" },
    { startAddress: l.PAGE_END, name: "Linear Mapping end" },
    { startAddress: l.MODULES_VADDR, name: "Modules start" },
    { startAddress: l.MODULES_END, name: "Modules end" },
    { startAddress: l.VMALLOC_START, name: "vmalloc() area" },
    { startAddress: l.VMALLOC_END, name: "vmalloc() end" },
    { startAddress: l.FIXADDR_START, name: "Fixmap start" },
    { startAddress: l.FIXADDR_TOP, name: "Fixmap end" },
    { startAddress: l.PCI_IO_START, name: "PCI I/O start" },
    { startAddress: l.PCI_IO_END, name: "PCI I/O end" },
    { startAddress: l.VMEMMAP_START, name: "vmemmap start" },
    { startAddress: l.VMEMMAP_START + l.VMEMMAP_SIZE, name: "vmemmap end" },
    { startAddress: -1, name: "" },
  ];
}

/** One column of the attribute dump. Kernel: `struct prot_bits`. */
interface ProtBits {
  readonly maskLo: number;
  readonly maskHi: number;
  readonly valLo: number;
  readonly valHi: number;
  readonly set: string;
  readonly clear: string | null;
}
const bit = (maskLo: number, maskHi: number, set: string, clear: string | null): ProtBits => ({ maskLo, maskHi, valLo: maskLo, valHi: maskHi, set, clear });
const mt = (t: number, set: string): ProtBits => ({ maskLo: PTE_ATTRINDX_MASK, maskHi: 0, valLo: PTE_ATTRINDX(t), valHi: 0, set, clear: null });

/** Kernel: `pte_bits[]` (6.1). */
const PTE_BITS: readonly ProtBits[] = [
  bit(PTE_VALID, 0, " ", "F"),
  bit(PTE_USER, 0, "USR", "   "),
  bit(PTE_RDONLY, 0, "ro", "RW"),
  bit(0, PTE_PXN_HI, "NX", "x "),
  bit(PTE_SHARED, 0, "SHD", "   "),
  bit(PTE_AF, 0, "AF", "  "),
  bit(PTE_NG, 0, "NG", "  "),
  bit(0, PTE_CONT_HI, "CON", "   "),
  bit(PTE_TABLE_BIT, 0, "   ", "BLK"),
  bit(0, PTE_UXN_HI, "UXN", "   "),
  bit(0, PTE_GP_HI, "GP", "  "),
  mt(MT_DEVICE_nGnRnE, "DEVICE/nGnRnE"),
  mt(MT_DEVICE_nGnRE, "DEVICE/nGnRE"),
  mt(MT_NORMAL_NC, "MEM/NORMAL-NC"),
  mt(MT_NORMAL, "MEM/NORMAL"),
  mt(MT_NORMAL_TAGGED, "MEM/NORMAL-TAGGED"),
];
/** pg_level[].mask: every bit some column looks at (ptdump_initialize). */
const MASK_LO = PTE_BITS.reduce((m, b) => m | b.maskLo, 0);
const MASK_HI = PTE_BITS.reduce((m, b) => m | b.maskHi, 0);

const TWO64 = 1n << 64n;
const UNITS = "KMGTPE";

/** Kernel: `struct pg_state` (plus the seq_file). */
class PgState {
  readonly lines: string[] = [];
  markerIdx = 0;
  startAddress: Va = 0;
  level = -1;
  protLo = 0;
  protHi = 0;
  constructor(
    readonly markers: readonly AddrMarker[],
    readonly names: readonly string[],
  ) {}

  private marker1(): Va {
    return this.markers[this.markerIdx + 1]!.startAddress;
  }

  /** `addr >= marker[1].start_address` on u64: a flush address of 0 is below everything. */
  private reached(addr: Va, flush: boolean): boolean {
    if (flush) return false;
    const m = this.marker1();
    // Both are kernel (negative) addresses, or m is -1 (the u64 maximum): signed order equals u64 order.
    return (addr < 0) === (m < 0) ? addr >= m : addr < 0;
  }

  /** Kernel: `note_page()`. */
  notePage(addr: Va, level: number, lo: number, hi: number, flush = false): void {
    let plo = 0;
    let phi = 0;
    if (level >= 0) {
      plo = (lo & MASK_LO) >>> 0;
      phi = (hi & MASK_HI) >>> 0;
    }
    if (this.level === -1) {
      this.level = level;
      this.protLo = plo;
      this.protHi = phi;
      this.startAddress = addr;
      this.lines.push(`---[ ${this.markers[this.markerIdx]!.name} ]---`);
    } else if (plo !== this.protLo || phi !== this.protHi || level !== this.level || this.reached(addr, flush)) {
      const start = vaToBigInt(this.startAddress);
      const end = vaToBigInt(addr);
      let delta = (((end - start) % TWO64) + TWO64) % TWO64 >> 10n;
      let unit = 0;
      while ((delta & 1023n) === 0n && unit < UNITS.length - 1) {
        delta >>= 10n;
        unit++;
      }
      let line = `0x${start.toString(16).padStart(16, "0")}-0x${end.toString(16).padStart(16, "0")}   ${delta.toString().padStart(9)}${UNITS[unit]} ${this.names[this.level]}`;
      if (this.protLo !== 0 || this.protHi !== 0) line += dumpProt(this.protLo, this.protHi);
      this.lines.push(line);
      if (this.reached(addr, flush)) {
        this.markerIdx++;
        this.lines.push(`---[ ${this.markers[this.markerIdx]!.name} ]---`);
      }
      this.startAddress = addr;
      this.protLo = plo;
      this.protHi = phi;
      this.level = level;
    }
    if (this.reached(addr, flush)) {
      this.markerIdx++;
      this.lines.push(`---[ ${this.markers[this.markerIdx]!.name} ]---`);
    }
  }
}

/** Kernel: `dump_prot()`. */
function dumpProt(lo: number, hi: number): string {
  let s = "";
  for (const b of PTE_BITS) {
    const out = (lo & b.maskLo) === b.valLo && ((hi & b.maskHi) >>> 0) === (b.valHi >>> 0) ? b.set : b.clear;
    if (out !== null) s += ` ${out}`;
  }
  return s;
}

const SIZE = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];
const INV = [2 ** -39, 2 ** -30, 2 ** -21, 2 ** -12];

/** End of the entry of `size` containing addr, capped at end (end -1 is ~0UL, the top). Kernel: `pgd_addr_end()` and friends. */
function entryEnd(addr: Va, end: Va, size: number): Va {
  const boundary = (Math.floor(addr / size) + 1) * size;
  if (boundary === 0 && end < 0) return end; // the last entry of the address space: boundary wraps to 0
  return boundary < end ? boundary : end;
}

/**
 * Walks the tables of one half of the address space and feeds note_page() as mm/ptdump.c's
 * pagewalk callbacks would (read-only: a bad entry is reported as a hole, not cleared).
 */
function walkRange(store: PgtableStore, st: PgState, pgd: number, start: Va, end: Va): void {
  const top = store.startLevel;
  // ptdump level of a hole / a leaf found at each hardware level (mm/pagewalk.c real_depth()).
  const holeLevel = [0, store.levels === 4 ? 2 : 0, 3, 4];
  const leafLevel = [-1, 2, 3, 4];
  const visit = (table: number, hw: number, from: Va, to: Va): void => {
    const size = SIZE[hw]!;
    let a = from;
    do {
      const next = entryEnd(a, to, size);
      const entry = table + (Math.floor(a * INV[hw]!) & 511) * 8;
      const lo = store.readLo(entry);
      const hi = store.readHi(entry);
      if (hw === 3) {
        st.notePage(a, 4, lo, hi); // ptdump_pte_entry(): every pte
      } else if (lo === 0 && hi === 0) {
        st.notePage(a, holeLevel[hw]!, 0, 0); // ptdump_hole()
      } else if ((lo & 3) === 3) {
        visit(descOutputAddress(lo, hi), hw + 1, a, next);
      } else if ((lo & 3) === 1 && hw !== 0) {
        st.notePage(a, leafLevel[hw]!, lo, hi); // pud_leaf / pmd_leaf
      } else if (hw === 0 || (hw === top && (lo & 2) === 0)) {
        st.notePage(a, holeLevel[hw]!, 0, 0); // p4d_none_or_clear_bad(): bad reads as a hole
      }
      // a non-none entry that is not present: walk_*_range() skips it silently
      a = next;
    } while (a !== to);
  };
  visit(pgd, top, start, end);
}

/**
 * Renders /sys/kernel/debug/kernel_page_tables for swapper_pg_dir (store.swapperPgDir).
 * Kernel: `ptdump_walk()` with kernel_ptdump_info (base PAGE_OFFSET, end ~0UL).
 * @throws Error when paging_init has not built swapper_pg_dir yet
 */
export function ptdumpKernel(store: PgtableStore, layout: Arm64Layout): string {
  if (store.swapperPgDir < 0) throw new Error("hw-arm64.ptdumpKernel: no swapper_pg_dir yet (run pagingInit first)");
  return ptdumpWalk(store, store.swapperPgDir, layout.PAGE_OFFSET, -1, addressMarkers(layout));
}

/**
 * The dump of any table tree over [start, end] (end -1 = ~0UL) with the given markers (ending
 * in a sentinel). Kernel: `ptdump_walk_pgd()` + arm64's `note_page()`.
 */
export function ptdumpWalk(store: PgtableStore, pgd: number, start: Va, end: Va, markers: readonly AddrMarker[]): string {
  const names = store.levels === 4 ? ["PGD", "P4D", "PUD", "PMD", "PTE"] : ["PGD", "P4D", "PGD", "PMD", "PTE"];
  const st = new PgState(markers, names);
  walkRange(store, st, pgd, start, end);
  st.notePage(0, -1, 0, 0, true); // flush out the last range
  return st.lines.join("\n") + "\n";
}
