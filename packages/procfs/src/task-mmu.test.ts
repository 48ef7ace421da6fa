// mmsim: /proc/<pid>/maps, smaps, smaps_rollup, status, statm, pagemap and oom_score_adj on hand-built mms, against the real 6.1 capture's text (fs/proc/task_mmu.c, array.c, base.c)
import { EINVAL, PG_dirty, PG_swapbacked } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { PgtableAllocator, PgtableStore, PteVal, getLockedPte, pfnPte, pteMkdirty, pteMkold, pteMkspecial, pteMkwrite, pteMkyoung, setPte, vmGetPageProt } from "@mmsim/hw-arm64";
import {
  MM_ANONPAGES, MmStruct, TaskStruct, VM_ACCOUNT, VM_DONTEXPAND, VM_EXEC, VM_GROWSDOWN, VM_HUGEPAGE, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_PFNMAP, VM_READ,
  VM_WRITE, MapleTree, VmAreaStruct, mmAlloc,
} from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { procPidStatus, rlimitSigpending } from "./array.ts";
import { oomScoreAdjRead, oomScoreAdjWrite } from "./base.ts";
import { PM_FILE_HI, PM_MMAP_EXCLUSIVE_HI, PM_PRESENT_HI, pagemapDecoded, pagemapRead } from "./pagemap.ts";
import { capture } from "./reference.test-helpers.ts";
import { type TaskMmuSources, hugepageVmaCheck, procPidMaps, procPidSmaps, procPidSmapsRollup, procPidStatm } from "./task-mmu.ts";

const MAY = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
const RW = VM_READ | VM_WRITE | MAY | VM_ACCOUNT;

/** The busybox `cat` of the 1 GiB / 2 CPU capture (proc_self_maps), VMA for VMA, with tables in a fake RAM. */
function busyboxCat() {
  const pages = new FakePageAllocator(0x40000, 65536);
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 65536, vaBits: 48 });
  const alloc = new PgtableAllocator(store, pages, pages.mem);
  const mm = mmAlloc({ pgtableAlloc: alloc, newVmaTree: () => new MapleTree() } as never, 7) as MmStruct;
  const file = { path: "/bin/busybox", dev: [0, 2] as const, ino: 14 };
  const add = (start: number, end: number, flags: number, pgoff: number, f: boolean, special?: string) => {
    const v = new VmAreaStruct(mm, start, end, flags, vmGetPageProt(flags), pgoff);
    if (f) v.vmFile = file;
    if (special) v.vmSpecial = { name: special, pages: new Int32Array(0) };
    mm.mt.insert(v);
    mm.mapCount++;
    return v;
  };
  add(0x400000, 0x5b3000, VM_READ | VM_EXEC | MAY, 0, true);
  add(0x5c9000, 0x5d0000, VM_READ | MAY | VM_ACCOUNT, 0x1b9, true);
  add(0x5d0000, 0x5d3000, RW, 0x1c0, true);
  add(0x5d3000, 0x5da000, RW, 0x5d3, false);
  add(0x0f0d2000, 0x0f0f4000, RW, 0xf0d2, false);
  add(0xffff90d4d000, 0xffff90d5d000, RW, 0xffff90d4d, false);
  const vvar = add(0xffff90d5d000, 0xffff90d5f000, VM_READ | VM_MAYREAD | VM_PFNMAP | VM_DONTEXPAND, 0, false, "[vvar]");
  const vdso = add(0xffff90d5f000, 0xffff90d60000, VM_READ | VM_EXEC | MAY | VM_DONTEXPAND, 0, false, "[vdso]");
  const stack = add(0xffffcc58b000, 0xffffcc5ac000, RW | VM_GROWSDOWN, 0xffffcc58b, false);
  mm.taskSize = 2 ** 48;
  mm.startBrk = 0x0f0d2000;
  mm.brk = 0x0f0f4000;
  mm.startStack = 0xffffcc5abe00;
  mm.startCode = 0x400000;
  mm.endCode = 0x5b2f00;
  const src: TaskMmuSources = { mem: pages.mem, store, thpEnabled: "always" };
  const pte = new PteVal();
  let nextPfn = 0x48000;
  /** Maps a page at va: returns its mem map index. */
  const map = (vma: VmAreaStruct, va: number, o: { anon?: boolean; dirty?: boolean; young?: boolean; refs?: number; special?: boolean; pfn?: number } = {}) => {
    const pfn = o.pfn ?? nextPfn++;
    const ptep = getLockedPte(alloc, mm.pgtables!, va);
    let p = pfnPte(pfn, vma.vmPageProt, pte);
    p = o.young === false ? pteMkold(p) : pteMkyoung(p);
    if (o.dirty) p = pteMkdirty(pteMkwrite(p));
    if (o.special) p = pteMkspecial(p);
    setPte(store, ptep, p.lo, p.hi);
    const page = pages.mem.pfnToPage(pfn);
    pages.mem.refcount[page] = o.refs ?? 1;
    pages.mem.mapcount[page] = (o.refs ?? 1) - 1;
    pages.mem.mapping[page] = o.anon === false ? 5 : -1;
    if (o.anon !== false) pages.mem.flags[page]! |= 1 << PG_swapbacked;
    return page;
  };
  return { mm, src, map, vvar, vdso, stack, pages, store };
}

/** The capture's smaps block of the VMA whose line ends with `name`, without its maps line (proc_self_smaps is another `cat`, at other addresses). */
function captureBlock(name: string): string {
  const lines = capture("proc_self_smaps").split("\n");
  const i = lines.findIndex((l) => l.endsWith(name));
  return lines.slice(i + 1, i + 24).join("\n") + "\n";
}
function ourBlock(text: string, name: string): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.endsWith(name));
  return lines.slice(i + 1, i + 24).join("\n") + "\n";
}

describe("/proc/<pid>/maps", () => {
  it("prints the capture's maps to the character (padding, [heap], [vvar], [vdso], [stack], the file lines)", () => {
    const b = busyboxCat();
    const task = new TaskStruct(104, null, b.mm, "cat");
    expect(procPidMaps(task)).toBe(capture("proc_self_maps"));
  });

  it("names an anonymous VMA [anon:name] and prints nothing for a zombie", () => {
    const b = busyboxCat();
    [...b.mm.mt][5]!.anonName = "glibc malloc";
    const task = new TaskStruct(104, null, b.mm, "cat");
    expect(procPidMaps(task).split("\n")[5]).toBe("ffff90d4d000-ffff90d5d000 rw-p 00000000 00:00 0                          [anon:glibc malloc]");
    expect(procPidMaps(new TaskStruct(5, null, null, "z"))).toBe("");
  });
});

describe("/proc/<pid>/smaps (page-table walk)", () => {
  it("the [vvar], [vdso] and [stack] blocks equal the capture's for the same pages", () => {
    const b = busyboxCat();
    b.map(b.vdso, b.vdso.vmStart, { anon: false, refs: 2 }); // the vDSO page, mapped by cat and its shell
    b.map(b.stack, 0xffffcc5aa000, { dirty: true });
    b.map(b.stack, 0xffffcc5ab000, { dirty: true });
    b.map(b.vvar, b.vvar.vmStart, { special: true, pfn: 0x50000 }); // a PFN map: no struct page, not in Rss
    const text = procPidSmaps(b.src, new TaskStruct(104, null, b.mm, "cat"));
    for (const name of ["[vvar]", "[vdso]", "[stack]"]) expect(ourBlock(text, name)).toBe(captureBlock(name));
  });

  it("Pss divides shared pages by their mapcount; clean, old and zero-page PTEs count as the kernel counts them", () => {
    const b = busyboxCat();
    const heap = [...b.mm.mt][4]!;
    b.map(heap, heap.vmStart, { dirty: true, refs: 3 }); // shared by 3 after two forks
    b.map(heap, heap.vmStart + 0x1000, { dirty: false, young: false }); // private, clean, old
    const dirtyFlagPage = b.map(heap, heap.vmStart + 0x2000, { dirty: false });
    b.pages.mem.flags[dirtyFlagPage]! |= 1 << PG_dirty; // PageDirty counts as dirty too
    b.map(heap, heap.vmStart + 0x3000, { special: true, pfn: 0x60000 }); // the zero page
    const block = ourBlock(procPidSmaps(b.src, new TaskStruct(1, null, b.mm, "x")), "[heap]");
    const f = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(block)![1]);
    expect([f("Rss"), f("Pss"), f("Pss_Dirty"), f("Shared_Dirty"), f("Private_Clean"), f("Private_Dirty"), f("Referenced"), f("Anonymous")]).toEqual([12, 9, 5, 4, 4, 4, 8, 12]);
  });

  it("smaps_rollup sums every VMA under a [rollup] header from the first start to the last end", () => {
    const b = busyboxCat();
    b.map(b.stack, 0xffffcc5ab000, { dirty: true });
    b.map(b.vdso, b.vdso.vmStart, { anon: false, refs: 2 });
    const r = procPidSmapsRollup(b.src, new TaskStruct(1, null, b.mm, "x"))!;
    expect(r.split("\n").slice(0, 7).join("\n")).toBe(
      [`${"00400000-ffffcc5ac000 ---p 00000000 00:00 0 ".padEnd(72)} [rollup]`, "Rss:                   8 kB", "Pss:                   6 kB", "Pss_Dirty:             4 kB", "Pss_Anon:              4 kB", "Pss_File:              2 kB", "Pss_Shmem:             0 kB"].join("\n"),
    );
    expect(procPidSmapsRollup(b.src, new TaskStruct(1, null, null, "z"))).toBeUndefined();
  });

  it("THPeligible: an anonymous VMA holding an aligned 2 MiB range, as the sysfs mode allows", () => {
    const b = busyboxCat();
    const v = new VmAreaStruct(b.mm, 0x40000000, 0x40400000, RW, vmGetPageProt(RW), 0x40000);
    expect(hugepageVmaCheck(v, "always")).toBe(true);
    expect(hugepageVmaCheck(v, "madvise")).toBe(false);
    v.vmFlags |= VM_HUGEPAGE;
    expect(hugepageVmaCheck(v, "madvise")).toBe(true);
    expect(hugepageVmaCheck(v, "never")).toBe(false);
    const small = new VmAreaStruct(b.mm, 0x40001000, 0x40201000, RW, vmGetPageProt(RW), 0x40001);
    expect(hugepageVmaCheck(small, "always")).toBe(false);
    expect(ourBlock(procPidSmaps(b.src, new TaskStruct(1, null, b.mm, "x")), "[heap]")).toMatch(/THPeligible: {4}0\nVmFlags: rd wr mr mw me ac \n/);
  });
});

describe("/proc/<pid>/status and statm", () => {
  it("status equals the capture's for the same mm counters and task", () => {
    const b = busyboxCat();
    const mm = b.mm;
    mm.totalVm = mm.hiwaterVm = 538;
    mm.execVm = 436;
    mm.dataVm = 60;
    mm.stackVm = 33;
    mm.rssStat[MM_ANONPAGES] = 1; // the lagging counter: status reads mm->rss_stat only
    mm.hiwaterRss = 1;
    mm.pgtables!.pgtablesBytes = 36 * 1024;
    const init = new TaskStruct(1, null, null, "init");
    const task = new TaskStruct(104, init, mm, "cat");
    task.nivcsw = 1;
    expect(rlimitSigpending(231936)).toBe(3624);
    expect(procPidStatus(task, { nrCpuIds: 2, memNodes: [0], sigQueueLimit: 3624 })).toBe(capture("proc_self_status"));
    expect(procPidStatm(task)).toBe("538 1 0 435 0 93 0\n");
  });

  it("a zombie's status has no Umask and no memory lines; 8 CPUs print ff and 0-7", () => {
    const z = new TaskStruct(9, new TaskStruct(1, null, null, "init"), null, "z");
    z.state = "Z (zombie)";
    const s = procPidStatus(z, { nrCpuIds: 8, memNodes: [0, 1], sigQueueLimit: 31488 });
    expect(s).not.toMatch(/Umask|VmSize/);
    expect(s).toMatch(/State:\tZ \(zombie\)\n/);
    expect(s).toMatch(/FDSize:\t0\n/);
    expect(s).toMatch(/Cpus_allowed:\tff\nCpus_allowed_list:\t0-7\nMems_allowed:\t0003\nMems_allowed_list:\t0-1\n/);
    expect(procPidStatm(z)).toBe("0 0 0 0 0 0 0\n");
  });
});

describe("/proc/<pid>/pagemap", () => {
  it("encodes present, exclusive, file and the PFN; holes and pages outside VMAs read 0", () => {
    const b = busyboxCat();
    const heap = [...b.mm.mt][4]!;
    b.map(heap, heap.vmStart, { dirty: true, pfn: 0x41234 });
    b.map(b.vdso, b.vdso.vmStart, { anon: false, refs: 2, pfn: 0x41000 });
    const task = new TaskStruct(1, null, b.mm, "x");
    const buf = pagemapRead(b.src, task, (heap.vmStart / 4096) * 8, 16) as Uint8Array;
    const dv = new DataView(buf.buffer);
    expect([dv.getUint32(0, true), dv.getUint32(4, true)]).toEqual([0x41234, (PM_PRESENT_HI | PM_MMAP_EXCLUSIVE_HI) >>> 0]);
    expect([dv.getUint32(8, true), dv.getUint32(12, true)]).toEqual([0, 0]);
    const v = pagemapRead(b.src, task, (b.vdso.vmStart / 4096) * 8, 8) as Uint8Array;
    expect(new DataView(v.buffer).getUint32(4, true)).toBe((PM_PRESENT_HI | PM_FILE_HI) >>> 0);
    const hidden = pagemapRead(b.src, task, (heap.vmStart / 4096) * 8, 8, false) as Uint8Array;
    expect(new DataView(hidden.buffer).getUint32(0, true)).toBe(0);
    expect(pagemapRead(b.src, task, 4, 8)).toBe(-EINVAL);
    expect(pagemapDecoded(b.src, task)).toBe(
      "0xf0d2000 present=1 swapped=0 file_or_shared=0 exclusive=1 soft_dirty=0 uffd_wp=0 pfn=0x41234\n" +
        "0xffff90d5f000 present=1 swapped=0 file_or_shared=1 exclusive=0 soft_dirty=0 uffd_wp=0 pfn=0x41000\n",
    );
  });
});

describe("/proc/<pid>/oom_score_adj", () => {
  it("reads and writes within [-1000, 1000] (kstrtoint base 0)", () => {
    const t = new TaskStruct(2, null, null, "x");
    expect(oomScoreAdjRead(t)).toBe("0\n");
    expect(oomScoreAdjWrite(t, "-500\n")).toBe(0);
    expect(oomScoreAdjRead(t)).toBe("-500\n");
    expect(oomScoreAdjWrite(t, "0x10")).toBe(0);
    expect(t.oomScoreAdj).toBe(16);
    expect(oomScoreAdjWrite(t, "1001")).toBe(-EINVAL);
    expect(oomScoreAdjWrite(t, "abc")).toBe(-EINVAL);
    expect(t.oomScoreAdj).toBe(16);
  });
});
