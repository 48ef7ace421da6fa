// mmsim: tests of ASID allocation as arch/arm64/mm/context.c (v6.1) does it
import { CostModel, SimClock } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { AsidAllocator } from "./context.ts";
import type { AsidAllocatorConfig } from "./context.ts";

/** An allocator whose local flushes are recorded as the CPUs that did them. */
function allocator(config: Partial<AsidAllocatorConfig> = {}) {
  const flushes: number[] = [];
  const a = new AsidAllocator({ nrCpus: 2, ...config }, { localFlushTlbAll: (cpu) => flushes.push(cpu) });
  return { a, flushes };
}

/** Gives mms lo..hi−1 a context and switches each to `cpu`; returns their ASIDs. */
function run(a: AsidAllocator, lo: number, hi: number, cpu = 0): number[] {
  const asids: number[] = [];
  for (let mm = lo; mm < hi; mm++) {
    if (!a.hasContext(mm)) a.initNewContext(mm);
    asids.push(a.ctxid2asid(a.checkAndSwitchContext(mm, cpu)));
  }
  return asids;
}

describe("asids_init / asids_update_limit", () => {
  it("prints the reference boot line: 65536 entries with 16-bit ASIDs and no KPTI", () => {
    expect(allocator().a.initMessage).toBe("ASID allocator initialised with 65536 entries");
    expect(allocator({ kpti: true }).a.initMessage).toBe("ASID allocator initialised with 32768 entries");
    const a8 = allocator({ asidBits: 8 }).a;
    expect(a8.initMessage).toBe("ASID allocator initialised with 256 entries");
    expect(a8.maxPinnedAsids).toBe(256 - 2 - 2);
  });

  it("rejects options the kernel would not boot with", () => {
    expect(() => new AsidAllocator({ nrCpus: 2, asidBits: 12 })).toThrow(/asidBits: expected 8 or 16/);
    expect(() => new AsidAllocator({ nrCpus: 255, asidBits: 8 })).toThrow(/nrCpus: expected fewer than 255 CPUs for 256 ASIDs/);
    expect(() => new AsidAllocator({ nrCpus: 2, kpti: true, unmapKernelAtEl0: false })).toThrow(/KPTI needs CONFIG_UNMAP_KERNEL_AT_EL0/);
    const { a } = allocator();
    expect(() => a.checkAndSwitchContext(3, 0)).toThrow(/hw-arm64.AsidAllocator.checkAndSwitchContext: mm: expected an mm id given to initNewContext first, got 3/);
    a.initNewContext(3);
    expect(() => a.checkAndSwitchContext(3, 2)).toThrow(/cpu: expected a CPU in \[0, 2\), got 2/);
  });
});

describe("new_context", () => {
  it("hands out only even ASIDs in the first generation with CONFIG_UNMAP_KERNEL_AT_EL0 (the default)", () => {
    const { a } = allocator();
    expect(run(a, 0, 4)).toEqual([2, 4, 6, 8]);
    expect(a.contextId(0)).toBe(65536 + 2);
    expectValid(a);
  });

  it("hands out 1, 2, 3, … without it", () => {
    const { a } = allocator({ unmapKernelAtEl0: false });
    expect(run(a, 0, 4)).toEqual([1, 2, 3, 4]);
  });

  it("takes the fast path while the generation is current and the CPU has an active ASID", () => {
    const { a, flushes } = allocator();
    run(a, 0, 2);
    expect([a.fastPath, a.slowPath]).toEqual([0, 2]);
    a.checkAndSwitchContext(0, 0);
    a.checkAndSwitchContext(1, 0);
    a.checkAndSwitchContext(0, 1); // first switch on CPU 1: its active_asids is 0, so the slow path
    a.checkAndSwitchContext(1, 1);
    expect([a.fastPath, a.slowPath, a.newContexts]).toEqual([3, 3, 2]);
    expect(a.activeAsids[1]).toBe(a.contextId(1));
    expect(flushes).toEqual([]);
    expectValid(a);
  });
});

describe("rollover (flush_context)", () => {
  it("starts a new generation when the map is full, keeps each CPU's active ASID, and flushes every CPU once", () => {
    const { a, flushes } = allocator({ asidBits: 8, unmapKernelAtEl0: false });
    run(a, 0, 1, 1); // mm 0 runs on CPU 1: ASID 1
    expect(run(a, 1, 255, 0)).toEqual(Array.from({ length: 254 }, (_, i) => i + 2)); // ASIDs 2..255 on CPU 0
    expect([a.generation, a.rollovers]).toEqual([256, 0]);
    expectValid(a);

    // mm 255 finds no free ASID: generation 512; CPU 0 (active mm 254, ASID 255) and CPU 1
    // (mm 0, ASID 1) keep theirs; CPU 0 flushes now, on this switch.
    expect(run(a, 255, 256, 0)).toEqual([2]);
    expect([a.generation, a.rollovers]).toEqual([512, 1]);
    expect(Array.from(a.reservedAsids)).toEqual([256 + 255, 256 + 1]);
    expect(a.contextId(255)).toBe(512 + 2);
    expect(flushes).toEqual([0]);
    expectValid(a);

    // mm 0 still runs on CPU 1 with ASID 1: its next switch keeps ASID 1 in the new
    // generation (reserved), and CPU 1 does its pending flush.
    expect(a.checkAndSwitchContext(0, 1)).toBe(512 + 1);
    expect(a.reservedAsids[1]).toBe(512 + 1);
    expect(flushes).toEqual([0, 1]);
    // mm 254 was CPU 0's active mm at the rollover: ASID 255 was kept for it
    expect(a.checkAndSwitchContext(254, 0)).toBe(512 + 255);
    // mm 7 (ASID 8 last generation) gets ASID 8 back, since nobody took it
    expect(a.checkAndSwitchContext(7, 0)).toBe(512 + 8);
    expect(a.reusedAsids).toBe(3);
    // no CPU flushes a second time
    run(a, 1, 7, 0);
    run(a, 1, 7, 1);
    expect(flushes).toEqual([0, 1]);
    expectValid(a);
  });

  it("keeps a CPU's reserved ASID through a second rollover when it has not switched since the first", () => {
    const { a } = allocator({ asidBits: 8, unmapKernelAtEl0: false });
    run(a, 0, 1, 1); // CPU 1 runs mm 0 (ASID 1) and then never switches
    run(a, 1, 256, 0); // rollover 1
    for (let mm = 1; mm < 256; mm++) a.initNewContext(mm); // fresh mms: no ASID to re-use
    run(a, 1, 256, 0); // rollover 2 on the way
    expect(a.rollovers).toBe(2);
    expect(a.reservedAsids[1] % 256).toBe(1);
    expect(a.asidInMap(1)).toBe(true);
    expect(a.checkAndSwitchContext(0, 1) % 256).toBe(1);
    expectValid(a);
  });

  it("rolls a 16-bit allocator over after 32767 mms in the first generation, then has all 65535", () => {
    const { a, flushes } = allocator();
    run(a, 0, 32767, 0);
    expect([a.rollovers, a.ctxid2asid(a.contextId(32766))]).toEqual([0, 65534]);
    run(a, 32767, 32768, 0);
    expect(a.rollovers).toBe(1);
    expect(a.ctxid2asid(a.contextId(32767))).toBe(1); // odd ASIDs are free from the second generation on
    expect(flushes).toEqual([0]);
    expectValid(a);
  });

  it("charges asidRollover to the clock", () => {
    const clock = new SimClock();
    const costs = new CostModel({ asidRollover: 1000 });
    const a = new AsidAllocator({ nrCpus: 2, asidBits: 8, unmapKernelAtEl0: false, clock, costs });
    run(a, 0, 256, 0);
    expect(clock.now()).toBe(1000);
  });
});

describe("KPTI", () => {
  it("allocates even ASIDs only, in every generation: half the ASIDs", () => {
    const { a } = allocator({ asidBits: 8, kpti: true });
    expect(a.numAvailableAsids).toBe(128);
    const first = run(a, 0, 127, 0);
    expect(first.every((x) => x % 2 === 0)).toBe(true);
    expect(new Set(first).size).toBe(127);
    expect(a.rollovers).toBe(0);
    run(a, 127, 128, 0);
    expect(a.rollovers).toBe(1);
    expect(a.ctxid2asid(a.contextId(127))).toBe(2);
    expectValid(a);
  });
});

describe("pinned ASIDs (arm64_mm_context_get/put)", () => {
  it("keeps a pinned mm's ASID through a rollover, up to max_pinned_asids", () => {
    const { a } = allocator({ asidBits: 8, unmapKernelAtEl0: false });
    run(a, 0, 1, 0);
    expect(a.mmContextGet(0)).toBe(1);
    expect(a.mmContextGet(0)).toBe(1);
    expect(a.pinCount(0)).toBe(2);
    run(a, 1, 300, 0); // rolls over; mm 0 is not active anywhere
    expect(a.rollovers).toBe(1);
    expect(a.asidInMap(1)).toBe(true);
    expect(a.checkAndSwitchContext(0, 1)).toBe(512 + 1);
    expectValid(a);
    a.mmContextPut(0);
    a.mmContextPut(0);
    expect(a.nrPinnedAsids).toBe(0);
    expectValid(a);
  });

  it("returns 0 once max_pinned_asids are pinned, and ASID | 1 with KPTI", () => {
    const { a } = allocator({ asidBits: 8, unmapKernelAtEl0: false });
    for (let mm = 0; mm < a.maxPinnedAsids; mm++) {
      a.initNewContext(mm);
      expect(a.mmContextGet(mm)).toBeGreaterThan(0);
    }
    a.initNewContext(1000);
    expect(a.mmContextGet(1000)).toBe(0);
    expectValid(a);
    const k = allocator({ asidBits: 8, kpti: true }).a;
    k.initNewContext(0);
    expect(k.mmContextGet(0)).toBe(3);
  });
});
