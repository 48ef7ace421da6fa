// mmsim: CONFIG_DEBUG_VM-style checks after page migration (no kernel counterpart: the kernel's VM_BUG_ONs in mm/migrate.c are spread along the path)
/*
 * After every migratePages: no PTE (no huge PMD, for a THP) of the VMAs that map a moved folio still holds a migration
 * entry or the old page (each was turned back by remove_migration_ptes), the new folio has the old one's mapcount, is in its mapping's
 * slot (page cache or swap cache) when it has one, and the old one was freed (refcount 0, no
 * mapping); no folio is counted isolated once every caller has put its list back.
 */
import { NR_ISOLATED_ANON, NR_ISOLATED_FILE, NR_VM_NODE_STAT_ITEMS, PG_swapbacked, PG_swapcache, type ValidationSink, swpOffset } from "@mmsim/core";
import { NULL_ENTRY, PTE_VALID, type PgtableStore, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pudOffset } from "@mmsim/hw-arm64";
import { isMigrationPte, migrationPtePfn } from "@mmsim/rmap";
import { SWAP_ADDRESS_SPACE_SHIFT } from "@mmsim/swap";
import type { VmAreaStruct } from "@mmsim/vma";
import type { Migrator } from "./migrate.ts";

/** The entry that maps `address` in the VMA's tables: its PTE, or its PMD when that is a block or a (migration) swap entry; NULL_ENTRY when none. */
function ptepOf(store: PgtableStore, vma: VmAreaStruct, address: number): number {
  const pgt = vma.vmMm.pgtables;
  if (pgt === null) return NULL_ENTRY;
  const pudp = pudOffset(store, pgdOffsetPgd(store, pgt.pgd, address), address);
  if (pudp === NULL_ENTRY) return NULL_ENTRY;
  const pmdp = pmdOffset(store, pudp, address);
  if (pmdp === NULL_ENTRY) return NULL_ENTRY;
  if ((store.readLo(pmdp) & 3) !== 3) return store.readLo(pmdp) === 0 && store.readHi(pmdp) === 0 ? NULL_ENTRY : pmdp;
  return pteOffsetKernel(store, pmdp, address);
}

/**
 * Checks the pairs of the migrations since the last check, then forgets them (a later step may
 * unmap the new page: its mapcount is compared as the move left it).
 */
export function validateMigration(m: Migrator, store: PgtableStore, sink: ValidationSink): void {
  const where = "migrate";
  const mem = m.mem;
  const rmap = m.deps.rmap;
  for (let i = 0; i < m.lastCount; i++) {
    const oldPfn = m.lastOld[i]!;
    const newPfn = m.lastNew[i]!;
    const oldPage = mem.pfnToPage(oldPfn);
    const newPage = mem.pfnToPage(newPfn);
    // the pair is history once the new page itself was freed or reused: only check a live one that still has the identity
    if (mem.refcount[newPage]! <= 0) continue;
    if (mem.refcount[oldPage]! > 0 && mem.mapping[oldPage] !== 0 && mem.mapping[oldPage] === mem.mapping[newPage] && mem.index[oldPage] === mem.index[newPage]) {
      sink.report(where, `old pfn 0x${oldPfn.toString(16)} still holds the identity (mapping ${mem.mapping[oldPage]}, index ${mem.index[oldPage]}) it gave to pfn 0x${newPfn.toString(16)}`);
    }
    // the mapcount as the move left it: reclaim or munmap may have unmapped the page since (a check may come steps later)
    if (m.lastNewMapcount[i] !== m.lastMapcount[i]! && m.lastMapcount[i]! >= 0) {
      sink.report(where, `pfn 0x${newPfn.toString(16)} had mapcount ${m.lastNewMapcount[i]} after the move, the old page had ${m.lastMapcount[i]}`);
    }
    const f = mem.flags[newPage]!;
    if ((f & (1 << PG_swapbacked)) !== 0 && (f & (1 << PG_swapcache)) !== 0 && m.deps.swap !== null) {
      const entry = mem.private[newPage]!;
      const si = m.deps.swap.swpSwapInfo(entry);
      const off = swpOffset(entry);
      if (si !== null && si.spaces[off >>> SWAP_ADDRESS_SPACE_SHIFT]!.load(off) !== newPage + 1) {
        sink.report(where, `swap-cache pfn 0x${newPfn.toString(16)} is not in its swap cache slot (entry 0x${entry.toString(16)})`);
      }
    }
    // no PTE of the VMAs that map the new folio still names the old page (present or as a migration entry)
    rmap.rmapWalk(newPage, {
      rmapOne: (_page, vma, address) => {
        const ptep = ptepOf(store, vma, address);
        if (ptep === NULL_ENTRY) return true;
        const lo = store.readLo(ptep);
        const hi = store.readHi(ptep);
        if (isMigrationPte(lo, hi)) {
          if (migrationPtePfn(lo, hi) === oldPfn) sink.report(where, `mm ${vma.vmMm.id}: PTE (or huge PMD) at 0x${address.toString(16)} still holds a migration entry for the old pfn 0x${oldPfn.toString(16)}`);
        } else if ((lo & PTE_VALID) !== 0 && ptePfn(lo, hi) === oldPfn) {
          sink.report(where, `mm ${vma.vmMm.id}: PTE at 0x${address.toString(16)} still maps the old pfn 0x${oldPfn.toString(16)} (moved to 0x${newPfn.toString(16)})`);
        }
        return true;
      },
    });
  }
  m.lastCount = 0;
  const nodeVmStat = m.deps.vmstat.nodeVmStat;
  for (let nid = 0; nid * NR_VM_NODE_STAT_ITEMS < nodeVmStat.length; nid++) {
    const iso = nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_ANON]! + nodeVmStat[nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_FILE]!;
    if (iso < 0) sink.report(where, `node ${nid}: NR_ISOLATED_ANON + NR_ISOLATED_FILE is ${iso}`);
  }
}
