// mmsim: the invariants of processes' page tables, pages and rmap (cf. the kernel's CONFIG_DEBUG_VM checks, validate_mm(), and page_mapcount/total_mapcount's definitions) — validate() after every step in tests
/*
 * Over a set of mms (pass every live mm of the machine, and their tasks, for the cross-checks
 * that need the whole picture), walking each mm's page tables from the pgd:
 *
 *   1. every present user PTE or huge PMD lies inside a VMA of its mm and maps a live page
 *      (refcount > 0, not a buddy page), or the zero page / huge zero page;
 *   2. for every page seen: page_mapcount() == the PTEs mapping it + the PMDs mapping its THP,
 *      the THP's compound_mapcount == its PMD mappings, and the folio's refcount is at least its
 *      mappings (each PTE and PMD mapping holds one);
 *   3. rmap_walk from every mapped page finds every (mm, address) that maps it (the anon_vma
 *      tree of an anonymous page, the i_mmap of a file page);
 *   4. MM_ANONPAGES, MM_FILEPAGES and MM_SHMEMPAGES of each mm (mm->rss_stat plus the unfolded
 *      deltas of its tasks) equal its anonymous pages mapped (512 per huge PMD), its other pages
 *      mapped that are not swap-backed, and those that are (shmem) — mm_counter() of each page;
 *   7. a present PTE of a file VMA maps either an anonymous page (a private COW copy) or the
 *      page of the VMA's file at linear_page_index (mapping is the file's address_space id,
 *      index the offset), and every VMA of a file with an address_space is on its i_mmap;
 *   5. no page-table frame is free (refcount > 0), and mm->pgtables_bytes equals the tables below
 *      the pgd plus the deposited THP tables;
 *   6. each VMA's anon_vma is on its anon_vma_chain, each avc is in its anon_vma's tree, and each
 *      anon_vma's num_active_vmas counts the VMAs that use it;
 *   8. every swap PTE lies inside a VMA with an anon_vma and holds a swap entry (or a swap-in error
 *      or hwpoison entry); MM_SWAPENTS of each mm equals its swap PTEs; with a swap subsystem,
 *      each entry's device is on and its slot has at least as many users as swap PTEs name it.
 */
import { type ValidationSink } from "@mmsim/core";
import { PG_swapbacked, isHwpoisonEntry, isMigrationEntry, isSwapinErrorEntry, nonSwapEntry } from "@mmsim/core";
import { migrationPtePfn, pageKsm } from "@mmsim/rmap";
import { pteToSwpEntry } from "@mmsim/hw-arm64";
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type MmStruct, type TaskStruct, type VmAreaStruct, linearPageIndex, vmaFileMapping } from "@mmsim/vma";
import type { AnonVmaChainStruct, AnonVmaStruct, RmapVisitor } from "@mmsim/rmap";
import { pmdTransHuge } from "./huge-memory.ts";
import type { MmMemory } from "./memory.ts";

const PAGE = 4096;
const PTE_PROT_NONE_HI = 1 << 26;
const PTE_SPECIAL_HI = 1 << 24;

interface Mapping {
  readonly mm: MmStruct;
  readonly vma: VmAreaStruct;
  readonly addr: number;
  readonly page: number;
  readonly pmd: boolean;
}

/** Checks the invariants above; reports each broken one to the sink. */
export function validateMms(m: MmMemory, mms: readonly MmStruct[], tasks: readonly TaskStruct[], sink: ValidationSink): void {
  const mem = m.mem;
  const store = m.store;
  const rmap = m.rmap;
  const ptes = new Map<number, number>();
  const pmds = new Map<number, number>();
  const maps: Mapping[] = [];
  /** Swap PTEs naming each swap entry, over every mm. */
  const swapRefs = new Map<number, number>();
  const hex = (x: number) => "0x" + x.toString(16);
  for (const mm of mms) {
    const pgt = mm.pgtables;
    const where = `mm ${mm.id}`;
    let anon = 0;
    let filePages = 0;
    let shmemPages = 0;
    let swapEnts = 0;
    let tableBytes = 0;
    if (pgt !== null) {
      const checkTable = (pa: number, what: string) => {
        const page = mem.pfnToPage(pa / PAGE);
        if (!store.isTable(pa)) sink.report(where, `${what} at ${hex(pa)} is not a page table`);
        if (mem.refcount[page]! <= 0) sink.report(where, `${what} frame ${hex(pa / PAGE)} is free (refcount ${mem.refcount[page]})`);
      };
      const leaf = (addr: number, lo: number, hi: number, isPmd: boolean) => {
        if ((lo & 1) === 0 && (hi & PTE_PROT_NONE_HI) === 0) {
          if (isPmd) {
            if (isMigrationEntry(pteToSwpEntry(lo, hi))) sink.report(where, `PMD at ${hex(addr)} holds a migration entry (pfn ${hex(migrationPtePfn(lo, hi))}) with no migration in progress`);
            else sink.report(where, `non-present PMD ${hex(hi)}_${hex(lo)} at ${hex(addr)} (THP swap entries are not modelled)`);
            return;
          }
          const entry = pteToSwpEntry(lo, hi);
          if (isMigrationEntry(entry)) {
            // every migration ends within the step that starts it (remove_migration_ptes): none may be left
            sink.report(where, `PTE at ${hex(addr)} holds a migration entry (pfn ${hex(migrationPtePfn(lo, hi))}) with no migration in progress`);
            return;
          }
          const svma = mm.mt.lookup(addr);
          if (svma === null || svma.anonVma === null) sink.report(where, `swap PTE at ${hex(addr)} outside every VMA with an anon_vma`);
          if (!nonSwapEntry(entry)) {
            swapEnts++;
            swapRefs.set(entry, (swapRefs.get(entry) ?? 0) + 1);
          } else if (!isSwapinErrorEntry(entry) && !isHwpoisonEntry(entry)) sink.report(where, `PTE at ${hex(addr)} holds non-swap entry ${hex(entry)} of no modelled type`);
          return;
        }
        const pfn = (hi & 0xffff) * 1048576 + ((lo & 0xfffff000) >>> 12);
        const vma = mm.mt.lookup(addr);
        if (vma === null) {
          sink.report(where, `${isPmd ? "huge PMD" : "PTE"} at ${hex(addr)} outside every VMA`);
          return;
        }
        if (isPmd ? pfn === m.hugeZero.pfn : (hi & PTE_SPECIAL_HI) !== 0) {
          if (!isPmd && pfn !== m.zeroPfn) sink.report(where, `special PTE at ${hex(addr)} maps pfn ${hex(pfn)}, not the zero page`);
          return;
        }
        if (!mem.pfnValid(pfn)) {
          sink.report(where, `PTE at ${hex(addr)} maps pfn ${hex(pfn)} outside RAM`);
          return;
        }
        const page = mem.pfnToPage(pfn);
        const head = rmap.compoundHead(page);
        if (mem.refcount[head]! <= 0 || mem.mapcount[page]! < -1) sink.report(where, `${hex(addr)} maps pfn ${hex(pfn)}, which is free (refcount ${mem.refcount[head]}, _mapcount ${mem.mapcount[page]})`);
        if (isPmd) pmds.set(page, (pmds.get(page) ?? 0) + 1);
        else ptes.set(page, (ptes.get(page) ?? 0) + 1);
        if (rmap.pageAnon(page)) anon += isPmd ? 512 : 1;
        else {
          if ((mem.flags[head]! & (1 << PG_swapbacked)) !== 0) shmemPages += isPmd ? 512 : 1;
          else filePages += isPmd ? 512 : 1;
          const mapping = vmaFileMapping(vma);
          if (mapping !== null && (mem.mapping[head] !== mapping.id || mem.index[page] !== linearPageIndex(vma, addr))) {
            sink.report(where, `${hex(addr)} of file VMA ${hex(vma.vmStart)} maps pfn ${hex(pfn)} of mapping ${mem.mapping[head]} index ${mem.index[page]}, not its file's page (mapping ${mapping.id} index ${linearPageIndex(vma, addr)})`);
          }
        }
        maps.push({ mm, vma, addr, page, pmd: isPmd });
      };
      const walk = (table: number, level: number, base: number) => {
        const shift = 12 + 9 * (3 - level);
        for (let i = 0; i < 512; i++) {
          const e = table + i * 8;
          const lo = store.readLo(e);
          const hi = store.readHi(e);
          if (lo === 0 && hi === 0) continue;
          const addr = base + i * 2 ** shift;
          if (level === 3) leaf(addr, lo, hi, false);
          else if (level === 2 && pmdTransHuge(lo, hi)) {
            leaf(addr, lo, hi, true);
            if (!m.deposited.has(e)) sink.report(where, `huge PMD at ${hex(addr)} has no deposited PTE table`);
            else {
              checkTable(m.deposited.get(e)!, "deposited PTE table");
              tableBytes += PAGE;
            }
          } else if ((lo & 3) === 3) {
            const next = (hi & 0xffff) * 4294967296 + ((lo & 0xfffff000) >>> 0);
            checkTable(next, `level-${level + 1} table`);
            tableBytes += PAGE; // mm_inc_nr_puds/pmds/ptes: every table below the pgd
            walk(next, level + 1, addr);
          } else sink.report(where, `level-${level} entry ${i} at ${hex(addr)} is neither table nor block (${hex(hi)}_${hex(lo)})`);
        }
      };
      walk(pgt.pgd, store.startLevel, 0);
      if (tableBytes !== pgt.pgtablesBytes) sink.report(where, `pgtables_bytes ${pgt.pgtablesBytes} but ${tableBytes} bytes of tables below the pgd`);
    }
    const counters: readonly (readonly [number, string, number, string])[] = [
      [MM_ANONPAGES, "MM_ANONPAGES", anon, "anonymous pages"],
      [MM_FILEPAGES, "MM_FILEPAGES", filePages, "file pages (not swap-backed)"],
      [MM_SHMEMPAGES, "MM_SHMEMPAGES", shmemPages, "shmem pages"],
      [MM_SWAPENTS, "MM_SWAPENTS", swapEnts, "swap PTEs"],
    ];
    for (const [idx, name, mapped, what] of counters) {
      let rss = mm.rssStat[idx]!;
      for (const t of tasks) if (t.mm === mm) rss += t.rssStat[idx]!;
      if (rss !== mapped) sink.report(where, `${name} ${rss} (mm ${mm.rssStat[idx]} + task caches) but ${mapped} ${what} mapped`);
    }
    // anon_vma chains, i_mmap
    for (const vma of mm.mt) {
      const mapping = vmaFileMapping(vma);
      if (mapping !== null && !mapping.iMmap.has(vma)) sink.report(where, `VMA ${hex(vma.vmStart)} of mapping ${mapping.id} is not on its i_mmap`);
      const av = vma.anonVma as AnonVmaStruct | null;
      if (av !== null && !vma.anonVmaChain.some((c) => c.anonVma === av)) sink.report(where, `VMA ${hex(vma.vmStart)}: its anon_vma ${av.id} is not on its anon_vma_chain`);
      for (const c of vma.anonVmaChain) {
        const a = c.anonVma as AnonVmaStruct;
        if (!a.live || a.chains[(c as AnonVmaChainStruct).slot] !== c) sink.report(where, `VMA ${hex(vma.vmStart)}: avc for anon_vma ${a.id} is not in its tree`);
      }
    }
  }
  // swap slots: the device is on and holds at least one user per swap PTE
  const ops = m.swap.ops;
  for (const [entry, n] of swapRefs) {
    const where = `swap entry ${hex(entry)}`;
    if (ops === null) {
      sink.report(where, `${n} swap PTEs but no swap subsystem`);
      continue;
    }
    if (ops.swapEntryValid !== undefined && !ops.swapEntryValid(entry)) sink.report(where, `${n} swap PTEs name it but its device is off`);
    else if (ops.swapCount !== undefined && ops.swapCount(entry) < n) sink.report(where, `swap count ${ops.swapCount(entry)} below the ${n} swap PTEs that name it`);
  }
  // mapcounts and references
  const heads = new Set<number>();
  for (const [page, n] of ptes) {
    const head = rmap.compoundHead(page);
    if (head !== page || rmap.pageCompound(page)) {
      heads.add(head);
      const want = n + (pmds.get(head) ?? 0);
      if (rmap.pageMapcount(page) !== want) sink.report(`pfn ${hex(mem.pageToPfn(page))}`, `page_mapcount ${rmap.pageMapcount(page)} but ${n} PTEs + ${pmds.get(head) ?? 0} PMDs map it`);
    } else {
      if (mem.mapcount[page]! + 1 !== n) sink.report(`pfn ${hex(mem.pageToPfn(page))}`, `_mapcount+1 = ${mem.mapcount[page]! + 1} but ${n} PTEs map it`);
      if (mem.refcount[page]! < n) sink.report(`pfn ${hex(mem.pageToPfn(page))}`, `refcount ${mem.refcount[page]} below its ${n} mappings`);
    }
  }
  for (const head of pmds.keys()) heads.add(head);
  for (const head of heads) {
    let mapped = pmds.get(head) ?? 0;
    if (rmap.compoundMapcount(head) !== mapped) sink.report(`THP pfn ${hex(mem.pageToPfn(head))}`, `compound_mapcount ${rmap.compoundMapcount(head)} but ${mapped} PMDs map it`);
    for (let i = 0; i < 512; i++) {
      const n = ptes.get(head + i) ?? 0;
      mapped += n;
      if (n === 0 && rmap.pageMapcount(head + i) !== (pmds.get(head) ?? 0)) sink.report(`pfn ${hex(mem.pageToPfn(head + i))}`, `page_mapcount ${rmap.pageMapcount(head + i)} but only ${pmds.get(head) ?? 0} PMDs map it`);
    }
    if (rmap.totalMapcount(head) !== mapped) sink.report(`THP pfn ${hex(mem.pageToPfn(head))}`, `total_mapcount ${rmap.totalMapcount(head)} but ${mapped} mappings`);
    if (mem.refcount[head]! < mapped) sink.report(`THP pfn ${hex(mem.pageToPfn(head))}`, `refcount ${mem.refcount[head]} below its ${mapped} mappings`);
  }
  // rmap finds every mapping of every page (anon_vma or i_mmap)
  const found = new Set<string>();
  let current = -1;
  const visitor: RmapVisitor = {
    rmapOne(_page, vma, address) {
      // A KSM page's walk (rmap_walk_ksm) gives each rmap_item's own address; page->index means nothing there.
      if (pageKsm(mem, current)) {
        found.add(`${vma.vmMm.id}:${address}`);
        return true;
      }
      // The page's own address in this VMA (vma_address() gives the folio's first address inside it).
      const head = rmap.compoundHead(current);
      const off = ((((mem.index[head]! + current - head - vma.vmPgoff) % 4294967296) + 4294967296) % 4294967296);
      found.add(`${vma.vmMm.id}:${vma.vmStart + off * PAGE}`);
      void address;
      return true;
    },
  };
  for (const x of maps) {
    found.clear();
    current = x.page;
    rmap.rmapWalk(x.page, visitor);
    if (!found.has(`${x.mm.id}:${x.addr}`)) sink.report(`pfn ${hex(mem.pageToPfn(x.page))}`, `rmap_walk does not find its mapping at ${hex(x.addr)} in mm ${x.mm.id}`);
  }
  // num_active_vmas
  const active = new Map<AnonVmaStruct, number>();
  for (const mm of mms) for (const vma of mm.mt) if (vma.anonVma !== null) active.set(vma.anonVma as AnonVmaStruct, (active.get(vma.anonVma as AnonVmaStruct) ?? 0) + 1);
  for (const [av, n] of active) if (av.numActiveVmas !== n) sink.report(`anon_vma ${av.id}`, `num_active_vmas ${av.numActiveVmas} but ${n} VMAs use it`);
}
