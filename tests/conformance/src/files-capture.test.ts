// mmsim: the files-capture parser against the real 6.1 arm64 captures of fixtures/files/
import { describe, expect, it } from "vitest";
import { ArgumentError } from "@mmsim/core";
import { listFilesCaptures, meminfoDelta, mincoreOf, parseFilesWorkload, readFilesCapture, smapsOf, type FilesStage } from "./files-capture.ts";

function pfn(stage: FilesStage, label: string): number | undefined {
  const e = stage.pagemap.find((p) => p.label === label);
  if (!e) throw new Error(`${stage.id}: no pagemap entry ${label}`);
  return e.pfn;
}

describe("file captures", () => {
  it("has every probe's capture, each parsed into stages, on the tmpfs root with randomize_va_space 0", () => {
    expect(listFilesCaptures()).toEqual(["disk", "private-write", "shared-anon", "tmpfs-meminfo", "tmpfs-shared"]);
    for (const name of listFilesCaptures()) {
      const c = readFilesCapture(name);
      expect(c.stages.length, name).toBeGreaterThan(5);
      expect(c.info.kernel, name).toMatch(/^linux-image-6\.1\.0-\d+-arm64 \(6\.1\.\d+/);
      expect(c.preamble, name).toContain("randomize_va_space: 0");
      expect(c.preamble, name).toContain("root fs: tmpfs  /tmp: tmpfs");
      expect(c.preamble, name).toContain("fault_around_bytes: 65536");
      for (const s of c.stages) {
        // the whole meminfo, with the (anon)/(file) keys and the bare HugePages counts
        expect(s.meminfo.MemTotal, s.id).toBeGreaterThan(900000);
        expect(s.meminfo["Inactive(file)"], s.id).toBeGreaterThanOrEqual(0);
        expect(s.meminfo.HugePages_Total, s.id).toBe(0);
        expect(Object.keys(s.vmstat), s.id).toContain("nr_shmem");
        expect(Object.keys(s.statusKb), s.id).toEqual(["VmRSS", "RssAnon", "RssFile", "RssShmem"]);
      }
    }
  });

  it("tmpfs-shared: the child's stores allocate 256 shmem pages; the parent's loads map them 16 per fault", () => {
    const c = readFilesCapture("tmpfs-shared");
    const mmap = smapsOf(c.stage("tmpfs-shared:parent:mmap"), "p");
    expect(mmap.header!.raw).toMatch(/^1000000000-1000100000 rw-s 00000000 00:17 \d+ +\/tmp\/tmpfs-shared$/);
    expect(mmap.kb.Rss).toBe(0);
    expect(mmap.vmFlags).toEqual(["rd", "wr", "sh", "mr", "mw", "me", "ms"]); // no "sd": arm64 6.1 has no soft-dirty

    const write = c.stage("tmpfs-shared:child:write-all");
    expect(write.faults).toEqual({ minflt: 256, majflt: 0 });
    expect(write.vmstatDelta.nr_shmem).toBe(256);
    expect(write.vmstatDelta.nr_file_pages).toBe(256);
    expect(write.vmstatDelta.nr_mapped).toBe(256);
    expect(write.vmstatDelta.nr_dirty).toBe(0); // tmpfs pages are not dirty-accounted
    expect(smapsOf(write, "p").kb).toMatchObject({ Rss: 1024, Pss: 1024, Private_Dirty: 1024, Shared_Dirty: 0 });
    expect(meminfoDelta(c.stage("tmpfs-shared:parent:mmap"), write, "Shmem")).toBe(1024);
    expect(meminfoDelta(c.stage("tmpfs-shared:parent:mmap"), write, "Cached")).toBe(1024);

    const one = c.stage("tmpfs-shared:parent:read-one");
    expect(one.faults.minflt).toBe(1);
    expect(smapsOf(one, "p").kb).toMatchObject({ Rss: 64, Pss: 32, Shared_Dirty: 64 });
    expect(pfn(one, "p+15")).toBeDefined();
    expect(pfn(one, "p+16")).toBeUndefined();
    const rest = c.stage("tmpfs-shared:parent:read-rest");
    expect(rest.faults.minflt).toBe(15);
    expect(rest.results.pages_with_child_byte).toBe("256");

    const parent = c.stage("tmpfs-shared:parent:both-mapped");
    const child = c.stage("tmpfs-shared:child:parent-has-read");
    for (const s of [parent, child]) expect(smapsOf(s, "p").kb, s.id).toMatchObject({ Rss: 1024, Pss: 512, Shared_Dirty: 1024, Private_Dirty: 0 });
    expect(pfn(parent, "p+255")).toBe(pfn(child, "p+255"));
    expect(parent.pagemap.every((e) => e.mapcount === 2 && !e.exclusive)).toBe(true);

    const exited = c.stage("tmpfs-shared:parent:child-exited");
    expect(smapsOf(exited, "p").kb).toMatchObject({ Pss: 1024, Private_Dirty: 1024 });
    const munmap = c.stage("tmpfs-shared:parent:munmap");
    expect(munmap.vmstatDelta.nr_mapped).toBe(-256);
    expect(munmap.vmstatDelta.nr_shmem ?? 0).toBe(0);
    expect(munmap.vmstatDelta.nr_active_anon).toBe(256); // referenced pages with young PTEs are activated at unmap
    const unlink = c.stage("tmpfs-shared:parent:unlink");
    expect(unlink.vmstatDelta.nr_shmem).toBe(-256);
    expect(meminfoDelta(munmap, unlink, "Shmem")).toBe(-1024);
  });

  it("private-write: fault-around on read, a COW copy on the first store, do_cow_fault with no read before", () => {
    const c = readFilesCapture("private-write");
    expect(c.stage("private-write:main:write-file").vmstatDelta.nr_shmem).toBe(64);
    const one = c.stage("private-write:main:read-one");
    expect(one.faults.minflt).toBe(1);
    expect(one.vmstatDelta.nr_mapped).toBe(16);
    expect(smapsOf(one, "p").kb.Rss).toBe(64);
    const rest = c.stage("private-write:main:read-rest");
    expect(rest.faults.minflt).toBe(3);
    expect(smapsOf(rest, "p").kb).toMatchObject({ Rss: 256, Anonymous: 0 });

    const cow = c.stage("private-write:main:write-one");
    expect(cow.faults.minflt).toBe(1);
    expect(cow.vmstatDelta).toMatchObject({ nr_anon_pages: 1, nr_mapped: -1 });
    expect(smapsOf(cow, "p").kb).toMatchObject({ Rss: 256, Anonymous: 4, Private_Dirty: 256 });
    expect(cow.smapsRollup.Anonymous! - rest.smapsRollup.Anonymous!).toBe(4);
    expect(cow.smapsRollup.Pss_Shmem! - rest.smapsRollup.Pss_Shmem!).toBe(-4);
    const p5 = cow.pagemap.find((e) => e.label === "p+5")!;
    expect(p5.flags).toContain("ANON");
    expect(p5.fileOrShared).toBe(false);
    expect(p5.pfn).not.toBe(pfn(rest, "p+5"));
    const again = c.stage("private-write:main:write-again");
    expect(again.faults.minflt).toBe(0);
    expect(again.results).toMatchObject({ file_byte_page5: "f", mapping_byte_page5: "Z" });

    const first = c.stage("private-write:main:write-first");
    expect(first.faults.minflt).toBe(1);
    expect(first.vmstatDelta.nr_mapped ?? 0).toBe(0);
    expect(smapsOf(first, "q").kb).toMatchObject({ Rss: 4, Anonymous: 4 });
    expect(c.stage("private-write:main:unlink").vmstatDelta.nr_shmem).toBe(-64);
  });

  it("tmpfs-meminfo: 64 MiB of tmpfs is Cached and Shmem on the anon LRU, not Dirty, and survives drop_caches", () => {
    const c = readFilesCapture("tmpfs-meminfo");
    const base = c.stage("tmpfs-meminfo:main:baseline");
    const written = c.stage("tmpfs-meminfo:main:write-64m");
    expect(written.results.bytes_written).toBe("67108864");
    expect(meminfoDelta(base, written, "Shmem")).toBe(65536);
    expect(meminfoDelta(base, written, "Cached")).toBe(65536);
    expect(meminfoDelta(base, written, "Dirty")).toBe(0);
    expect(meminfoDelta(base, written, "Buffers")).toBe(0);
    expect(meminfoDelta(base, written, "Inactive(file)")).toBe(0);
    expect(written.vmstatDelta.nr_inactive_anon).toBe(16380); // 4 still in a per-CPU lru_add batch
    expect(meminfoDelta(base, written, "MemAvailable")).toBeLessThan(-60000);

    const read = c.stage("tmpfs-meminfo:main:mmap-read");
    expect(read.faults.minflt).toBe(64);
    expect(meminfoDelta(c.stage("tmpfs-meminfo:main:mmap"), read, "Mapped")).toBe(4096);
    const unmapped = c.stage("tmpfs-meminfo:main:munmap");
    expect(meminfoDelta(read, unmapped, "Mapped")).toBe(-4096);
    expect(meminfoDelta(read, unmapped, "Active(anon)")).toBe(4096);
    const one = c.stage("tmpfs-meminfo:main:unlink-one");
    expect(meminfoDelta(unmapped, one, "Shmem")).toBe(-4096);
    const dropped = c.stage("tmpfs-meminfo:main:drop-caches");
    expect(dropped.results.drop_caches_errno).toBe("0");
    expect(meminfoDelta(one, dropped, "Shmem")).toBe(0);
    expect(meminfoDelta(one, dropped, "Cached")).toBe(0);
    expect(c.stage("tmpfs-meminfo:main:unlink-all").meminfo.Shmem).toBe(base.meminfo.Shmem);

    expect(c.stage("tmpfs-meminfo:main:write-past-limit").results).toMatchObject({
      write_1536k: "1048576",
      write_4k_more: "-1 errno 28 ENOSPC",
      st_size: "1048576",
    });
    expect(c.stage("tmpfs-meminfo:main:read-past-eof").results).toEqual({ pread_at_eof: "0", pread_past_eof: "0", pread_100_before_eof: "100" });
    expect(c.stage("tmpfs-meminfo:main:open-missing").results).toEqual({
      open_missing_dir: "-1 errno 2 ENOENT",
      open_missing_file: "-1 errno 2 ENOENT",
    });
    expect(c.stage("tmpfs-meminfo:main:umount-small").vmstatDelta.nr_shmem).toBe(-256);
  });

  it("shared-anon: /dev/zero (deleted) is shmem; the child's copy of the VMA starts empty and maps the same pages", () => {
    const c = readFilesCapture("shared-anon");
    const m = smapsOf(c.stage("shared-anon:parent:mmap"), "p");
    expect(m.header!.perms).toBe("rw-s");
    expect(m.header!.path).toBe("/dev/zero (deleted)");
    const write = c.stage("shared-anon:parent:write-all");
    expect(write.faults.minflt).toBe(256);
    expect(write.vmstatDelta.nr_shmem).toBe(256);
    expect(meminfoDelta(c.stage("shared-anon:parent:mmap"), write, "Shmem")).toBe(1024);
    expect(smapsOf(write, "p").kb).toMatchObject({ Rss: 1024, Private_Dirty: 1024 });
    expect(smapsOf(c.stage("shared-anon:child:after-fork"), "p").kb.Rss).toBe(0);
    const child = c.stage("shared-anon:child:write-all");
    expect(child.faults.minflt).toBe(256);
    expect(child.vmstatDelta.nr_shmem ?? 0).toBe(0);
    expect(smapsOf(child, "p").kb).toMatchObject({ Rss: 1024, Pss: 512, Shared_Dirty: 1024 });
    expect(pfn(child, "p+0")).toBe(pfn(write, "p+0"));
    expect(c.stage("shared-anon:parent:child-wrote").results.pages_with_child_byte).toBe("256");
    const munmap = c.stage("shared-anon:parent:munmap");
    expect(munmap.vmstatDelta.nr_shmem).toBe(-256);
    expect(meminfoDelta(c.stage("shared-anon:parent:child-exited"), munmap, "Shmem")).toBe(-1024);
  });

  it("disk: dirty until fsync or expiry, readahead windows, the second read without I/O, major faults on mmap", () => {
    const c = readFilesCapture("disk");
    const s = (name: string): FilesStage => c.stage(`disk:main:${name}`);
    expect(s("baseline").results.f_type).toBe("0xef53");
    expect(s("baseline").meminfo.Buffers).toBeGreaterThan(0);

    const w = s("write");
    expect(w.vmstatDelta.nr_dirty).toBeGreaterThanOrEqual(256);
    expect(w.vmstatDelta.nr_dirty).toBeLessThanOrEqual(260);
    expect(w.meminfo.Dirty).toBeGreaterThanOrEqual(1024);
    expect(w.vmstatDelta.pgpgout).toBe(0);
    expect(mincoreOf(w, "m").resident).toBe(256);
    expect(s("sleep-10s").vmstatDelta.nr_dirty).toBe(0);
    const fsync = s("fsync");
    expect(fsync.vmstatDelta).toMatchObject({ nr_dirty: -256, nr_written: 256 });
    expect(fsync.vmstatDelta.pgpgout).toBeGreaterThanOrEqual(1024);
    expect(fsync.meminfo.Writeback).toBe(0);
    expect(mincoreOf(s("drop-caches"), "m").resident).toBe(0);

    // read(2): the initial window of 4 pages, then the rest; the second read costs no I/O
    const r4k = s("read-4k");
    expect(r4k.vmstatDelta.pgpgin).toBe(16);
    expect(mincoreOf(r4k, "m")).toMatchObject({ resident: 4, runs: [[0, 3]] });
    expect(r4k.faults.majflt).toBe(0);
    expect(s("read-rest").vmstatDelta.pgpgin).toBe(1008);
    const again = s("read-again");
    expect(again.vmstatDelta.pgpgin ?? 0).toBe(0);
    expect(again.vmstatDelta.nr_active_file).toBe(255); // a second access activates

    // mmap: one major fault reads 32 pages around, fault-around maps 16
    const one = s("mmap-read-one");
    expect(one.faults).toEqual({ minflt: 0, majflt: 1 });
    expect(one.vmstatDelta).toMatchObject({ pgmajfault: 1, pgfault: 2, pgpgin: 128, nr_mapped: 16 });
    expect(mincoreOf(one, "m").runs).toEqual([[0, 31]]);
    expect(smapsOf(one, "p").kb).toMatchObject({ Rss: 64, Private_Clean: 64 });
    const rest = s("mmap-read-rest");
    expect(rest.faults).toEqual({ minflt: 8, majflt: 8 });
    expect(rest.vmstatDelta.pgfault).toBe(24);
    expect(rest.vmstatDelta.pgmajfault ?? 0).toBe(0);
    expect(rest.vmstatDelta.pgpgin).toBe(896);
    const remap = s("remap-read-all");
    expect(remap.faults).toEqual({ minflt: 16, majflt: 0 });
    expect(remap.vmstatDelta.pgpgin ?? 0).toBe(0);

    // dirty pages wait for dirty_expire_centisecs (30 s), then the flusher writes them
    const pw = s("pwrite-4");
    expect(pw.vmstatDelta.nr_dirty).toBeGreaterThanOrEqual(4);
    expect(smapsOf(pw, "p").kb.Private_Dirty).toBe(16);
    expect(s("dirty-sleep-10s").vmstatDelta.nr_dirty ?? 0).toBe(0);
    const expired = s("dirty-sleep-40s");
    expect(expired.vmstatDelta.nr_dirty).toBe(-pw.vmstatDelta.nr_dirty!);
    expect(expired.vmstatDelta.pgpgout).toBeGreaterThanOrEqual(16);
    const mw = s("mmap-shared-write");
    expect(mw.faults.minflt).toBe(1);
    expect(mw.vmstatDelta.nr_dirty).toBe(1);
    expect(smapsOf(mw, "s").kb).toMatchObject({ Rss: 4, Shared_Dirty: 4 });
    expect(smapsOf(s("fsync-2"), "s").kb).toMatchObject({ Shared_Dirty: 0, Shared_Clean: 4 });
    expect(s("unlink").vmstatDelta.nr_mapped).toBe(-256);
  });
});

describe("files capture parser", () => {
  it("names the file, line and stage of a malformed block", () => {
    const cut = "=====STAGE a:main:b=====\nnote x\n--- faults\nminflt 1\n";
    expect(() => parseFilesWorkload(cut, "w")).toThrow(/w:1: .*never ends/);
    const noSections = "=====STAGE a:main:b=====\nnote x\n--- faults\nminflt 0\nmajflt 0\n=====END STAGE=====\n";
    expect(() => parseFilesWorkload(noSections, "w")).toThrow(/w:1 \(a:main:b\) sections: .*--- vmstat-delta/);
    expect(() => readFilesCapture("disk").stage("disk:main:nope")).toThrow(/disk:main:baseline/);
    expect(() => smapsOf(readFilesCapture("disk").stage("disk:main:baseline"), "p")).toThrow(ArgumentError);
  });

  it("reads an unmapped smaps watch and an empty mincore run list", () => {
    const sections = ["faults", "vmstat-delta", "vmstat", "status", "smaps_rollup", "smaps", "mincore", "pagemap", "meminfo"];
    const body: Record<string, string[]> = {
      faults: ["minflt 0", "majflt 0"],
      smaps: ["mapping p 0x1000 unmapped"],
      mincore: ["m 0x1000 pages=4 resident=0 runs=-"],
      meminfo: ["MemTotal:        1000 kB", "HugePages_Total:       0"],
    };
    const text = ["=====STAGE a:main:b=====", ...sections.flatMap((s) => [`--- ${s}`, ...(body[s] ?? [])]), "=====END STAGE====="].join("\n");
    const [st] = parseFilesWorkload(text).stages;
    expect(st!.smaps).toEqual([{ label: "p", vaddr: 0x1000, mapped: false, kb: {}, vmFlags: [] }]);
    expect(st!.mincore).toEqual([{ label: "m", vaddr: 0x1000, pages: 4, resident: 0, runs: [] }]);
    expect(st!.meminfo).toEqual({ MemTotal: 1000, HugePages_Total: 0 });
  });
});
