// mmsim: issue 14 end to end on a container-free assembly (buddy, hw-arm64 tables, MapleTree, Rmap, MmMemory, Arm64Fault, TaskTable): spawn, mmap, read, write, fork, COW, mprotect, munmap, exit, with every validator after each step and /proc compared with the real 6.1 captures (tests/conformance/fixtures/process/linux-6.1-arm64/{anon,fork})
/*
 * The captures are read through the conformance suite's parser, imported by relative path in
 * this test only (procfs's spec tsconfig references tests/conformance's lib project for its
 * types); nothing is copied. What cannot match is named where it is compared: the probes are
 * busybox-less static glibc programs whose start-up (TLS brk, RELRO mprotect, stdio buffers)
 * and own pipes and stage printing touch pages this assembly never touches, so whole-process
 * figures are compared as deltas over the probe's own actions, and the fork capture's 32 pages
 * are scaled to this test's 16.
 */
import { VmStat, pfnDown, type ValidationSink } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { createBuddyAllocator } from "@mmsim/buddy";
import { ACCESS_READ, ACCESS_WRITE, PgtableAllocator, PgtableStore } from "@mmsim/hw-arm64";
import { Arm64Fault, FAULT_HANDLED, MmMemory, validateMms } from "@mmsim/fault";
import { Rmap } from "@mmsim/rmap";
import {
  LAYOUT_PROBE_IMAGE, MAP_ANONYMOUS, MAP_PRIVATE, MapleTree, MmapContext, PROT_READ, PROT_WRITE, type TaskStruct, TaskTable, type VmAreaStruct,
  buddyAcctMemoryInfo, sysMmap, sysMprotect, sysMunmap, validateMm, validateTasks,
} from "@mmsim/vma";
import { Prandom } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { readProcessCapture } from "../../../tests/conformance/src/process-capture.ts";
import { procPidStatus } from "./array.ts";
import { procPidMaps, procPidSmapsRollup } from "./task-mmu.ts";

const RAM = 0x40000000;
const MiB = 1024 * 1024;
const PAGE = 4096;
const N = 16;

/** One machine's worth of the process mechanisms, wired by hand as the machine will wire them. */
function assembly() {
  const ramBytes = 256 * MiB;
  const maxPfn = pfnDown(RAM + ramBytes);
  const vmstat = new VmStat(1);
  // Zone limits of RAM below 4 GiB (the machine's arm64 zone_sizes_init): DMA and DMA32 end at max_pfn.
  const buddy = createBuddyAllocator({
    nrCpus: 2, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), maxPfn]] }], maxZonePfn: [maxPfn, maxPfn, maxPfn, 0],
    reserved: [[RAM, RAM + 4 * MiB]], vmstat, deferredStructPageInit: false,
  });
  const mem = buddy.state.mem;
  const store = new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages });
  const alloc = new PgtableAllocator(store, buddy, mem);
  const flush = () => {};
  const rmap = new Rmap({ mem, store, pages: buddy, vmstat, flushTlbRange: flush });
  // empty_zero_page: a frame of the reserved "kernel image".
  const m = new MmMemory({ mem, alloc, pages: buddy, vmstat, rmap, flushTlbRange: flush, zeroPfn: pfnDown(RAM + 0x300000) });
  const ctx = new MmapContext(m, rmap, buddyAcctMemoryInfo(buddy, vmstat));
  const f = new Arm64Fault(m, ctx);
  const table = new TaskTable({ pgtableAlloc: alloc, mmap: ctx, newVmaTree: () => new MapleTree(), rng: new Prandom(1), taskSize: 2 ** 48 }, { sysctl: { randomizeVaSpace: 0 } });
  const src = { mem, store, thpEnabled: m.thp.enabled };
  /** validateMm of every mm, validateMms, validateTasks and the buddy allocator's own check. */
  const check = (step: string) => {
    const sink = new CollectingSink();
    const tasks = table.list().filter((t) => t.mm !== null);
    for (const t of tasks) validateMm(t.mm!, sink);
    validateMms(m, tasks.map((t) => t.mm!), tasks, sink);
    validateTasks(table, sink);
    buddy.validate(sink as ValidationSink);
    if (!sink.ok) throw new Error(`validators after ${step}:\n${sink.toString()}`);
  };
  return { buddy, m, ctx, f, rmap, table, src, check };
}

/** smaps_rollup's `Field:   N kB` lines as numbers. */
function rollup(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of (text ?? "").matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** status's RssAnon in kB (get_mm_counter: the batched figure). */
function rssAnon(t: TaskStruct): number {
  const m = /^RssAnon:\s+(\d+) kB$/m.exec(procPidStatus(t, { nrCpuIds: 2, memNodes: [0], sigQueueLimit: 3795 }));
  return Number(m![1]);
}

describe("a process's life on the assembled mechanisms, against the real 6.1 captures", () => {
  const anon = readProcessCapture("anon");
  const fork = readProcessCapture("fork");

  it("mmap, read, write, fork, COW, mprotect, munmap and exit give the kernel's maps, faults and RSS", () => {
    const a = assembly();
    const { f, ctx, table, src } = a;
    const pid = table.spawn(LAYOUT_PROBE_IMAGE);
    const parent = table.lookup(pid)!;
    const mm = parent.mm!;
    a.m.current = parent; // the syscalls below run as the parent
    a.check("spawn");

    // mmap of 16 anonymous pages: the top-down search puts them right below [vvar], where the
    // capture's probe got them (its p = 0xfffff7fed000), and maps prints the same line.
    const p = sysMmap(ctx, mm, 0, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    a.check("mmap");
    const capMmap = anon.stage("anon:main:mmap");
    expect(BigInt(p)).toBe(capMmap.addrs.p);
    const ourLine = procPidMaps(parent).split("\n").find((l) => l.startsWith(p.toString(16)));
    expect(ourLine).toBe(capMmap.maps.find((l) => BigInt(l.start) === capMmap.addrs.p)!.raw);
    expect(capMmap.faults.minflt).toBe(0);

    // read: one fault a page, all on the shared zero page (no RSS, no Anonymous).
    let before = rollup(procPidSmapsRollup(src, parent));
    let flt = parent.minFlt;
    for (let i = 0; i < N; i++) expect(f.userAccess(parent, p + i * PAGE, ACCESS_READ)).toBe(FAULT_HANDLED);
    a.check("read");
    const capRead = anon.stage("anon:main:read");
    const capExec = anon.stage("anon:main:exec");
    let after = rollup(procPidSmapsRollup(src, parent));
    expect(parent.minFlt - flt).toBe(capRead.faults.minflt);
    expect(after.Rss! - before.Rss!).toBe(capRead.smapsRollup.Rss! - capMmap.smapsRollup.Rss!);
    expect(after.Anonymous! - before.Anonymous!).toBe(capRead.smapsRollup.Anonymous! - capMmap.smapsRollup.Anonymous!);
    expect(capMmap.smapsRollup.Rss).toBe(capExec.smapsRollup.Rss);

    // write: one fault a page (the zero page's PTE is read-only: wp fault, a new zeroed page,
    // dirty and writable at once); Rss and Anonymous grow by 16 pages, RssAnon (status) does not
    // move yet: the 16 events wait in the task's batch (SPLIT_RSS_COUNTING).
    before = after;
    const rssAnonBefore = rssAnon(parent);
    flt = parent.minFlt;
    for (let i = 0; i < N; i++) expect(f.userAccess(parent, p + i * PAGE, ACCESS_WRITE)).toBe(FAULT_HANDLED);
    a.check("write");
    const capWrite = anon.stage("anon:main:write");
    after = rollup(procPidSmapsRollup(src, parent));
    expect(parent.minFlt - flt).toBe(capWrite.faults.minflt);
    expect(after.Rss! - before.Rss!).toBe(capWrite.smapsRollup.Rss! - capRead.smapsRollup.Rss!);
    expect(after.Anonymous! - before.Anonymous!).toBe(capWrite.smapsRollup.Anonymous! - capRead.smapsRollup.Anonymous!);
    expect(rssAnon(parent) - rssAnonBefore).toBe(capWrite.statusKb.RssAnon! - capRead.statusKb.RssAnon!);

    // fork: the child's maps are the parent's line for line (the capture's after-fork maps of
    // parent and child agree the same way).
    const cpid = table.fork(parent);
    expect(cpid).toBeGreaterThan(0);
    const child = table.lookup(cpid)!;
    a.check("fork");
    expect(procPidMaps(child)).toBe(procPidMaps(parent));
    const capPf = fork.stage("fork:parent:after-fork");
    const capCf = fork.stage("fork:child:after-fork");
    expect(capCf.maps.map((l) => l.raw)).toEqual(capPf.maps.map((l) => l.raw));

    // The child reads every page: one access-flag fault a page (fork leaves the child's PTEs old
    // and the Cortex-A57 sets no AF in hardware); the capture's child read 32 pages with 32.
    a.m.current = child;
    flt = child.minFlt;
    for (let i = 0; i < N; i++) expect(f.userAccess(child, p + i * PAGE, ACCESS_READ)).toBe(FAULT_HANDLED);
    a.check("child read");
    const capRead2 = fork.stage("fork:child:read-all");
    expect((child.minFlt - flt) * 32).toBe(capRead2.faults.minflt * N);

    // The child writes 8 pages: one COW fault each (the capture's child wrote 16 with 16).
    // Not compared: the rollup's Rss/Anonymous (the capture's child is a whole glibc process
    // whose own stdio and stack pages COW between its stages), only this VMA's own pages.
    flt = child.minFlt;
    for (let i = 0; i < 8; i++) expect(f.userAccess(child, p + i * PAGE, ACCESS_WRITE)).toBe(FAULT_HANDLED);
    a.check("child write");
    const capWh = fork.stage("fork:child:write-half");
    expect((child.minFlt - flt) * 16).toBe(capWh.faults.minflt * 8);
    const childRollup = rollup(procPidSmapsRollup(src, child));
    const parentRollup = rollup(procPidSmapsRollup(src, parent));
    // 8 pages are the child's own now; the other 8 stay shared (Pss halves them) in both.
    expect(childRollup.Anonymous).toBe(parentRollup.Anonymous);

    // mprotect of the middle 4 pages (in the parent): three VMAs, the middle one read-only.
    a.m.current = parent;
    expect(sysMprotect(ctx, mm, p + 6 * PAGE, 4 * PAGE, PROT_READ)).toBe(0);
    a.check("mprotect");
    const lines = procPidMaps(parent).split("\n").filter((l) => l.startsWith(p.toString(16)) || l.startsWith((p + 6 * PAGE).toString(16)) || l.startsWith((p + 10 * PAGE).toString(16)));
    expect(lines.map((l) => l.slice(0, 30))).toEqual([
      `${p.toString(16)}-${(p + 6 * PAGE).toString(16)} rw-p`,
      `${(p + 6 * PAGE).toString(16)}-${(p + 10 * PAGE).toString(16)} r--p`,
      `${(p + 10 * PAGE).toString(16)}-${(p + N * PAGE).toString(16)} rw-p`,
    ]);
    // A store to the read-only part is SIGSEGV (SEGV_ACCERR) and no fault counted.
    flt = parent.minFlt;
    expect(f.userAccess(parent, p + 7 * PAGE, ACCESS_WRITE)).not.toBe(FAULT_HANDLED);
    expect(parent.minFlt).toBe(flt);

    // munmap of all 16 pages in the parent: the anon capture's munmap stage gives its 48 pages
    // back (Rss and Anonymous fall to the exec stage's); ours falls by this VMA's own pages.
    before = rollup(procPidSmapsRollup(src, parent));
    expect(sysMunmap(ctx, mm, p, N * PAGE)).toBe(0);
    a.check("munmap");
    after = rollup(procPidSmapsRollup(src, parent));
    expect(procPidMaps(parent).includes(p.toString(16))).toBe(false);
    // The parent still maps 16 pages privately: the 8 the child COWed away are its alone, the
    // other 8 were shared with the child; all 16 are gone from its Rss now.
    expect(before.Rss! - after.Rss!).toBe(N * 4);
    expect(anon.stage("anon:main:munmap").smapsRollup.Rss).toBe(capExec.smapsRollup.Rss);

    // The child exits: its mm goes (exit_mmap: the validators above check every page it held is
    // unmapped and freed or still mapped by the parent), and init (its parent) reaps it at once.
    table.exit(child, 0);
    a.check("child exit");
    expect(child.mm).toBeNull();
    expect(table.lookup(cpid)).toBeUndefined();
  });

  it("unlinks every removed VMA from its anon_vmas exactly once (free_pgtables, on the page side)", () => {
    const a = assembly();
    const seen = new Map<VmAreaStruct, number>();
    const unlink = a.rmap.unlinkAnonVmas.bind(a.rmap);
    a.rmap.unlinkAnonVmas = (vma: VmAreaStruct) => {
      seen.set(vma, (seen.get(vma) ?? 0) + 1);
      unlink(vma);
    };
    a.table.spawn(LAYOUT_PROBE_IMAGE); // init: exiting it would panic, as the kernel does
    const parent = a.table.lookup(a.table.spawn(LAYOUT_PROBE_IMAGE))!;
    a.m.current = parent;
    const mm = parent.mm!;
    const p = sysMmap(a.ctx, mm, 0, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    for (let i = 0; i < N; i++) a.f.userAccess(parent, p + i * PAGE, ACCESS_WRITE);
    const child = a.table.lookup(a.table.fork(parent))!;
    a.m.current = child;
    for (let i = 0; i < 4; i++) a.f.userAccess(child, p + i * PAGE, ACCESS_WRITE);
    a.m.current = parent;
    expect(sysMprotect(a.ctx, mm, p + 4 * PAGE, 4 * PAGE, PROT_READ)).toBe(0);
    expect(sysMprotect(a.ctx, mm, p + 4 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE)).toBe(0); // merges back (vma_merge: anon_vma_merge unlinks the swallowed VMA)
    expect(sysMunmap(a.ctx, mm, p + 2 * PAGE, 4 * PAGE)).toBe(0);
    a.check("munmap");
    a.table.exit(child, 0);
    a.table.exit(parent, 0);
    a.check("exit");
    expect(seen.size).toBeGreaterThan(0);
    for (const [vma, n] of seen) expect(n, `VMA ${vma.vmStart.toString(16)}-${vma.vmEnd.toString(16)}`).toBe(1);
  });
});
