// mmsim: the CFS model of sched.ts against the rules of kernel/sched/fair.c (v6.1)
import { describe, expect, it } from "vitest";
import { SE_BLOCKED, SE_DEAD, type SchedEntity, Scheduler } from "./sched.ts";

const MS = 1_000_000;

/** A task's program: step costs in ns; "sleep:N" sleeps N ns; "fork:K" forks task K; "wait" waits for its children. */
type Op = number | `sleep:${number}` | `fork:${number}` | "wait";

/** Runs programs on the scheduler; returns the trace "pid@cpu:start" of every step. */
function run(nrCpus: number, programs: Record<number, Op[]>, trace: string[] = []): { trace: string[]; sched: Scheduler; ends: Map<number, number> } {
  const sched = new Scheduler(nrCpus);
  const pc = new Map<number, number>();
  const ses = new Map<number, SchedEntity>();
  const parentOf = new Map<number, number>();
  const live = new Map<number, number>(); // parent pid -> live children
  const ends = new Map<number, number>();
  ses.set(1, sched.addInit(1, 0));
  for (let guard = 0; guard < 10_000; guard++) {
    const se = sched.pickNext();
    if (se === null) return { trace, sched, ends };
    const now = sched.cpuClock(se.cpu);
    const prog = programs[se.pid]!;
    const i = pc.get(se.pid) ?? 0;
    if (i >= prog.length) {
      sched.exit(se);
      ends.set(se.pid, now);
      const p = parentOf.get(se.pid);
      if (p !== undefined) {
        live.set(p, live.get(p)! - 1);
        if (live.get(p) === 0 && ses.get(p)!.state === SE_BLOCKED) sched.wake(ses.get(p)!, now);
      }
      continue;
    }
    pc.set(se.pid, i + 1);
    const op = prog[i]!;
    trace.push(`${se.pid}@${se.cpu}:${now / MS}`);
    if (typeof op === "number") sched.accountRun(se, op, now + op);
    else if (op.startsWith("sleep:")) sched.sleep(se, now + Number(op.slice(6)));
    else if (op.startsWith("fork:")) {
      const k = Number(op.slice(5));
      ses.set(k, sched.fork(k, se));
      parentOf.set(k, se.pid);
      live.set(se.pid, (live.get(se.pid) ?? 0) + 1);
      sched.accountRun(se, 0, now);
    } else if ((live.get(se.pid) ?? 0) > 0) sched.block(se);
  }
  throw new Error("did not finish");
}

describe("Scheduler (CFS)", () => {
  it("scales the tunables by 1 + ilog2(min(cpus, 8))", () => {
    expect(new Scheduler(1).latencyNs).toBe(6 * MS);
    expect(new Scheduler(2).latencyNs).toBe(12 * MS);
    expect(new Scheduler(4).minGranularityNs).toBe(2.25 * MS);
    expect(new Scheduler(64).wakeupGranularityNs).toBe(4 * MS);
    const s = new Scheduler(1);
    expect(s.schedSlice(2)).toBe(3 * MS);
    expect(s.schedSlice(16)).toBe(0.75 * MS); // period 16 × 0.75 ms over 16 tasks
  });

  it("shares one CPU between two busy tasks slice by slice", () => {
    const busy = Array.from({ length: 12 }, () => 1 * MS);
    const { trace, sched, ends } = run(1, { 1: ["fork:2", ...busy], 2: busy });
    // The child starts one vslice (3 ms) behind, so the parent runs until it is more than a slice ahead.
    expect(trace.slice(0, 10).map((t) => t.split("@")[0])).toEqual(["1", "1", "1", "1", "1", "2", "2", "2", "2", "1"]);
    expect(ends.get(1)! + ends.get(2)!).toBeGreaterThan(0);
    expect(sched.cpuClock(0)).toBe(24 * MS);
    const [a, b] = sched.entities();
    expect(a!.sumExecRuntime).toBe(12 * MS);
    expect(b!.sumExecRuntime).toBe(12 * MS);
    expect(a!.nivcsw + b!.nivcsw).toBeGreaterThan(2);
  });

  it("puts a forked task on an idle CPU, which starts at the fork's time", () => {
    const { trace, sched } = run(2, { 1: [2 * MS, "fork:2", 1 * MS, 1 * MS], 2: [5 * MS] });
    expect(trace).toEqual(["1@0:0", "1@0:2", "1@0:2", "2@1:2", "1@0:3"]);
    expect(sched.cpuClock(1)).toBe(7 * MS);
  });

  it("wakes a sleeper before any step that starts after its wake-up time", () => {
    const { trace } = run(2, { 1: ["fork:2", "sleep:3000000", 1 * MS], 2: [2 * MS, 2 * MS, 2 * MS] });
    // CPU1 runs pid 2 at 0, 2, 4; pid 1 wakes at 3 ms on CPU 0 (idle since 0) and runs at 3 ms, before pid 2's step at 4 ms.
    expect(trace).toEqual(["1@0:0", "1@0:0", "2@1:0", "2@1:2", "1@0:3", "2@1:4"]);
  });

  it("wakes a waiting parent when its last child exits, at the child's time", () => {
    const { trace, sched } = run(2, { 1: ["fork:2", "fork:3", "wait", 1 * MS], 2: [4 * MS], 3: [6 * MS] });
    expect(trace[trace.length - 1]).toBe("1@0:6");
    expect(sched.entities().every((e) => e.state === SE_DEAD)).toBe(true);
  });

  it("is deterministic", () => {
    const progs = { 1: ["fork:2", "fork:3", 3 * MS, "sleep:1000000", 2 * MS, "wait"] as Op[], 2: [1 * MS, 1 * MS, "sleep:5000000", 4 * MS] as Op[], 3: [2 * MS, 7 * MS] as Op[] };
    expect(run(2, progs).trace).toEqual(run(2, progs).trace);
  });
});
