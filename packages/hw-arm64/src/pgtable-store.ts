// mmsim: translation tables stored in simulated page frames (no kernel counterpart: the kernel's tables are ordinary RAM read through __va())
/*
 * Each table is one 4 KiB frame (512 × 8-byte descriptors), named by its physical address. The
 * contents of every frame that currently holds a table live in one pool of 32-bit words:
 * slot s occupies words[s*1024 … s*1024+1023], descriptor i at words[s*1024 + 2i] (bits 31..0)
 * and words[s*1024 + 2i + 1] (bits 63..32). `slotOf[pfn - basePfn]` finds the slot of a frame
 * (-1 when the frame holds no table). The pool doubles when full and never shrinks; freed slots
 * are reused (a stack), so a lookup or an update allocates nothing.
 *
 * An *entry address* (`ptep`, `pmdp`, …) is the physical address of a descriptor: table
 * address + index × 8, the counterpart of the kernel's `pte_t *`. Every helper of pgtable.ts
 * takes and returns entry addresses.
 *
 * Frames outside [basePfn, basePfn + nrPages) cannot hold tables (RAM only). Memory other than
 * tables is not simulated; a descriptor pointing at a frame that is no table reads as zeros.
 */
import { ArgumentError, MmBugError, describeValue, growTypedArray } from "@mmsim/core";
import { PT_PAGE_SHIFT, TABLE_WORDS } from "./pgtable-hwdef.ts";

/** The table was part of the kernel image (swapper_pg_dir, idmap_pg_dir, the fixmap's bm_* tables). */
export const TABLE_ORIGIN_IMAGE = 0;
/** Allocated from memblock during boot (early_pgtable_alloc): not counted in PageTables. */
export const TABLE_ORIGIN_MEMBLOCK = 1;
/** From the page allocator without a constructor (pgd, pud, pte_alloc_one_kernel): not counted. */
export const TABLE_ORIGIN_PAGE_ALLOC = 2;
/** From the page allocator through pgtable_pte/pmd_page_ctor: PageTable and NR_PAGETABLE. */
export const TABLE_ORIGIN_PAGE_ALLOC_CTOR = 3;
export const NR_TABLE_ORIGINS = 4;
export const tableOriginNames: readonly string[] = Object.freeze(["image", "memblock", "page-alloc", "page-alloc+ctor"]);

/** Geometry of a store. */
export interface PgtableStoreOptions {
  /** First PFN of RAM (frames that may hold tables). */
  readonly basePfn: number;
  /** Number of frames from basePfn. */
  readonly nrPages: number;
  /** CONFIG_ARM64_VA_BITS: 48 (4 levels, the reference) or 39 (3 levels). */
  readonly vaBits?: number;
  /** Initial pool size in tables (default 64; it doubles as needed). */
  readonly initialTables?: number;
}

const SITE = "hw-arm64.PgtableStore";

/** The tables of one machine (kernel and every process). */
export class PgtableStore {
  readonly basePfn: number;
  readonly nrPages: number;
  readonly endPfn: number;
  /** CONFIG_ARM64_VA_BITS (39 or 48). */
  readonly vaBits: number;
  /** CONFIG_PGTABLE_LEVELS (3 or 4). */
  readonly levels: number;
  /** Hardware level of the top table (0 with 4 levels, 1 with 3). */
  readonly startLevel: number;
  /** Slot of each frame, -1 when the frame holds no table. */
  readonly slotOf: Int32Array;
  /** Descriptor words of every slot. Replaced when the pool grows: read it through the store. */
  words: Uint32Array;
  /** PFN held by each slot (-1 when free). */
  pfnOfSlot: Int32Array;
  /** Hardware level (0–3) each slot's table serves. */
  slotLevel: Int8Array;
  /** TABLE_ORIGIN_* of each slot. */
  slotOrigin: Uint8Array;
  private freeStack: Int32Array;
  private nrFree = 0;
  private highWater = 0;
  /** Tables currently stored. */
  nrTables = 0;
  /** swapper_pg_dir (init_mm.pgd) once paging_init has set it, else -1. Kernel: `init_mm.pgd`. */
  swapperPgDir = -1;

  constructor(opts: PgtableStoreOptions) {
    const { basePfn, nrPages } = opts;
    if (!Number.isSafeInteger(basePfn) || basePfn < 0) throw new ArgumentError(SITE, "basePfn", "a PFN", describeValue(basePfn));
    if (!Number.isSafeInteger(nrPages) || nrPages <= 0 || basePfn + nrPages > 0x7fffffff) {
      throw new ArgumentError(SITE, "nrPages", "a positive frame count with basePfn + nrPages < 2^31", describeValue(nrPages));
    }
    const vaBits = opts.vaBits ?? 48;
    if (vaBits !== 48 && vaBits !== 39) {
      throw new ArgumentError(SITE, "vaBits", "48 (4 levels) or 39 (3 levels): the 4 KiB-granule layouts of Linux 6.1", describeValue(vaBits));
    }
    this.basePfn = basePfn;
    this.nrPages = nrPages;
    this.endPfn = basePfn + nrPages;
    this.vaBits = vaBits;
    this.levels = vaBits === 48 ? 4 : 3;
    this.startLevel = 4 - this.levels;
    this.slotOf = new Int32Array(nrPages).fill(-1);
    const cap = Math.max(1, opts.initialTables ?? 64);
    this.words = new Uint32Array(cap * TABLE_WORDS);
    this.pfnOfSlot = new Int32Array(cap).fill(-1);
    this.slotLevel = new Int8Array(cap);
    this.slotOrigin = new Uint8Array(cap);
    this.freeStack = new Int32Array(cap);
  }

  /** Slots the pool has room for before it grows. */
  get capacity(): number {
    return this.pfnOfSlot.length;
  }

  /** Bytes of simulator memory the store uses (index + pool). */
  get bytes(): number {
    return this.slotOf.byteLength + this.words.byteLength + this.pfnOfSlot.byteLength + this.slotLevel.byteLength + this.slotOrigin.byteLength + this.freeStack.byteLength;
  }

  /** The slot of the table in frame `pa` (any address inside it), or -1. */
  tableSlot(pa: number): number {
    const i = Math.floor(pa / 4096) - this.basePfn;
    return i >= 0 && i < this.nrPages ? this.slotOf[i]! : -1;
  }

  /** True when the frame holding `pa` is a stored table. */
  isTable(pa: number): boolean {
    return this.tableSlot(pa) >= 0;
  }

  /**
   * Word index of the descriptor at entry address `entryPa` (its low word; the high word
   * follows), or -1 when the frame holds no table. Allocation-free.
   */
  entryWord(entryPa: number): number {
    const i = Math.floor(entryPa / 4096) - this.basePfn;
    if (i < 0 || i >= this.nrPages) return -1;
    const s = this.slotOf[i]!;
    return s < 0 ? -1 : s * TABLE_WORDS + ((entryPa & 0xff8) >>> 2);
  }

  /** Bits 31..0 of the descriptor at `entryPa` (0 when the frame holds no table). Kernel: `READ_ONCE(*ptep)`. */
  readLo(entryPa: number): number {
    const w = this.entryWord(entryPa);
    return w < 0 ? 0 : this.words[w]!;
  }

  /** Bits 63..32 of the descriptor at `entryPa`. */
  readHi(entryPa: number): number {
    const w = this.entryWord(entryPa);
    return w < 0 ? 0 : this.words[w + 1]!;
  }

  /**
   * Stores a descriptor. Kernel: `WRITE_ONCE(*ptep, pte)`.
   * @throws MmBugError when `entryPa` is not inside a table (a write to a frame the store does not hold)
   */
  write(entryPa: number, lo: number, hi: number): void {
    const w = this.entryWord(entryPa);
    if (w < 0) throw new MmBugError(SITE + ".write", `descriptor write at 0x${entryPa.toString(16)}: frame is not a page table`);
    this.words[w] = lo;
    this.words[w + 1] = hi;
  }

  /**
   * Makes frame `pa` a table (all 512 entries zero, as __GFP_ZERO / memset do).
   * @param level the hardware level it serves (0–3)
   * @param origin TABLE_ORIGIN_*
   * @returns its slot
   * @throws ArgumentError when pa is not page-aligned, outside RAM, or already a table
   */
  addTable(pa: number, level: number, origin: number): number {
    if (!Number.isSafeInteger(pa) || pa % 4096 !== 0) throw new ArgumentError(SITE + ".addTable", "pa", "a page-aligned physical address", describeValue(pa));
    const i = pa / 4096 - this.basePfn;
    if (i < 0 || i >= this.nrPages) {
      throw new ArgumentError(SITE + ".addTable", "pa", `a frame in RAM [0x${(this.basePfn * 4096).toString(16)}, 0x${(this.endPfn * 4096).toString(16)})`, `0x${pa.toString(16)}`);
    }
    if (this.slotOf[i]! >= 0) throw new MmBugError(SITE + ".addTable", `frame 0x${pa.toString(16)} already holds a page table`);
    let s: number;
    if (this.nrFree > 0) s = this.freeStack[--this.nrFree]!;
    else {
      if (this.highWater === this.capacity) this.grow();
      s = this.highWater++;
    }
    this.words.fill(0, s * TABLE_WORDS, (s + 1) * TABLE_WORDS);
    this.slotOf[i] = s;
    this.pfnOfSlot[s] = pa / 4096;
    this.slotLevel[s] = level;
    this.slotOrigin[s] = origin;
    this.nrTables++;
    return s;
  }

  /**
   * Forgets the table in frame `pa` (its frame goes back to whoever allocated it).
   * @throws MmBugError when the frame holds no table
   */
  removeTable(pa: number): void {
    const i = Math.floor(pa / 4096) - this.basePfn;
    const s = i >= 0 && i < this.nrPages ? this.slotOf[i]! : -1;
    if (s < 0) throw new MmBugError(SITE + ".removeTable", `frame 0x${pa.toString(16)} is not a page table`);
    this.slotOf[i] = -1;
    this.pfnOfSlot[s] = -1;
    this.freeStack[this.nrFree++] = s;
    this.nrTables--;
  }

  /** Level of the table in frame `pa`, or -1. */
  tableLevel(pa: number): number {
    const s = this.tableSlot(pa);
    return s < 0 ? -1 : this.slotLevel[s]!;
  }

  /** Origin of the table in frame `pa`, or -1. */
  tableOrigin(pa: number): number {
    const s = this.tableSlot(pa);
    return s < 0 ? -1 : this.slotOrigin[s]!;
  }

  /** Physical addresses of every stored table, in slot order (for validation and statistics). */
  tables(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.highWater; s++) if (this.pfnOfSlot[s]! >= 0) out.push(this.pfnOfSlot[s]! * 4096);
    return out;
  }

  /** Tables stored, by TABLE_ORIGIN_*. */
  countByOrigin(): number[] {
    const n = new Array<number>(NR_TABLE_ORIGINS).fill(0);
    for (let s = 0; s < this.highWater; s++) if (this.pfnOfSlot[s]! >= 0) n[this.slotOrigin[s]!]!++;
    return n;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    this.words = growTypedArray(this.words, cap * TABLE_WORDS);
    this.pfnOfSlot = growTypedArray(this.pfnOfSlot, cap, -1);
    this.slotLevel = growTypedArray(this.slotLevel, cap);
    this.slotOrigin = growTypedArray(this.slotOrigin, cap);
    this.freeStack = growTypedArray(this.freeStack, cap);
  }
}

/** PFN of a physical address (PAGE_SHIFT 12). */
export const ptPfn = (pa: number): number => Math.floor(pa / 2 ** PT_PAGE_SHIFT);
