// mmsim: execve of a static arm64 ELF against fs/exec.c, fs/binfmt_elf.c and mm/util.c (v6.1)
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { LAYOUT_PROBE_IMAGE, PF_R, PF_W, PF_X, STACK_RND_MASK, checkProgramImage, mmapBase, staticElfImage } from "./exec.ts";
import type { MmStruct } from "./mm-types.ts";
import { TaskTable } from "./task.ts";
import { makeTaskEnv } from "./task.test-helpers.ts";
import { VM_ACCOUNT, VM_DONTEXPAND, VM_EXEC, VM_GROWSDOWN, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_PFNMAP, VM_READ, VM_WRITE } from "./vm-flags.ts";

const hex = (x: number) => x.toString(16);
/** The VMAs as "start-end flags name" lines. */
function layout(mm: MmStruct): string[] {
  return [...mm.mt].map((v) => `${hex(v.vmStart)}-${hex(v.vmEnd)} ${hex(v.vmFlags)} ${v.vmFile?.path ?? v.vmSpecial?.name ?? ""} ${hex(v.vmPgoff)}`);
}

function spawnLayout(randomizeVaSpace: 0 | 1 | 2, seed = 42) {
  const t = makeTaskEnv(seed);
  const table = new TaskTable(t.env, { possibleCpus: 2, sysctl: { randomizeVaSpace } });
  const pid = table.spawn(LAYOUT_PROBE_IMAGE);
  expect(pid).toBe(1);
  const task = table.lookup(pid)!;
  return { ...t, table, task, mm: task.mm! };
}

describe("exec of a static ELF with randomize_va_space 0 (the kernel's fixed addresses)", () => {
  it("lays out text, data, bss, [vvar], [vdso] and [stack] where 6.1 puts them", () => {
    const { mm, table, task } = spawnLayout(0);
    const text = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    const data = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;
    expect(layout(mm)).toEqual([
      `400000-47f000 ${hex(text)} /bin/layout 0`, // filesz 0x7ea8c rounded up
      `48c000-493000 ${hex(data)} /bin/layout 8c`, // vaddr 0x48c580: page 0x48c000, file page 0x8c
      `493000-508000 ${hex(data)}  493`, // bss beyond the file page: vm_brk_flags, pgoff = vm_start >> 12
      `fffff7ffd000-fffff7fff000 ${hex(VM_READ | VM_MAYREAD | VM_PFNMAP | VM_DONTEXPAND)} [vvar] 0`, // mmap_base = 2^48 - 128 MiB
      `fffff7fff000-fffff8000000 ${hex(text | VM_DONTEXPAND)} [vdso] 0`,
      `fffffffdf000-1000000000000 ${hex(data | VM_GROWSDOWN)}  ${hex(0xfffffffff - 0x20)}`, // 1 page of strings + 128 KiB
    ]);
    expect(mm.mmapBase).toBe(2 ** 48 - 128 * 1024 * 1024);
    expect([mm.startCode, mm.endCode, mm.startData, mm.endData].map(hex)).toEqual(["400000", "47ea8c", "48c580", "492030"]);
    expect([mm.startBrk, mm.brk].map(hex)).toEqual(["508000", "508000"]);
    // VmSize = 127 + 7 + 117 + 2 + 1 + 33 pages; VmExe + VmLib = text + vdso; VmData = data + bss; VmStk = stack.
    expect([mm.totalVm, mm.execVm, mm.dataVm, mm.stackVm, mm.mapCount]).toEqual([287, 128, 124, 33, 6]);
    expect(task.comm).toBe("layout");
    expect(table.execResult(mm)).toMatchObject({ vdsoBase: 0xfffff7fff000, mmapRnd: 0, stackRnd: 0, brkRnd: 0 });
    // The argument page is faulted in; start_stack is below the strings, 16-byte aligned.
    expect(mm.rssStat[1]).toBe(1);
    expect(mm.startStack % 16).toBe(0);
    expect(mm.startStack).toBeGreaterThan(2 ** 48 - 4096);
    expect(mm.argStart).toBeGreaterThan(mm.startStack);
    expect(mm.envEnd - mm.argStart).toBe("/bin/layout".length + 1);
    // The filename sits right below STACK_TOP_MAX - 8: the capture's AT_EXECFN (probes' layout/workload).
    expect(hex(mm.envEnd)).toBe("ffffffffffec");
    const sink = new CollectingSink();
    table.validate(sink);
    expect(sink.toString()).toBe("");
  });

  it("a long environment spills the strings over more pages: the stack VMA is those pages + 128 KiB", () => {
    const t = makeTaskEnv();
    const table = new TaskTable(t.env, { sysctl: { randomizeVaSpace: 0 } });
    const envp = Array.from({ length: 100 }, (_, i) => `VAR${i}=${"x".repeat(60)}`); // ~6.7 KB
    table.spawn(LAYOUT_PROBE_IMAGE, { envp });
    const stack = [...table.lookup(1)!.mm!.mt].at(-1)!;
    expect(stack.vmEnd - stack.vmStart).toBe(2 * 4096 + 128 * 1024);
    expect(table.lookup(1)!.mm!.rssStat[1]).toBe(2);
  });

  it("a GNU ld -static -z norelro image: data at text end + 64 KiB, bss after it", () => {
    const img = staticElfImage({ path: "/tmp/a.out", textSize: 0x1234, dataSize: 0x100, bssSize: 0x3000 });
    expect(img.segments[1]).toEqual({ vaddr: 0x411234, offset: 0x1234, filesz: 0x100, memsz: 0x3100, flags: PF_R | PF_W });
    const t = makeTaskEnv();
    const table = new TaskTable(t.env, { sysctl: { randomizeVaSpace: 0 } });
    table.spawn(img);
    const mm = table.lookup(1)!.mm!;
    expect(layout(mm).slice(0, 3).map((l) => l.split(" ")[0])).toEqual(["400000-402000", "411000-412000", "412000-415000"]);
    expect(mm.brk).toBe(0x415000);
  });

  it("rejects a malformed image with the field named", () => {
    const bad = { ...LAYOUT_PROBE_IMAGE, segments: [{ vaddr: 0x400000, offset: 0, filesz: 0x2000, memsz: 0x1000, flags: PF_R | PF_X }] };
    expect(() => checkProgramImage(bad, 2 ** 48)).toThrow(/segments\[0\]\.filesz/);
    const overlap = { ...LAYOUT_PROBE_IMAGE, segments: [LAYOUT_PROBE_IMAGE.segments[0]!, { ...LAYOUT_PROBE_IMAGE.segments[1]!, vaddr: 0x47e580 }] };
    expect(() => checkProgramImage(overlap, 2 ** 48)).toThrow(/-EEXIST/);
  });
});

describe("exec with randomization (the seeded RNG)", () => {
  it("randomize_va_space 2: mmap_base, stack and brk move by the kernel's ranges, reproducibly", () => {
    const a = spawnLayout(2, 7);
    const b = spawnLayout(2, 7);
    const c = spawnLayout(2, 8);
    expect(layout(a.mm)).toEqual(layout(b.mm));
    expect(layout(a.mm)).not.toEqual(layout(c.mm));
    const r = a.table.execResult(a.mm)!;
    // mmap_base = PAGE_ALIGN(STACK_TOP - (8 MiB + 1 MiB guard + STACK_RND_MASK pages) - rnd), rnd < 2^18 pages
    expect(a.mm.mmapBase).toBe(2 ** 48 - (9 * 1024 * 1024 + STACK_RND_MASK * 4096) - r.mmapRnd);
    expect(r.mmapRnd % 4096).toBe(0);
    expect(r.mmapRnd).toBeLessThan(2 ** 30);
    const stack = [...a.mm.mt].at(-1)!;
    expect(stack.vmEnd).toBe(2 ** 48 - r.stackRnd);
    expect(stack.vmEnd - stack.vmStart).toBe(0x21000);
    expect(r.brkRnd).toBeLessThan(2 ** 30);
    expect(a.mm.brk).toBe(0x508000 + r.brkRnd);
    expect(r.vdsoBase).toBe(a.mm.mmapBase - 4096); // [vvar][vdso] right below mmap_base
    // The stack's PTEs moved with it (shift_arg_pages): the faulted page is still mapped, at its new address.
    expect(a.pageOps.ptep(a.mm, stack.vmEnd - 4096)).not.toBe(-1);
    expect(a.pageOps.calls.some((c) => c.startsWith("movePageTables"))).toBe(true);
    const sink = new CollectingSink();
    a.table.validate(sink);
    expect(sink.ok).toBe(true);
  });

  it("randomize_va_space 1 leaves brk right after the bss; ADDR_NO_RANDOMIZE turns it all off", () => {
    const one = spawnLayout(1, 3);
    expect(one.mm.brk).toBe(0x508000);
    expect(one.table.execResult(one.mm)!.mmapRnd).toBeGreaterThan(0);
    const t = makeTaskEnv(3);
    const table = new TaskTable(t.env, { sysctl: { randomizeVaSpace: 2 } });
    table.spawn(LAYOUT_PROBE_IMAGE, { noRandomize: true });
    expect(table.lookup(1)!.mm!.mmapBase).toBe(2 ** 48 - 128 * 1024 * 1024);
  });

  it("mmap_base clamps the gap to [128 MiB, 5/6 of STACK_TOP]", () => {
    expect(mmapBase(2 ** 48, 0, 8 << 20, 1 << 20, false)).toBe(2 ** 48 - 2 ** 27);
    const maxGap = Math.floor(2 ** 48 / 6) * 5;
    expect(mmapBase(2 ** 48, 0, 2 ** 48 - 2 ** 40, 1 << 20, false)).toBe(Math.ceil((2 ** 48 - maxGap) / 4096) * 4096);
    expect(mmapBase(2 ** 48, 0, 2 ** 47, 1 << 20, false)).toBe(2 ** 47 - 2 ** 20);
  });
});
