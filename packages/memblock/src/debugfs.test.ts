// Kernel: mm/memblock.c (v6.1) — memblock_debug_show() against a real 6.1 capture
/*
 * Golden test: the capture is /sys/kernel/debug/memblock/{memory,reserved} of the reference
 * kernel (Debian linux-image-6.1.0-56-arm64, 6.1.192) on QEMU virt, 1 GiB, 2 CPUs, nokaslr,
 * kept in tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/ (a copy of shared/reference/). The arrays are
 * rebuilt from the regions visible in it: RAM 0x40000000 + 1 GiB, then each reserved range
 * (first..last byte) reserved in turn; the rendering must be byte-identical.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KernelLog, SZ_1G } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { MEMBLOCK_DEBUGFS_MEMORY, MEMBLOCK_DEBUGFS_RESERVED, memblockDebugShow, readMemblockDebugfs } from "./debugfs.ts";
import { Memblock } from "./memblock.ts";

const capture = (name: string): string =>
  readFileSync(new URL(`../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/${name}`, import.meta.url), "utf8");

/** The reserved ranges of the capture, [first byte, last byte]. */
const RESERVED: [number, number][] = [
  [0x40210000, 0x4220afff],
  [0x48200000, 0x482fffff],
  [0x7ac00000, 0x7fbfffff],
  [0x7fc0b7c0, 0x7fd8bbc7],
  [0x7fd8bc00, 0x7fdc9fff],
  [0x7fdcc000, 0x7fdcdfff],
  [0x7fdce380, 0x7fdf20ff],
  [0x7fdf2380, 0x7fdf250f],
  [0x7fdf2540, 0x7fdf259f],
  [0x7fdf25c0, 0x7fdf2747],
  [0x7fdf2780, 0x7fdf298f],
  [0x7fdf29c0, 0x7fdf2adf],
  [0x7fdf2b00, 0x7fdf2b0f],
  [0x7fdf2b40, 0x7fdf2b47],
  [0x7fdf2b80, 0x7fdf2b87],
  [0x7fdf2bc0, 0x7fdf2bc7],
  [0x7fdf2c00, 0x7fdf2c18],
  [0x7fdf2c40, 0x7fdf2e58],
  [0x7fdf2e60, 0x7fdfcffb],
  [0x7fdfd000, 0x7fffffff],
];

describe("/sys/kernel/debug/memblock (memblock_debug_show)", () => {
  it("renders the 1 GiB reference board's memory and reserved files byte for byte", () => {
    const mb = new Memblock(new KernelLog());
    mb.memblockAdd(0x40000000, SZ_1G);
    for (const [first, last] of RESERVED) {
      expect(mb.memblockReserve(first, last - first + 1)).toBe(0);
      expectValid(mb);
    }
    expect(readMemblockDebugfs(mb, MEMBLOCK_DEBUGFS_MEMORY)).toBe(capture("sys_kernel_debug_memblock_memory"));
    expect(readMemblockDebugfs(mb, MEMBLOCK_DEBUGFS_RESERVED)).toBe(capture("sys_kernel_debug_memblock_reserved"));
    expect(readMemblockDebugfs(mb, "/sys/kernel/debug/memblock/physmem")).toBeUndefined();
  });

  it("prints an empty type as its dummy entry, 0 + 0 - 1 wrapping like u64", () => {
    const mb = new Memblock(new KernelLog());
    expect(memblockDebugShow(mb.reserved)).toBe("   0: 0x0000000000000000..0xffffffffffffffff\n");
  });

  it("pads the index to four columns", () => {
    const mb = new Memblock(new KernelLog());
    mb.memblockAdd(0x40000000, SZ_1G);
    mb.memblockAllowResize();
    for (let i = 0; i < 1001; i++) expect(mb.memblockReserve(0x40000000 + i * 0x2000, 0x1000)).toBe(0);
    expectValid(mb);
    const lines = memblockDebugShow(mb.reserved).split("\n");
    expect(lines[9]).toBe("   9: 0x0000000040012000..0x0000000040012fff");
    expect(lines[1000]).toBe("1000: 0x00000000407d0000..0x00000000407d0fff");
    /*
     * The last line is the region array after two doublings: 385 -> 770 entries (5 pages at the
     * top of RAM), then 770 -> 1540 (10 pages just below, after which the 5 pages are freed).
     */
    expect(lines[1001]).toBe("1001: 0x000000007fff1000..0x000000007fffafff");
    expect(lines[1002]).toBe("");
  });
});
