// mmsim: tests of mlock, mlock2, munlock, mlockall, munlockall (mm/mlock.c)
import { EAGAIN, EINVAL, ENOMEM, EPERM } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { sysBrk, sysMmap } from "./mmap.ts";
import { sysMlock, sysMlock2, sysMlockall, sysMunlock, sysMunlockall } from "./mlock.ts";
import { expectMmValid, layout, setup } from "./vma.test-helpers.ts";
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT, PROT_NONE, PROT_READ, PROT_WRITE, VM_LOCKED,
  VM_LOCKONFAULT,
} from "./vm-flags.ts";

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const FIX = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const B = 0x10000000;

describe("mlock", () => {
  it("locks part of a VMA (split), counts locked_vm, faults it in; munlock merges it back", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 6 * P, RW, FIX);
    expect(sysMlock(t.ctx, t.mm, B + 2 * P + 100, P)).toBe(0); // [start & PAGE_MASK, PAGE_ALIGN(len + offset))
    expect(layout(t.mm)).toEqual(["10000000-10002000 100073", "10002000-10004000 102073", "10004000-10006000 100073"]);
    expect(t.mm.lockedVm).toBe(2);
    expect(t.pages.named("populate")).toEqual([["populate", B + 2 * P, B + 4 * P, true]]);
    expect(t.pages.named("mlockVmaPages").length).toBe(1);
    expect(sysMlock(t.ctx, t.mm, B + 2 * P, 2 * P)).toBe(0); // again: nothing changes
    expect(t.mm.lockedVm).toBe(2);
    expect(sysMunlock(t.ctx, t.mm, B, 6 * P)).toBe(0);
    expect(t.mm.lockedVm).toBe(0);
    expect(t.mm.mapCount).toBe(1);
    expectMmValid(t.mm);
  });

  it("mlock2(MLOCK_ONFAULT) sets VM_LOCKONFAULT and faults nothing in; unknown flags are EINVAL", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 2 * P, RW, FIX);
    expect(sysMlock2(t.ctx, t.mm, B, 2 * P, 2)).toBe(-EINVAL);
    expect(sysMlock2(t.ctx, t.mm, B, 2 * P, MLOCK_ONFAULT)).toBe(0);
    expect(t.mm.mt.first()!.vmFlags & (VM_LOCKED | VM_LOCKONFAULT)).toBe(VM_LOCKED | VM_LOCKONFAULT);
    expect(t.pages.named("populate")).toEqual([]);
    expect(t.mm.lockedVm).toBe(2);
    expectMmValid(t.mm);
  });

  it("fails with ENOMEM over a hole or PROT_NONE, and over RLIMIT_MEMLOCK without CAP_IPC_LOCK; EPERM with a zero limit", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 2 * P, RW, FIX);
    sysMmap(t.ctx, t.mm, B + 3 * P, P, PROT_NONE, FIX);
    expect(sysMlock(t.ctx, t.mm, B, 3 * P)).toBe(-ENOMEM); // hole: the first VMA stays locked
    expect(t.mm.lockedVm).toBe(2);
    expect(sysMlock(t.ctx, t.mm, B + 3 * P, P)).toBe(-ENOMEM); // gup's EFAULT on PROT_NONE (the VMA stays VM_LOCKED)
    expect(t.mm.lockedVm).toBe(3);
    expect(sysMunlock(t.ctx, t.mm, B, 4 * P)).toBe(-ENOMEM); // stops at the hole
    expect(t.mm.lockedVm).toBe(1);
    expect(sysMunlock(t.ctx, t.mm, B + 3 * P, P)).toBe(0);
    t.ctx.cred.ipcLock = false;
    t.ctx.rlimit.memlock = P;
    expect(sysMlock(t.ctx, t.mm, B, 2 * P)).toBe(-ENOMEM);
    expect(sysMlock(t.ctx, t.mm, B, P)).toBe(0);
    t.pages.populateResult = -ENOMEM;
    expect(sysMlock(t.ctx, t.mm, B, P)).toBe(-EAGAIN); // already locked (not counted twice); gup's ENOMEM is EAGAIN
    t.ctx.rlimit.memlock = 0;
    expect(sysMlock(t.ctx, t.mm, B, P)).toBe(-EPERM);
    expectMmValid(t.mm);
  });

  it("mlockall(MCL_CURRENT|MCL_FUTURE) locks every VMA and later mappings; munlockall undoes both", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 2 * P, RW, FIX);
    sysMmap(t.ctx, t.mm, B + 4 * P, 2 * P, PROT_READ, FIX);
    expect(sysMlockall(t.ctx, t.mm, 0)).toBe(-EINVAL);
    expect(sysMlockall(t.ctx, t.mm, MCL_ONFAULT)).toBe(-EINVAL);
    expect(sysMlockall(t.ctx, t.mm, 8)).toBe(-EINVAL);
    expect(sysMlockall(t.ctx, t.mm, MCL_CURRENT | MCL_FUTURE)).toBe(0);
    expect(t.mm.lockedVm).toBe(4);
    expect(t.pages.named("populate").length).toBe(2);
    sysMmap(t.ctx, t.mm, B + 8 * P, P, RW, FIX);
    expect(t.mm.lockedVm).toBe(5);
    expect(sysBrk(t.ctx, t.mm, 0x422000)).toBe(0x422000);
    expect(t.mm.lockedVm).toBe(7);
    expect(sysMunlockall(t.ctx, t.mm)).toBe(0);
    expect(t.mm.lockedVm).toBe(0);
    expect(t.mm.defFlags).toBe(0);
    expectMmValid(t.mm);
  });

  it("mlockall(MCL_CURRENT) over RLIMIT_MEMLOCK without CAP_IPC_LOCK is ENOMEM", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 4 * P, RW, FIX);
    t.ctx.cred.ipcLock = false;
    t.ctx.rlimit.memlock = 2 * P;
    expect(sysMlockall(t.ctx, t.mm, MCL_CURRENT)).toBe(-ENOMEM);
    expect(sysMlockall(t.ctx, t.mm, MCL_FUTURE)).toBe(0);
    expect(sysMmap(t.ctx, t.mm, 0, 4 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS)).toBe(-EAGAIN);
    expectMmValid(t.mm);
  });
});
