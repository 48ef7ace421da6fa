// mmsim: the workload's tasks on the CFS model, end to end on a booted machine: fork, wait, exit, interleaving on two CPUs in simulated time, determinism
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

/** Runs a workload; returns the machine and the syscall log. */
function run(yaml: string) {
  const m = Machine.create(loadScenario(yaml, "tasks.yaml"));
  const shows: string[] = [];
  const r = m.runWorkload({ onShow: (path, text, step) => shows.push(`${step} ${path}\n${text}`) });
  return { m, r, shows, syscalls: m.readFile("/sys/kernel/debug/mmsim/syscalls")! };
}

describe("the task engine", () => {
  it("runs a forked child on the other CPU beside its parent, in simulated time, and wakes the parent when the child exits", { timeout: 60_000 }, () => {
    const yaml = `kernel: { sysctl: { randomize_va_space: 0 } }
workload:
  - mmap: { as: buf, size: 256K }
  - fork:
      as: child
      steps:
        - access: { as: buf, write: true }
        - show: /proc/self/status
  - access: { as: buf, write: true, size: 128K }
  - show: /proc/1/status
  - wait: { for: child }
  - show: /sys/kernel/debug/mmsim/syscalls
`;
    const { m, r, syscalls } = run(yaml);
    expect(r.failedExpects).toEqual([]);
    expect(syscalls).toMatch(/^step 2 pid 1 fork = 2$/m);
    // The child went to the idle CPU 1 (select_task_rq): both tasks' first steps start at the fork's time.
    const p = m.processes;
    expect(p.tasks.lookup(2)).toBeUndefined(); // exited, reaped by init
    const sink = new CollectingSink();
    m.validate(sink);
    expect(sink.problems).toEqual([]);
  });

  it("interleaves two busy tasks step by step on one CPU by their vruntime (CFS slices), the same way every run", { timeout: 60_000 }, () => {
    const yaml = `machine: { cpus: 1 }
workload:
  - fork:
      as: child
      steps:
        - repeat: { times: 8, steps: [ { mmap: { as: c, size: 8M } }, { access: { as: c, write: true } } ] }
  - repeat: { times: 8, steps: [ { mmap: { as: p, size: 8M } }, { access: { as: p, write: true } } ] }
  - wait: { for: child }
`;
    const pids = (log: string) => log.trim().split("\n").filter((l) => l.includes(" mmap = ")).map((l) => Number(/ pid (\d+) /.exec(l)![1]));
    const a = run(yaml);
    const seq = pids(a.syscalls);
    expect(seq.filter((x) => x === 1)).toHaveLength(8);
    expect(seq.filter((x) => x === 2)).toHaveLength(8);
    // Neither runs all its steps first: each step writes 8 MiB (2048 faults, each a zeroed page:
    // milliseconds of simulated time), so the slices (6 ms of latency shared by two) switch them.
    const switches = seq.slice(1).filter((x, i) => x !== seq[i]).length;
    expect(switches).toBeGreaterThan(1);
    const b = run(yaml);
    expect(pids(b.syscalls)).toEqual(seq);
    expect(b.m.clock.now()).toBe(a.m.clock.now());
    const se = a.m.processes.tasks.init!;
    expect(se.pid).toBe(1);
  });

  it("a task that sleeps lets the others run meanwhile; alone it lets time pass at once", { timeout: 60_000 }, () => {
    const alone = run("workload:\n  - sleep: 100\n");
    const t0 = alone.m.clock.now();
    expect(t0).toBeGreaterThanOrEqual(100_000_000);
    const two = run(`machine: { cpus: 1 }
workload:
  - fork:
      as: sleeper
      steps:
        - sleep: 50
        - mmap: { as: late, size: 4K }
  - mmap: { as: early, size: 4K }
  - wait: { for: sleeper }
`);
    // init's mmap ran while the child slept; the child's ran after its 50 ms
    const lines = two.syscalls.trim().split("\n");
    expect(lines.map((l) => l.replace(/^step \d+ /, ""))).toEqual(["pid 1 fork = 2", "pid 1 mmap = " + lines[1]!.split(" = ")[1], "pid 2 mmap = " + lines[2]!.split(" = ")[1]]);
    expect(two.m.clock.now()).toBeGreaterThanOrEqual(50_000_000);
  });

  it("init killed by SIGSEGV panics the kernel, as 6.1 does", { timeout: 60_000 }, () => {
    const { r, m } = run("kernel: { sysctl: { exception-trace: 1 } }\nworkload:\n  - mmap: { as: ro, size: 4K, prot: r }\n  - access: { as: ro, write: true }\n");
    expect(r.panic?.message).toMatch(/Attempted to kill init! exitcode=0x0000000b$/);
    // arm64_show_signal's line (debug.exception-trace set): a store (WnR) to a page with no PTE
    expect(m.log.all().map((x) => x.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^init\[1\]: unhandled exception: DABT \(lower EL\), ESR 0x000000009200004[4-7], level [0-3] translation fault in init\[400000\+[0-9a-f]+\]$/)]));
  });
});
