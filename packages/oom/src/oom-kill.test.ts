// mmsim: @mmsim/oom's OOM killer — the `oom` contract, oom_badness and /proc/<pid>/oom_score by hand, the report's lines in 6.1's formats, the sysctls' behaviour
import { GFP_HIGHUSER_MOVABLE, GFP_NOFS, KernelLog, OOM_KILL, SimClock, VmStat, isKernelPanic, oomBadness, procOomScore } from "@mmsim/core";
import { SmallOomHost, describeOomPolicy } from "@mmsim/core/contracts";
import { describe, expect, it } from "vitest";
import { OomKiller, nodeList } from "./oom-kill.ts";

function killer(host: SmallOomHost) {
  const clock = new SimClock();
  const log = new KernelLog(clock);
  const vmstat = new VmStat(1);
  return { k: new OomKiller({ host: () => host, log, vmstat, clock }), log, vmstat, clock };
}

describeOomPolicy("oom-killer", (host) => killer(host).k);

describe("oom_badness and oom_score", () => {
  const task = (over: object) => ({
    pid: 2, tgid: 2, uid: 0, comm: "t", oomScoreAdj: 0, unkillable: false, mmId: 2, totalVm: 0, anonRss: 0, fileRss: 0, shmemRss: 0, swapents: 0,
    pgtablesBytes: 0, oomVictim: false, oomSkip: false, exiting: false, ...over,
  });
  it("is rss + swap entries + page-table pages + oom_score_adj × totalpages/1000 (integer division first)", () => {
    // 1000 + 200 + 50 + 3 + 8192/4096 = 1255; adj 100 × floor(262144/1000) = 100 × 262 = 26200
    expect(oomBadness(task({ anonRss: 1000, fileRss: 200, shmemRss: 50, swapents: 3, pgtablesBytes: 8192 + 100, oomScoreAdj: 100 }), 262144)).toBe(1255 + 26200);
    expect(oomBadness(task({ anonRss: 10, oomScoreAdj: -1000 }), 262144)).toBeNull();
    expect(oomBadness(task({ anonRss: 10, unkillable: true }), 262144)).toBeNull();
    expect(oomBadness(task({ anonRss: 10, mmId: -1 }), 262144)).toBeNull();
    expect(oomBadness(task({ anonRss: 10, oomSkip: true }), 262144)).toBeNull();
  });
  it("oom_score scales it into 0..2000: (1000 + badness × 1000 / totalpages) × 2 / 3", () => {
    // badness 26215 of 262144 pages: 26215000 / 262144 = 100 → (1000 + 100) × 2 / 3 = 733; 26214 gives 99 → 732
    expect(procOomScore(task({ anonRss: 26215 }), 262144)).toBe("733\n");
    expect(procOomScore(task({ anonRss: 26214 }), 262144)).toBe("732\n");
    // an unkillable task reads 0; an empty one 666
    expect(procOomScore(task({ unkillable: true }), 262144)).toBe("0\n");
    expect(procOomScore(task({}), 262144)).toBe("666\n");
    // oom_score_adj -999 with little memory: 1000 + (-999·262 + 5)·1000/262144 = 1000 - 998 = 2 → 1
    expect(procOomScore(task({ anonRss: 5, oomScoreAdj: -999 }), 262144)).toBe("1\n");
  });
});

describe("the OOM killer's report and knobs", () => {
  function machine() {
    const host = new SmallOomHost();
    host.add({ pid: 1, comm: "init", anon: 40 });
    host.add({ pid: 7, comm: "writer", anon: 500, file: 20, oomScoreAdj: -500 });
    host.add({ pid: 9, comm: "hog", anon: 2000, swapents: 100, shmem: 3, pgtablesBytes: 12288 });
    host.currentPid = 7;
    return { host, ...killer(host) };
  }
  it("prints the report's lines as 6.1 does and counts oom_kill", () => {
    const { host, k, log, vmstat } = machine();
    expect(k.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0)).toBe(true);
    const text = log.all().map((r) => r.text);
    expect(text[0]).toBe("writer invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=-500");
    expect(text).toContain("Tasks state (memory values in pages):");
    expect(text).toContain("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
    // dump_task: "[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s"
    expect(text).toContain("[      7]     0     7      520      520     4096        0          -500 writer");
    expect(text).toContain("[      9]     0     9     2003     2003    12288      100             0 hog");
    expect(text.some((t) => t.includes("init"))).toBe(false); // dump_task skips the unkillable
    expect(text).toContain("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=hog,pid=9,uid=0");
    expect(text).toContain("Out of memory: Killed process 9 (hog) total-vm:8012kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:12kB, UID:0 pgtables:12kB oom_score_adj:0");
    expect(text).toContain("oom_reaper: reaped process 9 (hog), now anon-rss:0kB, file-rss:0kB, shmem-rss:12kB");
    expect(host.lines).toEqual(["Call trace: dump_header oom_kill_process out_of_memory __alloc_pages_slowpath.constprop.0 __alloc_pages", "Mem-Info:"]);
    expect(vmstat.sumVmEvent(OOM_KILL)).toBe(1);
    expect(k.victims.map((v) => v.pid)).toEqual([9]);
  });
  it("vm.oom_dump_tasks 0 leaves the task table out", () => {
    const { k, log } = machine();
    k.oomDumpTasks = 0;
    k.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
    expect(log.all().some((r) => r.text.startsWith("Tasks state"))).toBe(false);
  });
  it("vm.oom_kill_allocating_task kills the allocating task instead of the biggest", () => {
    const { host, k, log } = machine();
    k.oomKillAllocatingTask = 1;
    k.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
    expect(host.list.filter((t) => t.killed).map((t) => t.pid)).toEqual([7]);
    expect(log.all().some((r) => r.text.startsWith("Out of memory (oom_kill_allocating_task): Killed process 7 (writer)"))).toBe(true);
  });
  it("vm.panic_on_oom 1 and 2 panic with 6.1's message after the header, killing nobody", () => {
    for (const [v, word] of [[1, "system-wide"], [2, "compulsory"]] as const) {
      const { host, k, log } = machine();
      k.panicOnOom = v;
      let e: unknown;
      try {
        k.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
      } catch (x) {
        e = x;
      }
      expect(isKernelPanic(e) && e.reason).toBe(`Out of memory: ${word} panic_on_oom is enabled`);
      expect(log.all()[0]!.text).toMatch(/invoked oom-killer/);
      expect(host.list.some((t) => t.killed)).toBe(false);
    }
  });
  it("an allocation without __GFP_FS does not kill (the OOM killer does not compensate for IO-less reclaim)", () => {
    const { host, k } = machine();
    expect(k.outOfMemory(GFP_NOFS, 0, 0)).toBe(true);
    expect(host.list.some((t) => t.killed)).toBe(false);
  });
  it("the report is rate-limited as oom_rs (10 per 5 s), the kills are not", () => {
    const host = new SmallOomHost();
    host.add({ pid: 1, comm: "init" });
    for (let pid = 2; pid < 14; pid++) host.add({ pid, anon: 100 + pid });
    const { k, log } = killer(host);
    for (let i = 0; i < 12; i++) k.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
    expect(k.kills).toBe(12);
    expect(log.all().filter((r) => r.text.includes("invoked oom-killer")).length).toBe(10);
  });
  it("%*pbl node lists", () => {
    expect(nodeList([0])).toBe("0");
    expect(nodeList([0, 1, 2, 4])).toBe("0-2,4");
  });
});
