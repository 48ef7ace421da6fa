// mmsim: property tests — random mmap/munmap/mprotect/madvise sequences against a page-by-page reference model of the address space, validateMm after every step
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sysMadvise } from "./madvise.ts";
import { sysMmap, sysMunmap } from "./mmap.ts";
import { sysMprotect } from "./mprotect.ts";
import { expectMmValid, setup } from "./vma.test-helpers.ts";
import {
  MADV_DOFORK, MADV_DONTFORK, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_DONTCOPY, VM_EXEC,
  VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE,
} from "./vm-flags.ts";

const P = 4096;
const N = 48; // pages in the window
const BASE = 0x10000000;

type Op =
  | { kind: "mmap"; page: number; len: number; prot: number }
  | { kind: "munmap"; page: number; len: number }
  | { kind: "mprotect"; page: number; len: number; prot: number }
  | { kind: "madvise"; page: number; len: number; on: boolean };

const prot = fc.constantFrom(0, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC);
const range = fc.tuple(fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: 1, max: 12 })).map(([page, len]) => ({ page, len: Math.min(len, N - page) }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(range, prot).map(([r, p]) => ({ kind: "mmap" as const, ...r, prot: p })),
  range.map((r) => ({ kind: "munmap" as const, ...r })),
  fc.tuple(range, prot).map(([r, p]) => ({ kind: "mprotect" as const, ...r, prot: p })),
  fc.tuple(range, fc.boolean()).map(([r, on]) => ({ kind: "madvise" as const, ...r, on })),
);

const protBits = (p: number) => (p & PROT_READ ? VM_READ : 0) | (p & PROT_WRITE ? VM_WRITE : 0) | (p & PROT_EXEC ? VM_EXEC : 0);

/** The reference: each page's expected vm_flags, or -1 when unmapped. */
function apply(model: Int32Array, o: Op): number {
  const end = o.page + o.len;
  switch (o.kind) {
    case "mmap":
      for (let i = o.page; i < end; i++) model[i] = protBits(o.prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | (o.prot & PROT_WRITE ? VM_ACCOUNT : 0);
      return BASE + o.page * P;
    case "munmap":
      model.fill(-1, o.page, end);
      return 0;
    case "mprotect": {
      if (model[o.page] === -1) return -12;
      for (let i = o.page; i < end; i++) {
        if (model[i] === -1) return -12;
        const old = model[i]!;
        let nf = protBits(o.prot) | (old & ~(VM_READ | VM_WRITE | VM_EXEC));
        if (o.prot & PROT_WRITE && (old & (VM_ACCOUNT | VM_WRITE)) === 0) nf |= VM_ACCOUNT;
        model[i] = nf;
      }
      return 0;
    }
    case "madvise": {
      let hole = false;
      for (let i = o.page; i < end; i++) {
        if (model[i] === -1) hole = true;
        else model[i] = o.on ? model[i]! | VM_DONTCOPY : model[i]! & ~VM_DONTCOPY;
      }
      return hole ? -12 : 0;
    }
  }
}

describe("random mmap/munmap/mprotect/madvise sequences", () => {
  // 80 random sequences of up to 30 steps, each checked page by page: ~1 s on an idle machine;
  // the timeout is generous for a loaded 2-core CI runner.
  it("leave exactly the reference's pages and flags, merged maximally, with consistent counters", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        const { ctx, mm } = setup();
        const model = new Int32Array(N).fill(-1);
        for (const [step, o] of ops.entries()) {
          const a = BASE + o.page * P;
          const len = o.len * P;
          const got = o.kind === "mmap" ? sysMmap(ctx, mm, a, len, o.prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
            : o.kind === "munmap" ? sysMunmap(ctx, mm, a, len)
            : o.kind === "mprotect" ? sysMprotect(ctx, mm, a, len, o.prot)
            : sysMadvise(ctx, mm, a, len, o.on ? MADV_DONTFORK : MADV_DOFORK);
          const want = apply(model, o);
          const where = `step ${step} ${JSON.stringify(o)}`;
          expect(got, where).toBe(want);
          expectMmValid(mm, where);
          let accounted = 0;
          for (let i = 0; i < N; i++) {
            const v = mm.mt.lookup(BASE + i * P);
            expect(v === null ? -1 : v.vmFlags, `${where}: page ${i}`).toBe(model[i]);
            if (model[i]! !== -1 && (model[i]! & VM_ACCOUNT) !== 0) accounted++;
          }
          expect(ctx.overcommit.committedAs, where).toBe(accounted);
        }
      }),
      { numRuns: 80, seed: 14 },
    );
  });
});
