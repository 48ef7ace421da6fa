// mmsim: tests of mremap (mm/mremap.c): shrink, grow in place, MAYMOVE, FIXED, DONTUNMAP, errnos, with validateMm after each step
import { EAGAIN, EFAULT, EINVAL, ENOMEM } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { sysMmap } from "./mmap.ts";
import { sysMremap } from "./mremap.ts";
import { MMAP_BASE, expectMmValid, layout, setup } from "./vma.test-helpers.ts";
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_LOCKED, MAP_PRIVATE, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PROT_READ, PROT_WRITE, VM_ACCOUNT,
  VM_LOCKED,
} from "./vm-flags.ts";

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const B = 0x10000000;

describe("mremap", () => {
  it("shrinks in place by unmapping the tail", () => {
    const t = setup();
    const a = sysMmap(t.ctx, t.mm, B, 8 * P, RW, ANON | MAP_FIXED);
    expect(sysMremap(t.ctx, t.mm, a, 8 * P, 3 * P, 0)).toBe(a);
    expect(layout(t.mm)).toEqual(["10000000-10003000 100073"]);
    expect(t.ctx.overcommit.committedAs).toBe(3);
    expectMmValid(t.mm);
  });

  it("grows in place when the space after is free (charging the growth), merging with the next VMA it reaches", () => {
    const t = setup();
    const a = sysMmap(t.ctx, t.mm, B, 2 * P, RW, ANON | MAP_FIXED);
    sysMmap(t.ctx, t.mm, B + 4 * P, 2 * P, RW, ANON | MAP_FIXED);
    expect(sysMremap(t.ctx, t.mm, a, 2 * P, 3 * P, 0)).toBe(a);
    expect(t.ctx.lastMergeCase).toBe(2);
    expect(sysMremap(t.ctx, t.mm, a, 3 * P, 4 * P, 0)).toBe(a);
    expect(t.ctx.lastMergeCase).toBe(1);
    expect(layout(t.mm)).toEqual(["10000000-10006000 100073"]);
    expect(t.ctx.overcommit.committedAs).toBe(6);
    expect(t.mm.totalVm).toBe(6);
    expectMmValid(t.mm);
  });

  it("without MREMAP_MAYMOVE fails with ENOMEM when it cannot grow in place; with it, moves (page tables, old range unmapped)", () => {
    const t = setup();
    const a = sysMmap(t.ctx, t.mm, B, 2 * P, RW, ANON | MAP_FIXED);
    t.anon.anonVmaPrepare(t.mm.mt.first()!);
    sysMmap(t.ctx, t.mm, B + 2 * P, 2 * P, PROT_READ, ANON | MAP_FIXED);
    expect(sysMremap(t.ctx, t.mm, a, 2 * P, 4 * P, 0)).toBe(-ENOMEM);
    const n = sysMremap(t.ctx, t.mm, a, 2 * P, 4 * P, MREMAP_MAYMOVE);
    expect(n).toBe(MMAP_BASE - 4 * P);
    expect(t.pages.named("movePageTables")).toEqual([["movePageTables", a, n, 2 * P]]);
    expect(t.mm.mt.lookup(a)).toBeNull();
    const v = t.mm.mt.lookup(n)!;
    expect(v.vmFlags & VM_ACCOUNT).toBe(VM_ACCOUNT);
    expect(v.vmPgoff).toBe(a / P); // a faulted VMA keeps its page offsets
    expect(t.ctx.overcommit.committedAs).toBe(4);
    expect(t.mm.totalVm).toBe(6);
    expectMmValid(t.mm);
  });

  it("MREMAP_FIXED moves to new_addr, replacing what is there; moving the middle of a VMA keeps both ends accounted", () => {
    const t = setup();
    const a = sysMmap(t.ctx, t.mm, B, 6 * P, RW, ANON | MAP_FIXED);
    t.anon.anonVmaPrepare(t.mm.mt.first()!);
    sysMmap(t.ctx, t.mm, 0x20000000, P, PROT_READ, ANON | MAP_FIXED);
    expect(sysMremap(t.ctx, t.mm, a + 2 * P, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, 0x20000000)).toBe(0x20000000);
    expect(layout(t.mm)).toEqual(["10000000-10002000 100073", "10004000-10006000 100073", "20000000-20002000 100073"]);
    expect(t.ctx.overcommit.committedAs).toBe(6);
    expectMmValid(t.mm);
  });

  it("MREMAP_DONTUNMAP moves the pages and leaves the old VMA in place, unlocked and without its anon_vma", () => {
    const t = setup();
    const a = sysMmap(t.ctx, t.mm, B, 2 * P, RW, ANON | MAP_FIXED | MAP_LOCKED);
    t.anon.anonVmaPrepare(t.mm.mt.first()!);
    const n = sysMremap(t.ctx, t.mm, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    expect(n).toBe(MMAP_BASE - 2 * P);
    const old = t.mm.mt.lookup(a)!;
    expect(old.vmFlags & VM_LOCKED).toBe(0);
    expect(old.anonVma).toBeNull();
    expect(t.mm.mt.lookup(n)!.vmFlags & VM_LOCKED).toBe(VM_LOCKED);
    expect(t.mm.lockedVm).toBe(2);
    expect(t.ctx.overcommit.committedAs).toBe(4);
    expectMmValid(t.mm, "", { checkMerged: false });
  });

  it("returns the man page's errnos", () => {
    const t = setup();
    const a = sysMmap(t.ctx, t.mm, B, 2 * P, RW, ANON | MAP_FIXED);
    expect(sysMremap(t.ctx, t.mm, a, P, P, 8)).toBe(-EINVAL); // unknown flag
    expect(sysMremap(t.ctx, t.mm, a, P, P, MREMAP_FIXED, B + 8 * P)).toBe(-EINVAL); // FIXED without MAYMOVE
    expect(sysMremap(t.ctx, t.mm, a, P, 2 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP)).toBe(-EINVAL); // DONTUNMAP resizing
    expect(sysMremap(t.ctx, t.mm, a + 1, P, P, 0)).toBe(-EINVAL);
    expect(sysMremap(t.ctx, t.mm, a, P, 0, 0)).toBe(-EINVAL);
    expect(sysMremap(t.ctx, t.mm, B + 8 * P, P, 2 * P, 0)).toBe(-EFAULT); // not mapped
    expect(sysMremap(t.ctx, t.mm, a, 3 * P, 4 * P, MREMAP_MAYMOVE)).toBe(-EFAULT); // crosses the VMA's end
    expect(sysMremap(t.ctx, t.mm, a, 0, P, MREMAP_MAYMOVE)).toBe(-EINVAL); // old_len 0 of a private mapping
    expect(sysMremap(t.ctx, t.mm, a, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, a + P)).toBe(-EINVAL); // overlapping
    t.ctx.cred.ipcLock = false;
    t.ctx.rlimit.memlock = 0;
    t.mm.mt.first()!.vmFlags |= VM_LOCKED;
    t.mm.lockedVm = 2;
    expect(sysMremap(t.ctx, t.mm, a, 2 * P, 3 * P, MREMAP_MAYMOVE)).toBe(-EAGAIN);
    expectMmValid(t.mm);
  });
});
