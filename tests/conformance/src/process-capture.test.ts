// mmsim: the process-capture parser against the real 6.1 arm64 captures of fixtures/process/
import { describe, expect, it } from "vitest";
import { ArgumentError } from "@mmsim/core";
import { listProcessCaptures, mapsWithin, parseMapsLine, parseProcessWorkload, readProcessCapture, type PagemapEntry, type ProcessStage } from "./process-capture.ts";

const PAGE = 4096;

function entry(stage: ProcessStage, label: string): PagemapEntry {
  const e = stage.pagemap.find((p) => p.label === label);
  if (!e) throw new Error(`${stage.id}: no pagemap entry ${label}`);
  return e;
}

function addr(stage: ProcessStage, label: string): number {
  const a = stage.addrs[label];
  if (a === undefined) throw new Error(`${stage.id}: no addr ${label}`);
  return Number(a);
}

/** The anonymous VMAs of a probe region, as `start-end perms` strings. */
function region(stage: ProcessStage, lo: number, hi: number): string[] {
  return mapsWithin(stage, lo, hi).map((m) => `${m.start.toString(16)}-${m.end.toString(16)} ${m.perms}`);
}

describe("process captures", () => {
  it("has every probe's capture, each parsed into stages", () => {
    expect(listProcessCaptures()).toEqual([
      "anon", "fork", "layout", "layout-randomized", "madvise", "malloc", "mlock", "mprotect", "mremap",
      "munmap", "overcommit", "segv", "stack", "thp-always", "thp-madvise", "threads",
    ]);
    // segv and threads print their own blocks (src/segv.c's cases: packages/machine's
    // segv-probes.test.ts reads them; src/threads.c's stages), not probe.h's stage blocks
    for (const name of listProcessCaptures().filter((n) => n !== "segv" && n !== "threads")) {
      const c = readProcessCapture(name);
      expect(c.stages.length, name).toBeGreaterThan(3);
      expect(c.info.kernel, name).toMatch(/^linux-image-6\.1\.0-\d+-arm64 \(6\.1\.\d+/);
      // every capture but layout-randomized ran with randomize_va_space 0
      if (name !== "layout-randomized") expect(c.preamble, name).toContain("randomize_va_space: 0");
    }
  });

  it("layout: the exec layout of a static binary with randomize_va_space 0", () => {
    const exec = readProcessCapture("layout").stage("layout:main:exec");
    // the inode of /bin/layout on the initramfs depends on how many files the capture copied in
    expect(exec.maps.map((m) => m.raw.replace(/ 00:02 \d+ +/, " 00:02 INO  "))).toEqual([
      "00400000-0047f000 r-xp 00000000 00:02 INO  /bin/layout",
      "0048c000-00490000 r--p 0008c000 00:02 INO  /bin/layout",
      "00490000-00493000 rw-p 00090000 00:02 INO  /bin/layout",
      "00493000-00508000 rw-p 00000000 00:00 0                                  [heap]",
      "00508000-0052a000 rw-p 00000000 00:00 0                                  [heap]",
      "fffff7ffd000-fffff7fff000 r--p 00000000 00:00 0                          [vvar]",
      "fffff7fff000-fffff8000000 r-xp 00000000 00:00 0                          [vdso]",
      "fffffffdf000-1000000000000 rw-p 00000000 00:00 0                         [stack]",
    ]);
    // the name column starts at column 73 (seq_pad), whatever the width of the addresses
    for (const m of exec.maps) expect(m.raw.indexOf(m.path), m.raw).toBe(73);
    expect(exec.statusKb.VmStk).toBe(132);
    expect(exec.status.THP_enabled).toBe("1");
    expect(addr(exec, "AT_SYSINFO_EHDR")).toBe(0xfffff7fff000);
    // program text on the tmpfs root is a shmem page: file_or_shared, not ANON
    expect(entry(exec, "main").fileOrShared).toBe(true);
    expect(entry(exec, "main").flags).not.toContain("ANON");
    expect(entry(exec, "data_var").flags).toContain("ANON");
  });

  it("layout: brk grows the heap VMA without faults; touching costs one fault per page", () => {
    const c = readProcessCapture("layout");
    const grow = c.stage("layout:main:brk-grow");
    expect(grow.faults.minflt).toBe(0);
    expect(grow.maps[4]!.raw.slice(0, 17)).toBe("00508000-0056a000");
    expect(grow.statusKb.VmData! - c.stage("layout:main:exec").statusKb.VmData!).toBe(256);
    const touch = c.stage("layout:main:brk-touch");
    expect(touch.faults.minflt).toBe(64);
    expect(touch.smapsRollup.Anonymous! - grow.smapsRollup.Anonymous!).toBe(256);
    const shrink = c.stage("layout:main:brk-shrink");
    expect(touch.smapsRollup.Anonymous! - shrink.smapsRollup.Anonymous!).toBe(128);
    expect(entry(shrink, "heap+32").present).toBe(false);
  });

  it("layout-randomized: 1 moves stack, vdso and mmap; 2 moves brk too and the bss VMA loses [heap]", () => {
    const c = readProcessCapture("layout-randomized");
    const e = (p: string): ProcessStage => c.stage(`${p}:main:exec`);
    const fixed = readProcessCapture("layout").stage("layout:main:exec");
    for (const p of ["layout-rva1-run1", "layout-rva1-run2"]) {
      expect(addr(e(p), "brk")).toBe(addr(fixed, "brk"));
      expect(addr(e(p), "AT_SYSINFO_EHDR")).not.toBe(addr(fixed, "AT_SYSINFO_EHDR"));
    }
    expect(addr(e("layout-rva1-run1"), "stack_var")).not.toBe(addr(e("layout-rva1-run2"), "stack_var"));
    for (const p of ["layout-rva2-run1", "layout-rva2-run2"]) {
      expect(addr(e(p), "brk")).not.toBe(addr(fixed, "brk"));
      expect(e(p).maps[3]!.raw).toBe("00493000-00508000 rw-p 00000000 00:00 0 ");
    }
  });

  it("anon: reads map the shared zero page, writes allocate one page each, equal VMAs merge", () => {
    const c = readProcessCapture("anon");
    const mmap = c.stage("anon:main:mmap");
    const p = addr(mmap, "p");
    expect(mmap.faults.minflt).toBe(0);
    expect(region(mmap, p, p + 16 * PAGE)).toEqual([`${p.toString(16)}-${(p + 16 * PAGE).toString(16)} rw-p`]);
    const read = c.stage("anon:main:read");
    expect(read.faults.minflt).toBe(16);
    const zero = entry(read, "p+0");
    expect(zero.flags).toEqual(["ZERO_PAGE"]);
    expect(zero.mapcount).toBe(0);
    expect(entry(read, "p+15").pfn).toBe(zero.pfn);
    expect(read.smapsRollup.Anonymous).toBe(mmap.smapsRollup.Anonymous);
    const write = c.stage("anon:main:write");
    expect(write.faults.minflt).toBe(16);
    expect(write.vmstatDelta.pgfault).toBe(16);
    expect(write.smapsRollup.Anonymous! - read.smapsRollup.Anonymous!).toBe(64);
    const pfns = ["p+0", "p+1", "p+15"].map((l) => entry(write, l));
    expect(new Set(pfns.map((x) => x.pfn)).size).toBe(3);
    for (const x of pfns) expect([x.exclusive, x.mapcount, x.flags.includes("ANON")]).toEqual([true, 1, true]);
    expect(c.stage("anon:main:rewrite").faults.minflt).toBe(0);
    // the second mapping lands right below the first and merges with it: one VMA of 32 pages
    const second = c.stage("anon:main:second-mmap");
    expect(addr(second, "q")).toBe(p - 16 * PAGE);
    expect(region(second, p - 16 * PAGE, p + 16 * PAGE)).toHaveLength(1);
    expect(c.stage("anon:main:second-write").faults.minflt).toBe(16);
    // MAP_POPULATE faults every page in, counted in the task's minflt
    const pop = c.stage("anon:main:populate");
    expect(pop.faults.minflt).toBe(16);
    expect(entry(pop, "r+15").present).toBe(true);
    // status lags smaps_rollup until the task's RSS counter cache is folded in
    expect(write.statusKb.RssAnon).toBeLessThan(write.smapsRollup.Anonymous!);
    const unmapped = c.stage("anon:main:munmap");
    expect(unmapped.statusKb.RssAnon).toBe(unmapped.smapsRollup.Anonymous);
  });

  it("fork: the child shares every frame, takes access-flag faults on read and copies on write", () => {
    const c = readProcessCapture("fork");
    const before = c.stage("fork:parent:write");
    const afterFork = c.stage("fork:child:after-fork");
    for (const l of ["p+0", "p+15", "p+16", "p+31"]) {
      expect(entry(afterFork, l).pfn, l).toBe(entry(before, l).pfn);
      expect([entry(afterFork, l).exclusive, entry(afterFork, l).mapcount], l).toEqual([false, 2]);
    }
    // the child's PTEs are old (copy_present_pte) and the Cortex-A57 has no hardware access flag
    expect(c.stage("fork:child:read-all").faults.minflt).toBe(32);
    const half = c.stage("fork:child:write-half");
    expect(half.faults.minflt).toBe(16);
    expect(entry(half, "p+0").pfn).not.toBe(entry(before, "p+0").pfn);
    expect(entry(half, "p+15").pfn).not.toBe(entry(before, "p+15").pfn);
    expect(entry(half, "p+16").pfn).toBe(entry(before, "p+16").pfn);
    expect(half.smapsRollup.Anonymous).toBe(afterFork.smapsRollup.Anonymous);
    // fork copies anonymous PTEs only: the child's RssAnon equals the parent's, its RssShmem does not
    expect(afterFork.statusKb.RssAnon).toBe(before.smapsRollup.Anonymous);
    expect(afterFork.statusKb.RssShmem).toBeLessThan(before.statusKb.RssShmem!);

    const shared = c.stage("fork:parent:write-shared-while-child-alive");
    expect(shared.faults.minflt).toBe(8);
    expect(entry(shared, "p+16").pfn).not.toBe(entry(before, "p+16").pfn);
    expect(entry(shared, "p+24").mapcount).toBe(2);
    const done = c.stage("fork:parent:child-exited");
    expect(entry(done, "p+24").exclusive).toBe(true);
    // the child gone: 16 pages it copied away + 8 it still shared are reused, no copies
    const last = c.stage("fork:parent:write-all-after-exit");
    expect(last.faults.minflt).toBe(24);
    expect(last.vmstatDelta.pgreuse).toBe(24);
    expect(entry(last, "p+0").pfn).toBe(entry(before, "p+0").pfn);
  });

  it("mprotect: splits into three, merges back, and costs no write faults afterwards", () => {
    const c = readProcessCapture("mprotect");
    const p = addr(c.stage("mprotect:main:write"), "p");
    const hex = (n: number): string => (p + n * PAGE).toString(16);
    const reg = (s: string): string[] => region(c.stage(`mprotect:main:${s}`), p, p + 8 * PAGE);
    expect(reg("ro-middle")).toEqual([`${hex(0)}-${hex(2)} rw-p`, `${hex(2)}-${hex(5)} r--p`, `${hex(5)}-${hex(8)} rw-p`]);
    expect(reg("rw-middle")).toEqual([`${hex(0)}-${hex(8)} rw-p`]);
    expect(c.stage("mprotect:main:write-all").faults.minflt).toBe(0);
    expect(reg("none-tail")).toEqual([`${hex(0)}-${hex(2)} ---p`, `${hex(2)}-${hex(6)} rw-p`, `${hex(6)}-${hex(8)} ---p`]);
    expect(reg("rw-all")).toEqual([`${hex(0)}-${hex(8)} rw-p`]);
    expect(c.stage("mprotect:main:write-all-again").faults.minflt).toBe(0);
    // VmData counts private writable VMAs only
    expect(c.stage("mprotect:main:write").statusKb.VmData! - c.stage("mprotect:main:ro-middle").statusKb.VmData!).toBe(12);
  });

  it("munmap: a hole splits the VMA; MAP_FIXED into the hole merges all three", () => {
    const c = readProcessCapture("munmap");
    const w = c.stage("munmap:main:write");
    const p = addr(w, "p");
    const mid = c.stage("munmap:main:munmap-middle");
    expect(region(mid, p, p + 8 * PAGE)).toHaveLength(2);
    expect(w.smapsRollup.Anonymous! - mid.smapsRollup.Anonymous!).toBe(8);
    expect(region(c.stage("munmap:main:refill-fixed"), p, p + 8 * PAGE)).toHaveLength(1);
    expect(c.stage("munmap:main:read-all").faults.minflt).toBe(2);
  });

  it("mremap: in place, blocked (ENOMEM), moved with its frames, DONTUNMAP", () => {
    const c = readProcessCapture("mremap");
    const w = c.stage("mremap:main:write");
    expect(addr(c.stage("mremap:main:grow-in-place"), "new")).toBe(addr(w, "p"));
    expect(c.stage("mremap:main:grow-blocked").results.errno).toBe("12");
    const moved = c.stage("mremap:main:grow-maymove");
    expect(moved.faults.minflt).toBe(0);
    expect(entry(moved, "new+0").pfn).toBe(entry(w, "p+0").pfn);
    expect(entry(moved, "p+0").present).toBe(false);
    const du = c.stage("mremap:main:dontunmap");
    expect(entry(du, "old+0").present).toBe(false);
    expect(entry(du, "new+0").pfn).toBe(entry(w, "p+0").pfn);
    expect(region(du, addr(du, "new"), addr(du, "old") + 16 * PAGE)).toHaveLength(2);
    const readOld = c.stage("mremap:main:read-old");
    expect(readOld.faults.minflt).toBe(16);
    expect(entry(readOld, "old+0").flags).toEqual(["ZERO_PAGE"]);
  });

  it("mlock: VmLck counts locked VMAs, Locked counts resident pages; mlock populates", () => {
    const c = readProcessCapture("mlock");
    const p = addr(c.stage("mlock:main:mmap"), "p");
    const mid = c.stage("mlock:main:mlock-middle");
    expect([mid.faults.minflt, mid.statusKb.VmLck, mid.smapsRollup.Locked]).toEqual([4, 16, 16]);
    expect(region(mid, p, p + 16 * PAGE)).toHaveLength(3);
    expect(entry(mid, "p+6").flags).toEqual(expect.arrayContaining(["UNEVICTABLE", "MLOCKED"]));
    const all = c.stage("mlock:main:mlock-all");
    expect([all.faults.minflt, all.statusKb.VmLck, all.smapsRollup.Locked]).toEqual([12, 64, 64]);
    expect(region(all, p, p + 16 * PAGE)).toHaveLength(1);
    expect(c.stage("mlock:main:write-all").faults.minflt).toBe(0);
    expect(c.stage("mlock:main:munlock-all").statusKb.VmLck).toBe(0);
    const onfault = c.stage("mlock:main:mlock2-onfault");
    expect([onfault.faults.minflt, onfault.statusKb.VmLck, onfault.smapsRollup.Locked]).toEqual([0, 64, 0]);
    expect(c.stage("mlock:main:onfault-write-one").smapsRollup.Locked).toBe(4);
  });

  it("madvise: DONTNEED frees at once, FREE leaves RSS until reclaim, PAGEOUT frees the clean lazyfree pages", () => {
    const c = readProcessCapture("madvise");
    const w = c.stage("madvise:main:write");
    const dn = c.stage("madvise:main:dontneed");
    expect(w.smapsRollup.Anonymous! - dn.smapsRollup.Anonymous!).toBe(32);
    expect(entry(c.stage("madvise:main:read-after-dontneed"), "p+0").flags).toEqual(["ZERO_PAGE"]);
    const free = c.stage("madvise:main:free");
    expect(free.smapsRollup.Anonymous).toBe(dn.smapsRollup.Anonymous);
    // 8 pages wait in the per-CPU lazyfree batch: not yet !SwapBacked, so LazyFree reads 0
    expect([free.smapsRollup.LazyFree, free.vmstatDelta.pglazyfree]).toEqual([0, 0]);
    // MADV_FREE cleaned and aged the PTEs: a write and a read each take a fault on the A57
    expect(c.stage("madvise:main:write-after-free").faults.minflt).toBe(1);
    expect(c.stage("madvise:main:read-after-free").faults.minflt).toBe(1);
    const out = c.stage("madvise:main:pageout");
    expect([out.vmstatDelta.pglazyfree, out.vmstatDelta.pglazyfreed]).toEqual([8, 7]);
    expect(free.smapsRollup.Anonymous! - out.smapsRollup.Anonymous!).toBe(28);
    expect(entry(out, "p+8").present).toBe(true);
    expect(entry(out, "p+9").present).toBe(false);
    const after = c.stage("madvise:main:read-after-pageout");
    expect([after.results.value10, after.results.value8]).toEqual(["0", "5"]);
  });

  it("stack: grows by recursion and by one far store; wild pointers get SIGSEGV with si_code", () => {
    const c = readProcessCapture("stack");
    expect(c.stage("stack:main:recurse-256").statusKb.VmStk).toBe(264);
    const far = c.stage("stack:main:touch-1m-below");
    expect([far.faults.minflt, far.statusKb.VmStk]).toEqual([1, 1028]);
    expect(far.maps.at(-1)!.raw).toBe("ffffffeff000-1000000000000 rw-p 00000000 00:00 0                         [stack]");
    const codes = ["segv-null", "segv-beyond-rlimit", "segv-readonly", "segv-prot-none", "segv-kernel-address"].map((s) => {
      const st = c.stage(`stack:main:${s}`);
      expect(st.faults.minflt, s).toBe(0);
      expect(st.vmstatDelta.pgfault, s).toBe(0);
      return [st.results.signo, st.results.si_code];
    });
    // SEGV_MAPERR = 1, SEGV_ACCERR = 2
    expect(codes).toEqual([["11", "1"], ["11", "1"], ["11", "2"], ["11", "2"], ["11", "1"]]);
  });

  it("thp: the huge zero page on read, split on write; a huge page on write where enabled", () => {
    for (const mode of ["madvise", "always"] as const) {
      const c = readProcessCapture(`thp-${mode}`);
      const s = (n: string): ProcessStage => c.stage(`thp-${mode}:main:${n}`);
      expect(c.preamble).toContain(`transparent_hugepage/enabled now: ${mode === "always" ? "[always] madvise never" : "always [madvise] never"}`);
      const readA = s("read-A");
      expect([readA.faults.minflt, readA.vmstatDelta.thp_zero_page_alloc, readA.smapsRollup.AnonHugePages]).toEqual([1, 1, 0]);
      expect(entry(readA, "A+0").flags).toEqual(["COMPOUND_HEAD", "THP", "ZERO_PAGE"]);
      expect(entry(readA, "A+1").pfn).toBe(entry(readA, "A+0").pfn! + 1);
      const writeA = s("write-A");
      expect(writeA.vmstatDelta.thp_split_pmd).toBe(1);
      expect(writeA.smapsRollup.Anonymous! - readA.smapsRollup.Anonymous!).toBe(4);
      expect(entry(writeA, "A+1").flags).toEqual(["ZERO_PAGE"]);
      const writeB = s("write-B");
      expect([writeB.faults.minflt, writeB.vmstatDelta.thp_fault_alloc, writeB.smapsRollup.AnonHugePages]).toEqual([1, 1, 2048]);
      expect(entry(writeB, "B+511").pfn).toBe(entry(writeB, "B+0").pfn! + 511);
      expect(s("write-B-all").faults.minflt).toBe(0);
      const writeC = s("write-C");
      expect(writeC.smapsRollup.AnonHugePages).toBe(mode === "always" ? 4096 : 2048);
      expect(entry(s("read-D"), "D+0").flags.includes("THP")).toBe(mode === "always");
      const cut = s("munmap-4k-of-B");
      expect([cut.vmstatDelta.thp_split_pmd, cut.vmstatDelta.thp_deferred_split_page]).toEqual([1, 1]);
      expect(writeC.smapsRollup.Rss! - cut.smapsRollup.Rss!).toBe(4);
    }
  });

  it("malloc: brk below the mmap threshold, mmap above, and the threshold rises after a free", () => {
    const c = readProcessCapture("malloc");
    const heapTop = 0x1000000;
    expect(addr(c.stage("malloc:main:malloc-100k"), "ptr")).toBeLessThan(heapTop);
    const big = c.stage("malloc:main:malloc-200k");
    expect(addr(big, "ptr")).toBeGreaterThan(0xffff00000000);
    expect(addr(big, "ptr") % PAGE).toBe(16);
    expect(addr(c.stage("malloc:main:malloc-200k-again"), "ptr")).toBeLessThan(heapTop);
    expect(addr(c.stage("malloc:main:malloc-1m"), "ptr")).toBeGreaterThan(0xffff00000000);
  });

  it("overcommit: mode 0 refuses more than RAM at once, 1 refuses nothing, 2 refuses past CommitLimit", () => {
    const c = readProcessCapture("overcommit");
    const errno = (m: number, s: string): string => c.stage(`overcommit-${m}:main:${s}`).results.errno!;
    const stages = ["map-256m", "map-512m", "map-2g", "map-2g-noreserve", "map-1g-readonly", "mprotect-1g-rw", "map-shared-256m"];
    expect(stages.map((s) => errno(0, s))).toEqual(["0", "0", "12", "0", "0", "12", "0"]);
    expect(stages.map((s) => errno(1, s))).toEqual(["0", "0", "0", "0", "0", "0", "0"]);
    expect(stages.map((s) => errno(2, s))).toEqual(["0", "12", "12", "12", "0", "12", "12"]);
    const start = c.stage("overcommit-2:main:start");
    const after = c.stage("overcommit-2:main:map-256m");
    expect(after.meminfo.Committed_AS! - start.meminfo.Committed_AS!).toBe(262144);
    expect(after.meminfo.CommitLimit).toBe(start.meminfo.CommitLimit);
  });
});

describe("process capture parser", () => {
  it("splits a maps line into its fields", () => {
    expect(parseMapsLine("fffff7ffd000-fffff7fff000 r--p 00000000 00:00 0                          [vvar]")).toEqual({
      raw: "fffff7ffd000-fffff7fff000 r--p 00000000 00:00 0                          [vvar]",
      start: 0xfffff7ffd000, end: 0xfffff7fff000, perms: "r--p", offset: 0, dev: "00:00", inode: 0, path: "[vvar]",
    });
    expect(() => parseMapsLine("not a maps line")).toThrow(ArgumentError);
  });

  it("names the file, line and stage of a malformed block", () => {
    const cut = "=====STAGE a:main:b=====\nnote x\n--- faults\nminflt 1\n";
    expect(() => parseProcessWorkload(cut, "w")).toThrow(/w:1: .*never ends/);
    const noSections = "=====STAGE a:main:b=====\nnote x\n=====END STAGE=====\n";
    expect(() => parseProcessWorkload(noSections, "w")).toThrow(/w:1 \(a:main:b\) sections: .*--- faults/);
    expect(() => readProcessCapture("anon").stage("anon:main:nope")).toThrow(/anon:main:mmap/);
  });
});
