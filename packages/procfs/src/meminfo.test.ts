// Kernel: fs/proc/meminfo.c (v6.1) — meminfo_proc_show() against the real 6.1 capture
/*
 * Golden test: the format and the arithmetic are right for a given state. The state is loaded
 * from tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/proc_meminfo (Debian 6.1.192,
 * QEMU virt 1 GiB, 2 CPUs): each line is either loaded into a counter of PageAllocState, or
 * given as a MeminfoOptions input (no mechanism holds it yet), or computed by the renderer —
 * the table below says which. The computed lines must come out as the kernel printed them.
 */
import { describe, expect, it } from "vitest";
import {
  LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_UNEVICTABLE, NR_ANON_MAPPED, NR_ANON_THPS,
  NR_BOUNCE, NR_FILE_DIRTY, NR_FILE_MAPPED, NR_FILE_PAGES, NR_FILE_PMDMAPPED, NR_FILE_THPS, NR_FREE_CMA_PAGES,
  NR_FREE_PAGES, NR_KERNEL_MISC_RECLAIMABLE, NR_KERNEL_STACK_KB, NR_LRU_BASE, NR_MLOCK, NR_PAGETABLE,
  NR_SECONDARY_PAGETABLE, NR_SHMEM, NR_SHMEM_PMDMAPPED, NR_SHMEM_THPS, NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B,
  NR_SWAPCACHE, NR_WRITEBACK, NR_WRITEBACK_TEMP, ZONE_DMA,
} from "@mmsim/core";
import { type PageAllocState } from "@mmsim/buddy";
import { arm64Layout, vaToBigInt } from "@mmsim/hw-arm64";
import { arm64Hstates, hugetlbReportMeminfo, hugetlbTotalPages } from "./hugetlb.ts";
import { type MeminfoOptions, meminfoProcShow } from "./meminfo.ts";
import { vaBitsMin, vmallocEnd, vmallocStart, vmallocTotal } from "./memory-arm64.ts";
import { siMemAvailable } from "./page-alloc.ts";
import { capture, parseMeminfo, referenceState } from "./reference.test-helpers.ts";
import { vmCommitLimit } from "./util.ts";

/** KiB → pages. */
const pages = (kb: number): number => kb / 4;

/** Where each line of the capture goes: a node counter, a zone counter, an input, or computed. */
const NODE: Record<string, number> = {
  "Active(anon)": NR_LRU_BASE + LRU_ACTIVE_ANON,
  "Inactive(anon)": NR_LRU_BASE + LRU_INACTIVE_ANON,
  "Active(file)": NR_LRU_BASE + LRU_ACTIVE_FILE,
  "Inactive(file)": NR_LRU_BASE + LRU_INACTIVE_FILE,
  Unevictable: NR_LRU_BASE + LRU_UNEVICTABLE,
  SwapCached: NR_SWAPCACHE,
  Dirty: NR_FILE_DIRTY,
  Writeback: NR_WRITEBACK,
  AnonPages: NR_ANON_MAPPED,
  Mapped: NR_FILE_MAPPED,
  Shmem: NR_SHMEM,
  SReclaimable: NR_SLAB_RECLAIMABLE_B,
  SUnreclaim: NR_SLAB_UNRECLAIMABLE_B,
  PageTables: NR_PAGETABLE,
  SecPageTables: NR_SECONDARY_PAGETABLE,
  WritebackTmp: NR_WRITEBACK_TEMP,
  AnonHugePages: NR_ANON_THPS,
  ShmemHugePages: NR_SHMEM_THPS,
  ShmemPmdMapped: NR_SHMEM_PMDMAPPED,
  FileHugePages: NR_FILE_THPS,
  FilePmdMapped: NR_FILE_PMDMAPPED,
};
const ZONE: Record<string, number> = { MemFree: NR_FREE_PAGES, Mlocked: NR_MLOCK, Bounce: NR_BOUNCE, CmaFree: NR_FREE_CMA_PAGES };
/** Lines the renderer computes from state; none of them is loaded. */
const COMPUTED = [
  "MemTotal", "MemAvailable", "Cached", "Active", "Inactive", "KReclaimable", "Slab", "NFS_Unstable", "CommitLimit",
  "VmallocTotal", "VmallocChunk", "CmaTotal", "Hugepagesize", "Hugetlb",
];

/** Loads the capture into the reference board; returns the inputs the renderer takes. */
function loadMeminfo(pa: PageAllocState, m: Map<string, number>): MeminfoOptions {
  const pgdat = pa.pgdat[0]!;
  const dma = pa.zones[ZONE_DMA]!;
  for (const [name, item] of Object.entries(NODE)) pgdat.vmStat[item] = pages(m.get(name)!);
  for (const [name, item] of Object.entries(ZONE)) dma.vmStat[item] = pages(m.get(name)!);
  pgdat.vmStat[NR_KERNEL_STACK_KB] = m.get("KernelStack")!; // kept in KiB
  // Cached = NR_FILE_PAGES - swapcache - buffers
  pgdat.vmStat[NR_FILE_PAGES] = pages(m.get("Cached")! + m.get("SwapCached")! + m.get("Buffers")!);
  pgdat.vmStat[NR_KERNEL_MISC_RECLAIMABLE] = pages(m.get("KReclaimable")! - m.get("SReclaimable")!);
  return {
    bufferramPages: pages(m.get("Buffers")!),
    totalSwapPages: pages(m.get("SwapTotal")!),
    freeSwapPages: pages(m.get("SwapFree")!),
    zswapPoolTotalSize: m.get("Zswap")! * 1024,
    zswapStoredPages: pages(m.get("Zswapped")!),
    committedAsPages: pages(m.get("Committed_AS")!),
    vmallocNrPages: pages(m.get("VmallocUsed")!),
    pcpuNrPages: pages(m.get("Percpu")!),
    numPoisonedPages: pages(m.get("HardwareCorrupted")!),
    hstates: arm64Hstates().map((h) =>
      h.order === 9
        ? { ...h, nrHugePages: m.get("HugePages_Total")!, freeHugePages: m.get("HugePages_Free")!, resvHugePages: m.get("HugePages_Rsvd")!, surplusHugePages: m.get("HugePages_Surp")! }
        : h,
    ),
  };
}

describe("/proc/meminfo (meminfo_proc_show)", () => {
  it("golden proc_meminfo: every line, computed lines from state", () => {
    const text = capture("proc_meminfo");
    const m = parseMeminfo(text);
    const pa = referenceState();
    const opts = loadMeminfo(pa, m);
    // Every capture line is accounted for once.
    const loaded = new Set([...Object.keys(NODE), ...Object.keys(ZONE), "KernelStack", "Buffers", "SwapTotal", "SwapFree", "Zswap", "Zswapped", "Committed_AS", "VmallocUsed", "Percpu", "HardwareCorrupted", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"]);
    expect([...m.keys()].filter((k) => !loaded.has(k) && !COMPUTED.includes(k))).toEqual([]);
    expect(meminfoProcShow(pa, pa.vmstat, opts)).toBe(text);
  });

  it("computes MemAvailable as si_mem_available(): free - reserve + half the reclaimable slab", () => {
    const pa = referenceState();
    loadMeminfo(pa, parseMeminfo(capture("proc_meminfo")));
    // 242795 - 8448 + (2007 - min(1003, Σ low 7040)) = 235351
    expect(siMemAvailable(pa, pa.vmstat)).toBe(235351);
    // Page cache counts for half, at most Σ low watermarks held back.
    pa.pgdat[0]!.vmStat[NR_LRU_BASE + LRU_INACTIVE_FILE] = 30000;
    expect(siMemAvailable(pa, pa.vmstat)).toBe(235351 + 30000 - 7040);
    pa.pgdat[0]!.vmStat[NR_LRU_BASE + LRU_INACTIVE_FILE] = 1001;
    expect(siMemAvailable(pa, pa.vmstat)).toBe(235351 + 1001 - 500);
    // Never negative.
    pa.zones[ZONE_DMA]!.vmStat[NR_FREE_PAGES] = 0;
    pa.pgdat[0]!.vmStat.fill(0);
    expect(siMemAvailable(pa, pa.vmstat)).toBe(0);
  });

  it("computes VmallocTotal from the arm64 48-bit VA layout", () => {
    expect(vmallocStart(48)).toBe(0xffff800008000000n);
    expect(vmallocEnd(48)).toBe(0xfffffbfff0000000n);
    expect(vmallocTotal(48) >> 10n).toBe(133143592960n);
    expect(vmallocStart(39)).toBe(0xffffffc008000000n);
    expect(vmallocEnd(39)).toBe(0xfffffffdf0000000n);
    expect(vmallocTotal(39) >> 10n).toBe(259653632n);
  });

  it("takes VMALLOC_START/END from hw-arm64's layout, the one place they are computed, for VA_BITS 39 and 48", () => {
    for (const vaBits of [39, 48]) {
      const l = arm64Layout({ vaBits, dramStart: 0x40000000, kernelPhys: 0x40200000 });
      expect(vmallocStart(vaBits)).toBe(vaToBigInt(l.VMALLOC_START));
      expect(vmallocEnd(vaBits)).toBe(vaToBigInt(l.VMALLOC_END));
      expect(vmallocStart(l)).toBe(vaToBigInt(l.VMALLOC_START));
      expect(vmallocTotal(vaBits)).toBe(BigInt(l.VMALLOC_END - l.VMALLOC_START));
      expect(vaBitsMin(vaBits)).toBe(l.vaBitsMin);
      const st = referenceState();
      const text = meminfoProcShow(st, st.vmstat, { vaBits });
      expect(text).toContain(`VmallocTotal:   ${String((l.VMALLOC_END - l.VMALLOC_START) / 1024).padStart(8)} kB\n`);
    }
    expect(() => vmallocTotal(52)).toThrow(/vaBits: expected one of 39, 48 with 4 KiB pages/);
  });

  it("computes CommitLimit from totalram, HugeTLB pages, swap and the overcommit sysctls", () => {
    expect(vmCommitLimit(250209, 0, 0)).toBe(125104);
    expect(vmCommitLimit(250209, 5120, 1000)).toBe(Math.floor(((250209 - 5120) * 50) / 100) + 1000);
    expect(vmCommitLimit(250209, 0, 0, { overcommitRatio: 50, overcommitKbytes: 4096 })).toBe(1024);
  });

  it("reports HugeTLB pools: the default (2 MiB) pool's counters, Hugetlb over every pool", () => {
    const hs = arm64Hstates();
    expect(hs.map((h) => h.order)).toEqual([18, 13, 9, 4]);
    const filled = hs.map((h) => (h.order === 9 ? { ...h, nrHugePages: 10, freeHugePages: 4, resvHugePages: 1, surplusHugePages: 0 } : h.order === 18 ? { ...h, nrHugePages: 1, freeHugePages: 1, resvHugePages: 0, surplusHugePages: 0 } : h));
    expect(hugetlbTotalPages(filled)).toBe(10 * 512 + 262144);
    expect(hugetlbReportMeminfo(filled)).toBe(
      "HugePages_Total:      10\nHugePages_Free:        4\nHugePages_Rsvd:        1\nHugePages_Surp:        0\n" +
        "Hugepagesize:       2048 kB\nHugetlb:         1069056 kB\n",
    );
    // HugeTLB pages leave CommitLimit (2 MiB pool only: 1 GiB would exceed this board's RAM).
    const pa = referenceState();
    const text = meminfoProcShow(pa, pa.vmstat, { hstates: filled.map((h) => (h.order === 18 ? hs[0]! : h)) });
    expect(text).toContain(`\nCommitLimit:    ${String(Math.floor(((250209 - 10 * 512) * 50) / 100) * 4).padStart(8)} kB\n`);
    expect(text).toContain("\nHugetlb:           20480 kB\n");
  });

  it("prints zeros for an empty machine, with the fixed-width columns", () => {
    const pa = referenceState();
    pa.totalramPages = 0;
    const text = meminfoProcShow(pa, pa.vmstat, { totalcmaPages: 0 });
    expect(text.split("\n").slice(0, 3)).toEqual(["MemTotal:              0 kB", "MemFree:               0 kB", "MemAvailable:          0 kB"]);
    expect(text).toContain("\nHardwareCorrupted:     0 kB\n");
    expect(text).toContain("\nVmallocTotal:   133143592960 kB\n");
    expect(text.trimEnd().split("\n")).toHaveLength(53); // as many lines as the capture
  });

  it("clamps Cached at 0 and takes CmaTotal from the zones unless given", () => {
    const pa = referenceState();
    pa.pgdat[0]!.vmStat[NR_FILE_PAGES] = 10;
    pa.pgdat[0]!.vmStat[NR_SWAPCACHE] = 8;
    const text = meminfoProcShow(pa, pa.vmstat, { bufferramPages: 5 });
    expect(text).toContain("\nBuffers:              20 kB\nCached:                0 kB\nSwapCached:           32 kB\n");
    expect(text).toContain("\nCmaTotal:          65536 kB\n");
    expect(meminfoProcShow(pa, pa.vmstat, { totalcmaPages: 1 })).toContain("\nCmaTotal:              4 kB\n");
  });
});
