// Kernel: arch/arm64/kernel/setup.c, kernel/resource.c (v6.1) — /proc/iomem of the reference board against the real 6.1 capture
/*
 * Golden test: the format and the arithmetic are right for a given state. The capture is
 * tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/proc_iomem (Debian 6.1.192, QEMU virt,
 * 1 GiB, nokaslr). State: memblock.memory = 1 GiB at 0x40000000; memblock.reserved as it was at
 * arch_initcall — the 20 ranges of the capture's sys_kernel_debug_memblock_reserved plus the
 * initrd at 0x48000000, which was freed afterwards ("Freeing initrd memory: 964K" in dmesg) but
 * still shows as "reserved" in /proc/iomem. Its exact end is not in any capture: any end in
 * (0x480f1000, 0x480f2000] gives the capture's 48000000-480f1fff; 0x480f1800 is used.
 * Kernel code/data are the capture's; the QEMU virt devices are the board input.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KernelLog, SZ_1G } from "@mmsim/core";
import { Memblock } from "@mmsim/memblock";
import { insertResourceTree, iomemResource, memblockReservedShow, resource, rShow } from "@mmsim/procfs";
import { arm64StandardResources, requestStandardResources } from "./resources.ts";

/** A file of the real 6.1 capture of the 1 GiB / 2 CPU QEMU virt board. */
const capture = (name: string): string =>
  readFileSync(new URL(`../../../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/${name}`, import.meta.url), "utf8");

/** memblock.reserved of the capture, [first byte, last byte]. */
const RESERVED: [number, number][] = [
  [0x40210000, 0x4220afff], [0x48200000, 0x482fffff], [0x7ac00000, 0x7fbfffff], [0x7fc0b7c0, 0x7fd8bbc7],
  [0x7fd8bc00, 0x7fdc9fff], [0x7fdcc000, 0x7fdcdfff], [0x7fdce380, 0x7fdf20ff], [0x7fdf2380, 0x7fdf250f],
  [0x7fdf2540, 0x7fdf259f], [0x7fdf25c0, 0x7fdf2747], [0x7fdf2780, 0x7fdf298f], [0x7fdf29c0, 0x7fdf2adf],
  [0x7fdf2b00, 0x7fdf2b0f], [0x7fdf2b40, 0x7fdf2b47], [0x7fdf2b80, 0x7fdf2b87], [0x7fdf2bc0, 0x7fdf2bc7],
  [0x7fdf2c00, 0x7fdf2c18], [0x7fdf2c40, 0x7fdf2e58], [0x7fdf2e60, 0x7fdfcffb], [0x7fdfd000, 0x7fffffff],
];
const INITRD = { base: 0x48000000, size: 0xf1800 };

/** QEMU virt's MMIO windows with the drivers' requests inside them (the board input). */
const VIRT_DEVICES = [
  resource(0x09000000, 0x09000fff, "pl011@9000000", [resource(0x09000000, 0x09000fff, "9000000.pl011 pl011@9000000")]),
  resource(0x09010000, 0x09010fff, "pl031@9010000", [resource(0x09010000, 0x09010fff, "rtc-pl031")]),
  resource(0x09030000, 0x09030fff, "pl061@9030000", [resource(0x09030000, 0x09030fff, "9030000.pl061 pl061@9030000")]),
  resource(0x10000000, 0x3efeffff, "pcie@10000000"),
  resource(0x4010000000, 0x401fffffff, "PCI ECAM"),
  resource(0x8000000000, 0xffffffffff, "pcie@10000000"),
];

function bootMemblock(): Memblock {
  const mb = new Memblock(new KernelLog());
  mb.memblockAdd(0x40000000, SZ_1G);
  for (const [first, last] of RESERVED) mb.memblockReserve(first, last - first + 1);
  mb.memblockReserve(INITRD.base, INITRD.size);
  return mb;
}

describe("/proc/iomem on arm64 (request_standard_resources + reserve_memblock_reserved_regions + r_show)", () => {
  it("golden proc_iomem: System RAM, kernel image, reserved ranges split around them, devices", () => {
    const mb = bootMemblock();
    const root = arm64StandardResources(mb, { start: 0x40210000, end: 0x4185ffff }, { start: 0x41eb0000, end: 0x4220ffff }, { devices: VIRT_DEVICES });
    // After arch_initcall the initrd is freed: iomem keeps it, memblock.reserved does not.
    mb.memblockFree(INITRD.base, INITRD.size);
    expect(rShow(root)).toBe(capture("proc_iomem"));
    expect(memblockReservedShow(mb)).toBe(capture("sys_kernel_debug_memblock_reserved"));
  });

  it("covers only whole pages with System RAM, and a NOMAP region's touched pages with 'reserved'", () => {
    const mb = new Memblock(new KernelLog());
    mb.memblockAdd(0x40000800, 0x10000); // not page aligned: System RAM 40001000-4000ffff
    mb.memblockAdd(0x50000000, 0x2000);
    mb.memblockMarkNomap(0x50000000, 0x2000);
    const root = iomemResource();
    const std = requestStandardResources(root, mb, { start: 0x40001000, end: 0x40001fff }, { start: 0x40002000, end: 0x40002fff });
    expect(std.map((r) => r.name)).toEqual(["System RAM", "reserved"]);
    expect(rShow(root)).toBe(
      "40001000-4000ffff : System RAM\n  40001000-40001fff : Kernel code\n  40002000-40002fff : Kernel data\n" +
        "50000000-50001fff : reserved\n",
    );
  });

  it("inserts device trees whole, nesting driver requests under their window", () => {
    const root = iomemResource();
    for (const d of VIRT_DEVICES.slice(0, 2)) expect(insertResourceTree(root, d)).toBeUndefined();
    expect(rShow(root)).toBe(
      "09000000-09000fff : pl011@9000000\n  09000000-09000fff : 9000000.pl011 pl011@9000000\n" +
        "09010000-09010fff : pl031@9010000\n  09010000-09010fff : rtc-pl031\n",
    );
  });
});
