// mmsim: tests of MapleTree (the VMA tree): lookups, inserts and removals against a sorted array, with validate() after each step
import { CollectingSink } from "@mmsim/core/testing";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { MmStruct, VmAreaStruct } from "./mm-types.ts";
import { MapleTree } from "./vma-tree.ts";

const P = 4096;
function vma(mm: MmStruct, startPage: number, endPage: number): VmAreaStruct {
  return new VmAreaStruct(mm, startPage * P, endPage * P, 3, vmGetPageProt(3), startPage);
}
function check(t: MapleTree): void {
  const sink = new CollectingSink();
  t.validate(sink);
  expect(sink.toString()).toBe("");
}

describe("MapleTree", () => {
  it("finds, iterates and walks neighbours like find_vma / vma_lookup / vma_prev / vma_next", () => {
    const t = new MapleTree();
    const mm = new MmStruct(1, t);
    const vs = [vma(mm, 10, 20), vma(mm, 30, 31), vma(mm, 31, 40)];
    for (const v of vs) t.insert(v);
    check(t);
    expect(t.size).toBe(3);
    expect(t.findVma(0)).toBe(vs[0]);
    expect(t.findVma(20 * P - 1)).toBe(vs[0]);
    expect(t.findVma(20 * P)).toBe(vs[1]);
    expect(t.lookup(20 * P)).toBeNull();
    expect(t.lookup(31 * P)).toBe(vs[2]);
    expect(t.findVma(40 * P)).toBeNull();
    expect(t.intersection(20 * P, 30 * P)).toBeNull();
    expect(t.intersection(20 * P, 30 * P + 1)).toBe(vs[1]);
    expect(t.prev(vs[0]!)).toBeNull();
    expect(t.prev(vs[2]!)).toBe(vs[1]);
    expect(t.next(vs[2]!)).toBeNull();
    expect([...t]).toEqual(vs);
    expect(t.first()).toBe(vs[0]);
    expect(t.last()).toBe(vs[2]);
  });

  it("refuses an overlapping insert and a removal of a VMA it does not hold", () => {
    const t = new MapleTree();
    const mm = new MmStruct(1, t);
    t.insert(vma(mm, 10, 20));
    expect(() => t.insert(vma(mm, 19, 21))).toThrow(/overlaps/);
    expect(() => t.remove(vma(mm, 30, 40))).toThrow(/not in the tree/);
  });

  it("stays a valid B-tree of logarithmic height through 10,000 inserts and removals in a scrambled order", () => {
    const t = new MapleTree();
    const mm = new MmStruct(1, t);
    const n = 10_000;
    const all: VmAreaStruct[] = [];
    for (let i = 0; i < n; i++) all.push(vma(mm, 2 * i + 1, 2 * i + 2));
    // A fixed permutation (multiplicative step coprime with n).
    for (let k = 0; k < n; k++) t.insert(all[(k * 7919) % n]!);
    check(t);
    expect(t.size).toBe(n);
    expect(t.height()).toBeLessThanOrEqual(5);
    for (let i = 0; i < n; i += 97) {
      expect(t.findVma(all[i]!.vmStart - 1)).toBe(all[i]);
      expect(t.lookup(all[i]!.vmStart)).toBe(all[i]);
    }
    for (let k = 0; k < n; k += 2) t.remove(all[(k * 7919) % n]!);
    check(t);
    expect(t.size).toBe(n / 2);
    const left = [...t];
    expect(left.length).toBe(n / 2);
    for (let k = 1; k < n; k += 2) t.remove(all[(k * 7919) % n]!);
    check(t);
    expect(t.size).toBe(0);
    expect(t.height()).toBe(1);
    expect(t.findVma(0)).toBeNull();
  });

  it("follows in-place changes of vm_start/vm_end after updated()", () => {
    const t = new MapleTree();
    const mm = new MmStruct(1, t);
    const vs: VmAreaStruct[] = [];
    for (let i = 0; i < 100; i++) {
      vs.push(vma(mm, 4 * i, 4 * i + 2));
      t.insert(vs[i]!);
    }
    vs[50]!.vmEnd = (4 * 50 + 4) * P;
    t.updated(vs[50]!);
    vs[51]!.vmStart = (4 * 51 - 0) * P;
    t.updated(vs[51]!);
    check(t);
    expect(t.findVma((4 * 50 + 3) * P)).toBe(vs[50]);
  });

  it("finds the highest and the lowest gap of a size (mas_empty_area_rev / mas_empty_area)", () => {
    const t = new MapleTree();
    const mm = new MmStruct(1, t);
    t.insert(vma(mm, 10, 20));
    t.insert(vma(mm, 22, 30));
    t.insert(vma(mm, 33, 40));
    // Below 40 pages: gaps [30,33) (3 pages), [20,22) (2), [0,10) (10).
    expect(t.emptyAreaRev(0, 40 * P - 1, 3 * P)).toBe(33 * P - 1);
    expect(t.emptyAreaRev(0, 40 * P - 1, 4 * P)).toBe(10 * P - 1);
    expect(t.emptyAreaRev(0, 50 * P - 1, 4 * P)).toBe(50 * P - 1);
    expect(t.emptyAreaRev(11 * P, 40 * P - 1, 4 * P)).toBe(-1);
    expect(t.emptyArea(0, 50 * P - 1, 2 * P)).toBe(0);
    expect(t.emptyArea(10 * P, 50 * P - 1, 2 * P)).toBe(20 * P);
    expect(t.emptyArea(10 * P, 50 * P - 1, 3 * P)).toBe(30 * P);
    expect(t.emptyArea(10 * P, 50 * P - 1, 8 * P)).toBe(40 * P);
    expect(t.emptyArea(10 * P, 45 * P - 1, 8 * P)).toBe(-1);
  });

  it("finds the same gaps as a walk over every VMA, through random inserts, removals and in-place changes (the gap tracking of maple_arange_64)", () => {
    const t = new MapleTree();
    const mm = new MmStruct(1, t);
    let seed = 22;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // A reference: the highest / lowest fitting gap by walking the sorted VMAs.
    const rev = (low: number, high: number, size: number): number => {
      let best = -1;
      let end = 0;
      for (const v of [...t, null]) {
        const gs = Math.max(end, low);
        const ge = Math.min(v === null ? high : v.vmStart - 1, high);
        if (ge >= gs && ge - gs + 1 >= size) best = ge;
        if (v !== null) end = v.vmEnd;
      }
      return best;
    };
    const fwd = (low: number, high: number, size: number): number => {
      let end = 0;
      for (const v of [...t, null]) {
        const gs = Math.max(end, low);
        const ge = Math.min(v === null ? high : v.vmStart - 1, high);
        if (ge >= gs && ge - gs + 1 >= size) return gs;
        if (v !== null) end = v.vmEnd;
      }
      return -1;
    };
    const live: VmAreaStruct[] = [];
    for (let step = 0; step < 3000; step++) {
      const op = rnd(10);
      if (op < 5 || live.length === 0) {
        const start = rnd(2000);
        const len = 1 + rnd(6);
        if (t.intersection(start * P, (start + len) * P) === null) {
          const v = vma(mm, start, start + len);
          t.insert(v);
          live.push(v);
        }
      } else if (op < 8) {
        const k = rnd(live.length);
        t.remove(live[k]!);
        live.splice(k, 1);
      } else {
        // Grow a VMA's end into the gap above it (vma_adjust) and tell the tree.
        const v = live[rnd(live.length)]!;
        const nx = t.next(v);
        const room = (nx === null ? 2010 * P : nx.vmStart) - v.vmEnd;
        if (room >= P) {
          v.vmEnd += P * (1 + rnd(Math.min(room / P, 3)));
          t.updated(v);
        }
      }
      if (step % 50 === 0) check(t);
      const low = rnd(2100) * P;
      const high = low + rnd(400) * P - 1;
      const size = (1 + rnd(12)) * P;
      expect(t.emptyAreaRev(low, high, size)).toBe(rev(low, high, size));
      expect(t.emptyArea(low, high, size)).toBe(fwd(low, high, size));
    }
    check(t);
  });
});
