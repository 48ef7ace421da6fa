// mmsim: the table walk's hot cases (page-mapped and block-mapped kernel addresses), and building/dumping swapper on the 1 GiB board
/*
 * Builds the reference board's swapper_pg_dir with the package's own paging_init (1 GiB of RAM at
 * 0x40000000, rodata=full: a page-granular linear map, the kernel alias in 2 MiB blocks). Each
 * walk iteration translates 100 addresses spread over different tables: walks/s = hz × 100.
 * Run `pnpm -s build` first: this imports the built package.
 */
import { bench, describe } from "vitest";
import { rate } from "@mmsim/core/testing";
import {
  ACCESS_READ, FAULT_NONE, PgtableStore, WalkOut, __va, arm64Layout, pagingInit, ptdumpKernel, walk,
  type KernelSegments,
} from "@mmsim/hw-arm64";

const RAM = 0x40000000;
const SZ_1G = 0x40000000;
const IMAGE: KernelSegments = {
  _text: 0x40200000, _stext: 0x40210000, _etext: 0x40f00000, __start_rodata: 0x40f00000, __inittext_begin: 0x41860000,
  __inittext_end: 0x41940000, __initdata_begin: 0x41940000, __initdata_end: 0x41eb0000, _data: 0x41eb0000, _end: 0x42210000,
};

function board() {
  const layout = arm64Layout({ vaBits: 48, dramStart: RAM, kernelPhys: IMAGE._text });
  const store = new PgtableStore({ basePfn: RAM / 4096, nrPages: SZ_1G / 4096 });
  let next = RAM + SZ_1G;
  pagingInit({
    layout, store, memory: [{ base: RAM, size: SZ_1G }], image: IMAGE, swapperPgDir: 0x4185f000,
    earlyAlloc: (size) => (next -= size),
    idmap: { pgDir: 0x4185c000, textStart: 0x4185b000, textEnd: 0x4185c000, kptiFlag: 0x41eb1000 },
  });
  return { layout, store };
}

const { layout, store } = board();
const pgd = store.swapperPgDir;
const out = new WalkOut();
const BATCH = 100;
/** Page-mapped linear addresses: one per 2 MiB outside the kernel alias, so each uses another PTE table. */
const pageVa = new Float64Array(BATCH);
/** Block-mapped linear addresses: the kernel alias [0x40400000, 0x41800000) is 10 PMD blocks. */
const blockVa = new Float64Array(BATCH);
for (let i = 0; i < BATCH; i++) {
  pageVa[i] = __va(layout, 0x42000000 + i * 0x200000 + ((i * 0x1357) & 0x1ff000) + 0x10);
  blockVa[i] = __va(layout, 0x40400000 + ((i * 0x31000) % 0x1400000) + 0x20);
}
const leafLevel = (va: number): number => (walk(store, pgd, va, ACCESS_READ, out) === FAULT_NONE ? out.level : -1);
for (let i = 0; i < BATCH; i++) {
  if (leafLevel(pageVa[i]!) !== 3 || leafLevel(blockVa[i]!) !== 2) throw new Error("bench setup: unexpected walk result");
}

let sink = 0;
describe(`table walk (1 GiB board, swapper_pg_dir; each iteration = ${BATCH} walks: walks/s = hz × ${BATCH})`, () => {
  bench(rate("4-level walk of a page-mapped linear address", { min: 5e6, unit: "walks/s", perIteration: BATCH }), () => {
    for (let i = 0; i < BATCH; i++) {
      walk(store, pgd, pageVa[i]!, ACCESS_READ, out);
      sink += out.pa;
    }
  });
  bench("3-level walk of a 2 MiB block-mapped address (the kernel alias)", () => {
    for (let i = 0; i < BATCH; i++) {
      walk(store, pgd, blockVa[i]!, ACCESS_READ, out);
      sink += out.pa;
    }
  });
});

describe("building and dumping swapper_pg_dir (1 GiB board: 515 tables, 262144 linear-map PTEs)", () => {
  bench("paging_init", () => {
    sink += board().store.nrTables;
  }, { time: 0, iterations: 10, warmupIterations: 2 });
  bench("ptdump of kernel_page_tables", () => {
    sink += ptdumpKernel(store, layout).length;
  }, { time: 0, iterations: 10, warmupIterations: 2 });
});

export { sink };
