// mmsim: tests of the memory controller without a machine — page counters, charging with per-CPU stocks, limits, the hierarchy's files and the validator
import { GFP_KERNEL, GFP_NOWAIT, KernelLog, MemMap, type MemcgOomControl, NR_VM_EVENT_ITEMS, SimClock } from "@mmsim/core";
import { TaskStruct, type TaskTableView } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { listCgroupFiles, readCgroupFile, writeCgroupFile } from "./cgroupfs.ts";
import { MEMCG_CHARGE_BATCH, MEMCG_MAX, MEMCG_OOM, MemcgController, pageCounterMemparse } from "./memcontrol.ts";
import { PAGE_COUNTER_MAX, PageCounter, effectiveProtection, pageCounterTryCharge, pageCounterUncharge } from "./page-counter.ts";

/** A controller over a 4,096-page mem map, two tasks (init pid 1, a worker pid 2 running), no reclaim. */
function setup(opts: { reclaim?: (mask: Uint8Array, nr: number) => number; oom?: (oc: MemcgOomControl) => boolean } = {}) {
  const mem = new MemMap({ basePfn: 0, nrPages: 4096, nrListHeads: 0 });
  const init = new TaskStruct(1, null, null, "init");
  const worker = new TaskStruct(2, init, null, "worker");
  let current: TaskStruct = worker;
  const tasks: TaskTableView = { lookup: (pid) => [init, worker].find((t) => t.pid === pid), list: () => [init, worker], current: () => current };
  const clock = new SimClock();
  const ctl = new MemcgController({
    mem, clock, log: new KernelLog(clock, false), nrCpus: 2,
    tasks: () => tasks,
    reclaimer: () => (opts.reclaim ? { tryToFreeMemCgroupPages: (mask, nr) => opts.reclaim!(mask, nr) } : null),
    oom: () => (opts.oom ? { outOfMemory: () => false, memcgOutOfMemory: opts.oom } : null),
    psi: () => null,
    currentDying: () => false,
    pfMemalloc: () => false,
    totalSwapPages: () => 0,
    vmEvents: new Float64Array(NR_VM_EVENT_ITEMS),
  });
  const problems = (): string[] => {
    const out: string[] = [];
    ctl.validate((m) => out.push(m));
    return out;
  };
  return { mem, ctl, init, worker, problems, setCurrent: (t: TaskStruct) => (current = t) };
}

/** mkdir /a with +memory at the root, the worker moved into it. */
function inGroup(s: ReturnType<typeof setup>, max = "max") {
  const cg = s.ctl.mkdir("/a");
  if (typeof cg === "number") throw new Error(`mkdir ${cg}`);
  expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/cgroup.subtree_control", "+memory")).toBe(0);
  expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.max", max)).toBe(0);
  expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.procs", "2")).toBe(0);
  return cg;
}

describe("page counters", () => {
  it("charge every level, fail at the first level over its max (its failcnt counts) and leave nothing charged", () => {
    const root = new PageCounter(null);
    const mid = new PageCounter(root);
    const leaf = new PageCounter(mid);
    mid.max = 10;
    expect(pageCounterTryCharge(leaf, 8)).toBeNull();
    expect([leaf.usage, mid.usage, root.usage]).toEqual([8, 8, 8]);
    expect(pageCounterTryCharge(leaf, 3)).toBe(mid);
    expect([leaf.usage, mid.usage, root.usage, mid.failcnt, leaf.failcnt]).toEqual([8, 8, 8, 1, 0]);
    pageCounterUncharge(leaf, 8);
    // the leaf's watermark saw the 11 its level accepted before mid refused (as 6.1's does)
    expect([leaf.usage, mid.usage, root.usage, leaf.watermark, mid.watermark]).toEqual([0, 0, 0, 11, 8]);
    expect(() => pageCounterUncharge(leaf, 1)).toThrow(/underflow/);
  });

  it("effective_protection shares the parent's protection in proportion when the children claim more", () => {
    // two children claim 60 + 60 of a parent's effective 100: each gets 60 · 100 / 120
    expect(effectiveProtection(80, 200, 60, 100, 120, false)).toBe(50);
    // claims within the parent's: the child's own (min(usage, setting))
    expect(effectiveProtection(80, 200, 60, 100, 60, false)).toBe(60);
    // memory_recursiveprot: the unclaimed 40 shared by usage above the claim: 40 · (80-60)/(200-60)
    expect(effectiveProtection(80, 200, 60, 100, 60, true)).toBe(60 + Math.floor((40 * 20) / 140));
  });

  it("memory.* values parse as memparse does, in pages rounded down", () => {
    expect(pageCounterMemparse("64M", "max")).toBe(16384);
    expect(pageCounterMemparse("max", "max")).toBe(PAGE_COUNTER_MAX);
    expect(pageCounterMemparse("4097", "max")).toBe(1);
    expect(pageCounterMemparse("1g\n", "max")).toBe(262144);
    expect(pageCounterMemparse("lots", "max")).toBeNull();
  });
});

describe("charging", () => {
  it("the first charge takes MEMCG_CHARGE_BATCH pages into the CPU's stock; the next 63 come from it; memory.current counts the stock", () => {
    const s = setup();
    const cg = inGroup(s);
    expect(s.ctl.charge(0, 1, GFP_KERNEL, 0)).toBe(0);
    expect(cg.memory.usage).toBe(MEMCG_CHARGE_BATCH);
    expect(s.ctl.stockPages[0]).toBe(MEMCG_CHARGE_BATCH - 1);
    for (let p = 1; p < MEMCG_CHARGE_BATCH; p++) s.ctl.charge(p, 1, GFP_KERNEL, 0);
    expect(cg.memory.usage).toBe(MEMCG_CHARGE_BATCH);
    expect(s.ctl.stockPages[0]).toBe(0);
    s.ctl.charge(64, 1, GFP_KERNEL, 0);
    expect(cg.memory.usage).toBe(2 * MEMCG_CHARGE_BATCH);
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.current")).toBe(`${2 * MEMCG_CHARGE_BATCH * 4096}\n`);
    expect(s.mem.memcg[5]).toBe(cg.id);
    expect(s.problems()).toEqual([]);
    // uncharge goes straight to the counter (uncharge_batch), the stock stays
    s.ctl.uncharge(5, 0);
    expect(cg.memory.usage).toBe(2 * MEMCG_CHARGE_BATCH - 1);
    expect(s.mem.memcg[5]).toBe(0);
    expect(s.problems()).toEqual([]);
  });

  it("the root memcg's pages carry its id but its counter is not charged (try_charge returns 0 for it)", () => {
    const s = setup();
    expect(s.ctl.charge(10, 1, GFP_KERNEL, 1)).toBe(0);
    expect(s.mem.memcg[10]).toBe(1);
    expect(s.ctl.root.memory.usage).toBe(0);
    expect(s.ctl.root.pagesCharged).toBe(1);
    expect(s.problems()).toEqual([]);
  });

  it("over memory.max: MEMCG_MAX, limit reclaim, the stocks drained, retries, then the memcg OOM; -ENOMEM when it kills nothing", () => {
    let reclaims = 0;
    const ooms: MemcgOomControl[] = [];
    const s = setup({ reclaim: () => (reclaims++, 0), oom: (oc) => (ooms.push(oc), false) });
    const cg = inGroup(s, "16K"); // 4 pages
    for (let p = 0; p < 4; p++) expect(s.ctl.charge(p, 1, GFP_KERNEL, 0)).toBe(0);
    expect(s.ctl.charge(4, 1, GFP_KERNEL, 0)).toBe(-12);
    expect(cg.events[MEMCG_MAX]).toBeGreaterThan(0);
    expect(cg.events[MEMCG_OOM]).toBe(1);
    expect(reclaims).toBe(1 + 1 + 16); // the first pass, after the drain, MAX_RECLAIM_RETRIES more
    expect(ooms).toHaveLength(1);
    expect(ooms[0]!.path).toBe("/a");
    expect(ooms[0]!.contains(2)).toBe(true);
    expect(ooms[0]!.contains(1)).toBe(false);
    expect(s.mem.memcg[4]).toBe(0);
    expect(s.problems()).toEqual([]);
    // an atomic charge (no __GFP_DIRECT_RECLAIM) fails at once, without reclaim or OOM
    reclaims = 0;
    expect(s.ctl.charge(5, 1, GFP_NOWAIT, 0)).toBe(-12);
    expect(reclaims).toBe(0);
  });

  it("memory.high: a charge over it reclaims and then sleeps the penalty of calculate_high_delay on the clock", () => {
    const s = setup({ reclaim: () => 0 });
    const cg = inGroup(s);
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.high", `${64 * 4096}`)).toBe(0);
    for (let p = 0; p < 200; p++) s.ctl.charge(p, 1, GFP_KERNEL, 0);
    expect(cg.events[1]).toBeGreaterThan(0); // MEMCG_HIGH
    expect(s.ctl.highDelays).toBeGreaterThan(0);
    // the delay grows with the square of the overage: 2x over high for 64 pages is HZ/4 jiffies... capped at 2 s
    expect(MemcgController.highDelay(64, 1 << 20)).toBe(Math.floor(((1 << 20) * (1 << 20) * 250) / 2 ** 34));
    expect(s.problems()).toEqual([]);
  });

  it("swap charges follow memory.swap.max and go back when the slot is freed", () => {
    const s = setup();
    const cg = inGroup(s);
    s.ctl.charge(7, 1, GFP_KERNEL, 0);
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.swap.max", "4096")).toBe(0);
    expect(s.ctl.tryChargeSwap(7, 100, 1)).toBe(0);
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.swap.current")).toBe("4096\n");
    expect(s.ctl.tryChargeSwap(7, 101, 1)).toBe(-12);
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.swap.events")).toBe("high 0\nmax 1\nfail 1\n");
    s.ctl.unchargeSwap(100, 1);
    expect(cg.swap.usage).toBe(0);
    expect(s.problems()).toEqual([]);
  });
});

describe("the hierarchy", () => {
  it("mkdir/rmdir, subtree_control, cgroup.procs and v2's rules", () => {
    const s = setup();
    const a = s.ctl.mkdir("/a");
    expect(typeof a).not.toBe("number");
    expect(s.ctl.mkdir("/a")).toBe(-17);
    expect(s.ctl.mkdir("/x/y")).toBe(-2);
    // no memory.* files in /a until the root's subtree_control has memory
    expect(listCgroupFiles(s.ctl)).not.toContain("/sys/fs/cgroup/a/memory.current");
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/cgroup.subtree_control", "+memory")).toBe(0);
    expect(listCgroupFiles(s.ctl)).toContain("/sys/fs/cgroup/a/memory.current");
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.max")).toBe("max\n");
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/memory.events")).toBe("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.procs", "2")).toBe(0);
    expect(s.worker.cgroupId).toBe((a as { id: number }).id);
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.procs")).toBe("2\n");
    expect(readCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.events")).toBe("populated 1\nfrozen 0\n");
    // a cgroup with tasks can't enable controllers for its children (no internal processes)
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.subtree_control", "+memory")).toMatch(/EBUSY/);
    expect(s.ctl.rmdir("/a")).toBe(-16);
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/cgroup.procs", "2")).toBe(0);
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.procs", "99")).toMatch(/ESRCH/);
    // 0 is the writing task
    s.setCurrent(s.worker);
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/a/cgroup.procs", "0")).toBe(0);
    expect(s.worker.cgroupId).toBe((a as { id: number }).id);
    expect(writeCgroupFile(s.ctl, "/sys/fs/cgroup/cgroup.procs", "2")).toBe(0);
    expect(s.ctl.rmdir("/a")).toBe(0);
    expect(s.ctl.lookup("/a")).toBeUndefined();
  });

  it("a removed memcg with charged pages stays (a zombie) until its last page is uncharged; its id is then free", () => {
    const s = setup();
    const a = inGroup(s);
    s.ctl.charge(3, 1, GFP_KERNEL, 0);
    writeCgroupFile(s.ctl, "/sys/fs/cgroup/cgroup.procs", "2");
    expect(s.ctl.rmdir("/a")).toBe(0);
    expect(s.ctl.fromId(a.id)).toBe(a); // the page still points at it
    expect(s.problems()).toEqual([]);
    s.ctl.uncharge(3, 0);
    expect(s.ctl.fromId(a.id)).toBeUndefined();
    expect(s.ctl.root.memory.usage).toBe(0);
    expect(s.problems()).toEqual([]);
  });

  it("the validator reports a page charged to a memcg that does not exist and counts that disagree", () => {
    const s = setup();
    const a = inGroup(s);
    s.ctl.charge(3, 1, GFP_KERNEL, 0);
    s.mem.memcg[9] = 77;
    s.mem.memcg[10] = a.id;
    const p = s.problems();
    expect(p.some((x) => x.includes("memcg id 77"))).toBe(true);
    expect(p.some((x) => x.includes("2 pages carry its id, but it counts 1"))).toBe(true);
  });
});
