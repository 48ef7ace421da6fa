// mmsim: the `oom` slot's contract suite — what every OutOfMemoryHandler owes the page allocator and the tasks (the kernel's killer, lmkd, a user's policy), over a small fake OomHost
import { expect } from "vitest";
import { KernelPanic, isKernelPanic } from "../panic.ts";
import { GFP_KERNEL, GFP_HIGHUSER_MOVABLE } from "../gfp.ts";
import { OOM_SCORE_ADJ_MIN, type OomHost, type OomTask } from "../policies/oom.ts";
import type { OutOfMemoryHandler } from "../policies/page-alloc-hooks.ts";
import { describeContract, type ContractCase } from "./contract.ts";

/** A task of SmallOomHost: its pages, and what the killer did to it. */
export interface FakeOomTask {
  pid: number;
  comm: string;
  oomScoreAdj: number;
  /** init (pid 1) and kernel threads. */
  unkillable: boolean;
  anon: number;
  file: number;
  shmem: number;
  swapents: number;
  pgtablesBytes: number;
  killed: boolean;
  victim: boolean;
  oomSkip: boolean;
  exited: boolean;
}

/**
 * A machine of a few tasks for the contract: SIGKILL marks the task, reaping frees its
 * anonymous pages and swap entries (as __oom_reap_task_mm does to private anonymous memory), and
 * `freePages` counts what came back. The running task (`currentPid`) cannot be reaped.
 */
export class SmallOomHost implements OomHost {
  readonly list: FakeOomTask[] = [];
  currentPid = 0;
  totalram = 10_000;
  totalSwap = 0;
  freePages = 0;
  readonly lines: string[] = [];

  add(t: Partial<FakeOomTask> & { pid: number }): FakeOomTask {
    const task: FakeOomTask = {
      comm: `task${t.pid}`, oomScoreAdj: 0, unkillable: t.pid === 1, anon: 0, file: 0, shmem: 0, swapents: 0, pgtablesBytes: 4096,
      killed: false, victim: false, oomSkip: false, exited: false, ...t,
    };
    this.list.push(task);
    return task;
  }

  private view(t: FakeOomTask): OomTask {
    return {
      pid: t.pid, tgid: t.pid, uid: 0, comm: t.comm, oomScoreAdj: t.oomScoreAdj, unkillable: t.unkillable, mmId: t.exited ? -1 : t.pid, totalVm: t.anon + t.file + t.shmem,
      anonRss: t.anon, fileRss: t.file, shmemRss: t.shmem, swapents: t.swapents, pgtablesBytes: t.pgtablesBytes, oomVictim: t.victim, oomSkip: t.oomSkip, exiting: t.killed,
    };
  }

  tasks(): readonly OomTask[] {
    return this.list.map((t) => this.view(t));
  }
  current(): OomTask | null {
    const t = this.list.find((x) => x.pid === this.currentPid);
    return t === undefined ? null : this.view(t);
  }
  totalramPages(): number {
    return this.totalram;
  }
  totalSwapPages(): number {
    return this.totalSwap;
  }
  nodesWithMemory(): readonly number[] {
    return [0];
  }
  dumpStack(frames: readonly string[]): void {
    this.lines.push(`Call trace: ${frames.join(" ")}`);
  }
  showMem(): void {
    this.lines.push("Mem-Info:");
  }
  sigkill(pid: number): void {
    const t = this.list.find((x) => x.pid === pid)!;
    t.killed = true;
    t.victim = true;
  }
  reap(pid: number): boolean {
    const t = this.list.find((x) => x.pid === pid)!;
    if (pid === this.currentPid || t.oomSkip || t.exited) return false;
    this.freePages += t.anon;
    t.anon = 0;
    t.swapents = 0;
    t.oomSkip = true;
    return true;
  }
  setOomSkip(pid: number): void {
    this.list.find((x) => x.pid === pid)!.oomSkip = true;
  }
  /** The victims' programs run again and exit (do_exit → exit_mmap frees the rest). */
  exitKilled(): void {
    for (const t of this.list) {
      if (!t.killed || t.exited) continue;
      this.freePages += t.anon + t.file + t.shmem;
      t.anon = t.file = t.shmem = t.swapents = 0;
      t.exited = true;
      t.victim = false;
    }
  }
}

/** What a contract case gets: the handler under test, built over the host. */
export interface OomPolicySubject {
  readonly host: SmallOomHost;
  readonly handler: OutOfMemoryHandler;
}

/** init, a small task and a big one; the big one allocating. */
function threeTasks(s: OomPolicySubject): void {
  s.host.add({ pid: 1, comm: "init", anon: 50 });
  s.host.add({ pid: 2, comm: "small", anon: 100 });
  s.host.add({ pid: 3, comm: "big", anon: 3000, swapents: 500 });
}

const killedPids = (h: SmallOomHost): number[] => h.list.filter((t) => t.killed).map((t) => t.pid);

const CASES: readonly ContractCase<OomPolicySubject>[] = Object.freeze([
  {
    name: "kills the task holding the most memory, and only one, and reports progress",
    run(s) {
      threeTasks(s);
      s.host.currentPid = 2;
      expect(s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0)).toBe(true);
      expect(killedPids(s.host)).toEqual([3]);
    },
  },
  {
    name: "the victim's memory comes back (reaped at once when it is not running, or when it exits)",
    run(s) {
      threeTasks(s);
      s.host.currentPid = 2;
      s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
      s.host.exitKilled();
      expect(s.host.freePages).toBeGreaterThanOrEqual(3000);
    },
  },
  {
    name: "never kills init, a kernel thread or a task with oom_score_adj -1000",
    run(s) {
      s.host.add({ pid: 1, comm: "init", anon: 9000 });
      s.host.add({ pid: 2, comm: "kthread", anon: 9000, unkillable: true });
      s.host.add({ pid: 3, comm: "shielded", anon: 9000, oomScoreAdj: OOM_SCORE_ADJ_MIN });
      s.host.add({ pid: 4, comm: "tiny", anon: 1 });
      s.host.currentPid = 4;
      s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
      expect(killedPids(s.host)).toEqual([4]);
    },
  },
  {
    name: "oom_score_adj 1000 makes a small task the victim",
    run(s) {
      threeTasks(s);
      s.host.list[1]!.oomScoreAdj = 1000;
      s.host.currentPid = 3;
      s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
      expect(killedPids(s.host)).toEqual([2]);
    },
  },
  {
    name: "does not kill a second task while a victim is still exiting with its memory",
    run(s) {
      threeTasks(s);
      s.host.currentPid = 3; // the big one allocates: it is the victim, and cannot be reaped while it runs
      s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
      expect(killedPids(s.host)).toEqual([3]);
      s.host.currentPid = 2;
      expect(s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0)).toBe(true);
      expect(killedPids(s.host)).toEqual([3]);
    },
  },
  {
    name: "a victim that allocates again is told it is a victim (the allocator gives it the reserves, then fails it)",
    run(s) {
      threeTasks(s);
      s.host.currentPid = 3;
      expect(s.handler.currentIsOomVictim?.() ?? false).toBe(false);
      s.handler.outOfMemory(GFP_HIGHUSER_MOVABLE, 0, 0);
      if (s.handler.currentIsOomVictim) expect(s.handler.currentIsOomVictim()).toBe(true);
    },
  },
  {
    name: "with nothing killable the kernel panics (System is deadlocked on memory) instead of looping",
    run(s) {
      s.host.add({ pid: 1, comm: "init", anon: 9000 });
      s.host.currentPid = 1;
      let thrown: unknown;
      try {
        s.handler.outOfMemory(GFP_KERNEL, 0, 0);
      } catch (e) {
        thrown = e;
      }
      expect(isKernelPanic(thrown)).toBe(true);
      expect((thrown as KernelPanic).reason).toMatch(/deadlocked on memory/);
    },
  },
]);

/**
 * Runs the `oom` contract against a handler built by `make` over a fresh SmallOomHost.
 * @param name the implementation's name (the slot name: `oom-killer`, `lmkd`, a file)
 */
export function describeOomPolicy(name: string, make: (host: SmallOomHost) => OutOfMemoryHandler): void {
  describeContract<OomPolicySubject>("OutOfMemoryHandler (oom slot)", name, () => {
    const host = new SmallOomHost();
    return { host, handler: make(host) };
  }, CASES);
}
