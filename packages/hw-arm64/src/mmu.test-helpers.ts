// mmsim: a fake table walker with walk.ts's signature, and leaf-descriptor builders, for the TLB and MMU tests
import type { WalkResult } from "./mmu.ts";
import type { Va } from "./va.ts";
import { FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_TRANSLATION, permissionFault } from "./walk.ts";

export {
  ACCESS_EXEC, ACCESS_READ, ACCESS_USER, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_TRANSLATION,
} from "./walk.ts";

/** walk.ts's WalkOut, the fields the MMU reads and writes. */
export class FakeWalkOut implements WalkResult {
  pa = 0;
  level = 0;
  shift = 12;
  descLo = 0;
  descHi = 0;
  tableHi = 0;
  fault = 0;
  faultLevel = 0;
  pan = false;
}

/** What a leaf allows: the bits a test sets in its descriptor. */
export interface LeafOptions {
  /** AP[1]: EL0 may access. */
  user?: boolean;
  /** AP[2]: read-only. */
  rdonly?: boolean;
  /** nG: belongs to one ASID (user pages); default: global for kernel, nG for user. */
  ng?: boolean;
  pxn?: boolean;
  uxn?: boolean;
  /** AF; default true. */
  af?: boolean;
  /** High-word attributes of the table descriptors above the leaf (TABLE_UXN_HI, TABLE_AP_HI, …); default 0. */
  tableHi?: number;
}

/** Leaf descriptor words (lo, hi) with the given bits; valid, page/block type by `shift`. */
export function leafDesc(shift: number, o: LeafOptions = {}): { lo: number; hi: number } {
  let lo = 1; // valid
  if (shift === 12) lo |= 2; // a level-3 page descriptor has bit 1 set; a block has it clear
  if (o.user) lo |= 1 << 6;
  if (o.rdonly) lo |= 1 << 7;
  if (o.af ?? true) lo |= 1 << 10;
  if (o.ng ?? o.user ?? false) lo |= 1 << 11;
  let hi = 0;
  if (o.pxn) hi |= 1 << 21;
  if (o.uxn) hi |= 1 << 22;
  return { lo: lo >>> 0, hi: hi >>> 0 };
}

interface FakeMapping {
  vaBase: number;
  shift: number;
  pa: number;
  lo: number;
  hi: number;
  tableHi: number;
}

/**
 * Page tables as a list of leaf mappings per pgd: enough for the translate path. `calls`
 * counts walks; `levelsOf(shift)` is the leaf level a 4 KiB-granule walk ends at.
 */
export class FakePageTables {
  calls = 0;
  private readonly byPgd = new Map<number, FakeMapping[]>();

  /** Maps the 2^shift-aligned range around `va` to `pa` (aligned the same) with the given leaf bits. */
  map(pgd: number, va: Va, shift: number, pa: number, o: LeafOptions = {}): void {
    const size = 2 ** shift;
    const vaBase = Math.floor(va / size) * size;
    const { lo, hi } = leafDesc(shift, o);
    const list = this.byPgd.get(pgd) ?? [];
    this.unmap(pgd, vaBase);
    list.push({ vaBase, shift, pa: Math.floor(pa / size) * size, lo, hi, tableHi: (o.tableHi ?? 0) >>> 0 });
    this.byPgd.set(pgd, list);
  }

  /** Removes the mapping covering `va` (no TLB maintenance: the test does it). */
  unmap(pgd: number, va: Va): void {
    const list = this.byPgd.get(pgd);
    if (!list) return;
    const i = list.findIndex((m) => va >= m.vaBase && va < m.vaBase + 2 ** m.shift);
    if (i >= 0) list.splice(i, 1);
  }

  find(pgd: number, va: Va): FakeMapping | undefined {
    return this.byPgd.get(pgd)?.find((m) => va >= m.vaBase && va < m.vaBase + 2 ** m.shift);
  }
}

/** Leaf level of a 4 KiB-granule walk ending at a `shift`-sized page or block. */
export function levelOf(shift: number): number {
  return shift === 12 ? 3 : shift === 21 ? 2 : 1;
}

/**
 * walk.ts's `walk` over FakePageTables: a missing mapping is a level-3 translation fault, AF
 * clear an access-flag fault, permissions refused by walk.ts's `permissionFault()` a permission
 * fault; else `out` holds the PA of `va`, the leaf and its table attributes.
 */
export function fakeWalk(store: FakePageTables, pgdPhys: number, va: Va, access: number, out: WalkResult): number {
  store.calls++;
  const m = store.find(pgdPhys, va);
  if (!m) {
    out.fault = FAULT_TRANSLATION;
    out.faultLevel = 3;
    return FAULT_TRANSLATION;
  }
  const level = levelOf(m.shift);
  out.level = level;
  out.shift = m.shift;
  out.descLo = m.lo;
  out.descHi = m.hi;
  out.tableHi = m.tableHi;
  if ((m.lo & (1 << 10)) === 0) {
    out.fault = FAULT_ACCESS_FLAG;
    out.faultLevel = level;
    return FAULT_ACCESS_FLAG;
  }
  if (permissionFault(m.lo, m.hi, m.tableHi, access, out.pan === true)) {
    out.fault = FAULT_PERMISSION;
    out.faultLevel = level;
    return FAULT_PERMISSION;
  }
  out.pa = m.pa + (va - m.vaBase);
  out.fault = 0;
  out.faultLevel = 0;
  return 0;
}
