// Tests of the page cache index: stores, value entries, marks and searches against a Map, with validate() after every step
import { Prandom } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { XA_EMPTY, XA_MARK_0, XA_MARK_1, XA_MARK_2, XA_MAX_INDEX, XArray, xaIsValue, xaMkValue, xaToValue } from "./xarray.ts";

function valid(xa: XArray): void {
  const sink = new CollectingSink();
  xa.validate(sink, "xa");
  expect(sink.problems).toEqual([]);
}

describe("XArray", () => {
  it("stores pages and value entries at any 32-bit index, grows and shrinks its tree", () => {
    const xa = new XArray();
    expect(xa.load(0)).toBe(XA_EMPTY);
    xa.store(5, 101);
    expect(xa.nrNodes).toBe(1);
    xa.store(64 * 64 + 3, 102); // needs a third level
    expect(xa.nrNodes).toBe(5); // head (shift 12) → two shift-6 nodes → a leaf each
    xa.store(XA_MAX_INDEX, xaMkValue(7));
    valid(xa);
    expect(xa.load(5)).toBe(101);
    expect(xa.load(64 * 64 + 3)).toBe(102);
    const v = xa.load(XA_MAX_INDEX);
    expect(xaIsValue(v)).toBe(true);
    expect(xaToValue(v)).toBe(7);
    expect(xa.nrValueEntries).toBe(1);
    expect(xa.load(6)).toBe(XA_EMPTY);
    expect(xa.erase(XA_MAX_INDEX)).toBe(v);
    expect(xa.erase(64 * 64 + 3)).toBe(102);
    valid(xa);
    // back to a single leaf holding index 5
    expect(xa.nrNodes).toBe(1);
    expect(xa.erase(5)).toBe(101);
    expect(xa.empty()).toBe(true);
    expect(xa.nrNodes).toBe(0);
    valid(xa);
  });

  it("a replaced entry keeps its marks; an erased one loses them; marks propagate up and clear up", () => {
    const xa = new XArray();
    for (let i = 0; i < 300; i++) xa.store(i * 37, i + 1);
    xa.setMark(37 * 10, XA_MARK_0);
    xa.setMark(37 * 250, XA_MARK_0);
    xa.setMark(37 * 250, XA_MARK_1);
    valid(xa);
    expect(xa.marked(XA_MARK_0)).toBe(true);
    expect(xa.getMark(370, XA_MARK_0)).toBe(true);
    expect(xa.getMark(371, XA_MARK_0)).toBe(false);
    xa.store(370, 999); // replace
    expect(xa.getMark(370, XA_MARK_0)).toBe(true);
    expect(xa.find(0, XA_MAX_INDEX, XA_MARK_0)).toBe(370);
    expect(xa.find(371, XA_MAX_INDEX, XA_MARK_0)).toBe(37 * 250);
    expect(xa.find(37 * 250 + 1, XA_MAX_INDEX, XA_MARK_0)).toBe(-1);
    xa.clearMark(37 * 250, XA_MARK_0);
    expect(xa.getMark(37 * 250, XA_MARK_1)).toBe(true);
    xa.erase(370);
    expect(xa.marked(XA_MARK_0)).toBe(false);
    expect(xa.marked(XA_MARK_1)).toBe(true);
    valid(xa);
  });

  it("find visits entries in order within [start, max] and leaves each in found", () => {
    const xa = new XArray();
    const idx = [0, 1, 63, 64, 4095, 4096, 262143, 262144, 1_000_000, XA_MAX_INDEX];
    for (const i of idx) xa.store(i, i + 1);
    const seen: number[] = [];
    for (let i = xa.find(0, XA_MAX_INDEX); i >= 0; i = i < XA_MAX_INDEX ? xa.find(i + 1, XA_MAX_INDEX) : -1) {
      expect(xa.found).toBe(i + 1);
      seen.push(i);
    }
    expect(seen).toEqual(idx);
    expect(xa.find(65, 4094)).toBe(-1);
    expect(xa.find(65, 4095)).toBe(4095);
  });

  it("storeInitMarks replaces an entry and clears its marks, up the tree too (page_cache_delete's xas_store + xas_init_marks)", () => {
    const xa = new XArray();
    xa.store(70_000, 5);
    xa.store(70_001, 6);
    for (const m of [XA_MARK_0, XA_MARK_1, XA_MARK_2]) xa.setMark(70_000, m);
    xa.setMark(70_001, XA_MARK_1);
    expect(xa.storeInitMarks(70_000, xaMkValue(9))).toBe(5);
    expect(xa.load(70_000)).toBe(xaMkValue(9));
    expect([xa.getMark(70_000, XA_MARK_0), xa.getMark(70_000, XA_MARK_1), xa.getMark(70_000, XA_MARK_2)]).toEqual([false, false, false]);
    expect([xa.marked(XA_MARK_0), xa.marked(XA_MARK_1), xa.marked(XA_MARK_2)]).toEqual([false, true, false]);
    expect(xa.nrValueEntries).toBe(1);
    valid(xa);
    // a value replaced by a page, and an index with no entry (the general store path)
    expect(xa.storeInitMarks(70_000, 8)).toBe(xaMkValue(9));
    expect(xa.nrValueEntries).toBe(0);
    expect(xa.storeInitMarks(3, xaMkValue(1))).toBe(XA_EMPTY);
    expect(xa.nrEntries).toBe(3);
    valid(xa);
  });

  it("nodes freed and reused come back empty: a lone entry stored and erased at changing indices (the swap cache's pattern)", () => {
    const xa = new XArray();
    const rng = new Prandom(7);
    for (let i = 0; i < 3000; i++) {
      const index = rng.below(16384);
      xa.store(index, i + 1);
      if (i % 3 === 0) xa.setMark(index, i % 2 === 0 ? XA_MARK_0 : XA_MARK_2);
      if (i % 5 === 0) xa.store(index + 64, xaMkValue(i)); // a neighbour leaf, left behind for a while
      if (i % 500 === 0) valid(xa);
      expect(xa.erase(index)).toBe(i + 1);
      if (i % 5 === 0) xa.erase(index + 64);
      expect(xa.nrNodes).toBe(0);
      expect(xa.empty()).toBe(true);
    }
    valid(xa);
  });

  it("agrees with a Map over 20,000 random stores, erases and marks (seeded)", () => {
    const rng = new Prandom(15);
    const xa = new XArray();
    const ref = new Map<number, number>();
    const marked = new Set<number>();
    for (let step = 0; step < 20_000; step++) {
      const r = rng.below(100);
      const index = rng.below(32) === 0 ? rng.below(0xffffffff) : rng.below(2_000);
      if (r < 55) {
        const e = rng.below(2) === 0 ? index + 1 : xaMkValue(rng.below(1 << 30));
        xa.store(index, e);
        ref.set(index, e);
      } else if (r < 85) {
        expect(xa.erase(index)).toBe(ref.get(index) ?? XA_EMPTY);
        ref.delete(index);
        marked.delete(index);
      } else if (ref.has(index)) {
        const k = index;
        if (r < 88) {
          const e = xaMkValue(rng.below(1 << 30));
          expect(xa.storeInitMarks(k, e)).toBe(ref.get(k));
          ref.set(k, e);
          marked.delete(k);
        } else if (r < 95) {
          xa.setMark(k, XA_MARK_0);
          marked.add(k);
        } else {
          xa.clearMark(k, XA_MARK_0);
          marked.delete(k);
        }
      }
      if (step % 5000 === 0) valid(xa);
    }
    valid(xa);
    expect(xa.nrEntries).toBe(ref.size);
    for (const [k, v] of ref) expect(xa.load(k)).toBe(v);
    const all: number[] = [];
    for (let i = xa.find(0, XA_MAX_INDEX); i >= 0; i = i < XA_MAX_INDEX ? xa.find(i + 1, XA_MAX_INDEX) : -1) all.push(i);
    expect(all).toEqual([...ref.keys()].sort((a, b) => a - b));
    const m: number[] = [];
    for (let i = xa.find(0, XA_MAX_INDEX, XA_MARK_0); i >= 0; i = i < XA_MAX_INDEX ? xa.find(i + 1, XA_MAX_INDEX, XA_MARK_0) : -1) m.push(i);
    expect(m).toEqual([...marked].sort((a, b) => a - b));
    xa.destroy();
    expect(xa.nrNodes).toBe(0);
    valid(xa);
  });
});
