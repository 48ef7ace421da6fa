// mmsim: list.h verbs over MemMap links, and the size of struct page in the simulator
import { bench, describe } from "vitest";
import { listAdd, listAddTail, listDel, listFirst, listMoveTail } from "../src/list.ts";
import { MemMap } from "../src/mm-types.ts";
import { Prandom } from "../src/rng.ts";

const NR = 1 << 16;
const mem = new MemMap({ basePfn: 0x40000, nrPages: NR, nrListHeads: 2 });
const a = mem.allocListHeads(2);
const b = a + 1;
const next = mem.lruNext;
const prev = mem.lruPrev;
for (let p = 0; p < NR; p++) listAddTail(next, prev, p, a);
const rng = new Prandom(1);

console.log(`MemMap.bytesPerFrame() = ${MemMap.bytesPerFrame()} bytes per simulated 4 KiB frame`);

describe("list.h", () => {
  bench("list_del + list_add (head of a 64K-entry list)", () => {
    const first = listFirst(next, a);
    listDel(next, prev, first);
    listAdd(next, prev, first, a);
  });
  bench("list_move_tail between two lists (LRU rotation)", () => {
    const first = listFirst(next, a);
    listMoveTail(next, prev, first, b);
    listMoveTail(next, prev, listFirst(next, b), a);
  });
  bench("Prandom.nextU32 (prandom_u32_state)", () => {
    rng.nextU32();
  });
});
