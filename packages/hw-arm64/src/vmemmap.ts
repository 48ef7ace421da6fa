// Kernel: arch/arm64/mm/mmu.c (vmemmap_populate), mm/sparse-vmemmap.c (vmemmap_pgd/p4d/pud_populate, vmemmap_alloc_block_zero) (v6.1) — mapping the struct page array at VMEMMAP_START
/*
 * sparse_init() maps each present memory section's struct pages into the vmemmap. With 4 KiB
 * pages arm64 maps them with 2 MiB blocks (PROT_SECT_NORMAL) taken from the node's sparse
 * buffer (vmemmap_alloc_block_buf), allocating the PUD and PMD tables on the way with
 * vmemmap_alloc_block_zero(PAGE_SIZE) — from memblock that early, and not counted in
 * PageTables. A 128 MiB section has 32768 struct pages of 64 bytes: exactly one 2 MiB block.
 */
import { ArgumentError, ENOMEM, PAGE_SIZE } from "@mmsim/core";
import { pmdSetHuge } from "./create-mapping.ts";
import type { Arm64Layout } from "./layout.ts";
import { populate } from "./mm-pgtables.ts";
import { P4D_TYPE_TABLE, PMD_SIZE, PUD_TYPE_TABLE, TABLE_UXN_HI, descOutputAddress } from "./pgtable-hwdef.ts";
import { PROT_SECT_NORMAL } from "./pgtable-prot.ts";
import { TABLE_ORIGIN_MEMBLOCK, type PgtableStore } from "./pgtable-store.ts";
import { pgdOffsetK, pmdIndex, pudIndex } from "./pgtable.ts";
import { type Va, formatVa0x } from "./va.ts";

/**
 * Maps [start, end) of the vmemmap with 2 MiB blocks. Kernel: `vmemmap_populate()` (4 KiB pages).
 * @param blockAlloc vmemmap_alloc_block_buf(PMD_SIZE): a 2 MiB-aligned physical address from the sparse buffer, or 0
 * @param tableAlloc vmemmap_alloc_block_zero(PAGE_SIZE) before slab: memblock_alloc_try_nid_raw(size, size, …), or 0
 * @returns 0, or -ENOMEM (the basepages fallback of the kernel is not modelled: a 0 block is -ENOMEM)
 * @throws ArgumentError for a range outside [VMEMMAP_START, VMEMMAP_END) or not 2 MiB-aligned
 */
export function vmemmapPopulate(store: PgtableStore, l: Arm64Layout, start: Va, end: Va, blockAlloc: (size: number) => number, tableAlloc: (size: number, align: number) => number): number {
  if (start < l.VMEMMAP_START || end > l.VMEMMAP_END || end <= start || start % PMD_SIZE !== 0 || end % PMD_SIZE !== 0) {
    throw new ArgumentError("hw-arm64.vmemmapPopulate", "start/end", `a 2 MiB-aligned range inside the vmemmap [${formatVa0x(l.VMEMMAP_START)}, ${formatVa0x(l.VMEMMAP_END)})`, `[${formatVa0x(start)}, ${formatVa0x(end)})`);
  }
  const table = (entry: number, level: number, type: number): number => {
    if (store.readLo(entry) === 0 && store.readHi(entry) === 0) {
      const p = tableAlloc(PAGE_SIZE, PAGE_SIZE);
      if (!p) return -1;
      store.addTable(p, level, TABLE_ORIGIN_MEMBLOCK);
      populate(store, entry, p, type, TABLE_UXN_HI); // p4d_populate / pud_populate(&init_mm, …)
    }
    return descOutputAddress(store.readLo(entry), store.readHi(entry));
  };
  for (let addr = start; addr !== end; addr += PMD_SIZE) {
    const pgdp = pgdOffsetK(store, addr);
    let pudp = pgdp;
    if (store.levels === 4) {
      const pud = table(pgdp, 1, P4D_TYPE_TABLE); // vmemmap_p4d_populate
      if (pud < 0) return -ENOMEM;
      pudp = pud + pudIndex(addr) * 8;
    }
    const pmd = table(pudp, 2, PUD_TYPE_TABLE); // vmemmap_pud_populate
    if (pmd < 0) return -ENOMEM;
    const pmdp = pmd + pmdIndex(addr) * 8;
    if (store.readLo(pmdp) === 0 && store.readHi(pmdp) === 0) {
      const p = blockAlloc(PMD_SIZE);
      if (!p) return -ENOMEM;
      pmdSetHuge(store, pmdp, p, PROT_SECT_NORMAL);
    }
  }
  return 0;
}

/** The vmemmap range of a PFN range: struct page i of the first RAM PFN sits at VMEMMAP_START. Kernel: `pfn_to_page()` with `vmemmap`. */
export function vmemmapRange(l: Arm64Layout, startPfn: number, endPfn: number, sizeofStructPage = 64): [Va, Va] {
  const base = l.PHYS_OFFSET / PAGE_SIZE; // vmemmap = VMEMMAP_START - (memstart_addr >> PAGE_SHIFT)
  return [l.VMEMMAP_START + (startPfn - base) * sizeofStructPage, l.VMEMMAP_START + (endPfn - base) * sizeofStructPage];
}
