// mmsim: the machine's disk (machine.disk) end to end, replaying the real 6.1 kernel's `disk` probe (tests/conformance/fixtures/files/README.md, "disk"): each figure named with the capture's value and any difference with its reason; Machine.validate() after every step; a bad declaration's error names the field and line
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

/** Runs a workload on a machine with `disk`, every validator after each step; returns the shows by label order. */
function run(disk: string, yaml: string) {
  const m = Machine.create(loadScenario(`machine:\n  disk: ${disk}\nkernel: { sysctl: { randomize_va_space: 0 } }\nworkload:\n${yaml}`, "disk.yaml"));
  const shows: string[] = [];
  const problems: string[] = [];
  const check = () => {
    const sink = new CollectingSink();
    m.validate(sink);
    if (!sink.ok) problems.push(sink.toString());
  };
  // validated at every show (after the steps before it) and at the end: each validation walks all of memory
  const r = m.runWorkload({
    onShow: (_path, text) => {
      shows.push(text);
      check();
    },
  });
  check();
  expect(problems).toEqual([]);
  expect(r.failedExpects).toEqual([]);
  return { m, shows };
}

const kb = (text: string, field: string): number => Number(new RegExp(`^${field.replace(/[()]/g, "\\$&")}:\\s+(\\d+) kB`, "m").exec(text)![1]);
const vm = (text: string, field: string): number => Number(new RegExp(`^${field} (\\d+)$`, "m").exec(text)![1]);

/** A snapshot: /proc/meminfo then /proc/vmstat. */
const SNAP = "  - show: /proc/meminfo\n  - show: /proc/vmstat\n";

describe("the disk probe of the real kernel, replayed (fixtures/files/README.md: disk)", () => {
  it("write, sleep, fsync, drop_caches, read 4 KiB, read the rest, read again, mmap one page, pwrite 16 KiB and the flusher", { timeout: 120_000 }, () => {
    const { shows } = run("{ size: 64M, files: [] }", `${SNAP}
  - open: { as: w, path: /mnt/disk/data, flags: [wronly, creat] }
${SNAP}
  - write: { fd: w, size: 1M, content: text, value: 1, returns: 1M }
${SNAP}
  - sleep: 10000
${SNAP}
  - fsync: { fd: w }
  - close: { fd: w }
${SNAP}
  - sysctl: { name: drop_caches, value: 3 }
${SNAP}
  - open: { as: r, path: /mnt/disk/data, flags: [rdonly] }
  - read: { fd: r, size: 4K, returns: 4K }
${SNAP}
  - repeat: { times: 255, steps: [ { read: { fd: r, size: 4K, returns: 4K } } ] }
${SNAP}
  - close: { fd: r }
  - open: { as: r2, path: /mnt/disk/data, flags: [rdonly] }
  - repeat: { times: 256, steps: [ { read: { fd: r2, size: 4K, returns: 4K } } ] }
${SNAP}
  - sysctl: { name: drop_caches, value: 3 }
${SNAP}
  - mmap: { as: map, size: 1M, prot: r, flags: [shared], fd: r2 }
  - access: { as: map, size: 4K }
${SNAP}
  - open: { as: p, path: /mnt/disk/data, flags: [rdwr] }
  - pwrite: { fd: p, size: 16K, offset: 0, content: fill, value: 9, returns: 16K }
${SNAP}
  - sleep: 10000
${SNAP}
  - sleep: 30000
${SNAP}
`);
    const snap = (i: number) => ({ mi: shows[2 * i]!, vs: shows[2 * i + 1]! });
    const [baseline, opened, written, slept, synced, dropped, read4k, readRest, readAgain, dropped2, mmapped, pwritten, dirty10, dirty40] = Array.from({ length: 14 }, (_, i) => snap(i));
    const d = (a: { vs: string }, b: { vs: string }, f: string) => vm(b.vs, f) - vm(a.vs, f);

    if (process.env.DISK_DEBUG) {
      const all = [baseline, opened, written, slept, synced, dropped, read4k, readRest, readAgain, dropped2, mmapped, pwritten, dirty10, dirty40];
      for (let i = 1; i < all.length; i++) console.log(i, ["nr_dirty", "nr_dirtied", "nr_written", "pgpgin", "pgpgout", "pgfault", "pgmajfault", "nr_mapped"].map((f) => `${f} ${d(all[i - 1]!, all[i]!, f)}`).join(", "), `Dirty ${kb(all[i]!.mi, "Dirty")} Cached ${kb(all[i]!.mi, "Cached")} Buffers ${kb(all[i]!.mi, "Buffers")}`);
    }
    // baseline: the capture's Buffers are 140 kB (ext4's driver mounting ext2 reads every group's bitmaps and the inode
    // tables it checks); mmsim's ext2 mount reads the superblock, the descriptors and the root inode's table block (12 kB).
    expect(kb(baseline.mi, "Buffers")).toBe(12);
    // create: the inode bitmap, the descriptor, the inode's table block and the root directory's block become dirty buffers
    expect(d(baseline, opened, "nr_dirty")).toBe(4);

    // write(2) of 1 MiB: the capture's nr_dirty +258 = 256 data pages + 2 metadata buffers; mmsim dirties 256 data pages
    // and the block bitmap and the indirect block (new), the rest were already dirty from the create: +258 too
    expect(d(opened, written, "nr_dirty")).toBe(258);
    expect(d(opened, written, "nr_dirtied")).toBe(258);
    expect(d(opened, written, "pgpgout")).toBe(0); // nothing written yet
    expect(kb(written.mi, "Dirty")).toBe(kb(opened.mi, "Dirty") + 1032);

    // sleep 10 s: not yet dirty_expire_centisecs (30 s) old, far under the background threshold
    expect(d(written, slept, "nr_dirty")).toBe(0);
    expect(d(written, slept, "nr_written")).toBe(0);

    // fsync: the capture's nr_dirty −256, nr_written +256, pgpgout 1036 KiB (1024 data + 12 metadata). mmsim writes the
    // 256 data pages and the inode's own buffers (its table block, its indirect block) through page writeback, so
    // nr_written counts them too (+258; the kernel writes buffers with submit_bh, outside NR_WRITTEN); pgpgout 1024 + 8 KiB.
    expect(d(slept, synced, "nr_written")).toBe(258);
    expect(d(slept, synced, "pgpgout")).toBe(1032);
    expect(vm(synced.vs, "nr_writeback")).toBe(0);
    // what stays dirty: the bitmaps, the descriptor and the directory block, for the flusher (the capture: 28 kB of bitmaps)
    expect(kb(synced.mi, "Dirty")).toBe(16);

    // drop_caches: the file leaves the cache (Cached −1024 kB); clean buffers go, the pinned superblock and descriptors stay
    expect(kb(synced.mi, "Cached") - kb(dropped.mi, "Cached")).toBe(1024);

    // read 4 KiB with a new descriptor: pgpgin 16 = the initial readahead window of 4 pages (get_init_ra_size(1, 32))
    expect(d(dropped, read4k, "pgpgin")).toBe(16);
    expect(kb(read4k.mi, "Cached") - kb(dropped.mi, "Cached")).toBe(16);
    // the rest: 252 pages, pgpgin 1008, + the indirect block ext2 reads at page 12 (4 KiB: clean after fsync, drop_caches
    // dropped it; in the capture it stayed in Buffers — there fsync wrote it with submit_bh, leaving its page dirty)
    expect(d(read4k, readRest, "pgpgin")).toBe(1008 + 4);
    expect(kb(readRest.mi, "Cached") - kb(dropped.mi, "Cached")).toBe(1024);
    // the second read: no I/O at all
    expect(d(readRest, readAgain, "pgpgin")).toBe(0);

    // mmap, load page 0: majflt 1, pgfault 2 (the fault drops the lock for the I/O and is retried), pgpgin 128 KiB
    // (read-around of ra_pages = 32 pages) + the indirect block again (4 KiB). nr_mapped: the capture's +16 (fault-around
    // on the retry); mmsim's +12: ext2's mpage ends a bio at block 11 (BH_Boundary) and reads the indirect block before
    // pages 12–31, so on a virtio disk those are a second bio still in flight when the retry runs, and fault-around
    // skips locked pages (on the capture's brd every bio completes inside submit_bio)
    expect(d(dropped2, mmapped, "pgmajfault")).toBe(1);
    expect(d(dropped2, mmapped, "pgfault")).toBe(2);
    expect(d(dropped2, mmapped, "pgpgin")).toBe(128 + 4);
    expect(d(dropped2, mmapped, "nr_mapped")).toBe(12);

    // pwrite 16 KiB at 0: the capture's nr_dirty +5 = 4 pages + the inode (mtime); mmsim keeps no timestamps: +4
    expect(d(mmapped, pwritten, "nr_dirty")).toBe(4);
    // 10 s later: not expired
    expect(d(pwritten, dirty10, "nr_dirty")).toBe(0);
    expect(d(pwritten, dirty10, "nr_written")).toBe(0);
    // 40 s after the write: the flusher (wb_workfn every 5 s) wrote the expired inodes: the capture's nr_written +5
    // (4 pages + the inode); mmsim's +8: the 4 pages and the 4 metadata buffers still dirty since the create (inode and
    // block bitmaps, the descriptor, the directory block: the bdev inode expired too), pgpgout 32 KiB (capture 20)
    expect(d(dirty10, dirty40, "nr_written")).toBe(8);
    expect(d(dirty10, dirty40, "pgpgout")).toBe(32);
    expect(vm(dirty40.vs, "nr_dirty")).toBe(0);
  });
});

describe("the second read costs no I/O", () => {
  it("reads 16 MiB twice: the first waits for the disk, the second neither reads nor waits", { timeout: 60_000 }, () => {
    const { shows } = run("{ size: 64M, mount: /data, files: [ { path: /big, size: 16M, contents: random } ] }", `  - open: { as: f, path: /data/big, flags: [rdonly] }
  - show: /sys/kernel/debug/mmsim/disk
  - show: /proc/vmstat
  - read: { fd: f, size: 16M, returns: 16M }
  - show: /sys/kernel/debug/mmsim/disk
  - show: /proc/vmstat
  - pread: { fd: f, size: 16M, offset: 0, returns: 16M }
  - show: /sys/kernel/debug/mmsim/disk
  - show: /proc/vmstat
`);
    const wait = (t: string) => Number(/^iowait_ns (\d+)$/m.exec(t)![1]);
    const [d0, v0, d1, v1, d2, v2] = shows as [string, string, string, string, string, string];
    // 16 MiB and its indirect blocks: 4096 blocks = 12 direct + 1024 under the single indirect + 3060 under the double
    // (itself and 3 children): 5 blocks
    expect(vm(v1, "pgpgin") - vm(v0, "pgpgin")).toBe(16384 + 5 * 4);
    expect(wait(d1) - wait(d0)).toBeGreaterThan(10_000_000); // at least 10 ms on the virtio disk's cost model
    expect(vm(v2, "pgpgin")).toBe(vm(v1, "pgpgin"));
    expect(wait(d2)).toBe(wait(d1));
  });
});

describe("a bad disk declaration", () => {
  it("names the field and its line", () => {
    expect(() => loadScenario("machine:\n  disk:\n    size: 64M\n    files:\n      - { path: /a, size: lots }\n", "bad.yaml")).toThrow(/bad\.yaml:5: machine\.disk\.files\[0\]\.size: expected/);
    expect(() => loadScenario("machine:\n  disk:\n    size: 1M\n    files:\n      - { path: /a, size: 8M }\n", "bad.yaml")).toThrow(/bad\.yaml:5: machine\.disk\.files\[0\]: .*make disk\.size at least/);
    expect(() => loadScenario("machine:\n  disk:\n    size: 64M\n    mount: disk\n", "bad.yaml")).toThrow(/bad\.yaml:4: machine\.disk\.mount: expected an absolute path/);
    expect(() => loadScenario("machine:\n  disk:\n    size: 64M\n    color: red\n", "bad.yaml")).toThrow(/bad\.yaml:4: machine\.disk\.color: expected one of the fields size, files/);
  });
});

describe("/proc/diskstats lists every disk in the order its driver registered it", () => {
  it("vda (virtio_blk at boot: major 254), zram0 (253), a hot-added swap disk (vdb, 254:16); without a disk zram0 is 254, as captured", { timeout: 60_000 }, () => {
    const m = Machine.create(
      loadScenario(
        "machine:\n  memory: 64M\n  disk: { size: 64M }\nworkload:\n  - swap_disk: { size: 64M, rotational: false }\n  - zram: { size: 32M }\n  - mmap: { as: a, size: 100M }\n  - access: { as: a, write: true, content: random }\n",
        "d.yaml",
      ),
    );
    m.boot();
    m.runWorkload();
    const lines = m.readFile("/proc/diskstats")!.trim().split("\n").map((l) => l.trim().split(/\s+/));
    expect(lines.map((l) => l.slice(0, 3).join(" "))).toEqual(["254 0 vda", "253 0 zram0", "254 16 vdb"]);
    for (const l of lines) expect(l).toHaveLength(20); // major, minor, name and part_stat's 17 numbers
    // zram (priority -3 after vdb's -2 here) and vdb took the swap writes: ios and 8 sectors each, as part_stat counts them
    const zram = lines[1]!.map(Number);
    const vdb = lines[2]!.map(Number);
    expect(zram[7]! + vdb[7]!).toBeGreaterThan(0);
    expect(zram[9]).toBe(zram[7]! * 8);
    expect(m.readFile("/sys/block/zram0/dev")).toBe("253:0\n");
    // the reference board (no virtio disk; tests/conformance/fixtures/diskstats): ` 254       0 zram0 …` — zram registered the first dynamic major
    const bare = Machine.create(loadScenario("machine:\n  memory: 64M\n", "b.yaml"));
    bare.boot();
    expect(bare.readFile("/proc/diskstats")).toBe(" 254       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    expect(bare.readFile("/sys/block/zram0/dev")).toBe("254:0\n");
  });
});
