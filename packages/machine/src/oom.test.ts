// mmsim: the kernel's OOM killer on a booted machine (issue 19 part 2) — a full swap device ends in an OOM kill, not a crash; the victim is the task with the highest badness; its memory all comes back; the dmesg report has 6.1's lines
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

function run(yaml: string, onStep?: (m: Machine) => void) {
  const m = Machine.create(loadScenario(yaml, "oom.yaml"));
  m.boot();
  const r = m.runWorkload({ onStep: () => onStep?.(m) });
  const problems: string[] = [];
  m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
  return { m, r, problems: problems.filter((p) => !p.startsWith("pgtable ")) };
}

const vmstat = (m: Machine, key: string) => Number(new RegExp(`^${key} (\\d+)$`, "m").exec(m.readFile("/proc/vmstat")!)![1]);

describe("the OOM killer", () => {
  it("a task touching more than RAM + swap is killed once zram is full (issue 16's bar: an OOM kill, not a crash)", () => {
    const { m, r, problems } = run(
      `machine:\n  memory: 64M\n  cpus: 1\nworkload:\n  - zram: { size: 8M }\n  - spawn:\n      as: hog\n      path: /bin/hog\n      steps:\n        - mmap: { as: a, size: 40M }\n        - access: { as: a, write: true, content: random }\n        - mmap: { as: b, size: 40M }\n        - access: { as: b, write: true, content: random }\n  - wait: { for: hog }\n  - show: /proc/meminfo\n`,
    );
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    const log = m.log.dmesg();
    // the failing allocation is the hog's (an anonymous page or one of its page tables)
    expect(log).toMatch(/hog invoked oom-killer: gfp_mask=0x[0-9a-f]+\((GFP_HIGHUSER_MOVABLE|GFP_KERNEL_ACCOUNT)[^)]*\), order=0, oom_score_adj=0/);
    expect(log).toContain("Mem-Info:");
    expect(log).toMatch(/Node 0 DMA free:\d+kB boost:\d+kB min:\d+kB low:\d+kB high:\d+kB reserved_highatomic:0KB/);
    expect(log).toMatch(/lowmem_reserve\[\]: \d+ \d+ \d+ \d+/);
    expect(log).toMatch(/Free swap {2}= \d+kB/);
    expect(log).toContain("Tasks state (memory values in pages):");
    expect(log).toContain("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name");
    expect(log).toMatch(/oom-kill:constraint=CONSTRAINT_NONE,nodemask=\(null\),cpuset=\/,mems_allowed=0,global_oom,task_memcg=\/,task=hog,pid=2,uid=0/);
    expect(log).toMatch(/Out of memory: Killed process 2 \(hog\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB, UID:0 pgtables:\d+kB oom_score_adj:0/);
    expect(vmstat(m, "oom_kill")).toBe(1);
    // the victim exited: its pages and its swap slots came back
    expect(m.readFile("/proc/2/status")).toBeUndefined();
    const meminfo = m.readFile("/proc/meminfo")!;
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(meminfo)![1]);
    // every slot back but what the per-CPU slot cache holds (SWAP_SLOTS_CACHE_SIZE, 64 slots: counted as used in 6.1)
    expect(kb("SwapTotal") - kb("SwapFree")).toBeLessThanOrEqual(64 * 4);
    expect(kb("AnonPages")).toBeLessThan(4096);
  }, 30_000); // a boot and ~60 MiB of faults, reclaim and zram writes: about 1 s alone, several on a loaded 2-core CI machine

  it("picks by badness with oom_score_adj: a sleeping 12 MiB task at +500 goes before a 20 MiB one at -500; the reaper frees it at once; oom_score agrees", () => {
    const seen: { adj2?: string; score1?: string; score2?: number; score3?: number; alive3AfterKill?: boolean } = {};
    const { m, r, problems } = run(
      `machine:\n  memory: 64M\n  cpus: 1\nworkload:\n` +
        `  - spawn: { as: big, path: /bin/big, steps: [ { write: { path: /proc/self/oom_score_adj, value: "-500" } }, { mmap: { as: a, size: 20M } }, { access: { as: a, write: true } }, { sleep: 100000 } ] }\n` +
        `  - spawn: { as: bg, path: /bin/bg, steps: [ { write: { path: /proc/self/oom_score_adj, value: "500" } }, { mmap: { as: b, size: 12M } }, { access: { as: b, write: true } }, { sleep: 100000 } ] }\n` +
        `  - sleep: 10\n` +
        `  - label: before\n` +
        `  - spawn: { as: hog, path: /bin/hog, steps: [ { mmap: { as: c, size: 16M } }, { access: { as: c, write: true } }, { mmap: { as: d, size: 16M } }, { access: { as: d, write: true } } ] }\n` +
        `  - wait: { for: hog }\n`,
      (m) => {
        // at each step: the scores while all three live, and whether bg still runs after the kill
        const s2 = m.readFile("/proc/2/oom_score");
        const s3 = m.readFile("/proc/3/oom_score");
        if (s2 !== undefined && s3 !== undefined && !m.log.dmesg().includes("Killed process")) {
          seen.adj2 = m.readFile("/proc/2/oom_score_adj");
          seen.score1 = m.readFile("/proc/1/oom_score");
          seen.score2 = Number(s2);
          seen.score3 = Number(s3);
        }
        if (m.log.dmesg().includes("Killed process 3")) seen.alive3AfterKill ??= false;
      },
    );
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    const log = m.log.dmesg();
    expect(log).toMatch(/Out of memory: Killed process 3 \(bg\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:\d+kB, UID:0 pgtables:\d+kB oom_score_adj:500/);
    // bg was asleep: the OOM reaper unmapped its anonymous memory at once
    expect(log).toMatch(/oom_reaper: reaped process 3 \(bg\), now anon-rss:0kB, file-rss:\d+kB, shmem-rss:0kB/);
    expect(log).not.toContain("Killed process 2 (big)");
    expect(seen.adj2).toBe("-500\n");
    // oom_score = (1000 + badness·1000/totalpages)·2/3 with oom_score_adj × ⌊totalpages/1000⌋ in the badness (8 pages per
    // unit on this ~35 MiB board): big (5,120 pages − 4,000) ≈ 750, bg (3,072 + 4,000 pages) ≈ 1,190; init 0 (unkillable)
    expect(seen.score2!).toBeGreaterThan(700);
    expect(seen.score2!).toBeLessThan(800);
    expect(seen.score3!).toBeGreaterThan(1100);
    expect(seen.score3!).toBeLessThan(1300);
    expect(seen.score1).toBe("0\n");
  }, 30_000);

  it("with nothing killable (init alone filling memory with slab) the kernel panics: System is deadlocked on memory", () => {
    const m = Machine.create(loadScenario("machine: { memory: 64M }\nworkload:\n  - slab_churn: { sizes: [4096], as: x, pattern: steady, ops: 10, live: 100000 }\n", "oom.yaml"));
    const r = m.runWorkload();
    expect(r.panic?.reason).toBe("System is deadlocked on memory");
    const log = m.log.dmesg();
    expect(log).toContain("Out of memory and no killable processes...");
    expect(log).toContain("Kernel panic - not syncing: System is deadlocked on memory");
  }, 60_000 /* fills a 64 MiB board with 4 KiB objects: about a second on a loaded 2-core machine */);
});
