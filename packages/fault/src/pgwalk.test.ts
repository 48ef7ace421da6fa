// mmsim: pgwalk's word-level walk finds the same entries as hw-arm64's entry-address accessors (pgd_offset … pte_offset_map), with 4 and 3 levels
import { VmStat, pfnDown } from "@mmsim/core";
import { createBuddyAllocator } from "@mmsim/buddy";
import {
  NULL_ENTRY, PgtableAllocator, PgtableStore, getLockedPte, mmAllocPgd, pgdOffsetPgd, pmdOffset, pteOffsetKernel, pudOffset,
} from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { entryOfWord, pmdWordOf, pteWordIndex, tableWordOf } from "./pgwalk.ts";

const RAM = 0x40000000;
const MiB = 1024 * 1024;

/** A 64 MiB board's tables with `vaBits`, an mm's pgd, and PTE tables for a scatter of user addresses. */
function tables(vaBits: number) {
  const maxPfn = pfnDown(RAM + 64 * MiB);
  const buddy = createBuddyAllocator({
    nrCpus: 1, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), maxPfn]] }], maxZonePfn: [maxPfn, maxPfn, maxPfn, 0],
    reserved: [[RAM, RAM + 4 * MiB]], vmstat: new VmStat(1), deferredStructPageInit: false,
  });
  const mem = buddy.state.mem;
  const store = new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages, vaBits });
  const alloc = new PgtableAllocator(store, buddy, mem);
  const mm = mmAllocPgd(alloc)!;
  const top = 2 ** vaBits;
  // Addresses from a fixed LCG across the whole user range, half of them given PTE tables.
  const addrs: number[] = [];
  let seed = 22;
  for (let i = 0; i < 400; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const a = Math.floor((seed / 2 ** 32) * (top / 4096)) * 4096 + (seed & 0xfff);
    addrs.push(a);
    if (i % 2 === 0) expect(getLockedPte(alloc, mm, a)).not.toBe(NULL_ENTRY);
  }
  return { store, pgd: mm.pgd, addrs };
}

describe("pgwalk", () => {
  for (const vaBits of [48, 39]) {
    it(`finds the entries pgd_offset, pud_offset, pmd_offset and pte_offset_map find (VA_BITS ${vaBits})`, () => {
      const { store, pgd, addrs } = tables(vaBits);
      let withTable = 0;
      for (const a of addrs) {
        const pudp = pudOffset(store, pgdOffsetPgd(store, pgd, a), a);
        const pmdp = pudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, pudp, a);
        const w = pmdWordOf(store, pgd, a);
        if (pmdp === NULL_ENTRY) {
          expect(w).toBe(-1);
          continue;
        }
        expect(w).toBe(store.entryWord(pmdp));
        expect(entryOfWord(store, w)).toBe(pmdp);
        const ptep = pteOffsetKernel(store, pmdp, a);
        const tw = tableWordOf(store, store.words[w]!, store.words[w + 1]!);
        if (ptep === NULL_ENTRY) {
          expect(tw).toBe(-1);
          continue;
        }
        withTable++;
        expect(tw + pteWordIndex(a)).toBe(store.entryWord(ptep));
        expect(entryOfWord(store, tw + pteWordIndex(a))).toBe(ptep);
      }
      // Every address given a table, and some that share one, were checked down to the PTE.
      expect(withTable).toBeGreaterThanOrEqual(200);
    });
  }

  it("reads a none descriptor, and one whose frame holds no table, as no table", () => {
    const { store } = tables(48);
    expect(tableWordOf(store, 0, 0)).toBe(-1);
    // A table descriptor (bits 1:0 = 3) whose output address is a RAM frame that is no table.
    expect(tableWordOf(store, ((RAM + 60 * MiB) | 3) >>> 0, 0)).toBe(-1);
    // An output address outside RAM.
    expect(tableWordOf(store, 3, 0x1)).toBe(-1);
  });
});
