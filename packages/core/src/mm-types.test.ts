import { describe, expect, it } from "vitest";
import { ArgumentError } from "./errors.ts";
import { MemMap, NIL_PAGE } from "./mm-types.ts";

describe("MemMap", () => {
  it("sizes every field once, from FIELDS, and reports bytes per frame", () => {
    const m = new MemMap({ basePfn: 0x40000, nrPages: 262144, nrListHeads: 300 });
    expect(MemMap.bytesPerFrame()).toBe(36);
    expect(m.bytesPerFrame()).toBe(36);
    for (const f of MemMap.FIELDS) {
      const arr = m[f.name];
      expect(arr.BYTES_PER_ELEMENT).toBe(f.bytes);
      const expectedLen = f.name === "lruNext" || f.name === "lruPrev" ? 262144 + 300 : 262144;
      expect(arr.length).toBe(expectedLen);
    }
    expect(m.totalBytes()).toBe(262144 * 36 + 300 * 8);
  });

  it("maps PFN to page index and back, as vmemmap offset by the first PFN of RAM", () => {
    const m = new MemMap({ basePfn: 0x40000, nrPages: 1024, nrListHeads: 0 });
    expect(m.pfnToPage(0x40000)).toBe(0);
    expect(m.pageToPfn(1023)).toBe(0x403ff);
    expect(m.pfnValid(0x3ffff)).toBe(false);
    expect(m.pfnValid(0x40000)).toBe(true);
    expect(m.pfnValid(0x40400)).toBe(false);
    expect(m.endPfn).toBe(0x40400);
  });

  it("starts every page as __init_single_page() leaves it", () => {
    const m = new MemMap({ basePfn: 0, nrPages: 8, nrListHeads: 1 });
    for (let p = 0; p < 8; p++) {
      expect(m.refcount[p]).toBe(1);
      expect(m.mapcount[p]).toBe(-1);
      expect(m.flags[p]).toBe(0);
      expect(m.lruNext[p]).toBe(NIL_PAGE);
    }
  });

  it("hands out list heads as empty circular lists, and refuses more than it has", () => {
    const m = new MemMap({ basePfn: 0, nrPages: 8, nrListHeads: 4 });
    const h = m.allocListHeads(3);
    expect(h).toBe(8);
    expect(m.lruNext[9]).toBe(9);
    expect(m.lruPrev[10]).toBe(10);
    expect(m.listHeadsUsed).toBe(3);
    expect(() => m.allocListHeads(2)).toThrow(/allocListHeads: n: expected ≤ 1 remaining list heads, got 2/);
  });

  it("rejects bad sizes with a clear error", () => {
    expect(() => new MemMap({ basePfn: -1, nrPages: 1, nrListHeads: 0 })).toThrow(ArgumentError);
    expect(() => new MemMap({ basePfn: 0, nrPages: 2 ** 31, nrListHeads: 0 })).toThrow(/8 TiB/);
  });
});
