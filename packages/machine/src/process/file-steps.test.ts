// mmsim: the file syscall steps end to end on a booted machine (issue 15): tmpfs writes in Cached and Shmem, unlink, drop_caches, fd tables across fork and exit, mmap of a file, the errnos of bad input; Machine.validate() after every step
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Machine } from "../machine.ts";
import { loadScenario } from "../scenario.ts";

/** Runs a workload with every validator after each step; returns the machine, the syscall log and the shows. */
function run(yaml: string, kernel = "") {
  const m = Machine.create(loadScenario(`kernel: { sysctl: { randomize_va_space: 0 }${kernel} }\nworkload:\n${yaml}`, "files.yaml"));
  const shows: string[] = [];
  const problems: string[] = [];
  const r = m.runWorkload({
    onStep: () => {
      const sink = new CollectingSink();
      m.validate(sink);
      if (!sink.ok) problems.push(sink.toString());
    },
    onShow: (_path, text) => shows.push(text),
  });
  expect(problems).toEqual([]);
  const log = m.readFile("/sys/kernel/debug/mmsim/syscalls")!.split("\n").filter((l) => l !== "").map((l) => l.replace(/^step \d+ /, ""));
  return { m, r, log, shows };
}

const kb = (text: string, field: string): number => Number(new RegExp(`^${field.replace(/[()]/g, "\\$&")}:\\s+(\\d+) kB`, "m").exec(text)![1]);
const vmstat = (text: string, field: string): number => Number(new RegExp(`^${field} (\\d+)$`, "m").exec(text)![1]);

describe("tmpfs through the file steps", () => {
  it("writing 64 MiB to tmpfs adds 64 MiB to Cached and Shmem (not Dirty); drop_caches keeps it; unlink gives it back", { timeout: 120_000 }, () => {
    const { r, log, shows } = run(`  - show: /proc/meminfo
  - open: { as: f, path: /tmp/big, flags: [wronly, creat] }
  - write: { fd: f, size: 64M, content: text, value: 3, compress: 0.4, returns: 64M }
  - show: /proc/meminfo
  - show: /proc/vmstat
  - sysctl: { name: drop_caches, value: 3 }
  - show: /proc/meminfo
  - close: { fd: f }
  - unlink: { path: /tmp/big }
  - show: /proc/meminfo
`);
    expect(r.failedExpects).toEqual([]);
    const [before, written, vs, dropped, unlinked] = shows as [string, string, string, string, string];
    expect(kb(written, "Cached") - kb(before, "Cached")).toBe(65536);
    expect(kb(written, "Shmem") - kb(before, "Shmem")).toBe(65536);
    expect(kb(written, "Dirty")).toBe(0); // shmem's noop_dirty_folio
    // MemFree falls by the 64 MiB less what the per-CPU lists held already (pcp pages are not in NR_FREE_PAGES)
    expect(kb(before, "MemFree") - kb(written, "MemFree")).toBeGreaterThan(65536 - 8192);
    expect(vmstat(vs, "nr_shmem")).toBe(16384 + kb(before, "Shmem") / 4);
    expect(vmstat(vs, "nr_file_pages")).toBe(vmstat(vs, "nr_shmem"));
    expect(kb(dropped, "Shmem")).toBe(kb(written, "Shmem"));
    expect(kb(unlinked, "Cached")).toBe(kb(before, "Cached"));
    expect(kb(unlinked, "Shmem")).toBe(kb(before, "Shmem"));
    expect(log).toContain("pid 1 open = 3"); // 0-2 are init's console
    expect(log).toContain("pid 1 write = 67108864");
  });

  it("a full tmpfs: a short write, then ENOSPC; reads past EOF return 0; an unknown path is ENOENT", { timeout: 60_000 }, () => {
    const { r, log } = run(`  - mkdir: { path: /tmp/small }
  - mount: { path: /tmp/small, options: "size=1M" }
  - open: { as: f, path: /tmp/small/f, flags: [rdwr, creat] }
  - write: { fd: f, size: 3M, returns: 1M }
  - write: { fd: f, size: 4K, errno: ENOSPC }
  - read: { fd: f, size: 4K, returns: 0 }
  - pread: { fd: f, size: 8K, offset: 1020K, returns: 4K }
  - pread: { fd: f, size: 8K, offset: -1, errno: EINVAL }
  - open: { path: /nope/f, errno: ENOENT }
  - open: { path: /tmp/small/f, flags: [rdwr, creat, excl], errno: EEXIST }
  - close: { fd: 99, errno: EBADF }
  - write: { fd: 99, size: 4K, errno: EBADF }
  - ftruncate: { fd: f, size: 0 }
  - write: { fd: f, size: 4K, returns: 4K }
  - umount: { path: /tmp/small, errno: EBUSY }
  - close: { fd: f }
  - umount: { path: /tmp/small }
  - rmdir: { path: /tmp/small }
`);
    expect(r.failedExpects).toEqual([]);
    expect(log).toContain("pid 1 write = 1048576");
  });

  it("fork shares the open file; the child's write lands in the same page cache; exit closes the child's fds", { timeout: 60_000 }, () => {
    const { r, m } = run(`  - open: { as: f, path: /tmp/shared, flags: [rdwr, creat] }
  - fork:
      as: child
      steps:
        - write: { fd: f, size: 16K, content: fill, value: 7 }
  - wait: { for: child }
  - pread: { fd: f, size: 16K, offset: 0, returns: 16K }
  - close: { fd: f }
`);
    expect(r.failedExpects).toEqual([]);
    const vfs = m.processes.vfs;
    expect([...vfs.files.keys()]).toEqual([1]);
    expect(vfs.files.get(1)!.fd.filter((f) => f !== null).length).toBe(3); // the console only
  });

  it("mmap of a file: shared and private VMAs on the file; EACCES for a shared write mapping of a read-only fd or any mapping of a write-only one, ENODEV for the console; the mapping keeps an unlinked file", { timeout: 60_000 }, () => {
    const { r, shows } = run(`  - open: { as: f, path: /tmp/m, flags: [rdwr, creat] }
  - ftruncate: { fd: f, size: 64K }
  - mmap: { as: s, fd: f, size: 64K, flags: [shared] }
  - mmap: { as: p, path: /tmp/m, size: 16K, offset: 16K, flags: [private] }
  - open: { as: ro, path: /tmp/m, flags: [rdonly] }
  - mmap: { as: bad, fd: ro, size: 4K, flags: [shared], errno: EACCES }
  - mmap: { as: ok, fd: ro, size: 4K, prot: r, flags: [shared] }
  - mmap: { as: nofd, fd: 42, size: 4K, flags: [shared], errno: EBADF }
  - open: { as: wo, path: /tmp/m, flags: [wronly] }
  - mmap: { as: wpriv, fd: wo, size: 4K, flags: [private], errno: EACCES }
  - mmap: { as: console, fd: 0, size: 4K, flags: [shared], errno: ENODEV }
  - close: { fd: f }
  - unlink: { path: /tmp/m }
  - show: /proc/self/maps
`);
    expect(r.failedExpects).toEqual([]);
    const maps = shows[0]!;
    expect(maps).toMatch(/ rw-s 00000000 00:03 2 +\/tmp\/m \(deleted\)$/m);
    expect(maps).toMatch(/ rw-p 00004000 00:03 2 +\/tmp\/m \(deleted\)$/m);
    expect(maps).toMatch(/ r--s 00000000 00:03 2 +\/tmp\/m \(deleted\)$/m);
  });

  it("a shared anonymous mapping is a /dev/zero (deleted) file on 00:01", { timeout: 60_000 }, () => {
    const { r, shows } = run(`  - mmap: { as: a, size: 1M, flags: [shared] }
  - show: /proc/self/maps
`);
    expect(r.failedExpects).toEqual([]);
    expect(shows[0]).toMatch(/ rw-s 00000000 00:01 2 +\/dev\/zero \(deleted\)$/m);
  });
});

describe("user buffers", () => {
  it("write from a buffer carries its content into the page cache; read into a buffer faults its pages in with the file's content; a copy past the buffer is EFAULT", { timeout: 60_000 }, () => {
    const { r, m, log } = run(`  - mmap: { as: src, size: 16K }
  - access: { as: src, write: true, content: fill, value: 9 }
  - open: { as: f, path: /tmp/c, flags: [rdwr, creat] }
  - write: { fd: f, size: 16K, from: src, returns: 16K }
  - mmap: { as: dst, size: 16K }
  - pread: { fd: f, size: 16K, offset: 0, into: dst, returns: 16K }
  - pread: { fd: f, size: 4K, offset: 0, into: dst, into_offset: 16K, errno: EFAULT }
`);
    expect(r.failedExpects).toEqual([]);
    const p = m.processes;
    const mm = p.current.mm!;
    const [src, dst] = log.filter((l) => l.startsWith("pid 1 mmap = ")).map((l) => Number(l.split(" = ")[1]));
    const fill9 = p.memory.contents.get(p.fault.translate(mm, src!, 1));
    expect(fill9).not.toBe(0);
    // the source's pages, the destination's and the file's hold the same content
    for (const base of [src!, dst!]) for (let a = base; a < base + 16384; a += 4096) expect(p.memory.contents.get(p.fault.translate(mm, a, 1))).toBe(fill9);
    const file = p.vfs.files.get(1)!.fd[3]!;
    for (let i = 0; i < 4; i++) expect(p.memory.contents.get(p.memory.mem.pageToPfn(file.fMapping.iPages.load(i) - 1))).toBe(fill9);
    expect(log.filter((l) => l.includes("pread64"))).toEqual(["pid 1 pread64 = 16384", "pid 1 pread64 = -EFAULT"]);
  });
});
