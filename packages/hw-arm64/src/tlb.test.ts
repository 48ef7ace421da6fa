// mmsim: tests of the TLB model and the TLBI operations (arch/arm64/include/asm/tlbflush.h)
import { CostModel, SimClock } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import {
  CORTEX_A57_TLB, CpuTlb, MAX_TLBI_OPS, TLBI_ASIDE1IS, TLBI_NAMES, TLBI_VAAE1IS, TLBI_VAALE1IS, TLBI_VAE1IS, TLBI_VALE1IS, TLBI_VMALLE1,
  TLBI_VMALLE1IS, TLB_HIT_L1, TLB_HIT_L2, TLB_MISS, Tlb, TlbDomain,
} from "./tlb.ts";

const K = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;
const KVA = -(2 ** 48); // PAGE_OFFSET with VA_BITS 48
const LO = 0x703; // valid page, AF, AP=0: any descriptor will do for the TLB itself

/** Inserts a 4 KiB page translation va → pa. */
function put(t: Tlb, va: number, asid: number, global = false, pa = 0x4000_0000 + va, shift = 12): number {
  return t.insert(va, asid, global, pa, shift, LO, 0, 0, shift === 12 ? 3 : shift === 21 ? 2 : 1);
}

describe("Tlb geometry", () => {
  it("rejects a geometry that is not a power-of-two number of sets", () => {
    expect(() => new Tlb({ entries: 48, ways: 4 })).toThrow(/hw-arm64.Tlb: <api>: tlb.entries: expected entries \/ ways a power of two \(got 12 sets\), got 48/);
    expect(() => new Tlb({ entries: 10, ways: 4 })).toThrow(/multiple of ways/);
    expect(() => new Tlb({ entries: 8, ways: 0 })).toThrow(/ways: expected an integer in \[1, 4096\]/);
    expect(() => new Tlb({ entries: 8, ways: 8, maxShift: 40 })).toThrow(/maxShift/);
  });

  it("holds the A57's sizes: micro-TLBs 4 KiB and 1 MiB, the L2 TLB 4 KiB, 2 MiB and 1 GiB", () => {
    const c = new CpuTlb(CORTEX_A57_TLB);
    expect([c.itlb!.entries, c.itlb!.sets, c.dtlb!.entries, c.dtlb!.sets, c.main.entries, c.main.sets, c.main.ways]).toEqual([48, 1, 32, 1, 1024, 256, 4]);
    expect(Array.from(c.dtlb!.probeShift)).toEqual([12, 20]);
    expect(Array.from(c.main.probeShift)).toEqual([12, 21, 30]);
  });
});

describe("Tlb lookup and fill", () => {
  it("hits the page it holds and misses its neighbours, counting both", () => {
    const t = new Tlb({ entries: 8, ways: 8 });
    const e = put(t, 0x40_0000, 5);
    expect(t.lookup(0x40_0000, 5)).toBe(e);
    expect(t.lookup(0x40_0fff, 5)).toBe(e);
    expect(t.lookup(0x40_1000, 5)).toBe(-1);
    expect(t.lookup(0x3f_ffff, 5)).toBe(-1);
    expect([t.hits, t.misses, t.inserts, t.evictions]).toEqual([2, 2, 1, 0]);
    expect(t.outBase[e] + (0x40_0123 - t.vaBase[e])).toBe(0x4040_0123);
    expectValid(t);
  });

  it("matches a global entry for every ASID and a non-global one only for its own", () => {
    const t = new Tlb({ entries: 8, ways: 8 });
    const g = put(t, KVA + 0x1000, 1, true);
    const ng = put(t, 0x1000, 1, false);
    expect(t.lookup(KVA + 0x1000, 1)).toBe(g);
    expect(t.lookup(KVA + 0x1000, 77)).toBe(g);
    expect(t.lookup(0x1000, 1)).toBe(ng);
    expect(t.lookup(0x1000, 2)).toBe(-1);
    // the same VA under another ASID is another entry
    const other = put(t, 0x1000, 2, false, 0x9000_0000);
    expect(other).not.toBe(ng);
    expect(t.lookup(0x1000, 2)).toBe(other);
    expect(t.lookup(0x1000, 1)).toBe(ng);
    expect(t.used).toBe(3);
    expectValid(t);
  });

  it("refills an identical translation in place instead of duplicating it", () => {
    const t = new Tlb({ entries: 4, ways: 4 });
    const a = put(t, 0x5000, 3, false, 0x1000);
    const b = put(t, 0x5000, 3, false, 0x2000);
    expect(b).toBe(a);
    expect(t.used).toBe(1);
    expect(t.outBase[a]).toBe(0x2000);
    expectValid(t);
  });

  it("lets a 2 MiB and a 1 GiB entry cover every page of their range, kernel addresses included", () => {
    const t = new Tlb({ entries: 16, ways: 4 });
    const blk = put(t, KVA + 0x4020_0000, 0, true, 0x4020_0000, 21);
    const huge = put(t, 0x8000_0000, 9, false, 0x1_0000_0000, 30);
    for (const off of [0, K, M2 - 1]) expect(t.lookup(KVA + 0x4020_0000 + off, 4)).toBe(blk);
    expect(t.lookup(KVA + 0x4040_0000, 4)).toBe(-1);
    expect(t.lookup(0x8000_0000 + G1 - K, 9)).toBe(huge);
    expect(t.outBase[huge] + (0x8123_4567 - t.vaBase[huge])).toBe(0x1_0123_4567);
    expect(t.lookup(0x8000_0000 + G1, 9)).toBe(-1);
    expectValid(t);
  });

  it("evicts the least recently used way of a full set, deterministically", () => {
    const t = new Tlb({ entries: 4, ways: 4 });
    const e = [0, 1, 2, 3].map((i) => put(t, i * K, 1));
    expect(e).toEqual([0, 1, 2, 3]);
    t.lookup(0, 1); // page 0 is now the most recently used; page 1 the least
    const f = put(t, 4 * K, 1);
    expect(f).toBe(1);
    expect(t.lookup(K, 1)).toBe(-1);
    expect(t.evictions).toBe(1);
    put(t, 5 * K, 1); // next LRU: page 2 (way 2)
    expect(t.lookup(2 * K, 1)).toBe(-1);
    expect(t.lookup(0, 1)).toBe(0);
    expectValid(t);
  });

  it("evicts round-robin when asked, filling invalid ways first", () => {
    const t = new Tlb({ entries: 4, ways: 4, replacement: "round-robin" });
    for (let i = 0; i < 4; i++) put(t, i * K, 1);
    t.lookup(0, 1); // use does not matter to round-robin
    expect(put(t, 4 * K, 1)).toBe(0);
    expect(put(t, 5 * K, 1)).toBe(1);
    expect(put(t, 6 * K, 1)).toBe(2);
    expect(t.lookup(0, 1)).toBe(-1);
    expect(t.lookup(3 * K, 1)).toBe(3);
    expectValid(t);
  });

  it("places an entry in the set its tag selects, so only same-set entries compete", () => {
    const t = new Tlb({ entries: 8, ways: 2 }); // 4 sets: set = page number mod 4
    put(t, 0 * K, 1);
    put(t, 4 * K, 1);
    put(t, 1 * K, 1);
    expect(put(t, 8 * K, 1)).toBeLessThan(2); // set 0 is full: evicts page 0 (LRU)
    expect(t.lookup(0, 1)).toBe(-1);
    expect(t.lookup(K, 1)).toBeGreaterThanOrEqual(2);
    expect(t.evictions).toBe(1);
    expectValid(t);
  });

  it("rejects a leaf size the 4 KiB granule does not have", () => {
    const t = new Tlb({ entries: 4, ways: 4 });
    expect(() => t.insert(0, 1, false, 0, 16, LO, 0, 0, 3)).toThrow(/shift: expected 12, 21 or 30/);
  });
});

describe("CpuTlb: micro-TLBs in front of the L2 TLB", () => {
  it("hits the micro-TLB of the access's side first, the L2 TLB next, and refills the micro-TLB", () => {
    const c = new CpuTlb();
    const tableHi = (1 << 28) | (2 << 29); // UXNTable, APTable read-only: cached with the leaf
    c.insert(0x40_0000, 7, false, 0x8000_0000, 12, LO, 0, tableHi, 3, false);
    expect(c.lookup(0x40_0000, 7, false)).toBe(TLB_HIT_L1);
    expect(c.hitTlb).toBe(c.dtlb);
    expect(c.hitTlb.tableHi[c.hitEntry]).toBe(tableHi >>> 0);
    expect(c.lookup(0x40_0000, 7, true)).toBe(TLB_HIT_L2); // the instruction side had not seen it
    expect(c.hitTlb).toBe(c.main);
    expect(c.lookup(0x40_0000, 7, true)).toBe(TLB_HIT_L1);
    expect(c.hitTlb).toBe(c.itlb);
    expect(c.hitTlb.tableHi[c.hitEntry]).toBe(tableHi >>> 0); // the refill copied it
    expect(c.lookup(0x40_1000, 7, false)).toBe(TLB_MISS);
    expect(c.hitEntry).toBe(-1);
    expectValid(c);
  });

  it("holds a 2 MiB block as 1 MiB pieces in a micro-TLB and whole in the L2 TLB", () => {
    const c = new CpuTlb();
    c.insert(0x20_0000, 1, false, 0x4020_0000, 21, LO, 0, 0, 2, false);
    expect(c.lookup(0x20_0000 + 0x8_0000, 1, false)).toBe(TLB_HIT_L1);
    expect(c.lookup(0x20_0000 + 0x18_0000, 1, false)).toBe(TLB_HIT_L2); // other MiB: refilled from the block
    const d = c.dtlb!;
    expect(d.used).toBe(2);
    expect(c.lookup(0x20_0000 + 0x18_0000, 1, false)).toBe(TLB_HIT_L1);
    expect(d.outBase[c.hitEntry] + (0x38_1234 - d.vaBase[c.hitEntry])).toBe(0x4038_1234);
    expect(d.level[c.hitEntry]).toBe(2);
    expectValid(c);
  });

  it("works as one level without micro-TLBs (a main hit is a first-level hit)", () => {
    const c = new CpuTlb({ itlb: null, dtlb: null, main: { entries: 64, ways: 4 } });
    c.insert(0x1000, 1, false, 0x2000, 12, LO, 0, 0, 3, true);
    expect(c.lookup(0x1000, 1, true)).toBe(TLB_HIT_L1);
    expect(c.lookup(0x1000, 1, false)).toBe(TLB_HIT_L1);
  });
});

/** Two CPUs, each holding the same set of entries. */
function domain(kpti = false) {
  const cpus = [new CpuTlb(CORTEX_A57_TLB, "cpu0"), new CpuTlb(CORTEX_A57_TLB, "cpu1")];
  const clock = new SimClock();
  const costs = new CostModel();
  const d = new TlbDomain(cpus, { kpti, clock, costs });
  for (const c of cpus) {
    c.insert(0x1000, 1, false, 0x10_1000, 12, LO, 0, 0, 3, false); // ASID 1
    c.insert(0x1000, 2, false, 0x20_1000, 12, LO, 0, 0, 3, false); // ASID 2, same VA
    c.insert(0x2000, 1, false, 0x10_2000, 12, LO, 0, 0, 3, false);
    c.insert(KVA + 0x1000, 0, true, 0x4000_1000, 12, LO, 0, 0, 3, false); // global kernel page
    c.insert(0x60_0000, 1, false, 0x4060_0000, 21, LO, 0, 0, 2, false); // 2 MiB block of ASID 1
  }
  const has = (cpu: number, va: number, asid: number) => cpus[cpu]!.main.lookup(va, asid) >= 0;
  return { cpus, d, clock, costs, has };
}

describe("TLBI operations", () => {
  it("vae1is removes the VA's entries of that ASID on every CPU and keeps other ASIDs'", () => {
    const { d, has, cpus } = domain();
    d.vae1is(0x1000, 1);
    for (const cpu of [0, 1]) {
      expect(has(cpu, 0x1000, 1)).toBe(false);
      expect(has(cpu, 0x1000, 2)).toBe(true);
      expect(has(cpu, 0x2000, 1)).toBe(true);
      expect(cpus[cpu]!.dtlb!.lookup(0x1000, 1)).toBe(-1); // the micro-TLB too
    }
    expect(d.issued[TLBI_VAE1IS]).toBe(1);
    expectValid(d);
  });

  it("vae1is also removes a global entry for that VA, whatever the ASID given", () => {
    const { d, has } = domain();
    d.vae1is(KVA + 0x1000, 42);
    expect(has(0, KVA + 0x1000, 0)).toBe(false);
    expect(has(1, KVA + 0x1000, 7)).toBe(false);
  });

  it("a VA flush anywhere inside a 2 MiB block removes the block entry", () => {
    const { d, has } = domain();
    expect(has(0, 0x7f_f000, 1)).toBe(true);
    d.vale1is(0x6a_b000, 1);
    expect(has(0, 0x60_0000, 1)).toBe(false);
    expect(has(1, 0x7f_f000, 1)).toBe(false);
    expect(d.issued[TLBI_VALE1IS]).toBe(1);
  });

  it("vaae1is and vaale1is remove the VA for every ASID", () => {
    const { d, has } = domain();
    d.vaae1is(0x1000);
    for (const cpu of [0, 1]) {
      expect(has(cpu, 0x1000, 1)).toBe(false);
      expect(has(cpu, 0x1000, 2)).toBe(false);
      expect(has(cpu, 0x2000, 1)).toBe(true);
    }
    d.vaale1is(0x2000);
    expect(has(0, 0x2000, 1)).toBe(false);
    expect([d.issued[TLBI_VAAE1IS], d.issued[TLBI_VAALE1IS]]).toEqual([1, 1]);
    expectValid(d);
  });

  it("aside1is removes the ASID's non-global entries only", () => {
    const { d, has } = domain();
    d.aside1is(1);
    for (const cpu of [0, 1]) {
      expect(has(cpu, 0x1000, 1)).toBe(false);
      expect(has(cpu, 0x2000, 1)).toBe(false);
      expect(has(cpu, 0x60_0000, 1)).toBe(false);
      expect(has(cpu, 0x1000, 2)).toBe(true);
      expect(has(cpu, KVA + 0x1000, 1)).toBe(true); // global: stays
    }
    expect(d.issued[TLBI_ASIDE1IS]).toBe(1);
  });

  it("vmalle1is empties every CPU; vmalle1 only its own", () => {
    const { d, cpus } = domain();
    d.vmalle1(1);
    expect(cpus[1]!.main.used + cpus[1]!.dtlb!.used).toBe(0);
    expect(cpus[0]!.main.used).toBe(5);
    d.vmalle1is();
    expect(cpus[0]!.main.used + cpus[0]!.dtlb!.used).toBe(0);
    expect([d.issued[TLBI_VMALLE1], d.issued[TLBI_VMALLE1IS]]).toEqual([1, 1]);
    expect(() => d.vmalle1(2)).toThrow(/cpu: expected a CPU in \[0, 2\), got 2/);
    expectValid(d);
  });

  it("charges a broadcast TLBI with its DSB, and a local one less", () => {
    const { d, clock, costs } = domain();
    d.vae1is(0x1000, 1);
    expect(clock.now()).toBe(costs.tlbiBroadcast);
    d.localFlushTlbAll(0);
    expect(clock.now()).toBe(costs.tlbiBroadcast + costs.tlbiLocal);
  });
});

describe("tlbflush.h functions", () => {
  it("flush_tlb_range issues one VAE1IS per page below MAX_TLBI_OPS, charged first + (n − 1) × next", () => {
    const { d, has, clock, costs } = domain();
    expect(d.flushTlbRange(1, 0x1800, 0x2800)).toBe(2); // rounded out to [0x1000, 0x3000)
    expect(has(0, 0x1000, 1)).toBe(false);
    expect(has(0, 0x2000, 1)).toBe(false);
    expect(has(0, 0x1000, 2)).toBe(true);
    expect(d.issued[TLBI_VAE1IS]).toBe(2);
    expect(clock.now()).toBe(costs.tlbiBroadcast + costs.tlbiBroadcastNext);
  });

  it("__flush_tlb_range with last_level issues VALE1IS, and a PMD stride one per block", () => {
    const { d, has } = domain();
    expect(d.flushTlbRangeStride(1, 0x40_0000, 0x80_0000, M2, true)).toBe(2);
    expect(has(0, 0x60_0000, 1)).toBe(false);
    expect(has(0, 0x1000, 1)).toBe(true);
    expect(d.issued[TLBI_VALE1IS]).toBe(2);
    expect(() => d.flushTlbRangeStride(1, 0, K, 3000, true)).toThrow(/stride: expected a power of two ≥ PAGE_SIZE/);
  });

  it("__flush_tlb_range of MAX_TLBI_OPS strides or more flushes the whole ASID instead", () => {
    const { d, has } = domain();
    expect(d.flushTlbRange(1, 0, (MAX_TLBI_OPS - 1) * K)).toBe(MAX_TLBI_OPS - 1);
    const { d: d2, has: has2 } = domain();
    expect(d2.flushTlbRange(1, 0, MAX_TLBI_OPS * K)).toBe(1);
    expect(d2.issued[TLBI_ASIDE1IS]).toBe(1);
    expect(d2.issued[TLBI_VAE1IS]).toBe(0);
    expect(d2.rangeFallbacks).toBe(1);
    expect(has2(0, 0x60_0000, 1)).toBe(false); // outside the range, but the ASID went
    expect(has2(0, 0x1000, 2)).toBe(true);
    expect(has(0, 0x60_0000, 1)).toBe(true); // the per-page loop did not reach it
  });

  it("with KPTI each user-ASID TLBI is issued again for ASID | 1", () => {
    const { d, clock, costs } = domain(true);
    d.flushTlbPage(2, 0x1000);
    expect(d.issued[TLBI_VALE1IS]).toBe(2);
    d.flushTlbMm(2);
    expect(d.issued[TLBI_ASIDE1IS]).toBe(2);
    expect(d.flushTlbRange(2, 0, 3 * K)).toBe(6);
    expect(clock.now()).toBe(3 * costs.tlbiBroadcast + (1 + 1 + 5) * costs.tlbiBroadcastNext);
  });

  it("flush_tlb_kernel_range issues VAALE1IS per whole page, or flush_tlb_all above MAX_TLBI_OPS pages", () => {
    const { d, has } = domain();
    expect(d.flushTlbKernelRange(KVA + 0x1000, KVA + 0x2800)).toBe(1); // the partial page at 0x2000 is not flushed
    expect(has(0, KVA + 0x1000, 0)).toBe(false);
    expect(d.issued[TLBI_VAALE1IS]).toBe(1);
    expect(d.flushTlbKernelRange(KVA, KVA + MAX_TLBI_OPS * K)).toBe(MAX_TLBI_OPS);
    expect(has(0, 0x1000, 2)).toBe(true);
    expect(d.flushTlbKernelRange(KVA, KVA + MAX_TLBI_OPS * K + 1)).toBe(1);
    expect(d.issued[TLBI_VMALLE1IS]).toBe(1);
    expect(has(1, 0x1000, 2)).toBe(false);
    expect(d.totalIssued).toBe(1 + MAX_TLBI_OPS + 1);
    expect(TLBI_NAMES[TLBI_VAALE1IS]).toBe("vaale1is");
  });

  it("__flush_tlb_kernel_pgtable is one VAAE1IS", () => {
    const { d, has } = domain();
    d.flushTlbKernelPgtable(KVA + 0x1000);
    expect(has(0, KVA + 0x1000, 0)).toBe(false);
    expect(d.issued[TLBI_VAAE1IS]).toBe(1);
  });
});
