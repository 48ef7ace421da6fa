// mmsim: the task table: spawn, fork (dup_mmap), exec, exit, wait and validateTasks (kernel/fork.c, exit.c, fs/exec.c v6.1)
import { ECHILD, EAGAIN, ENOMEM, isKernelPanic } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { ptePfn, pteWrite } from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { LAYOUT_PROBE_IMAGE, staticElfImage } from "./exec.ts";
import { checkSyncRssStat, syncMmRss, addMmCounterFast, getMmCounter } from "./fork.ts";
import { MM_ANONPAGES, type TaskStruct } from "./mm-types.ts";
import { TaskTable, validateTasks } from "./task.ts";
import { makeTaskEnv } from "./task.test-helpers.ts";
import { VM_DONTCOPY, VM_LOCKED, VM_WIPEONFORK } from "./vm-flags.ts";

function setup() {
  const t = makeTaskEnv();
  const table = new TaskTable(t.env, { possibleCpus: 2, sysctl: { randomizeVaSpace: 0 } });
  const check = () => {
    const sink = new CollectingSink();
    validateTasks(table, sink);
    expect(sink.toString()).toBe("");
  };
  const init = table.lookup(table.spawn(LAYOUT_PROBE_IMAGE, { argv: ["init"] }))!;
  check();
  return { ...t, table, init, check };
}

/** Writes one page of each anonymous VMA's first page (what a program's first stores do). */
function touchBss(t: ReturnType<typeof setup>, task: TaskStruct) {
  const bss = [...task.mm!.mt][2]!;
  expect(t.pageOps.populate(bss, bss.vmStart, bss.vmStart + 4 * 4096, true)).toBe(0);
}

describe("spawn and fork", () => {
  it("init is pid 1 with no parent; spawned tasks are its children with the next pids", () => {
    const t = setup();
    expect(t.init.pid).toBe(1);
    expect(t.init.parent).toBeNull();
    const a = t.table.spawn(LAYOUT_PROBE_IMAGE);
    const b = t.table.spawn(LAYOUT_PROBE_IMAGE, { parent: t.table.lookup(a)! });
    expect([a, b]).toEqual([2, 3]);
    expect(t.table.lookup(b)!.parent!.pid).toBe(2);
    expect(t.init.children.map((c) => c.pid)).toEqual([2]);
    expect(t.table.lookup(a)!.mm!.id).not.toBe(t.init.mm!.id);
    t.check();
  });

  it("fork copies every VMA and shares the anonymous pages write-protected (dup_mmap)", () => {
    const t = setup();
    const p = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    touchBss(t, p);
    const used = t.pages.pagesInUse;
    const c = t.table.lookup(t.table.fork(p))!;
    expect(c.comm).toBe("layout");
    expect([...c.mm!.mt].map((v) => [v.vmStart, v.vmEnd, v.vmFlags])).toEqual([...p.mm!.mt].map((v) => [v.vmStart, v.vmEnd, v.vmFlags]));
    expect([c.mm!.totalVm, c.mm!.dataVm, c.mm!.execVm, c.mm!.stackVm]).toEqual([p.mm!.totalVm, p.mm!.dataVm, p.mm!.execVm, p.mm!.stackVm]);
    expect(c.mm!.mmapBase).toBe(p.mm!.mmapBase);
    expect(c.mm!.brk).toBe(p.mm!.brk);
    // 4 bss pages + 1 stack page, now mapped twice; only page tables were allocated.
    expect(getMmCounter(c.mm!, MM_ANONPAGES)).toBe(5);
    expect(c.mm!.hiwaterRss).toBe(5);
    const bss = [...p.mm!.mt][2]!;
    const ptep = t.pageOps.ptep(p.mm!, bss.vmStart);
    const cptep = t.pageOps.ptep(c.mm!, bss.vmStart);
    expect(ptePfn(t.store.readLo(cptep), t.store.readHi(cptep))).toBe(ptePfn(t.store.readLo(ptep), t.store.readHi(ptep)));
    expect(pteWrite(t.store.readHi(ptep))).toBe(false); // write-protected in the parent too
    const page = t.pages.mem.pfnToPage(ptePfn(t.store.readLo(ptep), t.store.readHi(ptep)));
    expect(t.pages.mem.mapcount[page]).toBe(1); // _mapcount 1: two mappings
    expect(t.pages.pagesInUse - used).toBeGreaterThan(0);
    expect(t.anonOps.calls.filter((x) => x.startsWith("fork")).length).toBe(6);
    t.check();
  });

  it("VM_DONTCOPY is not copied (its pages leave the counters), VM_WIPEONFORK comes without pages, VM_LOCKED is cleared", () => {
    const t = setup();
    const p = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    touchBss(t, p);
    const [, data, bss, , , stack] = [...p.mm!.mt];
    data!.vmFlags |= VM_DONTCOPY;
    bss!.vmFlags |= VM_WIPEONFORK;
    stack!.vmFlags |= VM_LOCKED;
    p.mm!.lockedVm = stack!.pages();
    const c = t.table.lookup(t.table.fork(p))!;
    const cv = [...c.mm!.mt];
    expect(cv.length).toBe(5);
    expect(c.mm!.totalVm).toBe(p.mm!.totalVm - 7);
    expect(c.mm!.dataVm).toBe(p.mm!.dataVm - 7);
    expect(cv[1]!.vmStart).toBe(bss!.vmStart);
    expect(cv[1]!.anonVma).toBeNull();
    expect(t.pageOps.ptep(c.mm!, bss!.vmStart)).toBe(-1);
    expect(cv[4]!.vmFlags & VM_LOCKED).toBe(0);
    expect(c.mm!.lockedVm).toBe(0);
    expect(getMmCounter(c.mm!, MM_ANONPAGES)).toBe(1); // the stack page only
    t.check();
  });

  it("a failed fork leaves nothing behind (-ENOMEM from the page tables, -EAGAIN without pids)", () => {
    const t = setup();
    const p = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    touchBss(t, p);
    const used = t.pages.pagesInUse;
    const committed = t.committed.pages;
    t.pages.failAfter = 2; // the pgd and one more table
    expect(t.table.fork(p)).toBe(-ENOMEM);
    t.pages.failAfter = Number.POSITIVE_INFINITY;
    expect(t.pages.pagesInUse).toBe(used);
    expect(t.committed.pages).toBe(committed);
    expect(t.table.size).toBe(2);
    t.check();
    t.table.pids.setPidMax(t.table.pids.pidMaxMin);
    // pids 4…300 (297 of them); pid 3, freed by the failed fork, is below the wrap point 300
    for (let i = 0; i < 297; i++) expect(t.table.fork(p)).toBeGreaterThan(0);
    expect(t.table.fork(p)).toBe(-EAGAIN);
    t.check();
  });
});

describe("exit, wait and exec", () => {
  it("exit frees the mm (pages, tables, commit) and leaves a zombie until the parent waits", () => {
    const t = setup();
    const shell = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    const before = t.pages.pagesInUse;
    const committed = t.committed.pages;
    const child = t.table.lookup(t.table.fork(shell))!;
    touchBss(t, child);
    t.table.exit(child, 3 << 8);
    expect(child.state).toBe("Z (zombie)");
    expect(child.mm).toBeNull();
    expect(t.pages.pagesInUse).toBe(before); // COW-shared and private pages, tables and the pgd all gone
    expect(t.committed.pages).toBe(committed);
    expect(t.table.lookup(child.pid)).toBe(child);
    t.check();
    expect(t.table.wait(shell)).toEqual({ pid: child.pid, exitCode: 3 << 8 });
    expect(t.table.lookup(child.pid)).toBeUndefined();
    expect(t.table.wait(shell)).toBe(-ECHILD);
    t.check();
  });

  it("the children of an exiting task go to init, which reaps its zombies", () => {
    const t = setup();
    const a = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    const b = t.table.lookup(t.table.fork(a))!;
    const c = t.table.lookup(t.table.fork(a))!;
    t.table.exit(c, 0);
    expect(c.state).toBe("Z (zombie)");
    t.table.exit(a, 0);
    expect(t.table.lookup(a.pid)).toBeUndefined(); // init's child: reaped at once
    expect(t.table.lookup(c.pid)).toBeUndefined(); // a's zombie went to init, reaped too
    expect(b.parent).toBe(t.init);
    expect(t.table.wait(b)).toBe(-ECHILD);
    expect(t.table.wait(t.init, b.pid)).toBe(0); // alive
    t.check();
  });

  it("init may not exit: the kernel panics", () => {
    const t = setup();
    let err: unknown;
    try {
      t.table.exit(t.init, 0);
    } catch (e) {
      err = e;
    }
    expect(isKernelPanic(err)).toBe(true);
    expect(String(err)).toMatch(/Attempted to kill init! exitcode=0x00000000/);
  });

  it("exec replaces the mm: the old one is freed, the task keeps its pid and children", () => {
    const t = setup();
    const a = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    touchBss(t, a);
    const old = a.mm!;
    a.rssStat[MM_ANONPAGES] = 2; // an unfolded batch is folded into the old mm first
    const used = t.pages.pagesInUse;
    expect(t.table.exec(a, staticElfImage({ path: "/usr/bin/true", textSize: 0x8000, dataSize: 0x1000, bssSize: 0 }))).toBe(0);
    expect(a.mm).not.toBe(old);
    expect(old.mmUsers).toBe(0);
    expect(old.pgtables).toBeNull();
    expect(a.rssStat[MM_ANONPAGES]).toBe(0);
    expect(a.comm).toBe("true");
    expect(t.pages.pagesInUse).toBeLessThan(used);
    t.check();
  });
});

describe("SPLIT_RSS_COUNTING", () => {
  it("a task's faults batch in task->rss_stat; the 66th check folds them (events++ > 64)", () => {
    const t = setup();
    const a = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    const mm = a.mm!;
    const base = getMmCounter(mm, MM_ANONPAGES);
    for (let i = 0; i < 65; i++) {
      checkSyncRssStat(a);
      addMmCounterFast(a, mm, MM_ANONPAGES, 1);
    }
    expect(getMmCounter(mm, MM_ANONPAGES)).toBe(base);
    checkSyncRssStat(a);
    expect(getMmCounter(mm, MM_ANONPAGES)).toBe(base + 65);
    addMmCounterFast(a, mm, MM_ANONPAGES, 1);
    syncMmRss(a, mm);
    expect(getMmCounter(mm, MM_ANONPAGES)).toBe(base + 66);
    expect(a.rssEvents).toBe(0);
  });

  it("validateTasks reports a broken link, a zombie holding an mm, and wrong mm_users", () => {
    const t = setup();
    const a = t.table.lookup(t.table.spawn(LAYOUT_PROBE_IMAGE))!;
    a.mm!.mmUsers = 2;
    t.init.children.length = 0;
    const sink = new CollectingSink();
    validateTasks(t.table, sink);
    expect(sink.toString()).toMatch(/does not list it as a child/);
    expect(sink.toString()).toMatch(/mm_users 2 but 1 live task/);
  });
});
