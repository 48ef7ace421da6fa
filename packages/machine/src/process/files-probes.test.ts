// mmsim: the machine's file steps against the real 6.1 arm64 kernel: the tmpfs-meminfo and shared-anon captures of tests/conformance/fixtures/files/linux-6.1-arm64/ replayed as scenarios, compared stage by stage
/*
 * Each probe ran on the real kernel (1 GiB, 2 CPUs, randomize_va_space 0). The scenario here does
 * the same sequence with mmsim's steps on the same board, with a `show` after each of the probe's
 * stages; the test reads /proc/meminfo, /proc/vmstat and the running task's fault count at every
 * show and compares each stage's deltas (meminfo Shmem, Cached, Mapped, Dirty, Buffers; vmstat
 * nr_shmem, nr_mapped; the task's faults) and the syscalls' results with the capture's. Only
 * deltas: the capture's baseline has the busybox initramfs on rootfs (Shmem 7148 kB), which a
 * bare scenario does not. MemFree is not compared: it moves in per-CPU list batches.
 * KNOWN_DIFFERENCES lists what differs and why; the test fails when a difference appears that
 * is not listed, and when a listed one is gone.
 */
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { type FilesStage, readFilesCapture } from "../../../../tests/conformance/src/files-capture.ts";
import { Machine } from "../machine.ts";
import { loadScenario } from "../scenario.ts";
import { validateProcesses } from "./files.ts";

const HEAD = "machine: { memory: 1G, cpus: 2 }\nkernel: { sysctl: { randomize_va_space: 0 } }\nworkload:\n";
const MEMINFO = ["Shmem", "Cached", "Mapped", "Dirty", "Buffers"] as const;
const VMSTAT = ["nr_shmem", "nr_mapped", "nr_file_pages", "nr_dirty"] as const;

interface Snap {
  readonly meminfo: Record<string, number>;
  readonly vmstat: Record<string, number>;
  readonly faults: number;
}

const fields = (text: string, re: RegExp): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(re)) out[m[1]!] = Number(m[2]);
  return out;
};

/** Runs the scenario, a snapshot at each show (of the task running it), validate() after every step. */
function replay(steps: string, file: string): { snaps: Map<number, Snap[]>; syscalls: string[]; problems: string[] } {
  const m = Machine.create(loadScenario(HEAD + steps, file));
  const snaps = new Map<number, Snap[]>();
  const problems: string[] = [];
  const r = m.runWorkload({
    onShow: () => {
      // validate() at every stage (after every step would cost seconds on a 1 GiB board)
      const sink = new CollectingSink();
      validateProcesses(m.processes, sink);
      m.validate(sink);
      if (!sink.ok) problems.push(sink.toString());
      const t = m.processes.current;
      const list = snaps.get(t.pid) ?? [];
      snaps.set(t.pid, list);
      list.push({
        meminfo: fields(m.readFile("/proc/meminfo")!, /^([\w()]+):\s+(\d+) kB$/gm),
        vmstat: fields(m.readFile("/proc/vmstat")!, /^(\w+) (\d+)$/gm),
        faults: t.minFlt + t.majFlt,
      });
    },
  });
  if (r.panic) problems.push(`panic: ${r.panic.message}`);
  for (const f of r.failedExpects) problems.push(`failed expect: ${f.message}`);
  const syscalls = (m.readFile("/sys/kernel/debug/mmsim/syscalls") ?? "").split("\n").filter((l) => l !== "").map((l) => l.replace(/^step \d+ /, ""));
  return { snaps, syscalls, problems };
}

/** Compares each stage's deltas; returns the differences as `stage field: mmsim X, real Y` lines. */
function compareStages(stages: readonly FilesStage[], snaps: readonly Snap[], faultStages: readonly string[]): string[] {
  const diffs: string[] = [];
  expect(snaps.length).toBe(stages.length);
  for (let i = 1; i < stages.length; i++) {
    const real = stages[i]!;
    const prevReal = stages[i - 1]!;
    const sim = snaps[i]!;
    const prevSim = snaps[i - 1]!;
    for (const f of MEMINFO) {
      const want = real.meminfo[f]! - prevReal.meminfo[f]!;
      const got = sim.meminfo[f]! - prevSim.meminfo[f]!;
      if (want !== got) diffs.push(`${real.stage} meminfo ${f}: mmsim ${got}, real ${want}`);
    }
    for (const f of VMSTAT) {
      const want = real.vmstatDelta[f];
      if (want === undefined) continue;
      const got = sim.vmstat[f]! - prevSim.vmstat[f]!;
      if (want !== got) diffs.push(`${real.stage} vmstat ${f}: mmsim ${got}, real ${want}`);
    }
    if (faultStages.includes(real.stage)) {
      const want = real.faults.minflt + real.faults.majflt;
      const got = sim.faults - prevSim.faults;
      if (want !== got) diffs.push(`${real.stage} faults: mmsim ${got}, real ${want}`);
    }
  }
  return diffs;
}

/**
 * Differences from the real kernel, each with its reason. tmpfs-meminfo's stages bracket one
 * syscall loop each in the probe, and the probe itself is a busybox program with its own pages.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = Object.freeze({
  "write-64m meminfo Mapped: mmsim 0, real 64":
    "the probe reads /proc/meminfo at the end of its stage block, after its printing code ran for the first time: 16 pages of the " +
    "probe's own text (a static binary on the tmpfs rootfs) are faulted in by fault-around; nr_mapped, read right after the action, " +
    "moved by 0 as in mmsim, and a scenario has no program text to map",
});

describe("files probes replayed on the machine (tests/conformance/fixtures/files)", () => {
  it("tmpfs-meminfo: Shmem/Cached follow tmpfs files, mapping adds Mapped, drop_caches keeps them; short write, ENOSPC, EOF reads, ENOENT", () => {
    const cap = readFilesCapture("tmpfs-meminfo");
    const name = (i: number): string => `/tmp/meminfo-${String(i).padStart(2, "0")}`;
    const s: string[] = ["  - show: /proc/meminfo                 # baseline"];
    for (let i = 0; i < 16; i++) {
      s.push(`  - open: { as: w${i}, path: ${name(i)}, flags: [wronly, creat, trunc] }`);
      s.push(`  - write: { fd: w${i}, size: 4M, content: fill, value: 0x6d, returns: 4M }`);
      s.push(`  - close: { fd: w${i} }`);
    }
    s.push("  - show: /proc/meminfo                 # write-64m");
    s.push(`  - open: { as: r0, path: ${name(0)}, flags: [rdonly] }`);
    s.push("  - mmap: { as: p, fd: r0, size: 4M, prot: r, flags: [shared], addr: 0x1000000000 }");
    s.push("  - show: /proc/meminfo                 # mmap");
    s.push("  - access: { as: p }");
    s.push("  - show: /proc/meminfo                 # mmap-read");
    s.push("  - munmap: { as: p }");
    s.push("  - show: /proc/meminfo                 # munmap");
    s.push("  - close: { fd: r0 }");
    s.push(`  - unlink: { path: ${name(0)} }`);
    s.push("  - show: /proc/meminfo                 # unlink-one");
    s.push("  - sysctl: { name: drop_caches, value: 3 }");
    s.push("  - show: /proc/meminfo                 # drop-caches");
    for (let i = 1; i < 16; i++) s.push(`  - unlink: { path: ${name(i)} }`);
    s.push("  - show: /proc/meminfo                 # unlink-all");
    s.push("  - mkdir: { path: /mnt }");
    s.push("  - mkdir: { path: /mnt/small }");
    s.push("  - mount: { path: /mnt/small, fstype: tmpfs, options: \"size=1m\" }");
    s.push("  - show: /proc/meminfo                 # mount-small");
    s.push("  - open: { as: sm, path: /mnt/small/f, flags: [rdwr, creat] }");
    s.push("  - write: { fd: sm, size: 1536K, returns: 1M }");
    s.push("  - write: { fd: sm, size: 4K, errno: ENOSPC }");
    s.push("  - show: /proc/meminfo                 # write-past-limit");
    s.push("  - pread: { fd: sm, size: 4K, offset: 1M, returns: 0 }");
    s.push("  - pread: { fd: sm, size: 4K, offset: 1064960, returns: 0 }");
    s.push("  - pread: { fd: sm, size: 4K, offset: 1048476, returns: 100 }");
    s.push("  - show: /proc/meminfo                 # read-past-eof");
    s.push("  - open: { as: m1, path: /tmp/no-such-dir/no-such-file, flags: [rdonly], errno: ENOENT }");
    s.push("  - open: { as: m2, path: /tmp/no-such-file, flags: [rdonly], errno: ENOENT }");
    s.push("  - show: /proc/meminfo                 # open-missing");
    s.push("  - close: { fd: sm }");
    s.push("  - umount: { path: /mnt/small }");
    s.push("  - show: /proc/meminfo                 # umount-small");
    const { snaps, syscalls, problems } = replay(s.join("\n") + "\n", "tmpfs-meminfo.yaml");
    expect(problems).toEqual([]);
    // the results the probe printed
    expect(cap.stage("tmpfs-meminfo:main:write-64m").results.bytes_written).toBe("67108864");
    expect(cap.stage("tmpfs-meminfo:main:write-past-limit").results.write_1536k).toBe("1048576");
    expect(cap.stage("tmpfs-meminfo:main:write-past-limit").results.write_4k_more).toBe("-1 errno 28 ENOSPC");
    expect(syscalls.filter((l) => l.includes(" write = ")).slice(-2)).toEqual(["pid 1 write = 1048576", "pid 1 write = -ENOSPC"]);
        expect(syscalls.filter((l) => l.includes(" pread64 = "))).toEqual(["pid 1 pread64 = 0", "pid 1 pread64 = 0", "pid 1 pread64 = 100"]);
    expect(syscalls.filter((l) => l.includes(" open = -"))).toEqual(["pid 1 open = -ENOENT", "pid 1 open = -ENOENT"]);
    const diffs = compareStages(cap.stages, snaps.get(1)!, ["mmap-read"]);
    expect(diffs.filter((d) => !(d in KNOWN_DIFFERENCES))).toEqual([]);
    expect(Object.keys(KNOWN_DIFFERENCES).filter((k) => !diffs.includes(k))).toEqual([]);
  }, 120_000); // 64 MiB written and 14 validate() passes of a 1 GiB board: ~10 s on a loaded 2-core machine
});
