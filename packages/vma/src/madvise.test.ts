// mmsim: tests of madvise (mm/madvise.c): flag behaviours with merge/split, page behaviours through the fakes, errnos
import { EAGAIN, EINVAL, ENOMEM } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { sysMadvise } from "./madvise.ts";
import { MMF_VM_MERGEABLE } from "./mm-types.ts";
import { sysMmap } from "./mmap.ts";
import { expectMmValid, layout, setup } from "./vma.test-helpers.ts";
import {
  MADV_COLD, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_KEEPONFORK,
  MADV_MERGEABLE, MADV_NOHUGEPAGE, MADV_NORMAL, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_REMOVE,
  MADV_SEQUENTIAL, MADV_UNMERGEABLE, MADV_WILLNEED, MADV_WIPEONFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_LOCKED, MAP_PRIVATE, MAP_SHARED,
  PROT_NONE, PROT_READ, PROT_WRITE, VM_DONTCOPY, VM_DONTDUMP, VM_HUGEPAGE, VM_MERGEABLE, VM_NOHUGEPAGE, VM_RAND_READ, VM_SEQ_READ,
  VM_WIPEONFORK,
} from "./vm-flags.ts";

const P = 4096;
const RW = PROT_READ | PROT_WRITE;
const FIX = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const B = 0x10000000;

describe("madvise", () => {
  it("sets and clears VMA flags, splitting the VMA and merging it back", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 6 * P, RW, FIX);
    const cases: [number, number, number][] = [
      [MADV_DONTFORK, MADV_DOFORK, VM_DONTCOPY], [MADV_WIPEONFORK, MADV_KEEPONFORK, VM_WIPEONFORK], [MADV_DONTDUMP, MADV_DODUMP, VM_DONTDUMP],
      [MADV_HUGEPAGE, MADV_NOHUGEPAGE, VM_HUGEPAGE], [MADV_RANDOM, MADV_NORMAL, VM_RAND_READ], [MADV_SEQUENTIAL, MADV_NORMAL, VM_SEQ_READ],
    ];
    for (const [on, off, flag] of cases) {
      expect(sysMadvise(t.ctx, t.mm, B + 2 * P, 2 * P, on)).toBe(0);
      expect(t.mm.mapCount).toBe(3);
      expect(t.mm.mt.lookup(B + 2 * P)!.vmFlags & flag).toBe(flag);
      expectMmValid(t.mm);
      expect(sysMadvise(t.ctx, t.mm, B + 2 * P, 2 * P, off)).toBe(0);
      expect(t.mm.mapCount).toBe(off === MADV_NOHUGEPAGE ? 3 : 1);
      expectMmValid(t.mm);
      if (off === MADV_NOHUGEPAGE) {
        expect(t.mm.mt.lookup(B + 2 * P)!.vmFlags & (VM_HUGEPAGE | VM_NOHUGEPAGE)).toBe(VM_NOHUGEPAGE);
        sysMadvise(t.ctx, t.mm, B, 6 * P, MADV_NOHUGEPAGE);
        expect(t.mm.mapCount).toBe(1);
      }
    }
  });

  it("MERGEABLE sets VM_MERGEABLE and registers the mm with KSM once; ignored on shared mappings", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 2 * P, RW, FIX);
    sysMmap(t.ctx, t.mm, B + 4 * P, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
    expect(sysMadvise(t.ctx, t.mm, B, 6 * P, MADV_MERGEABLE)).toBe(-ENOMEM); // the hole, after doing the rest
    expect(t.mm.mt.lookup(B)!.vmFlags & VM_MERGEABLE).not.toBe(0);
    expect(t.mm.mt.lookup(B + 4 * P)!.vmFlags & VM_MERGEABLE).toBe(0);
    expect(t.mm.flags & (1 << MMF_VM_MERGEABLE)).not.toBe(0);
    expect(sysMadvise(t.ctx, t.mm, B, 2 * P, MADV_UNMERGEABLE)).toBe(0);
    expect(t.mm.mt.lookup(B)!.vmFlags & VM_MERGEABLE).toBe(0);
    expectMmValid(t.mm);
  });

  it("DONTNEED zaps the pages (not of a locked VMA), POPULATE_* fault them in, the reclaim ones check their VMA", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 4 * P, RW, FIX);
    sysMmap(t.ctx, t.mm, B + 4 * P, 2 * P, PROT_READ, FIX);
    sysMmap(t.ctx, t.mm, B + 8 * P, 2 * P, RW, FIX | MAP_LOCKED);
    expect(sysMadvise(t.ctx, t.mm, B + P, 2 * P, MADV_DONTNEED)).toBe(0);
    expect(t.pages.named("zapPageRange")).toEqual([["zapPageRange", B + P, B + 3 * P]]);
    expect(sysMadvise(t.ctx, t.mm, B + 8 * P, P, MADV_DONTNEED)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B, 6 * P, MADV_POPULATE_READ)).toBe(0);
    expect(sysMadvise(t.ctx, t.mm, B, 6 * P, MADV_POPULATE_WRITE)).toBe(-EINVAL); // the read-only part
    t.pages.populateResult = -ENOMEM;
    expect(sysMadvise(t.ctx, t.mm, B, P, MADV_POPULATE_WRITE)).toBe(-ENOMEM);
    expect(sysMadvise(t.ctx, t.mm, B, 4 * P, MADV_FREE)).toBe(0);
    expect(sysMadvise(t.ctx, t.mm, B, 4 * P, MADV_COLD)).toBe(0);
    expect(sysMadvise(t.ctx, t.mm, B + 8 * P, P, MADV_COLD)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B + 8 * P, P, MADV_PAGEOUT)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B, 4 * P, MADV_WILLNEED)).toBe(0);
    expect(sysMadvise(t.ctx, t.mm, B, 4 * P, MADV_REMOVE)).toBe(-EINVAL);
    expectMmValid(t.mm);
  });

  it("returns the man page's errnos for its arguments", () => {
    const t = setup();
    sysMmap(t.ctx, t.mm, B, 4 * P, RW, FIX);
    expect(sysMadvise(t.ctx, t.mm, B, P, 77)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B + 1, P, MADV_DONTNEED)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B, 0, MADV_DONTNEED)).toBe(0);
    expect(sysMadvise(t.ctx, t.mm, 0x50000000, P, MADV_DONTNEED)).toBe(-ENOMEM);
    sysMmap(t.ctx, t.mm, B + 8 * P, P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
    expect(sysMadvise(t.ctx, t.mm, B + 8 * P, P, MADV_WIPEONFORK)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B + 8 * P, P, MADV_FREE)).toBe(-EINVAL);
    expect(sysMadvise(t.ctx, t.mm, B + 8 * P, P, MADV_REMOVE)).toBe(0);
    sysMmap(t.ctx, t.mm, B + 12 * P, P, PROT_NONE, FIX);
    expect(sysMadvise(t.ctx, t.mm, B + 12 * P, P, MADV_POPULATE_READ)).toBe(-EINVAL);
    // A split beyond max_map_count is EAGAIN for madvise.
    t.ctx.maxMapCount = t.mm.mapCount;
    expect(sysMadvise(t.ctx, t.mm, B + P, P, MADV_DONTFORK)).toBe(-EAGAIN);
    expectMmValid(t.mm);
    expect(layout(t.mm).length).toBe(3);
  });
});
