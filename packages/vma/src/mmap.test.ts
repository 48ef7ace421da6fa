// mmsim: tests of mmap, munmap and brk (mm/mmap.c): every path and errno, with validateMm after each step
import { EBADF, EEXIST, EINVAL, ENOMEM, EOVERFLOW, PAGE_SIZE } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { EOPNOTSUPP, expandStack, findExtendVma, sysBrk, sysMmap, sysMunmap } from "./mmap.ts";
import { OVERCOMMIT_NEVER } from "./overcommit.ts";
import { MMAP_BASE, expectMmValid, layout, setup } from "./vma.test-helpers.ts";
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_HUGETLB, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE,
  MAP_SHARED, MAP_SHARED_VALIDATE, MAP_STACK, MAP_SYNC, PROT_NONE, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_GROWSDOWN, VM_LOCKED, VM_MAYEXEC,
  VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE, VM_READ, VM_SHARED, VM_WRITE,
} from "./vm-flags.ts";

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const K = 1024;
const M = 1024 * 1024;

describe("mmap", () => {
  it("places anonymous mappings top-down below mmap_base, and adjacent ones merge into one VMA", () => {
    const { ctx, mm } = setup();
    const a = sysMmap(ctx, mm, 0, 64 * K, RW, ANON);
    expect(a).toBe(MMAP_BASE - 64 * K);
    const b = sysMmap(ctx, mm, 0, 100, RW, ANON);
    expect(b).toBe(a - PAGE_SIZE);
    expect(mm.mapCount).toBe(1);
    const v = mm.mt.first()!;
    expect([v.vmStart, v.vmEnd, v.vmPgoff]).toEqual([b, MMAP_BASE, b / PAGE_SIZE]);
    expect(v.vmFlags).toBe(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT);
    expect(mm.totalVm).toBe(17);
    expect(mm.dataVm).toBe(17);
    expect(ctx.overcommit.committedAs).toBe(17);
    expectMmValid(mm);
  });

  it("does not merge mappings with different protections", () => {
    const { ctx, mm } = setup();
    sysMmap(ctx, mm, 0, 4 * K, RW, ANON);
    sysMmap(ctx, mm, 0, 4 * K, PROT_READ, ANON);
    expect(mm.mapCount).toBe(2);
    expect(mm.dataVm).toBe(1);
    expect(mm.totalVm).toBe(2);
    expect(ctx.overcommit.committedAs).toBe(1); // a read-only private mapping is not charged
    expectMmValid(mm);
  });

  it("takes a free hint address (rounded down to a page: round_hint_to_min), and ignores a hint that is taken", () => {
    const { ctx, mm } = setup();
    expect(sysMmap(ctx, mm, 0x10000001, 8 * K, RW, ANON)).toBe(0x10000000);
    expect(sysMmap(ctx, mm, 0x10001000, 4 * K, RW, ANON)).toBe(MMAP_BASE - 4 * K);
    // A hint below mmap_min_addr is raised to it; one that rounds down to 0 is no hint.
    ctx.mmapMinAddr = 0x10000;
    expect(sysMmap(ctx, mm, 0x2000, 4 * K, RW, ANON)).toBe(0x10000);
    expect(sysMmap(ctx, mm, 0x800, 4 * K, RW, ANON)).toBe(MMAP_BASE - 8 * K);
    expectMmValid(mm);
  });

  it("MAP_FIXED replaces what is there (unmapping it); MAP_FIXED_NOREPLACE fails with EEXIST", () => {
    const { ctx, mm, pages } = setup();
    const a = sysMmap(ctx, mm, 0x20000000, 16 * K, RW, ANON | MAP_FIXED);
    expect(a).toBe(0x20000000);
    expect(sysMmap(ctx, mm, 0x20001000, 4 * K, PROT_READ, ANON | MAP_FIXED_NOREPLACE)).toBe(-EEXIST);
    expect(sysMmap(ctx, mm, 0x20001000, 4 * K, PROT_READ, ANON | MAP_FIXED)).toBe(0x20001000);
    expect(pages.named("unmapRegion")).toEqual([["unmapRegion", ["20001000-20002000"], 0x20001000, 0x20002000, "20000000-20001000", "20002000-20004000"]]);
    expect(layout(mm)).toEqual(["20000000-20001000 100073", "20001000-20002000 71", "20002000-20004000 100073"]);
    expect(mm.totalVm).toBe(4);
    expect(ctx.overcommit.committedAs).toBe(3);
    // MAP_FIXED_NOREPLACE on a free range works.
    expect(sysMmap(ctx, mm, 0x30000000, 4 * K, RW, ANON | MAP_FIXED_NOREPLACE)).toBe(0x30000000);
    expectMmValid(mm);
  });

  it("returns the man page's errnos for bad arguments", () => {
    const { ctx, mm } = setup();
    expect(sysMmap(ctx, mm, 0, 0, RW, ANON)).toBe(-EINVAL); // length 0
    expect(sysMmap(ctx, mm, 0, 4096, RW, MAP_ANONYMOUS)).toBe(-EINVAL); // neither SHARED nor PRIVATE
    expect(sysMmap(ctx, mm, 0, 4096, RW, ANON | MAP_SHARED)).toBe(-EINVAL); // both: MAP_SHARED_VALIDATE for anon
    expect(sysMmap(ctx, mm, 0x1234, 4096, RW, ANON | MAP_FIXED)).toBe(-EINVAL); // unaligned fixed address
    expect(sysMmap(ctx, mm, 0, 4096, RW, ANON, null, 100)).toBe(-EINVAL); // unaligned offset
    expect(sysMmap(ctx, mm, 0, 4096, RW, MAP_PRIVATE)).toBe(-EBADF); // no file
    expect(sysMmap(ctx, mm, 0, 2 ** 49, RW, ANON)).toBe(-ENOMEM); // larger than the address space
    expect(sysMmap(ctx, mm, 2 ** 48 - 4096, 8192, RW, ANON | MAP_FIXED)).toBe(-ENOMEM); // past TASK_SIZE
    expect(sysMmap(ctx, mm, 0, 2 * M, RW, ANON | MAP_HUGETLB)).toBe(-ENOMEM); // no hugetlb pages reserved
    expect(sysMmap(ctx, mm, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN)).toBe(-EINVAL);
    expect(mm.mapCount).toBe(0);
    expectMmValid(mm);
  });

  it("validates the flags of a shared file mapping (MAP_SHARED_VALIDATE: EOPNOTSUPP) and offsets (EOVERFLOW)", () => {
    const { ctx, mm } = setup();
    const file = { path: "/tmp/f", dev: [0, 30] as const, ino: 7 };
    expect(sysMmap(ctx, mm, 0, 4096, RW, MAP_SHARED_VALIDATE | MAP_SYNC, file)).toBe(-EOPNOTSUPP);
    expect(sysMmap(ctx, mm, 0, 4096, RW, MAP_SHARED | MAP_SYNC, file)).toBeGreaterThan(0); // silently dropped
    expect(sysMmap(ctx, mm, 0, 8192, RW, MAP_PRIVATE, file, (Number.MAX_SAFE_INTEGER - 1) * 4096)).toBe(-EOVERFLOW);
    const v = mm.mt.first()!;
    expect(v.vmFile).toBe(file);
    expect(v.vmFlags & (VM_SHARED | VM_MAYSHARE)).toBe(VM_SHARED | VM_MAYSHARE);
    expectMmValid(mm);
  });

  it("counts map_count against vm.max_map_count as 6.1 does (mmap fails once map_count > max)", () => {
    const { ctx, mm } = setup();
    ctx.maxMapCount = 3;
    for (let i = 0; i < 4; i++) expect(sysMmap(ctx, mm, 0, 4096, i % 2 ? PROT_READ : RW, ANON)).toBeGreaterThan(0);
    expect(mm.mapCount).toBe(4);
    expect(sysMmap(ctx, mm, 0, 4096, PROT_READ | 4, ANON)).toBe(-ENOMEM);
    // munmap of a middle page of a VMA needs a split: refused at the limit.
    const big = sysMmap(ctx, mm, 0x40000000, 3 * 4096, RW, ANON | MAP_FIXED);
    expect(big).toBe(-ENOMEM);
    expectMmValid(mm);
  });

  it("charges private writable mappings under overcommit_memory 2 and refuses past CommitLimit; MAP_NORESERVE is ignored there", () => {
    const { ctx, mm, info } = setup();
    ctx.overcommit.overcommitMemory = OVERCOMMIT_NEVER;
    const limit = ctx.overcommit.vmCommitLimit();
    expect(limit).toBe(info.totalram / 2);
    // allowed = limit − min(total_vm / 32, user_reserve) (root: no admin reserve); the charge must stay below it.
    expect(sysMmap(ctx, mm, 0, limit * 4096, RW, ANON)).toBe(-ENOMEM);
    expect(ctx.overcommit.committedAs).toBe(0);
    const big = sysMmap(ctx, mm, 0, (limit - 1) * 4096, RW, ANON);
    expect(big).toBeGreaterThan(0);
    expect(ctx.overcommit.committedAs).toBe(limit - 1);
    expect(sysMunmap(ctx, mm, big, (limit - 1) * 4096)).toBe(0);
    const a = sysMmap(ctx, mm, 0, 1000 * 4096, RW, ANON | MAP_NORESERVE);
    expect(a).toBeGreaterThan(0);
    expect(mm.mt.first()!.vmFlags & (VM_ACCOUNT | VM_NORESERVE)).toBe(VM_ACCOUNT);
    expect(ctx.overcommit.committedAs).toBe(1000);
    expect(sysMunmap(ctx, mm, a, 1000 * 4096)).toBe(0);
    expect(ctx.overcommit.committedAs).toBe(0);
    expectMmValid(mm);
  });

  it("MAP_NORESERVE under heuristic overcommit: no VM_ACCOUNT, no charge", () => {
    const { ctx, mm } = setup();
    expect(sysMmap(ctx, mm, 0, 1 << 30, RW, ANON | MAP_NORESERVE)).toBeGreaterThan(0);
    expect(mm.mt.first()!.vmFlags & (VM_ACCOUNT | VM_NORESERVE)).toBe(VM_NORESERVE);
    expect(ctx.overcommit.committedAs).toBe(0);
    // Heuristic: one request larger than RAM + swap fails.
    expect(sysMmap(ctx, mm, 0, 2 << 30, RW, ANON)).toBe(-ENOMEM);
    expectMmValid(mm);
  });

  it("MAP_POPULATE faults the range in with write faults for a private writable mapping, and none with MAP_NONBLOCK", () => {
    const { ctx, mm, pages } = setup();
    const a = sysMmap(ctx, mm, 0, 8 * K, RW, ANON | MAP_POPULATE);
    const b = sysMmap(ctx, mm, 0, 8 * K, PROT_READ, ANON | MAP_POPULATE);
    sysMmap(ctx, mm, 0, 8 * K, PROT_READ, ANON | MAP_POPULATE | 0x10000);
    sysMmap(ctx, mm, 0, 8 * K, PROT_NONE, ANON | MAP_POPULATE); // gup refuses PROT_NONE (ignored)
    expect(pages.named("populate")).toEqual([["populate", a, a + 8 * K, true], ["populate", b, b + 8 * K, false]]);
    expectMmValid(mm);
  });

  it("MAP_LOCKED sets VM_LOCKED, counts locked_vm and populates", () => {
    const { ctx, mm, pages } = setup();
    const a = sysMmap(ctx, mm, 0, 12 * K, RW, ANON | MAP_LOCKED);
    expect(mm.mt.first()!.vmFlags & VM_LOCKED).toBe(VM_LOCKED);
    expect(mm.lockedVm).toBe(3);
    expect(pages.named("populate")).toEqual([["populate", a, a + 12 * K, true]]);
    expect(sysMunmap(ctx, mm, a + 4 * K, 4 * K)).toBe(0);
    expect(mm.lockedVm).toBe(2);
    expect(pages.named("mlockVmaPages").length).toBe(1);
    expectMmValid(mm);
  });

  it("shared anonymous memory is a shmem file (/dev/zero (deleted)) charged at its size, never merged, uncharged at the last unmap", () => {
    const { ctx, mm } = setup();
    const a = sysMmap(ctx, mm, 0, 8 * K, RW, MAP_SHARED | MAP_ANONYMOUS);
    const b = sysMmap(ctx, mm, 0, 8 * K, RW, MAP_SHARED | MAP_ANONYMOUS);
    expect(b).toBe(a - 8 * K);
    expect(mm.mapCount).toBe(2);
    const v = mm.mt.lookup(a)!;
    expect(v.vmFile?.path).toBe("/dev/zero (deleted)");
    expect(v.vmPgoff).toBe(0);
    expect(v.vmFlags & VM_ACCOUNT).toBe(0);
    expect(ctx.overcommit.committedAs).toBe(4);
    expect(mm.dataVm).toBe(0);
    // Splitting takes a file reference: unmapping half keeps the charge, the rest releases it.
    expect(sysMunmap(ctx, mm, a, 4 * K)).toBe(0);
    expect(ctx.overcommit.committedAs).toBe(4);
    expect(sysMunmap(ctx, mm, a + 4 * K, 4 * K)).toBe(0);
    expect(ctx.overcommit.committedAs).toBe(2);
    expectMmValid(mm);
  });

  it("MAP_GROWSDOWN|MAP_STACK makes a stack VMA (stack_vm), and get_unmapped_area keeps stack_guard_gap below it", () => {
    const { ctx, mm } = setup();
    const top = MMAP_BASE - 64 * M;
    const s = sysMmap(ctx, mm, top - 128 * K, 128 * K, RW, ANON | MAP_GROWSDOWN | MAP_STACK | MAP_FIXED);
    expect(s).toBe(top - 128 * K);
    expect(mm.stackVm).toBe(32);
    expect(mm.dataVm).toBe(0);
    expect(mm.mt.first()!.vmFlags & VM_GROWSDOWN).toBe(VM_GROWSDOWN);
    // A hint right below the stack is inside its guard gap: not taken.
    const h = sysMmap(ctx, mm, s - 64 * K, 64 * K, RW, ANON);
    expect(h).toBe(MMAP_BASE - 64 * K);
    // Fill everything above the stack so the top-down search must go below it.
    sysMmap(ctx, mm, top, MMAP_BASE - 64 * K - top, RW, ANON | MAP_FIXED);
    const below = sysMmap(ctx, mm, 0, 4 * K, RW, ANON);
    expect(below).toBe(s - ctx.stackGuardGap - 4 * K);
    expectMmValid(mm);
  });

  it("grows a stack down on a fault below it (expand_stack), but not into the guard gap of the VMA below", () => {
    const { ctx, mm, anon } = setup();
    const s = sysMmap(ctx, mm, 0x7f0000000, 8 * K, RW, ANON | MAP_GROWSDOWN | MAP_FIXED);
    const v = findExtendVma(ctx, mm, s - 3 * K)!;
    expect(v.vmStart).toBe(s - 4 * K);
    expect(mm.stackVm).toBe(3);
    expect(anon.calls.some((c) => c[0] === "anonVmaPrepare")).toBe(true);
    sysMmap(ctx, mm, s - 4 * K - ctx.stackGuardGap - 4 * K, 4 * K, RW, ANON | MAP_FIXED);
    expect(expandStack(ctx, v, s - 8 * K)).toBe(-ENOMEM);
    expect(findExtendVma(ctx, mm, 0x100)).toBeNull();
    expectMmValid(mm);
  });
});

describe("munmap", () => {
  it("splits a VMA when a hole is punched in it, and the pieces keep their page offsets", () => {
    const { ctx, mm, pages } = setup();
    const a = sysMmap(ctx, mm, 0, 16 * K, RW, ANON);
    expect(sysMunmap(ctx, mm, a + 4 * K, 8 * K)).toBe(0);
    expect(layout(mm)).toEqual([`${a.toString(16)}-${(a + 4 * K).toString(16)} 100073`, `${(a + 12 * K).toString(16)}-${(a + 16 * K).toString(16)} 100073`]);
    expect(mm.mt.last()!.vmPgoff).toBe((a + 12 * K) / 4096);
    expect(pages.named("unmapRegion")).toEqual([
      ["unmapRegion", [`${(a + 4 * K).toString(16)}-${(a + 12 * K).toString(16)}`], a + 4 * K, a + 12 * K,
        `${a.toString(16)}-${(a + 4 * K).toString(16)}`, `${(a + 12 * K).toString(16)}-${(a + 16 * K).toString(16)}`],
    ]);
    expect(mm.totalVm).toBe(2);
    expect(ctx.overcommit.committedAs).toBe(2);
    expectMmValid(mm);
  });

  it("unmaps several VMAs and the holes between them at once", () => {
    const { ctx, mm, anon, pages } = setup();
    sysMmap(ctx, mm, 0x10000000, 8 * K, RW, ANON | MAP_FIXED);
    sysMmap(ctx, mm, 0x10004000, 8 * K, PROT_READ, ANON | MAP_FIXED);
    sysMmap(ctx, mm, 0x10008000, 8 * K, RW, ANON | MAP_FIXED);
    anon.anonVmaPrepare(mm.mt.first()!);
    expect(sysMunmap(ctx, mm, 0x10001000, 0x8000)).toBe(0);
    expect(layout(mm)).toEqual(["10000000-10001000 100073", "10009000-1000a000 100073"]);
    // The split-off head keeps its anon_vma link for unmap_region's free_pgtables to unlink (the
    // page side, as in 6.1): vma's own remove_vma never unlinks.
    expect(pages.named("unmapRegion")).toEqual([["unmapRegion", ["10001000-10002000", "10004000-10006000", "10008000-10009000"], 0x10001000, 0x10009000, "10000000-10001000", "10009000-1000a000"]]);
    expect(anon.calls.filter((c) => c[0] === "unlinkAnonVmas")).toEqual([]);
    expectMmValid(mm);
  });

  it("returns EINVAL for an unaligned address or a zero length, and 0 for a range with nothing mapped", () => {
    const { ctx, mm } = setup();
    expect(sysMunmap(ctx, mm, 0x1001, 4096)).toBe(-EINVAL);
    expect(sysMunmap(ctx, mm, 0x1000, 0)).toBe(-EINVAL);
    expect(sysMunmap(ctx, mm, 2 ** 48, 4096)).toBe(-EINVAL);
    expect(sysMunmap(ctx, mm, 0x1000, 4096)).toBe(0);
  });

  it("refuses to split past vm.max_map_count, but may unmap a whole VMA or a VMA's end at the limit", () => {
    const { ctx, mm } = setup();
    const a = sysMmap(ctx, mm, 0, 16 * K, RW, ANON);
    ctx.maxMapCount = 1;
    expect(sysMunmap(ctx, mm, a + 4 * K, 4 * K)).toBe(-ENOMEM);
    expect(sysMunmap(ctx, mm, a + 12 * K, 4 * K)).toBe(0); // temporarily 2, then 1
    expect(mm.mapCount).toBe(1);
    expectMmValid(mm);
  });
});

describe("brk", () => {
  it("grows the heap as one VMA from start_brk, merging its growth, and shrinks it again", () => {
    const { ctx, mm, pages } = setup();
    expect(sysBrk(ctx, mm, 0)).toBe(0x420000); // query
    expect(sysBrk(ctx, mm, 0x421000)).toBe(0x421000);
    expect(sysBrk(ctx, mm, 0x443210)).toBe(0x443210);
    expect(layout(mm)).toEqual(["420000-444000 100073"]);
    expect(mm.dataVm).toBe(0x24);
    expect(ctx.overcommit.committedAs).toBe(0x24);
    // Inside the same page: only mm->brk moves.
    expect(sysBrk(ctx, mm, 0x443ff0)).toBe(0x443ff0);
    expect(sysBrk(ctx, mm, 0x430000)).toBe(0x430000);
    expect(layout(mm)).toEqual(["420000-430000 100073"]);
    expect(pages.named("unmapRegion").length).toBe(1);
    expect(ctx.overcommit.committedAs).toBe(0x10);
    expect(sysBrk(ctx, mm, 0x420000)).toBe(0x420000);
    expect(mm.mapCount).toBe(0);
    expectMmValid(mm);
  });

  it("refuses (returning the old break) below start_brk, into a mapping, or within a page + stack_guard_gap of a stack", () => {
    const { ctx, mm } = setup();
    expect(sysBrk(ctx, mm, 0x410000)).toBe(0x420000);
    sysMmap(ctx, mm, 0x500000, 4096, RW, ANON | MAP_FIXED);
    expect(sysBrk(ctx, mm, 0x500000)).toBe(0x420000); // newbrk + PAGE_SIZE reaches the mapping
    expect(sysBrk(ctx, mm, 0x4ff000)).toBe(0x4ff000);
    expect(sysBrk(ctx, mm, 0x420000)).toBe(0x420000);
    sysMunmap(ctx, mm, 0x500000, 4096);
    sysMmap(ctx, mm, 0x600000, 4096, RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
    const limit = 0x600000 - ctx.stackGuardGap - 4096;
    expect(sysBrk(ctx, mm, limit + 4096)).toBe(0x420000);
    expect(sysBrk(ctx, mm, limit)).toBe(limit);
    expectMmValid(mm);
  });

  it("does not merge the heap into the VMA below start_brk, and locks it under mlockall(MCL_FUTURE)", () => {
    const { ctx, mm, pages } = setup();
    sysMmap(ctx, mm, 0x410000, 0x10000, RW, ANON | MAP_FIXED); // data+bss ending at start_brk
    expect(sysBrk(ctx, mm, 0x422000)).toBe(0x422000);
    expect(mm.mapCount).toBe(2);
    mm.defFlags |= VM_LOCKED;
    expect(sysBrk(ctx, mm, 0x424000)).toBe(0x424000);
    expect(mm.mapCount).toBe(3); // the locked growth has other flags
    expect(mm.lockedVm).toBe(2);
    expect(pages.named("populate")).toEqual([["populate", 0x422000, 0x424000, true]]);
    expectMmValid(mm);
  });
});
