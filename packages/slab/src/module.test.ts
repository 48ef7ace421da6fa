// mmsim: slabModule registers SlabAllocator as the KmemCacheAllocator of one machine's container
import {
  COST_MODEL, CostModel, GFP_KERNEL, KERNEL_LOG, KernelLog, KmemCacheAllocator, MEM_MAP, PageAllocator, Prandom, RNG, SIM_CLOCK, SimClock,
  TOPOLOGY, isMmsimModule, resolveToken,
} from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { container as rootContainer } from "tsyringe";
import { describe, expect, it } from "vitest";
import { slabModule } from "./module.ts";
import { SlabAllocator } from "./slab.ts";
import { UMA_2CPU } from "./slab.test-helpers.ts";

function machine() {
  const c = rootContainer.createChildContainer();
  const pages = new FakePageAllocator();
  c.register(PageAllocator, { useValue: pages });
  c.register(MEM_MAP, { useValue: pages.mem });
  c.register(TOPOLOGY, { useValue: UMA_2CPU });
  c.register(SIM_CLOCK, { useValue: new SimClock() });
  c.register(COST_MODEL, { useValue: new CostModel() });
  c.register(KERNEL_LOG, { useValue: new KernelLog() });
  c.register(RNG, { useValue: new Prandom(42) });
  slabModule.register(c);
  return c;
}

describe("slabModule", () => {
  it("is an MmsimModule for the slab slot, named slab", () => {
    expect(isMmsimModule(slabModule)).toBe(true);
    expect([slabModule.slot, slabModule.name]).toEqual(["slab", "slab"]);
  });

  it("resolves one SlabAllocator per machine container, built from that machine's services", () => {
    const m1 = machine();
    const m2 = machine();
    const a = resolveToken(m1, KmemCacheAllocator);
    expect(a).toBeInstanceOf(SlabAllocator);
    expect(a.name).toBe("slab");
    expect(resolveToken(m1, KmemCacheAllocator)).toBe(a);
    const b = resolveToken(m2, KmemCacheAllocator);
    expect(b).not.toBe(a);
    const c = a.kmemCacheCreate("x", 64, 8, 0);
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 1)).not.toBe(0);
    expect((resolveToken(m1, PageAllocator) as FakePageAllocator).pagesInUse).toBe(1);
    expect((resolveToken(m2, PageAllocator) as FakePageAllocator).pagesInUse).toBe(0);
    expectValid(a);
    expect(rootContainer.isRegistered(KmemCacheAllocator)).toBe(false);
  });
});
