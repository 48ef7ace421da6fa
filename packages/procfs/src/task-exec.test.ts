// mmsim: /proc/<pid>/maps of a freshly exec'd static binary with randomize_va_space 0, against the real 6.1 capture of the same binary (issue 14 probes: tests/conformance/fixtures/process/linux-6.1-arm64/layout/workload, stage exec)
import { FakePageAllocator } from "@mmsim/core/testing";
import { PgtableAllocator, PgtableStore } from "@mmsim/hw-arm64";
import { LAYOUT_PROBE_IMAGE, type ExecEnv, MapleTree, MmapContext, TaskTable } from "@mmsim/vma";
import { Prandom } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { procPidMaps, taskMem } from "./task-mmu.ts";

/** What the capture printed at the probe's first stage (after glibc's start-up, before main's first action). */
const CAPTURED_MAPS = [
  "00400000-0047f000 r-xp 00000000 00:02 22                                 /bin/layout",
  "0048c000-00490000 r--p 0008c000 00:02 22                                 /bin/layout",
  "00490000-00493000 rw-p 00090000 00:02 22                                 /bin/layout",
  "00493000-00508000 rw-p 00000000 00:00 0                                  [heap]",
  "00508000-0052a000 rw-p 00000000 00:00 0                                  [heap]",
  "fffff7ffd000-fffff7fff000 r--p 00000000 00:00 0                          [vvar]",
  "fffff7fff000-fffff8000000 r-xp 00000000 00:00 0                          [vdso]",
  "fffffffdf000-1000000000000 rw-p 00000000 00:00 0                         [stack]",
];

describe("exec of the probes' static `layout` binary, randomize_va_space 0", () => {
  it("gives the real kernel's lines, but for what glibc's start-up does after exec", () => {
    const pages = new FakePageAllocator(0x40000, 65536);
    const store = new PgtableStore({ basePfn: 0x40000, nrPages: 65536, vaBits: 48 });
    const noop = () => 0;
    const env: ExecEnv = {
      pgtableAlloc: new PgtableAllocator(store, pages, pages.mem),
      mmap: new MmapContext(
        { unmapRegion: noop, zapPageRange: noop, changeProtection: noop, movePageTables: (_a, _b, _c, _d, len) => len, copyPageRange: noop, populate: noop, exitMmap: noop },
        { anonVmaClone: noop, anonVmaFork: noop, unlinkAnonVmas: noop, anonVmaPrepare: noop },
        // 1 GiB of RAM, no swap: the overcommit heuristic never refuses exec's few pages.
        { totalramPages: () => 262144, totalSwapPages: () => 0, hugetlbTotalPages: () => 0, nrFreePages: () => 230400 },
      ),
      newVmaTree: () => new MapleTree(),
      rng: new Prandom(1),
      taskSize: 2 ** 48,
    };
    const table = new TaskTable(env, { sysctl: { randomizeVaSpace: 0 } });
    const mm = table.lookup(table.spawn(LAYOUT_PROBE_IMAGE))!.mm!;
    const ours = procPidMaps(table.lookup(1)!).trimEnd().split("\n");
    // Two differences, both glibc's (static start-up, before main): _dl_protect_relro mprotects the
    // RELRO part of the data segment read-only (splitting 0048c000-00493000 at 00490000), and
    // __libc_setup_tls sbrk()s its TLS block (the second [heap]: brk() never extends the bss VMA,
    // which ends at start_brk). Everything exec itself placed is the kernel's to the character.
    expect(ours).toEqual([CAPTURED_MAPS[0], "0048c000-00493000 rw-p 0008c000 00:02 22                                 /bin/layout", ...CAPTURED_MAPS.slice(3, 4), ...CAPTURED_MAPS.slice(5)]);
    // The capture's VmSize 1284 kB less the TLS brk (136 kB); VmExe 508, VmLib 4 (the vDSO), VmStk 132.
    expect(taskMem(mm)).toContain("VmSize:\t    1148 kB\n");
    expect(taskMem(mm)).toContain("VmStk:\t     132 kB\nVmExe:\t     508 kB\nVmLib:\t       4 kB\n");
  });
});
