// mmsim: the translate path's hot cases (TLB hit, L2 TLB hit, miss + fill over a flat stand-in walk) and the context-switch fast path
/* Runs against the built package (`pnpm -s build` first), as every bench does. */
import { CostModel, SimClock } from "@mmsim/core";
import { ACCESS_READ, ACCESS_USER, Mmu } from "@mmsim/hw-arm64";
import type { WalkResult } from "@mmsim/hw-arm64";
import { bench, describe } from "vitest";
import { rate } from "@mmsim/core/testing";

const UR = ACCESS_READ | ACCESS_USER;
const PGD = 0x4400_0000;
const USER_PAGE_LO = 0x743 | (1 << 11); // valid page, AP[1] (EL0), AF, nG
/** A user address space of 64 MiB at 0x40_0000, page i → PA 0x8000_0000 + i × 4 KiB, walked in 4 levels. */
const BASE = 0x40_0000;
const PAGES = 16384;

/** walk.ts's signature: a flat user mapping, no allocation. */
function flatWalk(_store: null, _pgd: number, va: number, _access: number, out: WalkResult): number {
  const i = Math.floor((va - BASE) / 4096);
  if (i < 0 || i >= PAGES) {
    out.fault = 1;
    out.faultLevel = 3;
    return 1;
  }
  out.pa = 0x8000_0000 + i * 4096 + (va & 4095);
  out.level = 3;
  out.shift = 12;
  out.descLo = USER_PAGE_LO;
  out.descHi = 0;
  out.tableHi = 0;
  out.fault = 0;
  out.faultLevel = 0;
  return 0;
}

class Out implements WalkResult {
  pa = 0;
  level = 0;
  shift = 12;
  descLo = 0;
  descHi = 0;
  tableHi = 0;
  fault = 0;
  faultLevel = 0;
  pan = false;
}

const mmu = new Mmu(flatWalk, null, new SimClock(), new CostModel(), { nrCpus: 2 });
mmu.setSwapperPgDir(0x4120_0000);
for (let mm = 0; mm < 2; mm++) mmu.contexts.initNewContext(mm);
mmu.switchMm(0, 0, PGD);
const out = new Out();

/** Operations per bench iteration: tinybench's own per-iteration cost is amortised over them. */
const BATCH = 100;
let hot = 0;
let warm = 0;
let cold = 0;
// Warm up: the 16 hot pages in the data micro-TLB, 512 warm pages in the L2 TLB.
for (let i = 0; i < 600; i++) mmu.translate(0, BASE + (i % 16) * 4096, UR, out);
for (let i = 0; i < 512; i++) mmu.translate(0, BASE + 0x100_0000 + i * 4096, UR, out);

describe(`translate (Cortex-A57 TLBs; each iteration = ${BATCH} translations: ops/s = hz × ${BATCH})`, () => {
  bench(rate("L1 (micro-TLB) hit, 16 pages", { min: 20e6, unit: "translations/s", perIteration: BATCH }), () => {
    for (let i = 0; i < BATCH; i++) {
      mmu.translate(0, BASE + (hot & 15) * 4096 + 8, UR, out);
      hot++;
    }
  });
  bench("L1 miss, L2 TLB hit (+ micro-TLB refill), 512 pages", () => {
    for (let i = 0; i < BATCH; i++) {
      mmu.translate(0, BASE + 0x100_0000 + (warm & 511) * 4096, UR, out);
      warm++;
    }
  });
  bench("miss + fill, 8192 pages round robin, over a flat stand-in walk (not the 4-level table walk: walk.bench.ts times that)", () => {
    for (let i = 0; i < BATCH; i++) {
      mmu.translate(0, BASE + 0x200_0000 + (cold & 8191) * 4096, UR, out);
      cold++;
    }
  });
});

describe(`switch_mm (each iteration = ${BATCH} switches)`, () => {
  bench("check_and_switch_context fast path, two mms alternating on one CPU", () => {
    for (let i = 0; i < BATCH; i++) mmu.switchMm(1, i & 1, PGD + (i & 1) * 4096);
  });
});

describe(`TLBI (each iteration = ${BATCH} operations, 2 CPUs)`, () => {
  bench("flush_tlb_page (TLBI VALE1IS on both CPUs)", () => {
    for (let i = 0; i < BATCH; i++) mmu.flushTlbPage(0, BASE + 0x300_0000 + i * 4096);
  });
});
