// mmsim: memory cgroups v2 on a booted machine (issue 20) — memory.max ends in limit reclaim (to zram when there is swap) or the memcg OOM with 6.1's report; memory.high throttles; charges follow tasks, page cache and swap; the validator agrees at every step
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

function run(yaml: string, onStep?: (m: Machine) => void) {
  const m = Machine.create(loadScenario(yaml, "memcg.yaml"));
  m.boot();
  const problems: string[] = [];
  const r = m.runWorkload({
    onStep: () => {
      onStep?.(m);
      // the memcg validator at every step: charges sum to memory.current at every level
      m.validate({ report: (where, problem) => (where === "memcg" ? problems.push(`${where}: ${problem}`) : undefined) });
    },
  });
  m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
  return { m, r, problems: problems.filter((p) => !p.startsWith("pgtable ")) };
}

const field = (text: string, key: string): number => Number(new RegExp(`^${key} (\\d+)$`, "m").exec(text)![1]);

/** A group /test with memory.max (or high) and a task writing `size` of anonymous memory in it. */
function scenario(knob: string, value: string, size: string, zram: boolean, tail = "") {
  return (
    `machine:\n  memory: 128M\n  cpus: 2\nworkload:\n` +
    (zram ? "  - zram: { size: 64M }\n" : "") +
    "  - cgroup_mkdir: /sys/fs/cgroup/test\n" +
    '  - write: { path: /sys/fs/cgroup/cgroup.subtree_control, value: "+memory" }\n' +
    `  - write: { path: /sys/fs/cgroup/test/${knob}, value: ${value} }\n` +
    `  - spawn: { as: hog, path: /bin/hog, steps: [ { write: { path: /sys/fs/cgroup/test/cgroup.procs, value: "0" } }, { mmap: { as: a, size: ${size} } }, { access: { as: a, write: true, content: random } }, { sleep: 10 } ] }\n` +
    "  - sleep: 5\n" +
    "  - label: held\n" +
    "  - wait: { for: hog }\n" +
    tail
  );
}

describe("memory cgroups v2", () => {
  it("memory.max without swap: limit reclaim finds nothing, the memcg OOM kills the task with 6.1's report; its charges all go back", () => {
    const { m, r, problems } = run(scenario("memory.max", "16M", "24M", false));
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    const log = m.log.dmesg();
    expect(log).toMatch(/hog invoked oom-killer: gfp_mask=0xcc0\(GFP_KERNEL\), order=0, oom_score_adj=0/);
    expect(log).toContain(" mem_cgroup_out_of_memory\n");
    expect(log).toMatch(/memory: usage 16384kB, limit 16384kB, failcnt \d+/);
    expect(log).toContain("swap: usage 0kB, limit 9007199254740988kB, failcnt 0");
    expect(log).toContain("Memory cgroup stats for /test:");
    expect(log).toMatch(/\] anon 1[0-9]{7}\n/);
    expect(log).not.toContain("Mem-Info:"); // a memcg OOM prints the memcg's meminfo, not __show_mem
    expect(log).toContain("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/test,task_memcg=/test,task=hog,pid=2,uid=0");
    expect(log).toMatch(/Memory cgroup out of memory: Killed process 2 \(hog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:\d+kB oom_score_adj:0/);
    const ev = m.readFile("/sys/fs/cgroup/test/memory.events")!;
    expect(field(ev, "oom")).toBe(1);
    expect(field(ev, "oom_kill")).toBe(1);
    expect(field(ev, "max")).toBeGreaterThan(0);
    // the victim exited: nothing is charged to the group but what a CPU's stock still holds
    expect(Number(m.readFile("/sys/fs/cgroup/test/memory.current"))).toBeLessThanOrEqual(2 * 64 * 4096);
    expect(m.readFile("/sys/fs/cgroup/test/cgroup.procs")).toBe("");
  }, 30_000); // a boot and 16 MiB of faults with limit reclaim passes: about a second alone, several on a loaded CI machine

  it("memory.max with zram: the group stays at its limit and the rest goes to swap (memory.swap.current), no OOM", () => {
    let held = { current: 0, swap: 0, stat: "" };
    const { m, r, problems } = run(scenario("memory.max", "16M", "24M", true), (mm) => {
      const cur = mm.readFile("/sys/fs/cgroup/test/memory.current");
      if (mm.readFile("/proc/2/status") !== undefined && cur !== undefined) held = { current: Number(cur), swap: Number(mm.readFile("/sys/fs/cgroup/test/memory.swap.current")), stat: mm.readFile("/sys/fs/cgroup/test/memory.stat")! };
    });
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    expect(m.log.dmesg()).not.toContain("invoked oom-killer");
    expect(held.current).toBeLessThanOrEqual(16 << 20);
    expect(held.current).toBeGreaterThan(15 << 20);
    // 24 MiB written, at most 16 MiB resident: the rest (and what reclaim took early) is in swap
    expect(held.swap).toBeGreaterThanOrEqual((24 - 16) << 20);
    expect(field(held.stat, "anon")).toBeLessThanOrEqual(16 << 20);
    expect(field(held.stat, "pgsteal")).toBeGreaterThan(2000);
    expect(field(m.readFile("/sys/fs/cgroup/test/memory.events")!, "max")).toBeGreaterThan(0);
    // the task exited: its swap entries were freed with its mm and uncharged, but for the slots
    // still in a CPU's return cache (SWAP_SLOTS_CACHE_SIZE, 64: swap_entry_free uncharges them when it drains, as in 6.1)
    expect(Number(m.readFile("/sys/fs/cgroup/test/memory.swap.current"))).toBeLessThanOrEqual(64 * 4096);
  }, 30_000);

  it("memory.high: the group is throttled and reclaimed near its high mark (high events, the rest in swap), never killed", () => {
    let held = 0;
    const { m, r, problems } = run(scenario("memory.high", "8M", "24M", true), (mm) => {
      const cur = mm.readFile("/sys/fs/cgroup/test/memory.current");
      if (mm.readFile("/proc/2/status") !== undefined && cur !== undefined) held = Math.max(held, Number(cur));
    });
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    const ev = m.readFile("/sys/fs/cgroup/test/memory.events")!;
    expect(field(ev, "high")).toBeGreaterThan(0);
    expect(field(ev, "max")).toBe(0);
    expect(field(ev, "oom_kill")).toBe(0);
    // mem_cgroup_handle_over_high reclaims back to high after each batch: never far above it
    expect(held).toBeLessThan((8 << 20) + 64 * 2 * 4096 + (1 << 20));
  }, 30_000);

  it("page cache is charged to the reader's group and uncharged when dropped; rmdir of a group with charged pages leaves a zombie until they go", () => {
    const yaml =
      "machine:\n  memory: 128M\n  cpus: 1\nworkload:\n" +
      "  - cgroup_mkdir: /sys/fs/cgroup/files\n" +
      '  - write: { path: /sys/fs/cgroup/cgroup.subtree_control, value: "+memory" }\n' +
      '  - write: { path: /sys/fs/cgroup/files/cgroup.procs, value: "0" }\n' +
      "  - mkdir: { path: /mnt }\n" +
      "  - mount: { path: /mnt }\n" +
      "  - open: { as: f, path: /mnt/data, flags: [creat, rdwr] }\n" +
      "  - write: { fd: f, size: 4M }\n" +
      "  - label: written\n" +
      '  - write: { path: /sys/fs/cgroup/cgroup.procs, value: "0" }\n' +
      "  - close: { fd: f }\n" +
      "  - cgroup_rmdir: /sys/fs/cgroup/files\n" +
      "  - label: removed\n" +
      "  - truncate: { path: /mnt/data, size: 0 }\n";
    let shmemInGroup = 0;
    let currentInGroup = 0;
    let rootShmemAfterRmdir = -1;
    const { m, r, problems } = run(yaml, (mm) => {
      const stat = mm.readFile("/sys/fs/cgroup/files/memory.stat");
      if (stat !== undefined) {
        shmemInGroup = Math.max(shmemInGroup, field(stat, "shmem"));
        currentInGroup = Math.max(currentInGroup, Number(mm.readFile("/sys/fs/cgroup/files/memory.current")));
      } else if (rootShmemAfterRmdir < 0 && shmemInGroup > 0) rootShmemAfterRmdir = field(mm.readFile("/sys/fs/cgroup/memory.stat")!, "shmem");
    });
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    // tmpfs pages written by a task of the group are charged to it (shmem ⊂ file)
    expect(shmemInGroup).toBe(4 << 20);
    expect(currentInGroup).toBeGreaterThanOrEqual(4 << 20);
    // removed with its pages still charged: the zombie's pages still count in the root's hierarchical stat
    expect(m.readFile("/sys/fs/cgroup/files/memory.current")).toBeUndefined();
    expect(rootShmemAfterRmdir).toBeGreaterThanOrEqual(4 << 20);
    // truncated: the pages are freed and uncharged (the validator at every step found the sums right)
    expect(field(m.readFile("/sys/fs/cgroup/memory.stat")!, "shmem")).toBe(0);
    expect(m.readFile("/sys/fs/cgroup/cgroup.procs")).toContain("1\n");
  }, 30_000);

  it("the root memory.stat counts the root's pages; bad writes and steps are refused with a reason", () => {
    const m = Machine.create(loadScenario("machine:\n  memory: 128M\nworkload:\n  - sleep: 1\n", "memcg.yaml"));
    m.boot();
    m.runWorkload();
    expect(m.readFile("/sys/fs/cgroup/cgroup.controllers")).toBe("memory\n");
    expect(m.readFile("/sys/fs/cgroup/memory.stat")).toMatch(/^anon \d+\nfile \d+\nkernel \d+\nkernel_stack 0\npagetables \d+\nsec_pagetables 0\n/);
    expect(() => m.writeFile("/sys/fs/cgroup/cgroup.subtree_control", "+cpu")).toThrow(/\+memory/);
    expect(() => Machine.create(loadScenario("machine:\n  memory: 128M\nworkload:\n  - cgroup_mkdir: /tmp/x\n", "memcg.yaml"))).toThrow(/directory under \/sys\/fs\/cgroup/);
    const bad = Machine.create(loadScenario("machine:\n  memory: 128M\nworkload:\n  - cgroup_mkdir: /sys/fs/cgroup/a/b\n", "memcg.yaml"));
    bad.boot();
    expect(() => bad.runWorkload()).toThrow(/ENOENT: make the parent cgroup first/);
  }, 30_000);
  it("memory.low protects a group's pages from global reclaim: a latency-sensitive service keeps its memory while a batch job pushes the board into swap", () => {
    const yaml = (low: string) =>
      "machine:\n  memory: 64M\n  cpus: 1\nworkload:\n  - zram: { size: 64M }\n" +
      "  - cgroup_mkdir: /sys/fs/cgroup/svc\n  - cgroup_mkdir: /sys/fs/cgroup/batch\n" +
      '  - write: { path: /sys/fs/cgroup/cgroup.subtree_control, value: "+memory" }\n' +
      `  - write: { path: /sys/fs/cgroup/svc/memory.low, value: ${low} }\n` +
      '  - spawn: { as: svc, path: /bin/svc, steps: [ { write: { path: /sys/fs/cgroup/svc/cgroup.procs, value: "0" } }, { mmap: { as: a, size: 8M } }, { access: { as: a, write: true, content: random } }, { sleep: 2000 } ] }\n' +
      "  - sleep: 10\n" +
      '  - spawn: { as: batch, path: /bin/batch, steps: [ { write: { path: /sys/fs/cgroup/batch/cgroup.procs, value: "0" } }, { mmap: { as: b, size: 56M } }, { access: { as: b, write: true, content: random } } ] }\n' +
      "  - wait: { for: batch }\n  - label: after\n";
    const svcSwap = (low: string) => {
      let swap = -1;
      const { m, r, problems } = run(yaml(low), (mm) => {
        const v = mm.readFile("/sys/fs/cgroup/svc/memory.swap.current");
        if (v !== undefined && mm.readFile("/proc/2/status") !== undefined) swap = Number(v);
      });
      expect(r.panic).toBeUndefined();
      expect(problems).toEqual([]);
      expect(Number(/^pswpout (\d+)$/m.exec(m.readFile("/proc/vmstat")!)![1])).toBeGreaterThan(2048); // the board did swap
      return swap;
    };
    // unprotected, the service's older pages are reclaimed first; with memory.low above its usage, none are
    expect(svcSwap("0")).toBeGreaterThan(512 << 10);
    expect(svcSwap("16M")).toBe(0);
  }, 60_000); // two 64 MiB boots, each with 64 MiB of faults and zram swap-outs: 1–2 s alone, several times that on a loaded CI machine
});
