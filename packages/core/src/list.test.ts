import { describe, expect, it } from "vitest";
import { listCheck, listCount } from "./list-debug.ts";
import {
  listAdd, listAddTail, listDel, listDelInit, listEmpty, listFirst, listInit,
  listIsLast, listIsSingular, listLast, listLinked, listMove, listMoveTail, listSpliceInit, listSpliceTailInit,
} from "./list.ts";
import { MemMap, NIL_PAGE } from "./mm-types.ts";

function walk(next: Int32Array, head: number): number[] {
  const out: number[] = [];
  for (let s = next[head]!; s !== head; s = next[s]!) out.push(s);
  return out;
}

describe("list.h over Int32Array links", () => {
  const setup = () => {
    const m = new MemMap({ basePfn: 0, nrPages: 16, nrListHeads: 2 });
    const h = m.allocListHeads(2);
    return { n: m.lruNext, p: m.lruPrev, a: h, b: h + 1 };
  };

  it("list_add is LIFO, list_add_tail is FIFO", () => {
    const { n, p, a, b } = setup();
    listAdd(n, p, 1, a);
    listAdd(n, p, 2, a);
    listAddTail(n, p, 3, b);
    listAddTail(n, p, 4, b);
    expect(walk(n, a)).toEqual([2, 1]);
    expect(walk(n, b)).toEqual([3, 4]);
    expect(listFirst(n, a)).toBe(2);
    expect(listLast(p, b)).toBe(4);
    expect(listCheck(n, p, a, 16)).toBeNull();
    expect(listCheck(n, p, b, 16)).toBeNull();
  });

  it("list_del poisons the entry, list_del_init leaves it empty", () => {
    const { n, p, a } = setup();
    for (const e of [1, 2, 3]) listAddTail(n, p, e, a);
    listDel(n, p, 2);
    expect(walk(n, a)).toEqual([1, 3]);
    expect(n[2]).toBe(NIL_PAGE);
    expect(listLinked(n, 2)).toBe(false);
    listDelInit(n, p, 1);
    expect(n[1]).toBe(1);
    expect(walk(n, a)).toEqual([3]);
    expect(listIsSingular(n, p, a)).toBe(true);
    expect(listIsLast(n, 3, a)).toBe(true);
    listDel(n, p, 3);
    expect(listEmpty(n, a)).toBe(true);
    expect(listFirst(n, a)).toBe(NIL_PAGE);
    expect(listLast(p, a)).toBe(NIL_PAGE);
  });

  it("list_move and list_move_tail move between lists", () => {
    const { n, p, a, b } = setup();
    for (const e of [1, 2, 3]) listAddTail(n, p, e, a);
    listMove(n, p, 3, b);
    listMoveTail(n, p, 1, b);
    expect(walk(n, a)).toEqual([2]);
    expect(walk(n, b)).toEqual([3, 1]);
    expect(listCount(n, b)).toBe(2);
  });

  it("splices at the head and at the tail, emptying the source", () => {
    const { n, p, a, b } = setup();
    for (const e of [1, 2]) listAddTail(n, p, e, a);
    for (const e of [3, 4]) listAddTail(n, p, e, b);
    listSpliceInit(n, p, b, a);
    expect(walk(n, a)).toEqual([3, 4, 1, 2]);
    expect(listEmpty(n, b)).toBe(true);
    listAddTail(n, p, 5, b);
    listSpliceTailInit(n, p, b, a);
    expect(walk(n, a)).toEqual([3, 4, 1, 2, 5]);
    listSpliceInit(n, p, b, a); // empty splice is a no-op
    expect(listCheck(n, p, a, 16)).toBeNull();
  });

  it("listCheck finds a broken link and a list that does not close", () => {
    const { n, p, a } = setup();
    for (const e of [1, 2, 3]) listAddTail(n, p, e, a);
    p[2] = 3;
    expect(listCheck(n, p, a, 16)).toBe("slot 2 has prev 3, expected 1");
    p[2] = 1;
    n[3] = 1; // cycle that never reaches the head
    expect(listCheck(n, p, a, 16)).toMatch(/slot 1 has prev|does not close/);
    expect(listCount(n, a, 10)).toBe(11);
    listInit(n, p, a);
    expect(listEmpty(n, a)).toBe(true);
  });
});
