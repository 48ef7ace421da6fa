// mmsim: an example of a user's own `oom` policy, loaded from a module path — kill the youngest killable process instead of the largest (no kernel counterpart)
/*
 * What an Android-style "least recently started goes first" rule looks like in the `oom` slot:
 * when the page allocator runs out of memory after reclaim (out_of_memory), kill the killable
 * process with the highest pid (init, kernel threads and oom_score_adj -1000 are never killed),
 * and let the machine's reaper free its anonymous memory. It logs one line of its own, and counts
 * vmstat's oom_kill as the kernel's killer does, so `mmsim compare` shows the kills side by side.
 *
 * The contract every oom policy keeps is core's OutOfMemoryHandler (page-alloc-hooks.ts) over
 * core's OomHost (policies/oom.ts); @mmsim/core/contracts' describeOomPolicy checks it.
 *
 * Use it:   --set kernel.policies.oom=./examples/policies/kill-youngest.mjs
 * compare:  mmsim compare examples/scenarios/oom-three-tasks.yaml \
 *             --vary kernel.policies.oom=oom-killer,./examples/policies/kill-youngest.mjs
 */
import { KERNEL_LOG, OOM_KILL, OOM_SCORE_ADJ_MIN, OomHost, OutOfMemoryHandler, VM_STAT, panic } from "@mmsim/core";

class KillYoungest {
  /** @param {() => import("@mmsim/core").OomHost} host @param {import("@mmsim/core").KernelLog} log @param {import("@mmsim/core").VmStat} vmstat */
  constructor(host, log, vmstat) {
    this.host = host;
    this.log = log;
    this.vmstat = vmstat;
  }

  currentIsOomVictim() {
    const cur = this.host().current();
    return cur !== null && cur.oomVictim;
  }

  outOfMemory() {
    const host = this.host();
    const cur = host.current();
    if (cur !== null && cur.exiting && cur.mmId >= 0) return true; // already dying: let it use the reserves
    const tasks = host.tasks();
    // a victim still exiting with its memory: wait for it
    if (tasks.some((t) => t.oomVictim && !t.oomSkip && t.mmId >= 0)) return true;
    const candidates = tasks.filter((t) => !t.unkillable && t.mmId >= 0 && !t.oomSkip && t.oomScoreAdj !== OOM_SCORE_ADJ_MIN);
    if (candidates.length === 0) panic("kill-youngest", "System is deadlocked on memory\n");
    const victim = candidates.reduce((a, b) => (b.pid > a.pid ? b : a));
    this.vmstat.countVmEvent(OOM_KILL);
    host.sigkill(victim.pid);
    this.log.prErr(`kill-youngest: killed process ${victim.pid} (${victim.comm}), anon-rss:${victim.anonRss * 4}kB`);
    host.reap(victim.pid);
    return true;
  }
}

/** @type {import("@mmsim/core").MmsimModule} */
export default {
  slot: "oom",
  name: "kill-youngest",
  description: "kills the youngest killable process when memory runs out (an example of a user's oom policy)",
  register(container) {
    container.register(OutOfMemoryHandler, {
      useFactory: (c) => {
        let k;
        const get = () => (k ??= new KillYoungest(() => c.resolve(OomHost), c.resolve(KERNEL_LOG), c.resolve(VM_STAT)));
        return { outOfMemory: (gfp, order, nid) => get().outOfMemory(gfp, order, nid), currentIsOomVictim: () => get().currentIsOomVictim() };
      },
    });
  },
};
