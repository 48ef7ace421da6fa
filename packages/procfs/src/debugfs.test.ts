// Kernel: mm/memblock.c (v6.1) — the memblock debugfs files, routed to @mmsim/memblock, against the real 6.1 captures
/*
 * Golden test: tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/sys_kernel_debug_memblock_{memory,reserved}
 * (Debian 6.1.192, QEMU virt, 1 GiB) rendered from a memblock holding the capture's regions.
 * The format itself is @mmsim/memblock's (memblock_debug_show); this checks procfs reaches it.
 */
import { describe, expect, it } from "vitest";
import { KernelLog, SZ_1G } from "@mmsim/core";
import { Memblock } from "@mmsim/memblock";
import { MEMBLOCK_DEBUGFS_FILES, memblockMemoryShow, memblockReservedShow } from "./debugfs.ts";
import { capture } from "./reference.test-helpers.ts";

describe("/sys/kernel/debug/memblock (memblock_debug_show)", () => {
  it("golden: memory and reserved of the reference board", () => {
    const mb = new Memblock(new KernelLog());
    mb.memblockAdd(0x40000000, SZ_1G);
    for (const line of capture("sys_kernel_debug_memblock_reserved").trimEnd().split("\n")) {
      const [, first, last] = /0x([0-9a-f]+)\.\.0x([0-9a-f]+)/.exec(line)!;
      mb.memblockReserve(parseInt(first!, 16), parseInt(last!, 16) - parseInt(first!, 16) + 1);
    }
    expect(memblockMemoryShow(mb)).toBe(capture("sys_kernel_debug_memblock_memory"));
    expect(memblockReservedShow(mb)).toBe(capture("sys_kernel_debug_memblock_reserved"));
    expect(MEMBLOCK_DEBUGFS_FILES).toEqual(["/sys/kernel/debug/memblock/memory", "/sys/kernel/debug/memblock/reserved"]);
  });
});
