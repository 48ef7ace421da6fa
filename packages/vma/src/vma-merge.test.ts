// mmsim: vma_merge's eight cases one by one (through vma_merge itself for holes, through mprotect for ranges inside a VMA), anon_vma and anon_name compatibility, split_vma
import { EACCES, EINVAL, ENOMEM } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import type { AnonVmaChain, MmStruct, VmAreaStruct } from "./mm-types.ts";
import { sysMmap } from "./mmap.ts";
import { sysMprotect } from "./mprotect.ts";
import { expectMmValid, layout, setup } from "./vma.test-helpers.ts";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_MAYWRITE } from "./vm-flags.ts";
import { splitVma, vmaMerge } from "./vma-merge.ts";

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const FIX = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const B = 0x10000000;
/** Maps pages [from, to) of the test window with prot. */
function map(t: ReturnType<typeof setup>, from: number, to: number, prot: number): void {
  expect(sysMmap(t.ctx, t.mm, B + from * P, (to - from) * P, prot, FIX)).toBe(B + from * P);
}
function at(mm: MmStruct, page: number): VmAreaStruct {
  return mm.mt.lookup(B + page * P)!;
}
const line = (from: number, to: number, flags: number) => `${(B + from * P).toString(16)}-${(B + to * P).toString(16)} ${flags.toString(16)}`;
const RWF = 0x100073;
const RF = 0x71;

describe("vma_merge", () => {
  it("case 1: a hole between two compatible VMAs: prev grows over it and next", () => {
    const t = setup();
    map(t, 0, 2, RW);
    map(t, 3, 5, RW);
    const prev = at(t.mm, 0);
    const next = at(t.mm, 3);
    const r = vmaMerge(t.ctx, t.mm, prev, B + 2 * P, B + 3 * P, prev.vmFlags, null, null, (B + 2 * P) / P, null);
    expect(r).toBe(prev);
    expect(t.ctx.lastMergeCase).toBe(1);
    expect(t.mm.mt.lookup(next.vmStart)).toBe(prev);
    t.mm.totalVm += 1; // vma_merge does not count; its callers do
    t.mm.dataVm += 1;
    expect(layout(t.mm)).toEqual([line(0, 5, RWF)]);
    expectMmValid(t.mm);
  });

  it("case 2: a hole after prev (next incompatible): prev grows", () => {
    const t = setup();
    map(t, 0, 2, RW);
    map(t, 3, 5, PROT_READ);
    const prev = at(t.mm, 0);
    expect(vmaMerge(t.ctx, t.mm, prev, B + 2 * P, B + 3 * P, prev.vmFlags, null, null, (B + 2 * P) / P, null)).toBe(prev);
    expect(t.ctx.lastMergeCase).toBe(2);
    expect(layout(t.mm)).toEqual([line(0, 3, RWF), line(3, 5, RF)]);
  });

  it("case 3: a hole before next (prev incompatible): next grows down", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 3, 5, RW);
    const next = at(t.mm, 3);
    expect(vmaMerge(t.ctx, t.mm, at(t.mm, 0), B + 2 * P, B + 3 * P, next.vmFlags, null, null, (B + 2 * P) / P, null)).toBe(next);
    expect(t.ctx.lastMergeCase).toBe(3);
    expect(next.vmStart).toBe(B + 2 * P);
    expect(next.vmPgoff).toBe((B + 2 * P) / P);
  });

  it("case 4: mprotect of prev's tail to next's flags moves the boundary down", () => {
    const t = setup();
    map(t, 0, 6, RW);
    expect(sysMprotect(t.ctx, t.mm, B + 4 * P, 2 * P, PROT_READ)).toBe(0); // a split: [4,6) keeps VM_ACCOUNT
    const next = at(t.mm, 4);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(4);
    expect(at(t.mm, 2)).toBe(next);
    expect(next.vmPgoff).toBe((B + 2 * P) / P);
    expect(layout(t.mm)).toEqual([line(0, 2, RWF), line(2, 6, 0x100071)]);
    expect(t.pages.named("changeProtection").at(-1)).toEqual(["changeProtection", B + 2 * P, B + 4 * P, 0x100071]);
    expectMmValid(t.mm);
  });

  it("case 5: mprotect of next's head to prev's flags moves the boundary up", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 6, PROT_READ | PROT_EXEC);
    const prev = at(t.mm, 0);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(5);
    expect(at(t.mm, 3)).toBe(prev);
    expect(at(t.mm, 4).vmPgoff).toBe((B + 4 * P) / P);
    expect(t.mm.execVm).toBe(2);
    expectMmValid(t.mm);
  });

  it("case 6: mprotect of a whole VMA to both neighbours' flags merges the three", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    map(t, 4, 6, PROT_READ);
    const prev = at(t.mm, 0);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(6);
    expect(layout(t.mm)).toEqual([line(0, 6, RF)]);
    expect(at(t.mm, 5)).toBe(prev);
    expect(t.mm.mapCount).toBe(1);
    expectMmValid(t.mm);
  });

  it("case 7: mprotect of a whole VMA to prev's flags: prev takes it", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    map(t, 4, 6, PROT_NONE_);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(7);
    expect(t.mm.mapCount).toBe(2);
    expectMmValid(t.mm);
  });

  it("case 8: mprotect of a whole VMA to next's flags: next takes it", () => {
    const t = setup();
    map(t, 0, 2, PROT_NONE_);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    map(t, 4, 6, PROT_READ);
    const next = at(t.mm, 4);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(8);
    expect(at(t.mm, 2)).toBe(next);
    expect(next.vmPgoff).toBe((B + 2 * P) / P);
    expectMmValid(t.mm);
  });

  it("splits when nothing merges: mprotect of a middle page makes three VMAs, back makes one", () => {
    const t = setup();
    map(t, 0, 6, RW);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(layout(t.mm)).toEqual([line(0, 2, RWF), line(2, 4, 0x100071), line(4, 6, RWF)]);
    expect(t.mm.dataVm).toBe(4);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, RW)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(6);
    expect(layout(t.mm)).toEqual([line(0, 6, RWF)]);
    // Read-only then writable again keeps its first charge (VM_ACCOUNT stayed): nothing new.
    expect(t.ctx.overcommit.committedAs).toBe(6);
    expectMmValid(t.mm);
  });

  it("keeps VMAs with different anon_vmas apart: prev and next cannot both merge (case 7 instead of 6)", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    map(t, 4, 6, PROT_READ);
    t.anon.anonVmaPrepare(at(t.mm, 0));
    t.anon.anonVmaPrepare(at(t.mm, 4));
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(7);
    expect(t.mm.mapCount).toBe(2);
    expectMmValid(t.mm);
  });

  it("a VMA growing over one with an anon_vma takes it (anon_vma_clone), and the swallowed VMA is unlinked (case 1)", () => {
    const t = setup();
    map(t, 0, 2, RW);
    map(t, 3, 5, RW);
    const prev = at(t.mm, 0);
    const next = at(t.mm, 3);
    t.anon.anonVmaPrepare(next);
    const av = next.anonVma;
    expect(vmaMerge(t.ctx, t.mm, prev, B + 2 * P, B + 3 * P, prev.vmFlags, null, null, (B + 2 * P) / P, null)).toBe(prev);
    expect(t.ctx.lastMergeCase).toBe(1);
    expect(prev.anonVma).toBe(av);
    const r = (a: number, b: number) => `${(B + a * P).toString(16)}-${(B + b * P).toString(16)}`;
    expect(t.anon.calls.filter((c) => c[0] !== "anonVmaPrepare")).toEqual([["anonVmaClone", r(0, 2), r(3, 5)], ["unlinkAnonVmas", r(3, 5)]]);
  });

  it("does not merge a faulted range into a neighbour that never faulted (is_mergeable_anon_vma: an empty chain is not singular)", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    t.anon.anonVmaPrepare(at(t.mm, 2));
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.ctx.lastMergeCase).toBe(0);
    expect(t.mm.mapCount).toBe(2);
    // Had the neighbour faulted (its own anon_vma, a singular chain), the unfaulted range would merge into it.
    t.anon.anonVmaPrepare(at(t.mm, 0));
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ | PROT_EXEC)).toBe(0);
    map(t, 4, 6, PROT_READ);
    expect(sysMprotect(t.ctx, t.mm, B + 4 * P, 2 * P, PROT_READ)).toBe(0);
    expect(sysMprotect(t.ctx, t.mm, B, 2 * P, PROT_READ | PROT_EXEC)).toBe(0); // [0,2) (own anon_vma) and [2,4) (another): apart
    expect(t.mm.mapCount).toBe(3);
    expect(sysMprotect(t.ctx, t.mm, B + 4 * P, 2 * P, PROT_READ | PROT_EXEC)).toBe(0); // unfaulted [4,6) joins [2,4)
    expect(t.ctx.lastMergeCase).toBe(7);
    expect(t.mm.mapCount).toBe(2);
    expectMmValid(t.mm);
  });

  it("does not merge a VMA without anon_vma into one linked to several anon_vmas (a forked VMA)", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    const prev = at(t.mm, 0);
    t.anon.anonVmaPrepare(prev);
    (prev.anonVmaChain as AnonVmaChain[]).push({ vma: prev, anonVma: { id: 99, root: prev.anonVma!.root } });
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.mm.mapCount).toBe(2);
  });

  it("does not merge VMAs with different anon_vma names, or shared mappings of different files", () => {
    const t = setup();
    map(t, 0, 2, PROT_READ);
    map(t, 2, 4, PROT_READ | PROT_EXEC);
    at(t.mm, 0).anonName = "heap-a";
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ)).toBe(0);
    expect(t.mm.mapCount).toBe(2);
    const a = sysMmap(t.ctx, t.mm, B + 8 * P, P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
    sysMmap(t.ctx, t.mm, a + P, P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
    expect(t.mm.mapCount).toBe(4);
    expectMmValid(t.mm);
  });

  it("split_vma keeps the original object on the side the kernel keeps it, and respects max_map_count", () => {
    const t = setup();
    map(t, 0, 4, RW);
    const v = at(t.mm, 0);
    expect(splitVma(t.ctx, t.mm, v, B + P, true)).toBe(0);
    expect(at(t.mm, 2)).toBe(v);
    expect(splitVma(t.ctx, t.mm, v, B + 3 * P, false)).toBe(0);
    expect(at(t.mm, 1)).toBe(v);
    expect(at(t.mm, 3).vmPgoff).toBe((B + 3 * P) / P);
    t.ctx.maxMapCount = 3;
    expect(splitVma(t.ctx, t.mm, v, B + 2 * P, true)).toBe(-ENOMEM);
  });
});

describe("mprotect", () => {
  it("returns EINVAL, ENOMEM and EACCES as the man page says", () => {
    const t = setup();
    map(t, 0, 2, RW);
    map(t, 4, 6, RW);
    expect(sysMprotect(t.ctx, t.mm, B + 1, P, PROT_READ)).toBe(-EINVAL);
    expect(sysMprotect(t.ctx, t.mm, B, P, 0x40)).toBe(-EINVAL);
    expect(sysMprotect(t.ctx, t.mm, B, P, 0x01000000 | 0x02000000)).toBe(-EINVAL);
    expect(sysMprotect(t.ctx, t.mm, B, 0, PROT_READ)).toBe(0);
    expect(sysMprotect(t.ctx, t.mm, B + 2 * P, P, PROT_READ)).toBe(-ENOMEM); // unmapped
    // A hole after the first VMA: the first part is changed, then ENOMEM.
    expect(sysMprotect(t.ctx, t.mm, B, 6 * P, PROT_READ)).toBe(-ENOMEM);
    expect(at(t.mm, 0).vmFlags & PROT_WRITE).toBe(0);
    expect(at(t.mm, 4).vmFlags & PROT_WRITE).toBe(PROT_WRITE);
    // PROT_GROWSDOWN on a VMA that is not a stack.
    expect(sysMprotect(t.ctx, t.mm, B + 4 * P, P, PROT_READ | 0x01000000)).toBe(-EINVAL);
    // A permission the VMA may not have (VM_MAYWRITE cleared, as a read-only file mapping has).
    at(t.mm, 4).vmFlags &= ~VM_MAYWRITE;
    expect(sysMprotect(t.ctx, t.mm, B + 4 * P, P, RW)).toBe(-EACCES);
    expectMmValid(t.mm);
  });

  it("charges a private mapping made writable for the first time (VM_ACCOUNT), once", () => {
    const t = setup();
    map(t, 0, 4, PROT_READ);
    expect(t.ctx.overcommit.committedAs).toBe(0);
    expect(sysMprotect(t.ctx, t.mm, B, 4 * P, RW)).toBe(0);
    expect(t.ctx.overcommit.committedAs).toBe(4);
    expect(at(t.mm, 0).vmFlags & VM_ACCOUNT).toBe(VM_ACCOUNT);
    expect(sysMprotect(t.ctx, t.mm, B, 4 * P, PROT_READ)).toBe(0);
    expect(sysMprotect(t.ctx, t.mm, B, 4 * P, RW)).toBe(0);
    expect(t.ctx.overcommit.committedAs).toBe(4);
    expectMmValid(t.mm);
  });
});

const PROT_NONE_ = 0;
