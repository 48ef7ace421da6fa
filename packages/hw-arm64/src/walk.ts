// mmsim: the MMU's stage-1 translation table walk (ARMv8-A VMSAv8-64, 4 KiB granule; no kernel counterpart — cf. arch/arm64/mm/fault.c for how Linux reads the fault codes)
/*
 * What the hardware does on a TLB miss, for the EL1&0 regime: starting at the TTBR's table,
 * read one descriptor per level (bits [47:39], [38:30], [29:21], [20:12] of the VA index levels
 * 0–3; with VA_BITS 39 the walk starts at level 1), follow table descriptors, and stop at a
 * block (level 1: 1 GiB, level 2: 2 MiB) or page (level 3: 4 KiB) descriptor. Faults, in the
 * architecture's priority order:
 *
 *   FAULT_ADDRESS_SIZE  the VA is outside the TTBR's range (not below 2^VA_BITS, or not at or
 *                       above -2^VA_BITS); the hardware reports this as a level-0 translation
 *                       fault (TxSZ), mmsim names it apart. Also an output address ≥ 2^48.
 *   FAULT_TRANSLATION   an invalid descriptor (bit 0 clear), a level-0 block, or a level-3
 *                       descriptor with bits[1:0] = 0b01: "level N translation fault".
 *   FAULT_ACCESS_FLAG   the leaf has AF = 0 and hardware AF management (TCR_EL1.HA) is off —
 *                       Linux's view: pte_mkold() makes the next access fault (or, with HA,
 *                       the walk sets AF in the descriptor).
 *   FAULT_PERMISSION    AP[2:1] and the execute-never bits deny the access: a write to a
 *                       read-only page (unless DBM is set and TCR_EL1.HD is on: then the walk
 *                       clears AP[2], marking the page hardware-dirty), an EL0 access to a page
 *                       without AP[1], an instruction fetch from an XN page (UXN at EL0, PXN at
 *                       EL1; a page writable at EL0 is implicitly PXN), with the table
 *                       descriptors' PXNTable, UXNTable and APTable applied hierarchically.
 *
 * walk() is allocation-free and writes everything into a caller-owned WalkOut (one per CPU),
 * including a per-level trace that formatWalk() (walk-format.ts) renders for learners. This is
 * a hot file: no closures, literals or template strings.
 */
import {
  PTE_AF, PTE_DBM_HI, PTE_PXN_HI, PTE_RDONLY, PTE_USER, PTE_UXN_HI, TABLE_PXN_HI, TABLE_UXN_HI,
} from "./pgtable-hwdef.ts";
import type { PgtableStore } from "./pgtable-store.ts";
import type { Va } from "./va.ts";

export const FAULT_NONE = 0, FAULT_TRANSLATION = 1, FAULT_ACCESS_FLAG = 2, FAULT_PERMISSION = 3, FAULT_ADDRESS_SIZE = 4;
export const ACCESS_READ = 1, ACCESS_WRITE = 2, ACCESS_EXEC = 4, ACCESS_USER = 8; // bit flags; USER = EL0

/** Per level 0–3: 2^-shift, 2^shift, shift, and the output-address bits of a leaf's low word (bits below the block size are ignored). */
const INV = new Float64Array(4);
const SIZE = new Float64Array(4);
const SHIFT = new Int32Array(4);
const OA_LO = new Int32Array(4);
for (let lv = 0; lv < 4; lv++) {
  SHIFT[lv] = 39 - 9 * lv;
  SIZE[lv] = 2 ** SHIFT[lv]!;
  INV[lv] = 2 ** -SHIFT[lv]!;
  OA_LO[lv] = lv === 0 ? 0 : (0xffffffff << SHIFT[lv]!) | 0;
}
const TWO32 = 4294967296;
/** APTable[0] (bit 61) and APTable[1] (bit 62) in the high word. */
const APT_NO_EL0 = 1 << 29;
const APT_RO = 1 << 30;
/** Bits 49:48 (RES0 with the 4 KiB granule and a 48-bit PA; bits 51:50 are DBM and GP): an address size fault when set. */
const OA_HIGH = 0x00030000;

/**
 * True when the ARMv8.0 stage-1 EL1&0 permission rules deny `access` on a leaf (lo, hi) reached
 * through table descriptors whose high words OR to `tableHi` (PXNTable, UXNTable, APTable):
 * EL0 data access needs AP[1] (and no APTable[0]); a write needs AP[2] clear (and no
 * APTable[1]); EL0 instruction fetch needs UXN and UXNTable clear (AP[1] is not needed:
 * execute-only pages); EL1 instruction fetch needs PXN and PXNTable clear and the page not
 * writable at EL0; with PAN, EL1 data access to an EL0-accessible page faults. A TLB must cache
 * `tableHi` with the leaf to apply the same rules on a hit.
 */
export function permissionFault(lo: number, hi: number, tableHi: number, access: number, pan: boolean): boolean {
  const user = (access & ACCESS_USER) !== 0;
  // EL0 access (AP[1], no APTable[0]); read-only (AP[2] or APTable[1]). One OR of the two words'
  // bits each: the checks below are ordered so that a plain read (the TLB-hit common case) costs least.
  const el0 = (lo & PTE_USER) !== 0 && (tableHi & APT_NO_EL0) === 0;
  if ((access & (ACCESS_READ | ACCESS_WRITE)) !== 0 && (user ? !el0 : pan && el0)) return true;
  if ((access & (ACCESS_WRITE | ACCESS_EXEC)) === 0) return false;
  const ro = (lo & PTE_RDONLY) !== 0 || (tableHi & APT_RO) !== 0;
  if ((access & ACCESS_WRITE) !== 0 && ro) return true;
  if ((access & ACCESS_EXEC) !== 0) {
    if (user) return (hi & PTE_UXN_HI) !== 0 || (tableHi & TABLE_UXN_HI) !== 0;
    return (hi & PTE_PXN_HI) !== 0 || (tableHi & TABLE_PXN_HI) !== 0 || (el0 && !ro);
  }
  return false;
}


/** The result of one walk (and the walking CPU's TCR bits); allocate one per CPU and reuse it. */
export class WalkOut {
  /** Output physical address (the page or block base plus the VA's offset in it). */
  pa = 0;
  /** Level of the leaf (0–3), or of the faulting descriptor. */
  level = 0;
  /** log2 of the leaf's mapping size: 12, 21 or 30. */
  shift = 12;
  /** The leaf (or faulting) descriptor. */
  descLo = 0;
  descHi = 0;
  /** FAULT_* of the last walk. */
  fault = 0;
  /** Level the fault was raised at. */
  faultLevel = 0;

  /** Input: TCR_EL1.HA — the walk sets AF instead of raising an access flag fault. */
  ha = false;
  /** Input: TCR_EL1.HD — a write to a read-only DBM page clears AP[2] instead of faulting. */
  hd = false;
  /** Input: PSTATE.PAN — EL1 data accesses to EL0-accessible pages fault (ARMv8.1; off on a Cortex-A57). */
  pan = false;

  /** The last walk's VA and access flags. */
  va = 0;
  access = 0;
  /** First level of the walk (0 with 4 levels, 1 with 3) and the number of descriptors read. */
  startLevel = 0;
  levelsRead = 0;
  /** OR of the high words of the table descriptors above the leaf (PXNTable, UXNTable, APTable bits). */
  tableHi = 0;
  /** Physical address of the leaf (or faulting) descriptor: the pte/pmd/pud entry. */
  entryPa = 0;
  /** Per level: the table read, the index used, the descriptor found. */
  readonly traceTable = new Float64Array(4);
  readonly traceIndex = new Int32Array(4);
  readonly traceLo = new Uint32Array(4);
  readonly traceHi = new Uint32Array(4);
  /** 1 when a descriptor pointed at a frame that holds no table (read as zeros). */
  badTable = 0;
  /** 1 when the walk wrote the leaf (HA set AF, or HD cleared AP[2]). */
  updated = 0;
}

function fail(out: WalkOut, fault: number, level: number, lo: number, hi: number): number {
  out.fault = fault;
  out.faultLevel = level;
  out.level = level;
  out.pa = 0;
  out.descLo = lo;
  out.descHi = hi;
  return fault;
}

/**
 * Translates `va` through the tables rooted at `pgdPhys` (the TTBR of va's half: TTBR0 for user
 * addresses ≥ 0, TTBR1 for kernel addresses < 0). Allocation-free.
 * @param access ACCESS_READ / ACCESS_WRITE / ACCESS_EXEC, | ACCESS_USER for an EL0 access
 * @returns FAULT_NONE (out.pa, out.level, out.shift, out.desc* describe the leaf) or the FAULT_* code
 */
export function walk(store: PgtableStore, pgdPhys: number, va: Va, access: number, out: WalkOut): number {
  out.va = va;
  out.access = access;
  out.badTable = 0;
  out.updated = 0;
  let level = store.startLevel;
  out.startLevel = level;
  out.levelsRead = 0;
  const half = store.vaBits === 48 ? 281474976710656 : 549755813888;
  if (va >= 0 ? va >= half : va < -half) return fail(out, FAULT_ADDRESS_SIZE, 0, 0, 0);
  const words = store.words;
  const slotOf = store.slotOf;
  const base = store.basePfn;
  const nr = store.nrPages;
  let table = pgdPhys;
  let tableHi = 0;
  let lo = 0;
  let hi = 0;
  let w = -1;
  for (;;) {
    const idx = Math.floor(va * INV[level]!) & 511;
    const fi = Math.floor(table * 0.000244140625) - base;
    w = -1;
    lo = 0;
    hi = 0;
    if (fi >= 0 && fi < nr) {
      const s = slotOf[fi]!;
      if (s >= 0) {
        w = (s << 10) + (idx << 1);
        lo = words[w]!;
        hi = words[w + 1]!;
      } else out.badTable = 1;
    } else out.badTable = 1;
    out.traceTable[level] = table;
    out.traceIndex[level] = idx;
    out.traceLo[level] = lo;
    out.traceHi[level] = hi;
    out.levelsRead++;
    out.entryPa = table + idx * 8;
    if ((lo & 1) === 0) return fail(out, FAULT_TRANSLATION, level, lo, hi);
    if ((lo & 2) !== 0) {
      if (level === 3) break; // a page
      if ((hi & OA_HIGH) !== 0) return fail(out, FAULT_ADDRESS_SIZE, level, lo, hi);
      tableHi |= hi;
      table = (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      level++;
      continue;
    }
    // bits[1:0] = 0b01: a block at levels 1–2; reserved at level 3 and (4 KiB granule) at level 0.
    if (level === 3 || level === 0) return fail(out, FAULT_TRANSLATION, level, lo, hi);
    break;
  }
  if ((hi & OA_HIGH) !== 0) return fail(out, FAULT_ADDRESS_SIZE, level, lo, hi);
  if ((lo & PTE_AF) === 0) {
    if (!out.ha) return fail(out, FAULT_ACCESS_FLAG, level, lo, hi);
    lo = (lo | PTE_AF) >>> 0;
    words[w] = lo;
    out.traceLo[level] = lo;
    out.updated = 1;
  }
  out.tableHi = tableHi;
  if (permissionFault(lo, hi, tableHi, access, out.pan)) {
    // DBM: with TCR_EL1.HD a write to a read-only page that has DBM (and no APTable read-only
    // above it) clears AP[2] instead of faulting, if that is all that stood in the way.
    if (out.hd && (access & ACCESS_WRITE) !== 0 && (lo & PTE_RDONLY) !== 0 && (hi & PTE_DBM_HI) !== 0 && (tableHi & APT_RO) === 0 &&
      !permissionFault((lo & ~PTE_RDONLY) >>> 0, hi, tableHi, access, out.pan)) {
      lo = (lo & ~PTE_RDONLY) >>> 0;
      words[w] = lo;
      out.traceLo[level] = lo;
      out.updated = 1;
    } else return fail(out, FAULT_PERMISSION, level, lo, hi);
  }
  const page = Math.floor(va * INV[level]!);
  out.pa = (hi & 0xffff) * TWO32 + ((lo & OA_LO[level]!) >>> 0) + (va - page * SIZE[level]!);
  out.level = level;
  out.shift = SHIFT[level]!;
  out.descLo = lo;
  out.descHi = hi;
  out.fault = FAULT_NONE;
  out.faultLevel = level;
  return FAULT_NONE;
}

