// Kernel: kernel/resource.c (v6.1) — resource-tree building and r_show() formatting
/*
 * Unit tests of the kernel's resource-tree semantics (request, insert, reserve with split) and
 * of r_show's line format: 2 spaces per depth capped at MAX_IORES_LEVEL, 4 or 8 hex digits
 * depending on the root, wider addresses printed whole, zeros for a reader without
 * CAP_SYS_ADMIN. The golden against the real capture is in @mmsim/machine's platform/arm64/resources.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_IORES_LEVEL, insertResource, iomemResource, requestResource, reserveRegionWithSplit, resource, rShow,
} from "./iomem.ts";

describe("r_show format", () => {
  it("uses 8 hex digits under iomem_resource, more when the address needs them", () => {
    const root = iomemResource();
    requestResource(root, resource(0x1000, 0x1fff, "a"));
    requestResource(root, resource(0x4010000000, 0x401fffffff, "PCI ECAM"));
    expect(rShow(root)).toBe("00001000-00001fff : a\n4010000000-401fffffff : PCI ECAM\n");
  });

  it("uses 4 hex digits when the root ends below 0x10000 (ioport_resource on x86)", () => {
    const root = resource(0, 0xffff, "PCI IO");
    requestResource(root, resource(0x60, 0x60, "keyboard"));
    requestResource(root, resource(0x3f8, 0x3ff, "serial"));
    expect(rShow(root)).toBe("0060-0060 : keyboard\n03f8-03ff : serial\n");
  });

  it("indents two spaces per level and stops indenting at MAX_IORES_LEVEL", () => {
    const root = iomemResource();
    let parent = root;
    for (let d = 0; d <= MAX_IORES_LEVEL + 1; d++) {
      const r = resource(0x1000 * (d + 1), 0xfffff - d, `l${d}`);
      expect(insertResource(parent, r)).toBeUndefined();
      parent = r;
    }
    const lines = rShow(root).trimEnd().split("\n");
    expect(lines.map((l) => l.length - l.trimStart().length)).toEqual([0, 2, 4, 6, 8, 10, 10]);
    expect(lines[6]).toBe("          00007000-000ffff9 : l6");
  });

  it("prints zeros to a reader without CAP_SYS_ADMIN", () => {
    const root = iomemResource();
    requestResource(root, resource(0x40000000, 0x7fffffff, "System RAM"));
    expect(rShow(root, { capSysAdmin: false })).toBe("00000000-00000000 : System RAM\n");
  });
});

describe("building the tree", () => {
  it("requestResource refuses overlaps and out-of-range requests, keeps children sorted", () => {
    const root = iomemResource();
    expect(requestResource(root, resource(0x3000, 0x3fff, "b"))).toBeUndefined();
    expect(requestResource(root, resource(0x1000, 0x1fff, "a"))).toBeUndefined();
    const clash = requestResource(root, resource(0x3800, 0x4800, "c"));
    expect(clash?.name).toBe("b");
    expect(requestResource(root, resource(0x10, 0x0f, "backwards"))).toBe(root);
    expect(root.children.map((r) => r.name)).toEqual(["a", "b"]);
  });

  it("insertResource descends into a container and adopts the siblings it covers", () => {
    const root = iomemResource();
    insertResource(root, resource(0x1000, 0x1fff, "code"));
    insertResource(root, resource(0x3000, 0x3fff, "data"));
    expect(insertResource(root, resource(0x0, 0xffff, "System RAM"))).toBeUndefined();
    expect(insertResource(root, resource(0x2000, 0x20ff, "inside"))).toBeUndefined();
    expect(rShow(root)).toBe(
      "00000000-0000ffff : System RAM\n  00001000-00001fff : code\n  00002000-000020ff : inside\n  00003000-00003fff : data\n",
    );
  });

  it("insertResource fails on a partial overlap and leaves the tree alone", () => {
    const root = iomemResource();
    insertResource(root, resource(0x1000, 0x1fff, "a"));
    const before = rShow(root);
    expect(insertResource(root, resource(0x1800, 0x27ff, "b"))?.name).toBe("a");
    expect(rShow(root)).toBe(before);
  });

  it("reserveRegionWithSplit fills the gaps around existing children", () => {
    const ram = resource(0x0, 0xffff, "System RAM", [resource(0x2000, 0x2fff, "Kernel code"), resource(0x5000, 0x5fff, "Kernel data")]);
    reserveRegionWithSplit(ram, 0x1000, 0x6fff, "reserved");
    expect(ram.children.map((r) => `${r.start.toString(16)}-${r.end.toString(16)} ${r.name}`)).toEqual([
      "1000-1fff reserved", "2000-2fff Kernel code", "3000-4fff reserved", "5000-5fff Kernel data", "6000-6fff reserved",
    ]);
    // Already covered: nothing added.
    reserveRegionWithSplit(ram, 0x3800, 0x3fff, "reserved");
    expect(ram.children).toHaveLength(5);
    // Clipped to the root.
    reserveRegionWithSplit(ram, 0xf000, 0x1ffff, "reserved");
    expect(ram.children.at(-1)).toEqual(resource(0xf000, 0xffff, "reserved"));
  });
});
