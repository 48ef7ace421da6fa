// mmsim: consistency checks of the translation tables against the frames they live in and map (cf. ptdump_check_wx() in arch/arm64/mm/ptdump.c and the kernel's page_table_check)
/*
 * validatePgtables() reports, through a ValidationSink, and never throws:
 *
 *  - tables: every stored table frame is not free in the buddy allocator (not PageBuddy); a
 *    table from the page allocator has a reference (refcount > 0) and is PageTable exactly
 *    when 6.1 runs a ctor on it (user PTE tables, PMD tables); a boot table (memblock, kernel
 *    image) is PageReserved once the page allocator owns memory;
 *  - structure: walking from the given roots, every table descriptor points at a stored table
 *    of the next level, no table is referenced twice, and every stored table is reachable
 *    (an unreachable one is leaked);
 *  - leaves: a linear-map leaf maps exactly __pa() of its address and lies inside RAM (it may
 *    map free pages: the linear map covers all of RAM); any other leaf maps live frames — by
 *    default inside RAM and, with a MemMap, not free in the buddy allocator; the caller can
 *    supply its own predicate (device memory, user pages);
 *  - W+X: a kernel leaf that is writable and executable at EL1 (what CONFIG_DEBUG_WX reports:
 *    "Found insecure W+X mapping").
 */
import { type MemMap, type ValidationSink, pageBuddy, pageReserved, pageTable } from "@mmsim/core";
import type { Arm64Layout } from "./layout.ts";
import { PTE_PXN_HI, PTE_RDONLY, TABLE_PXN_HI, descOutputAddress } from "./pgtable-hwdef.ts";
import {
  TABLE_ORIGIN_IMAGE, TABLE_ORIGIN_MEMBLOCK, TABLE_ORIGIN_PAGE_ALLOC, TABLE_ORIGIN_PAGE_ALLOC_CTOR, tableOriginNames,
  type PgtableStore,
} from "./pgtable-store.ts";
import { type Va, formatVa0x } from "./va.ts";

/** A table tree to check. */
export interface PgtableRoot {
  readonly pgd: number;
  /** A TTBR1 tree (kernel addresses, negative) or a TTBR0 tree (user/idmap addresses). */
  readonly kernel: boolean;
  /** For messages, e.g. "swapper_pg_dir", "pid 1". */
  readonly name?: string;
}

/** What validatePgtables() checks against. */
export interface PgtableValidateOptions {
  readonly roots: readonly PgtableRoot[];
  /** The machine's MemMap, once it exists (after paging_init): table frames and leaf frames are checked against it. */
  readonly mem?: MemMap | null;
  /** memblock.memory: RAM. Needed for the linear-map checks and the default leaf check. */
  readonly memory?: readonly { readonly base: number; readonly size: number }[];
  /** The layout (PHYS_OFFSET, PAGE_OFFSET/PAGE_END) for the linear-map check. */
  readonly layout?: Arm64Layout;
  /** Boot tables must be PageReserved (true once memblock_free_all ran; default: true when mem is given). */
  readonly bootTablesReserved?: boolean;
  /** Whether a non-linear leaf may map frame `pfn` (at `va`). Default: in RAM and, with mem, not PageBuddy. */
  readonly isLiveFrame?: (pfn: number, va: Va) => boolean;
  /** Report kernel W+X leaves (default true). */
  readonly checkWx?: boolean;
  /** Stop after this many problems (default 100): a broken tree can report every entry. */
  readonly maxProblems?: number;
}

const SIZE = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];

/** Runs every check; see the file comment. */
export function validatePgtables(store: PgtableStore, o: PgtableValidateOptions, sink: ValidationSink): void {
  const max = o.maxProblems ?? 100;
  let n = 0;
  const report = (where: string, problem: string): boolean => {
    if (n < max) sink.report(where, problem);
    n++;
    return n < max;
  };
  const mem = o.mem ?? null;
  const hexp = (pa: number) => `0x${pa.toString(16)}`;

  // Tables against their frames.
  const reserved = o.bootTablesReserved ?? mem !== null;
  for (const pa of store.tables()) {
    const origin = store.tableOrigin(pa);
    const where = `pgtable ${hexp(pa)} (level ${store.tableLevel(pa)}, ${tableOriginNames[origin]})`;
    if (!mem) continue;
    const pfn = pa / 4096;
    if (!mem.pfnValid(pfn)) {
      report(where, "frame has no struct page");
      continue;
    }
    const page = mem.pfnToPage(pfn);
    if (pageBuddy(mem, page)) report(where, "frame is free in the buddy allocator (PageBuddy) but holds a live page table");
    if (origin === TABLE_ORIGIN_PAGE_ALLOC || origin === TABLE_ORIGIN_PAGE_ALLOC_CTOR) {
      if (mem.refcount[page]! <= 0) report(where, `frame has refcount ${mem.refcount[page]} (freed or never allocated)`);
      const ctor = origin === TABLE_ORIGIN_PAGE_ALLOC_CTOR;
      if (pageTable(mem, page) !== ctor) report(where, ctor ? "missing PG_table (pgtable_*_page_ctor not run)" : "PG_table set on a table 6.1 allocates without a ctor");
    } else if (reserved && (origin === TABLE_ORIGIN_MEMBLOCK || origin === TABLE_ORIGIN_IMAGE) && !pageReserved(mem, page)) {
      report(where, "boot page table frame is not PageReserved");
    }
  }

  // Walk every root.
  const refs = new Map<number, string>();
  const ram = o.memory ?? [];
  const inRam = (pa: number, size: number): boolean => {
    for (let i = 0; i < ram.length; i++) if (pa >= ram[i]!.base && pa + size <= ram[i]!.base + ram[i]!.size) return true;
    return false;
  };
  const l = o.layout;
  const live = o.isLiveFrame ?? ((pfn: number) => (ram.length === 0 || inRam(pfn * 4096, 4096)) && (!mem || !mem.pfnValid(pfn) || !pageBuddy(mem, mem.pfnToPage(pfn))));
  const checkWx = o.checkWx ?? true;
  let ok = true;

  /** Where an entry is, for a report: formatted only when there is something to report (the walk visits every entry). */
  const whereOf = (root: PgtableRoot, va: Va, level: number, entry: number): string =>
    `${root.name ?? (root.kernel ? "kernel" : "user")} ${formatVa0x(va)} (level ${level} entry ${hexp(entry)})`;
  const visit = (root: PgtableRoot, table: number, level: number, base: Va, tableHi: number): void => {
    const size = SIZE[level]!;
    for (let i = 0; i < 512 && ok; i++) {
      const entry = table + i * 8;
      const lo = store.readLo(entry);
      const hi = store.readHi(entry);
      if ((lo & 1) === 0) continue;
      const va = base + i * size;
      const oa = descOutputAddress(lo, hi);
      if ((lo & 2) !== 0 && level < 3) {
        const where = whereOf(root, va, level, entry);
        const next = store.tableLevel(oa);
        if (next < 0) ok = report(where, `table descriptor points at ${hexp(oa)}, which holds no page table`);
        else if (next !== level + 1) ok = report(where, `table descriptor points at a level-${next} table, expected level ${level + 1}`);
        else if (refs.has(oa)) ok = report(where, `table ${hexp(oa)} is also referenced from ${refs.get(oa)}`);
        else {
          refs.set(oa, where);
          visit(root, oa, level + 1, va, tableHi | hi);
        }
        continue;
      }
      if (level === 0 || (level === 3 && (lo & 2) === 0)) {
        ok = report(whereOf(root, va, level, entry), "reserved descriptor encoding (a level-0 block or a level-3 0b01)");
        continue;
      }
      if (oa % size !== 0) ok = report(whereOf(root, va, level, entry), `leaf output address ${hexp(oa)} is not aligned to its ${size / 1024} KiB size`);
      if (root.kernel && l && va >= l.PAGE_OFFSET && va < l.PAGE_END) {
        const expect = va - l.PAGE_OFFSET + l.PHYS_OFFSET;
        if (oa !== expect) ok = report(whereOf(root, va, level, entry), `linear map maps ${hexp(oa)}, but __pa() of this address is ${hexp(expect)}`);
        else if (ram.length > 0 && !inRam(oa, size)) ok = report(whereOf(root, va, level, entry), `linear map covers [${hexp(oa)}, ${hexp(oa + size)}) outside memblock.memory`);
      } else {
        for (let f = 0; f < size / 4096 && ok; f++) {
          const pfn = oa / 4096 + f;
          if (!live(pfn, va + f * 4096)) ok = report(whereOf(root, va, level, entry), `maps frame 0x${pfn.toString(16)}, which is not a live frame`);
        }
      }
      if (checkWx && root.kernel && (lo & PTE_RDONLY) === 0 && (hi & PTE_PXN_HI) === 0 && (tableHi & TABLE_PXN_HI) === 0) {
        ok = report(whereOf(root, va, level, entry), "insecure W+X mapping (writable and executable at EL1)");
      }
    }
  };
  for (const root of o.roots) {
    const top = store.startLevel;
    if (store.tableLevel(root.pgd) !== top) {
      ok = report(`${root.name ?? "root"} ${hexp(root.pgd)}`, `is not a level-${top} table in the store`);
      continue;
    }
    refs.set(root.pgd, `root ${root.name ?? ""}`);
    visit(root, root.pgd, top, root.kernel ? -(2 ** store.vaBits) : 0, 0);
  }
  if (!ok) return;
  for (const pa of store.tables()) {
    if (!refs.has(pa)) report(`pgtable ${hexp(pa)} (level ${store.tableLevel(pa)}, ${tableOriginNames[store.tableOrigin(pa)]})`, "not reachable from any root (leaked)");
  }
}
