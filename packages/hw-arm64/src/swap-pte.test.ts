// mmsim: tests of arm64 6.1's swap PTE encoding (arch/arm64/include/asm/pgtable.h: __swp_entry, PTE_SWP_EXCLUSIVE) against core's swp_entry packing
import { SWP_OFFSET_MAX, swpEntry, swpOffset, swpType } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { PTE_SWP_EXCLUSIVE, pteval } from "./pgtable-hwdef.ts";
import {
  PteVal, isSwapPte, mkSwapPte, pfnPte, ptePresent, pteSwpClearExclusive, pteSwpExclusive, pteSwpMkexclusive, pteSwpOffset,
  pteSwpType, pteToSwpEntry,
} from "./pgtable.ts";
import { PAGE_NONE, PAGE_READONLY } from "./pgtable-prot.ts";

describe("arm64 swap PTEs (v6.1)", () => {
  it("type in bits 3-7, offset from bit 8, exclusive in bit 2, valid and PROT_NONE clear", () => {
    const p = mkSwapPte(swpEntry(3, 0x1234), false, new PteVal());
    expect(pteval(p.lo, p.hi)).toBe((0x1234n << 8n) | (3n << 3n));
    expect(isSwapPte(p.lo, p.hi)).toBe(true);
    expect(ptePresent(p.lo, p.hi)).toBe(false);
    expect(pteSwpExclusive(p.lo)).toBe(false);
    const e = mkSwapPte(swpEntry(3, 0x1234), true, new PteVal());
    expect(e.lo).toBe(p.lo | PTE_SWP_EXCLUSIVE);
    expect(pteSwpExclusive(e.lo)).toBe(true);
    expect(pteToSwpEntry(e.lo, e.hi)).toBe(swpEntry(3, 0x1234)); // the marker is not part of the entry
  });

  it("round-trips every type and offsets that reach the high word", () => {
    const t = new PteVal();
    for (const type of [0, 1, 17, 31]) {
      for (const offset of [1, 0xff, 0xffffff, 0x1000000, SWP_OFFSET_MAX]) {
        const entry = swpEntry(type, offset);
        mkSwapPte(entry, (offset & 1) === 1, t);
        expect(pteSwpType(t.lo)).toBe(type);
        expect(pteSwpOffset(t.lo, t.hi)).toBe(offset);
        const back = pteToSwpEntry(t.lo, t.hi);
        expect([swpType(back), swpOffset(back)]).toEqual([type, offset]);
        expect(isSwapPte(t.lo, t.hi)).toBe(true);
      }
    }
    // offset 2^24 sets bit 32: the first bit of the high word
    mkSwapPte(swpEntry(0, 0x1000000), false, t);
    expect([t.lo, t.hi]).toEqual([0, 1]);
  });

  it("none, present and PROT_NONE PTEs are no swap PTEs; the exclusive marker sets and clears", () => {
    expect(isSwapPte(0, 0)).toBe(false);
    const p = pfnPte(0x40000, PAGE_READONLY, new PteVal());
    expect(isSwapPte(p.lo, p.hi)).toBe(false);
    const n = pfnPte(0x40000, PAGE_NONE, new PteVal());
    expect(isSwapPte(n.lo, n.hi)).toBe(false);
    const s = mkSwapPte(swpEntry(2, 7), false, new PteVal());
    expect(pteSwpExclusive(pteSwpMkexclusive(s).lo)).toBe(true);
    expect(pteSwpExclusive(pteSwpClearExclusive(s).lo)).toBe(false);
    expect(pteToSwpEntry(s.lo, s.hi)).toBe(swpEntry(2, 7));
  });
});
