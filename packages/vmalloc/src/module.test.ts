// mmsim: the DI module and the layout helpers
import { ConfigError, KERNEL_LOG, KernelLog, PageAllocator, SIM_CLOCK, SimClock } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { arm64Layout, formatVa } from "@mmsim/hw-arm64";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import {
  VMALLOC, VMALLOC_CONFIG, Vmalloc, VmapPageTables, arm64VmallocLayout, resolveVmallocConfig, vmallocModule,
} from "./index.ts";
import { FakeVmapPageTables } from "./testing/index.ts";
import { SZ_4K } from "./vmalloc.test-helpers.ts";

describe("DI (vmallocModule)", () => {
  // The first test of the file pays vite's on-demand transform of the package graph (~2.5 s on a
  // busy 2-core machine, 4 ms when run natively): a longer timeout than vitest's 5 s default.
  it("registers Vmalloc ContainerScoped under VMALLOC in each child container, never in the root", { timeout: 30_000 }, () => {
    const l = arm64VmallocLayout();
    const make = () => {
      const c = container.createChildContainer();
      c.register(KERNEL_LOG, { useValue: new KernelLog() });
      c.register(SIM_CLOCK, { useValue: new SimClock() });
      c.register(PageAllocator, { useValue: new FakePageAllocator() });
      c.register(VmapPageTables, { useValue: new FakeVmapPageTables() });
      c.register(VMALLOC_CONFIG, {
        useValue: { vmallocStart: l.vmallocStart, vmallocEnd: l.vmallocEnd, modulesVaddr: l.modulesVaddr, modulesEnd: l.modulesEnd, nrCpus: 2 },
      });
      vmallocModule.register(c);
      return c;
    };
    const a = make();
    const b = make();
    const va = a.resolve<Vmalloc>(VMALLOC);
    expect(va).toBeInstanceOf(Vmalloc);
    expect(a.resolve<Vmalloc>(VMALLOC)).toBe(va);
    expect(b.resolve<Vmalloc>(VMALLOC)).not.toBe(va);
    expect(container.isRegistered(VMALLOC, false)).toBe(false);
    expect(vmallocModule.slot).toBe("vmalloc");
    va.vmallocInit();
    const addr = va.vmalloc(SZ_4K, "di");
    expect(addr).toBe(l.vmallocStart);
    expect((a.resolve<VmapPageTables>(VmapPageTables) as FakeVmapPageTables).pfnAt(addr)).toBeGreaterThan(0);
    /* the other machine is untouched */
    expect((b.resolve<VmapPageTables>(VmapPageTables) as FakeVmapPageTables).mapped.size).toBe(0);
  });
});

describe("arm64 layout (arch/arm64/include/asm/memory.h, pgtable.h of 6.1)", () => {
  it("VA_BITS 48: modules, vmalloc and vmemmap where 6.1 puts them", () => {
    const l = arm64VmallocLayout(48);
    expect(formatVa(l.modulesVaddr)).toBe("ffff800000000000");
    expect(formatVa(l.modulesEnd)).toBe("ffff800008000000");
    expect(formatVa(l.vmallocStart)).toBe("ffff800008000000");
    expect(formatVa(l.kimageVaddr)).toBe("ffff800008000000");
    expect(formatVa(l.vmallocEnd)).toBe("fffffbfff0000000");
    expect(formatVa(l.vmemmapStart)).toBe("fffffc0000000000");
    expect(formatVa(l.pageOffset)).toBe("ffff000000000000");
    expect((l.vmallocEnd - l.vmallocStart) / 1024).toBe(133143592960); // VmallocTotal, kB (~124 TiB)
  });

  it("VA_BITS 39 shrinks everything; 52 needs 64K pages in 6.1, so a 4K-page vmalloc refuses it", () => {
    const l39 = arm64VmallocLayout(39);
    expect(formatVa(l39.vmallocStart)).toBe("ffffffc008000000");
    expect(formatVa(l39.vmallocEnd)).toBe("fffffffdf0000000");
    expect(formatVa(l39.vmemmapStart)).toBe("fffffffe00000000");
    expect(formatVa(l39.pageOffset)).toBe("ffffff8000000000");
    expect(() => arm64VmallocLayout(40)).toThrow(ConfigError);
    expect(() => arm64VmallocLayout(52)).toThrow(/vaBits: expected one of 39, 48 with 4 KiB pages/);
    expect(() => arm64VmallocLayout(arm64Layout({ vaBits: 52, pageShift: 16 }))).toThrow(/layout\.pageShift: expected 12/);
  });

  it("takes every range from hw-arm64's layout, whether given VA_BITS or the layout itself", () => {
    for (const vaBits of [39, 48]) {
      const a = arm64Layout({ vaBits, dramStart: 0x40000000, kernelPhys: 0x40200000 });
      const want = {
        modulesVaddr: a.MODULES_VADDR, modulesEnd: a.MODULES_END, vmallocStart: a.VMALLOC_START, vmallocEnd: a.VMALLOC_END,
        kimageVaddr: a.KIMAGE_VADDR, vmemmapStart: a.VMEMMAP_START, pageOffset: a.PAGE_OFFSET,
      };
      expect(arm64VmallocLayout(vaBits)).toEqual(want);
      expect(arm64VmallocLayout(a)).toEqual(want);
    }
  });

  it("rejects a configuration with user addresses or a reversed range", () => {
    const l = arm64VmallocLayout();
    const base = { vmallocStart: l.vmallocStart, vmallocEnd: l.vmallocEnd, modulesVaddr: l.modulesVaddr, modulesEnd: l.modulesEnd, nrCpus: 2 };
    expect(() => resolveVmallocConfig({ ...base, vmallocStart: 0x1000 })).toThrow(/vmallocStart: expected a page-aligned kernel address/);
    expect(() => resolveVmallocConfig({ ...base, vmallocEnd: l.vmallocStart })).toThrow(/vmallocEnd/);
    expect(() => resolveVmallocConfig({ ...base, nrCpus: 0 })).toThrow(/nrCpus/);
    expect(() => resolveVmallocConfig({ ...base, configNrCpus: 1 })).toThrow(/configNrCpus/);
    expect(resolveVmallocConfig(base).configNrCpus).toBe(256);
  });
});
