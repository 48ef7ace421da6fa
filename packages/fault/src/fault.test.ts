// mmsim: the fault paths one by one, copy-on-write across fork, mprotect, mremap, munmap, stack growth, SIGSEGV, THP, RSS batching — validate() after every step
import {
  NR_ANON_MAPPED, NR_ANON_THPS, NR_PAGETABLE, PGFAULT, PGREUSE, PG_anon_exclusive, THP_FAULT_ALLOC, THP_FAULT_FALLBACK,
  THP_SPLIT_PMD, THP_ZERO_PAGE_ALLOC,
} from "@mmsim/core";
import { ACCESS_READ, ACCESS_WRITE, vmGetPageProt } from "@mmsim/hw-arm64";
import { MM_ANONPAGES, TASK_RSS_EVENTS_THRESH, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_READ, syncMmRss } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { FAULT_HANDLED, SEGV_ACCERR, SEGV_MAPERR } from "./fault-arm64.ts";
import { ANON_RW, MiB, Rig, ZERO_PFN } from "./fault.test-helpers.ts";
import {
  FS_ACCESS_FLAG, FS_ANON, FS_DIRTY, FS_STACK_GROW, FS_THP_ANON, FS_THP_ZERO, FS_WP_COPY, FS_WP_REUSE, FS_ZERO,
} from "./memory.ts";
import { contentFill, contentText } from "./page-contents.ts";

const A = 0x7f0000000000; // 2 MiB aligned
const R = ACCESS_READ;
const W = ACCESS_WRITE;

function noThp(rig: Rig): Rig {
  rig.m.thp.enabled = "never";
  return rig;
}

const anonMapped = (rig: Rig) => rig.vmstat.nodeStat(0)[NR_ANON_MAPPED]!;
const ev = (rig: Rig, item: number) => rig.vmstat.vmEvents[item]!;
const rssAnon = (t: { mm: { rssStat: Float64Array } | null; rssStat: Int32Array }) => t.mm!.rssStat[MM_ANONPAGES]! + t.rssStat[MM_ANONPAGES]!;

describe("anonymous faults", () => {
  it("a read maps the zero page read-only: no page, no RSS, one pgfault", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    rig.vma(t, A, 16 * 4096);
    expect(rig.f.userAccess(t, A + 5, R)).toBe(FAULT_HANDLED);
    rig.check("read");
    expect(rig.f.lastPfn).toBe(ZERO_PFN);
    expect(rig.m.stats[FS_ZERO]).toBe(1);
    expect(ev(rig, PGFAULT)).toBe(1);
    expect(t.minFlt).toBe(1);
    expect(rssAnon(t)).toBe(0);
    expect(anonMapped(rig)).toBe(0);
    // A second read of the same page: no fault.
    expect(rig.f.userAccess(t, A + 100, R)).toBe(FAULT_HANDLED);
    expect(ev(rig, PGFAULT)).toBe(1);
  });

  it("a write allocates a zeroed page with rmap, PageAnonExclusive, NR_ANON_MAPPED and MM_ANONPAGES", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const v = rig.vma(t, A, 16 * 4096);
    expect(rig.f.userAccess(t, A + 4096, W, contentFill(42))).toBe(FAULT_HANDLED);
    rig.check("write");
    const pfn = rig.f.lastPfn;
    const page = rig.mem.pfnToPage(pfn);
    expect(rig.m.stats[FS_ANON]).toBe(1);
    expect(rig.mem.mapcount[page]).toBe(0);
    expect(rig.mem.refcount[page]).toBe(1);
    expect(rig.mem.mapping[page]).toBe(-(v.anonVma!.id));
    expect(rig.mem.index[page]).toBe((A / 4096 + 1) % 2 ** 32); // linear page index modulo 2^32 (MemMap.index is 32 bits)
    expect(rig.mem.flags[page]! & (1 << PG_anon_exclusive)).not.toBe(0);
    expect(anonMapped(rig)).toBe(1);
    expect(rssAnon(t)).toBe(1);
    expect(t.rssStat[MM_ANONPAGES]).toBe(1); // still in the task's cache (SPLIT_RSS_COUNTING)
    expect(rig.m.contents.get(pfn)).toBe(contentFill(42));
    // A second write: no fault (the PTE is young, dirty, writable).
    expect(rig.f.userAccess(t, A + 4096, W, contentFill(7))).toBe(FAULT_HANDLED);
    expect(ev(rig, PGFAULT)).toBe(1);
    expect(rig.m.contents.get(pfn)).toBe(contentFill(7));
  });

  it("a write after a read copies the zero page (wp_page_copy), the RSS grows by one", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    rig.vma(t, A, 4 * 4096);
    rig.f.userAccess(t, A, R);
    rig.check("read");
    expect(rig.f.userAccess(t, A, W, contentFill(1))).toBe(FAULT_HANDLED);
    rig.check("write");
    expect(rig.m.stats[FS_WP_COPY]).toBe(1);
    expect(rig.f.lastPfn).not.toBe(ZERO_PFN);
    expect(ev(rig, PGFAULT)).toBe(2);
    expect(rssAnon(t)).toBe(1);
    expect(anonMapped(rig)).toBe(1);
  });

  it("fork shares pages write-protected; the child's write copies, then the parent's write reuses (pgreuse)", () => {
    const rig = noThp(new Rig());
    const p = rig.task();
    rig.vma(p, A, 8 * 4096);
    for (let i = 0; i < 4; i++) rig.f.userAccess(p, A + i * 4096, W, contentFill(i + 1));
    rig.check("parent writes");
    const pfn0 = rig.f.translate(p.mm!, A, R);
    const c = rig.fork(p);
    rig.check("fork");
    const page0 = rig.mem.pfnToPage(pfn0);
    expect(rig.mem.mapcount[page0]).toBe(1);
    expect(rig.mem.refcount[page0]).toBe(2);
    expect(rig.mem.flags[page0]! & (1 << PG_anon_exclusive)).toBe(0);
    expect(c.mm!.rssStat[MM_ANONPAGES]).toBe(4);
    // The child's PTEs are old: its first read takes an access-flag fault, and sees the parent's frame.
    const faults = ev(rig, PGFAULT);
    expect(rig.f.userAccess(c, A, R)).toBe(FAULT_HANDLED);
    expect(rig.f.lastPfn).toBe(pfn0);
    expect(rig.m.stats[FS_ACCESS_FLAG]).toBe(1);
    expect(ev(rig, PGFAULT)).toBe(faults + 1);
    // The child writes: copy (the page is shared).
    expect(rig.f.userAccess(c, A, W, contentFill(99))).toBe(FAULT_HANDLED);
    rig.check("child write");
    expect(rig.m.stats[FS_WP_COPY]).toBe(1);
    const cpfn = rig.f.lastPfn;
    expect(cpfn).not.toBe(pfn0);
    expect(rig.m.contents.get(pfn0)).toBe(contentFill(1));
    expect(rig.m.contents.get(cpfn)).toBe(contentFill(99));
    expect(rig.mem.refcount[page0]).toBe(1);
    // The parent writes its page: the child let go of it, so it is reused.
    expect(rig.f.userAccess(p, A, W, contentFill(5))).toBe(FAULT_HANDLED);
    rig.check("parent write");
    expect(rig.m.stats[FS_WP_REUSE]).toBe(1);
    expect(ev(rig, PGREUSE)).toBe(1);
    expect(rig.f.lastPfn).toBe(pfn0);
    expect(rig.mem.flags[page0]! & (1 << PG_anon_exclusive)).not.toBe(0);
    // A page still shared: the parent's write copies it too.
    expect(rig.f.userAccess(p, A + 4096, W)).toBe(FAULT_HANDLED);
    expect(rig.m.stats[FS_WP_COPY]).toBe(2);
    rig.check("parent copy");
    rig.exit(c);
    rig.check("child exit");
    rig.exit(p);
    rig.check("parent exit");
    expect(anonMapped(rig)).toBe(0);
    expect(rig.vmstat.nodeStat(0)[NR_PAGETABLE]).toBe(0);
    expect(rig.rmap.table.nrAnonVmas).toBe(0);
    expect(rig.rmap.table.nrChains).toBe(0);
  });

  it("rmap finds every mapping across a fork hierarchy (grandchild), and try_to_unmap leaves swap-backed pages alone", () => {
    const rig = noThp(new Rig());
    const p = rig.task();
    rig.vma(p, A, 4 * 4096);
    rig.f.userAccess(p, A, W);
    const pfn = rig.f.lastPfn;
    const c = rig.fork(p);
    const g = rig.fork(c);
    rig.check("grandchild");
    const page = rig.mem.pfnToPage(pfn);
    expect(rig.rmap.totalMapcount(page)).toBe(3);
    const seen: number[] = [];
    rig.rmap.rmapWalk(page, { rmapOne: (_p, vma, addr) => (seen.push(vma.vmMm.id * 1e15 + addr), true) });
    expect(seen.sort()).toEqual([p, c, g].map((t) => t.mm!.id * 1e15 + A).sort());
    // The grandchild writes: its copy belongs to its own anon_vma, found from there only.
    rig.f.userAccess(g, A, W);
    rig.check("grandchild write");
    const gpage = rig.mem.pfnToPage(rig.f.lastPfn);
    expect(rig.mem.mapping[gpage]).toBe(-(g.mm!.mt.lookup(A)!.anonVma!.id));
    // folio_referenced reads and clears the young bits; the next access takes an access-flag fault.
    const refs = rig.rmap.folioReferenced(page);
    expect(refs).toBe(1); // the parent's PTE is young; the child's was made old by fork and never touched
    expect(rig.rmap.folioReferenced(page)).toBe(0);
    const af = rig.m.stats[FS_ACCESS_FLAG]!;
    rig.f.userAccess(p, A, R);
    expect(rig.m.stats[FS_ACCESS_FLAG]).toBe(af + 1);
    // Reclaim's try_to_unmap: a swap-backed page not in the swap cache stays mapped (the swap issue's hook).
    rig.mem.refcount[page]!++; // isolation
    expect(rig.rmap.tryToUnmap(page)).toBe(false);
    rig.mem.refcount[page]!--;
    rig.check("try_to_unmap");
    rig.exit(g);
    rig.exit(c);
    rig.exit(p);
    rig.check("exits");
    expect(rig.rmap.table.nrAnonVmas).toBe(0);
  });

  it("mprotect read-only: a write is SEGV_ACCERR, not counted; back to read-write costs no fault", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const v = rig.vma(t, A, 4 * 4096);
    rig.f.userAccess(t, A, W);
    v.vmFlags &= ~0x2;
    v.vmPageProt = vmGetPageProt(v.vmFlags & 0xf);
    expect(rig.m.changeProtection(v, v.vmStart, v.vmEnd)).toBe(1);
    rig.check("mprotect RO");
    const faults = ev(rig, PGFAULT);
    const minflt = t.minFlt;
    expect(rig.f.userAccess(t, A, W)).toBe(SEGV_ACCERR);
    expect(ev(rig, PGFAULT)).toBe(faults);
    expect(t.minFlt).toBe(minflt);
    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_HANDLED);
    v.vmFlags |= 0x2;
    v.vmPageProt = vmGetPageProt(v.vmFlags & 0xf);
    rig.m.changeProtection(v, v.vmStart, v.vmEnd);
    rig.check("mprotect RW");
    expect(rig.f.userAccess(t, A, W)).toBe(FAULT_HANDLED);
    expect(ev(rig, PGFAULT)).toBe(faults); // can_change_pte_writable: dirty and exclusive
  });

  it("an unmapped address is SEGV_MAPERR; a clean writable PTE takes a dirty-bit fault", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const v = rig.vma(t, A, 4 * 4096);
    expect(rig.f.userAccess(t, A - 4096 * 100, R)).toBe(SEGV_MAPERR);
    expect(rig.f.userAccess(t, A + 4 * 4096, W)).toBe(SEGV_MAPERR);
    expect(ev(rig, PGFAULT)).toBe(0);
    // Make the page clean (as MADV_FREE or writeback would): the next write faults to set dirty.
    rig.f.userAccess(t, A, W);
    const pgt = t.mm!.pgtables!;
    void pgt;
    const ptep = ptepOf(rig, t, A);
    rig.store.write(ptep, (rig.store.readLo(ptep) | (1 << 7)) >>> 0, rig.store.readHi(ptep) & ~(1 << 23));
    expect(rig.f.userAccess(t, A, W)).toBe(FAULT_HANDLED);
    expect(rig.m.stats[FS_DIRTY]).toBe(1);
    rig.check("dirty");
    void v;
  });

  it("munmap of part of a region frees its pages and tables; MADV_DONTNEED keeps the tables", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const v = rig.vma(t, A, 8 * 4096);
    for (let i = 0; i < 8; i++) rig.f.userAccess(t, A + i * 4096, W);
    rig.m.zapPageRange(v, A, A + 2 * 4096);
    rig.check("dontneed");
    expect(rssAnon(t)).toBe(6);
    expect(anonMapped(rig)).toBe(6);
    rig.f.userAccess(t, A, R);
    expect(rig.f.lastPfn).toBe(ZERO_PFN);
    // munmap everything: the vma package removes the VMA, then unmap_region.
    t.mm!.mt.remove(v);
    rig.m.unmapRegion(t.mm!, [v], v.vmStart, v.vmEnd, null, null);
    rig.check("munmap");
    expect(anonMapped(rig)).toBe(0);
    expect(t.mm!.pgtables!.pgtablesBytes).toBe(0);
    expect(rig.vmstat.nodeStat(0)[NR_PAGETABLE]).toBe(0);
  });

  it("mremap moves the PTEs (and a whole table when aligned); the pages follow", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const v = rig.vma(t, A + 0x1000, 4 * 4096);
    for (let i = 0; i < 4; i++) rig.f.userAccess(t, A + 0x1000 + i * 4096, W, contentFill(i + 10));
    const nv = new (v.constructor as typeof import("@mmsim/vma").VmAreaStruct)(t.mm!, A + 0x40000000, A + 0x40000000 + 4 * 4096, v.vmFlags, v.vmPageProt, v.vmPgoff);
    t.mm!.mt.insert(nv);
    rig.rmap.anonVmaClone(nv, v);
    expect(rig.m.movePageTables(v, v.vmStart, nv, nv.vmStart, 4 * 4096)).toBe(4 * 4096);
    t.mm!.mt.remove(v);
    rig.m.unmapRegion(t.mm!, [v], v.vmStart, v.vmEnd, null, nv);
    rig.check("mremap");
    expect(rig.f.userAccess(t, nv.vmStart + 4096, R)).toBe(FAULT_HANDLED);
    expect(rig.m.contents.get(rig.f.lastPfn)).toBe(contentFill(11));
    expect(rssAnon(t)).toBe(4);
  });

  it("the stack grows down to a fault below it, keeping stack_guard_gap from the VMA below", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const below = rig.vma(t, A - 64 * MiB, 4096);
    const st = rig.stack(t, A, 8 * 4096);
    expect(rig.f.userAccess(t, A - 3 * 4096, W)).toBe(FAULT_HANDLED);
    rig.check("grow");
    expect(st.vmStart).toBe(A - 3 * 4096);
    expect(st.vmPgoff).toBe(A / 4096 - 3);
    expect(rig.m.stats[FS_STACK_GROW]).toBe(1);
    expect(t.mm!.stackVm).toBe(3);
    // Beyond RLIMIT_STACK (8 MiB): SEGV_MAPERR.
    expect(rig.f.userAccess(t, A - 9 * MiB, W)).toBe(SEGV_MAPERR);
    // Into the guard gap of the VMA below: SEGV_MAPERR.
    rig.ctx.rlimit.stack = 1024 * MiB;
    expect(rig.f.userAccess(t, below.vmEnd + 512 * 1024, W)).toBe(SEGV_MAPERR);
    expect(rig.f.userAccess(t, below.vmEnd + 2 * MiB, W)).toBe(FAULT_HANDLED);
    rig.check("grow far");
  });

  it("RSS reaches mm->rss_stat only when check_sync_rss_stat folds the task's cache", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    rig.vma(t, A, 200 * 4096);
    for (let i = 0; i < TASK_RSS_EVENTS_THRESH + 1; i++) rig.f.userAccess(t, A + i * 4096, W);
    expect(t.mm!.rssStat[MM_ANONPAGES]).toBe(0);
    expect(t.rssStat[MM_ANONPAGES]).toBe(65);
    rig.f.userAccess(t, A + 65 * 4096, W); // the 66th fault folds the 65 before it
    expect(t.mm!.rssStat[MM_ANONPAGES]).toBe(65);
    expect(t.rssStat[MM_ANONPAGES]).toBe(1);
    rig.check("fold");
    syncMmRss(t, t.mm!);
    expect(t.mm!.rssStat[MM_ANONPAGES]).toBe(66);
  });

  it("populate faults every page in (MAP_POPULATE with FOLL_WRITE)", () => {
    const rig = noThp(new Rig());
    const t = rig.task();
    const v = rig.vma(t, A, 32 * 4096);
    rig.m.current = t;
    expect(rig.m.populate(v, v.vmStart, v.vmEnd, true)).toBe(0);
    rig.check("populate");
    expect(rssAnon(t)).toBe(32);
    expect(t.minFlt).toBe(32);
    const ro = rig.vma(t, A + 64 * 4096, 4 * 4096, VM_READ | 0x10);
    expect(rig.m.populate(ro, ro.vmStart, ro.vmEnd, false)).toBe(0);
    expect(rig.m.stats[FS_ZERO]).toBe(4);
    rig.check("populate ro");
  });
});

describe("transparent huge pages", () => {
  it("a write in an aligned 2 MiB range gets one THP (thp_fault_alloc, NR_ANON_THPS, 512 RSS)", () => {
    const rig = new Rig();
    const t = rig.task();
    rig.vma(t, A, 4 * MiB);
    expect(rig.f.userAccess(t, A + 12345, W, contentText(3, 0.4))).toBe(FAULT_HANDLED);
    rig.check("thp");
    expect(ev(rig, THP_FAULT_ALLOC)).toBe(1);
    expect(rig.m.stats[FS_THP_ANON]).toBe(1);
    expect(rig.vmstat.nodeStat(0)[NR_ANON_THPS]).toBe(512);
    expect(anonMapped(rig)).toBe(512);
    expect(t.mm!.rssStat[MM_ANONPAGES]).toBe(512);
    // Every page of the range is mapped: no more faults.
    for (let i = 0; i < 512; i += 37) expect(rig.f.userAccess(t, A + i * 4096, W)).toBe(FAULT_HANDLED);
    expect(ev(rig, PGFAULT)).toBe(1);
    rig.exit(t);
    rig.check("exit");
    expect(anonMapped(rig)).toBe(0);
    expect(rig.vmstat.nodeStat(0)[NR_ANON_THPS]).toBe(0);
  });

  it("a read maps the huge zero page; a write splits it and copies one 4 KiB zero page", () => {
    const rig = new Rig();
    const t = rig.task();
    rig.vma(t, A, 2 * MiB);
    expect(rig.f.userAccess(t, A, R)).toBe(FAULT_HANDLED);
    rig.check("huge zero");
    expect(ev(rig, THP_ZERO_PAGE_ALLOC)).toBe(1);
    expect(rig.m.stats[FS_THP_ZERO]).toBe(1);
    expect(rssAnon(t)).toBe(0);
    expect(rig.f.userAccess(t, A + 4096, W)).toBe(FAULT_HANDLED);
    rig.check("split zero");
    expect(ev(rig, THP_SPLIT_PMD)).toBe(1);
    expect(rig.m.stats[FS_WP_COPY]).toBe(1);
    expect(rssAnon(t)).toBe(1);
    expect(rig.f.userAccess(t, A + 8192, R)).toBe(FAULT_HANDLED);
    expect(rig.f.lastPfn).toBe(ZERO_PFN);
    rig.exit(t);
    rig.check("exit");
  });

  it("madvise/never/VM_NOHUGEPAGE and unaligned VMAs fall back to 4 KiB pages", () => {
    const rig = new Rig();
    const t = rig.task();
    rig.m.thp.enabled = "madvise";
    rig.vma(t, A, 2 * MiB);
    rig.f.userAccess(t, A, W);
    expect(ev(rig, THP_FAULT_ALLOC)).toBe(0);
    const h = rig.vma(t, A + 4 * MiB, 2 * MiB, ANON_RW | VM_HUGEPAGE);
    rig.f.userAccess(t, h.vmStart, W);
    expect(ev(rig, THP_FAULT_ALLOC)).toBe(1);
    rig.m.thp.enabled = "always";
    rig.vma(t, A + 8 * MiB, 2 * MiB, ANON_RW | VM_NOHUGEPAGE);
    rig.f.userAccess(t, A + 8 * MiB, W);
    rig.vma(t, A + 12 * MiB + 4096, 2 * MiB);
    rig.f.userAccess(t, A + 12 * MiB + 8192, W);
    expect(ev(rig, THP_FAULT_ALLOC)).toBe(1);
    expect(ev(rig, THP_FAULT_FALLBACK)).toBe(0);
    rig.check("fallbacks");
  });

  it("COW of a THP after fork splits the PMD and copies one subpage; partial munmap keeps the THP", () => {
    const rig = new Rig();
    const p = rig.task();
    rig.vma(p, A, 2 * MiB);
    rig.f.userAccess(p, A, W, contentFill(3));
    const c = rig.fork(p);
    rig.check("fork thp");
    expect(c.mm!.rssStat[MM_ANONPAGES]).toBe(512);
    expect(rig.f.userAccess(c, A + 4096, W)).toBe(FAULT_HANDLED);
    rig.check("child cow");
    expect(ev(rig, THP_SPLIT_PMD)).toBe(1);
    expect(rig.m.stats[FS_WP_COPY]).toBe(1);
    expect(rssAnon(c)).toBe(512);
    // The parent writes: its PMD is still shared → split and copy too.
    expect(rig.f.userAccess(p, A, W)).toBe(FAULT_HANDLED);
    rig.check("parent cow");
    expect(ev(rig, THP_SPLIT_PMD)).toBe(2);
    rig.exit(c);
    rig.check("child exit");
    rig.exit(p);
    rig.check("parent exit");
    expect(anonMapped(rig)).toBe(0);
    expect(rig.vmstat.nodeStat(0)[NR_ANON_THPS]).toBe(0);
  });

  it("an exclusive THP made read-only and back is reused whole by do_huge_pmd_wp_page", () => {
    const rig = new Rig();
    const t = rig.task();
    const v = rig.vma(t, A, 2 * MiB);
    rig.f.userAccess(t, A, W);
    v.vmFlags &= ~0x2;
    v.vmPageProt = vmGetPageProt(v.vmFlags & 0xf);
    rig.m.changeProtection(v, A, A + 2 * MiB);
    v.vmFlags |= 0x2;
    v.vmPageProt = vmGetPageProt(v.vmFlags & 0xf);
    rig.m.changeProtection(v, A, A + 2 * MiB);
    rig.check("mprotect thp");
    expect(rig.f.userAccess(t, A + 4096, W)).toBe(FAULT_HANDLED);
    expect(ev(rig, THP_SPLIT_PMD)).toBe(0);
    // Part of the THP unmapped: split, the rest stays, the THP waits on the deferred split queue.
    rig.m.zapPageRange(v, A, A + 4096);
    rig.check("partial zap");
    expect(ev(rig, THP_SPLIT_PMD)).toBe(1);
    expect(rssAnon(t)).toBe(511);
    expect(rig.rmap.deferredSplit.size).toBe(1);
  });
});

function ptepOf(rig: Rig, t: { mm: import("@mmsim/vma").MmStruct | null }, addr: number): number {
  const store = rig.store;
  const pgt = t.mm!.pgtables!;
  const i0 = Math.floor(addr / 2 ** 39) & 511;
  const pud = (store.readLo(pgt.pgd + i0 * 8) & 0xfffff000) >>> 0;
  const pmdT = (store.readLo(pud + (Math.floor(addr / 2 ** 30) & 511) * 8) & 0xfffff000) >>> 0;
  const pteT = (store.readLo(pmdT + (Math.floor(addr / 2 ** 21) & 511) * 8) & 0xfffff000) >>> 0;
  return pteT + (Math.floor(addr / 4096) & 511) * 8;
}
