// mmsim: tests of the 6.1 kernel VA layout (arch/arm64/include/asm/memory.h, pgtable.h)
import { ArgumentError, ConfigError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import {
  __pa, __paSymbol, __va, arm64Layout, formatLayout, formatSize, isLmAddress, layoutRegion, lmAlias,
} from "./layout.ts";
import { formatVa, parseVa } from "./va.ts";

const hexOf = (v: number) => formatVa(v);

describe("arm64Layout, 4 KiB pages, VA_BITS 48 (the reference config)", () => {
  const l = arm64Layout({ vaBits: 48, dramStart: 0x40000000, kernelPhys: 0x40200000 });

  it("evaluates memory.h's macros to 6.1's addresses", () => {
    // PAGE_OFFSET = -(1 << 48); PAGE_END = _PAGE_END(48) = -(1 << 47)
    expect(hexOf(l.PAGE_OFFSET)).toBe("ffff000000000000");
    expect(hexOf(l.PAGE_END)).toBe("ffff800000000000");
    // MODULES_VADDR = _PAGE_END(VA_BITS_MIN); MODULES_END = + SZ_128M = KIMAGE_VADDR = VMALLOC_START
    expect(hexOf(l.MODULES_VADDR)).toBe("ffff800000000000");
    expect(hexOf(l.MODULES_END)).toBe("ffff800008000000");
    expect(l.KIMAGE_VADDR).toBe(l.MODULES_END);
    expect(hexOf(l.VMALLOC_START)).toBe("ffff800008000000");
    // VMEMMAP_START = -(1 << (48 - (12 - 6))); VMEMMAP_SIZE = 2^47 >> 6 = 2 TiB
    expect(hexOf(l.VMEMMAP_START)).toBe("fffffc0000000000");
    expect(hexOf(l.VMEMMAP_END)).toBe("fffffe0000000000");
    // VMALLOC_END = VMEMMAP_START - SZ_256M; PCI I/O 16 MiB ending 8 MiB below vmemmap; FIXADDR_TOP 32 MiB below
    expect(hexOf(l.VMALLOC_END)).toBe("fffffbfff0000000");
    expect(hexOf(l.PCI_IO_START)).toBe("fffffbfffe800000");
    expect(hexOf(l.PCI_IO_END)).toBe("fffffbffff800000");
    expect(hexOf(l.FIXADDR_TOP)).toBe("fffffbfffe000000");
    // 1035 permanent fixmap slots with Debian's config
    expect(hexOf(l.FIXADDR_START)).toBe("fffffbfffdbf5000");
    expect(l.TASK_SIZE).toBe(2 ** 48);
    expect(l.pgtableLevels).toBe(4);
    expect(l.pgdirShift).toBe(39);
  });

  it("matches the capture's VmallocTotal (133143592960 kB)", () => {
    expect((l.VMALLOC_END - l.VMALLOC_START) / 1024).toBe(133143592960);
  });

  it("translates linear-map and image addresses like __va/__pa/__pa_symbol", () => {
    expect(l.PHYS_OFFSET).toBe(0x40000000); // round_down(0x40000000, ARM64_MEMSTART_ALIGN = 1 GiB)
    expect(__va(l, 0x40000000)).toBe(parseVa("0xffff000000000000"));
    expect(__va(l, 0x7fffffff)).toBe(parseVa("0xffff00003fffffff"));
    expect(__pa(l, parseVa("0xffff000012345678"))).toBe(0x52345678);
    // kimage_voffset = KIMAGE_VADDR - 0x40200000
    expect(hexOf(l.kimageVoffset)).toBe("ffff7fffc7e00000");
    const stext = parseVa("0xffff800008010000");
    expect(__paSymbol(l, stext)).toBe(0x40210000);
    expect(__pa(l, stext)).toBe(0x40210000);
    expect(lmAlias(l, stext)).toBe(parseVa("0xffff000000210000"));
    expect(isLmAddress(l, parseVa("0xffff7fffffffffff"))).toBe(true);
    expect(isLmAddress(l, l.PAGE_END)).toBe(false);
  });

  it("rejects what __va/__pa cannot translate", () => {
    expect(() => __va(l, 0x1000)).toThrow(ArgumentError);
    expect(() => __pa(l, 0x1000)).toThrow(/linear-map or kernel-image/);
    expect(() => __paSymbol(l, l.PAGE_OFFSET)).toThrow(/kernel-image/);
    expect(() => __va(arm64Layout({ vaBits: 48 }), 0x40000000)).toThrow(/dramStart/);
  });

  it("names the region of an address", () => {
    expect(layoutRegion(l, 0x400000)).toBe("user");
    expect(layoutRegion(l, 2 ** 48)).toBe("non-canonical");
    expect(layoutRegion(l, parseVa("0xfffe000000000000"))).toBe("non-canonical");
    expect(layoutRegion(l, l.PAGE_OFFSET)).toBe("linear map");
    expect(layoutRegion(l, l.MODULES_VADDR)).toBe("modules");
    expect(layoutRegion(l, l.KIMAGE_VADDR)).toBe("vmalloc");
    expect(layoutRegion(l, l.FIXADDR_START)).toBe("fixmap");
    expect(layoutRegion(l, l.PCI_IO_START)).toBe("PCI I/O");
    expect(layoutRegion(l, l.VMEMMAP_START)).toBe("vmemmap");
    expect(layoutRegion(l, l.VMALLOC_END)).toBe("guard");
    expect(layoutRegion(l, -1)).toBe("guard");
  });

  it("renders a memory.rst-style table with full 64-bit hex", () => {
    const t = formatLayout(l, [{ start: 0x40000000, end: 0x80000000 }], 0x2010000);
    expect(t).toContain("  0000000000000000  0000ffffffffffff     256TB  user");
    expect(t).toContain("  ffff000000000000  ffff7fffffffffff     128TB  kernel logical memory map (linear map)");
    expect(t).toContain(" [ffff000000000000  ffff00003fffffff]      1GB  populated: RAM 0x40000000-0x7fffffff");
    expect(t).toContain("  ffff800000000000  ffff800007ffffff     128MB  modules");
    expect(t).toContain("  ffff800008000000  fffffbffefffffff    ≈124TB  vmalloc");
    expect(t).toContain(" [ffff800008000000  ffff80000a00ffff]");
    expect(t).toContain("  fffffbfffe800000  fffffbffff7fffff      16MB  PCI I/O space");
    expect(t).toContain("  fffffc0000000000  fffffdffffffffff       2TB  vmemmap");
    expect(t).toContain("  fffffe0000000000  ffffffffffffffff       2TB  [guard region]");
    expect(formatSize(224 * 1024 * 1024)).toBe("224MB");
  });
});

describe("arm64Layout, other configurations", () => {
  it("VA_BITS 39 (3 levels): memory.rst's 39-bit layout", () => {
    const l = arm64Layout({ vaBits: 39 });
    expect(l.pgtableLevels).toBe(3);
    expect(l.pgdirShift).toBe(30);
    expect(hexOf(l.PAGE_OFFSET)).toBe("ffffff8000000000");
    expect(hexOf(l.PAGE_END)).toBe("ffffffc000000000");
    expect(hexOf(l.MODULES_END)).toBe("ffffffc008000000");
    expect(hexOf(l.VMALLOC_END)).toBe("fffffffdf0000000");
    expect(hexOf(l.FIXADDR_TOP)).toBe("fffffffdfe000000");
    expect(hexOf(l.PCI_IO_START)).toBe("fffffffdfe800000");
    expect(hexOf(l.VMEMMAP_START)).toBe("fffffffe00000000");
    expect(hexOf(l.VMEMMAP_END)).toBe("ffffffff00000000");
    expect(l.TASK_SIZE).toBe(2 ** 39);
  });

  it("16 KiB / VA_BITS 47 and 64 KiB / VA_BITS 42 follow the same macros", () => {
    const a = arm64Layout({ vaBits: 47, pageShift: 14, dramStart: 0x40000000 });
    expect(a.pgtableLevels).toBe(3);
    expect(hexOf(a.PAGE_OFFSET)).toBe("ffff800000000000");
    expect(hexOf(a.MODULES_VADDR)).toBe("ffffc00000000000");
    expect(hexOf(a.VMEMMAP_START)).toBe("ffffff8000000000"); // -(1 << (47 - 8))
    expect(a.VMEMMAP_SIZE).toBe(2 ** 46 / 2 ** 8);
    const b = arm64Layout({ vaBits: 42, pageShift: 16 });
    expect(b.pgtableLevels).toBe(2);
    expect(hexOf(b.PAGE_OFFSET)).toBe("fffffc0000000000");
    expect(hexOf(b.VMEMMAP_START)).toBe("ffffffff00000000"); // -(1 << (42 - 10))
    expect(b.FIXADDR_TOP - b.FIXADDR_START).toBe((1 + 64 + 10) * 65536);
  });

  it("VA_BITS 52 (64 KiB) keeps PAGE_END at _PAGE_END(48) and falls back to 48 bits without LVA", () => {
    const l = arm64Layout({ vaBits: 52, pageShift: 16, vabitsActual: 48, dramStart: 0x40000000 });
    expect(hexOf(l.PAGE_OFFSET)).toBe("fff0000000000000");
    expect(hexOf(l.PAGE_END)).toBe("ffff800000000000");
    expect(hexOf(l.linearStart)).toBe("ffff000000000000");
    expect(l.TASK_SIZE).toBe(2 ** 48);
    expect(hexOf(__va(l, 0x40000000))).toBe("ffff000000000000");
    expect(l.VMEMMAP_SIZE).toBe((2 ** 52 - 2 ** 47) / 2 ** 10);
  });

  it("an unknown granule or VA size is a ConfigError naming the choices", () => {
    expect(() => arm64Layout({ vaBits: 48, pageShift: 13 })).toThrow(ConfigError);
    expect(() => arm64Layout({ vaBits: 52 })).toThrow(/one of 39, 48 with 4 KiB pages/);
    expect(() => arm64Layout({ vaBits: 40 })).toThrow(ConfigError);
    expect(() => arm64Layout({ vaBits: 48, vabitsActual: 39 })).toThrow(ConfigError);
  });
});
