// mmsim: the path table of ProcFs — every file reachable by its kernel path, unknown paths absent
/*
 * Dispatch only: each path must give what its renderer gives (the renderers have their own
 * golden tests), a path procfs does not know gives undefined, and files whose source is not
 * given (memblock, the iomem tree) are absent from the listing.
 */
import { describe, expect, it } from "vitest";
import { KernelLog, SZ_1G } from "@mmsim/core";
import { Memblock } from "@mmsim/memblock";
import { iomemResource } from "./iomem.ts";
import { meminfoProcShow } from "./meminfo.ts";
import { ProcFs, listProcFiles, readProcFile } from "./proc-fs.ts";
import { referenceState } from "./reference.test-helpers.ts";
import { fragShow, pagetypeinfoShow, vmstatShow, zoneinfoShow } from "./vmstat.ts";

const ALL = [
  "/proc/buddyinfo", "/proc/iomem", "/proc/meminfo", "/proc/pagetypeinfo", "/proc/vmstat", "/proc/zoneinfo",
  "/sys/kernel/debug/memblock/memory", "/sys/kernel/debug/memblock/reserved", "/proc/vmallocinfo", "/sys/kernel/debug/kernel_page_tables",
];

describe("ProcFs", () => {
  it("lists every file it can render", () => {
    expect(listProcFiles()).toEqual(ALL);
  });

  it("routes each path to its renderer and returns undefined for an unknown path", () => {
    const pa = referenceState();
    const mb = new Memblock(new KernelLog());
    mb.memblockAdd(0x40000000, SZ_1G);
    const fs = new ProcFs({
      pageAlloc: pa, counters: pa.vmstat, memblock: mb, iomem: iomemResource(), zoneinfo: { kswapdFailures: [16] },
      vmallocinfo: () => "vmallocinfo text\n", kernelPageTables: () => "ptdump text\n",
    });
    expect(fs.list()).toEqual(ALL);
    expect(fs.read("/proc/buddyinfo")).toBe(fragShow(pa));
    expect(fs.read("/proc/pagetypeinfo")).toBe(pagetypeinfoShow(pa));
    expect(fs.read("/proc/zoneinfo")).toBe(zoneinfoShow(pa, pa.vmstat, { kswapdFailures: [16] }));
    expect(fs.read("/proc/zoneinfo")).toContain("node_unreclaimable:  1");
    expect(fs.read("/proc/vmstat")).toBe(vmstatShow(pa, pa.vmstat));
    expect(fs.read("/proc/meminfo")).toBe(meminfoProcShow(pa, pa.vmstat));
    expect(fs.read("/proc/iomem")).toBe("");
    expect(fs.read("/sys/kernel/debug/memblock/memory")).toBe("   0: 0x0000000040000000..0x000000007fffffff\n");
    expect(fs.read("/proc/vmallocinfo")).toBe("vmallocinfo text\n");
    expect(fs.read("/sys/kernel/debug/kernel_page_tables")).toBe("ptdump text\n");
    expect(fs.read("/proc/slabinfo")).toBeUndefined();
    expect(fs.read("/proc/buddyinfo/")).toBeUndefined();
  });

  it("leaves out files whose source is missing", () => {
    const pa = referenceState();
    const src = { pageAlloc: pa, counters: pa.vmstat };
    expect(listProcFiles(src)).toEqual(["/proc/buddyinfo", "/proc/meminfo", "/proc/pagetypeinfo", "/proc/vmstat", "/proc/zoneinfo"]);
    expect(readProcFile(src, "/proc/iomem")).toBeUndefined();
    expect(readProcFile(src, "/sys/kernel/debug/memblock/reserved")).toBeUndefined();
  });
});
