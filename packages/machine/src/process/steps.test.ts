// mmsim: the process steps added after the first wiring — malloc/malloc_free over one arena per mm (inherited by fork), mlockall/munlockall, exec, access of [stack] and [heap] — end to end on a booted machine, validated after every step
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Machine } from "../machine.ts";
import { loadScenario } from "../scenario.ts";
import { validateProcesses } from "./files.ts";

/** Runs a workload with the process validators after every step; returns the syscall log, the shows and the machine. */
function run(yaml: string) {
  const m = Machine.create(loadScenario(`kernel: { sysctl: { randomize_va_space: 0 } }\nworkload:\n${yaml}`, "steps.yaml"));
  const shows: string[] = [];
  const problems: string[] = [];
  const r = m.runWorkload({
    onStep: () => {
      const sink = new CollectingSink();
      validateProcesses(m.processes, sink);
      if (!sink.ok) problems.push(sink.toString());
    },
    onShow: (_path, text) => shows.push(text),
  });
  expect(problems).toEqual([]);
  const log = m.readFile("/sys/kernel/debug/mmsim/syscalls")!.split("\n").filter((l) => l !== "").map((l) => l.replace(/^step \d+ /, ""));
  return { m, r, log, shows };
}

const field = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)![1]);

describe("malloc and malloc_free", () => {
  it("keep one arena per mm: a forked child's arena is a copy of its parent's, so both get the same next pointer, and each frees in its own mm", { timeout: 60_000 }, () => {
    const { log, r, shows } = run(`  - malloc: { as: small, size: 24 }
  - malloc: { as: big, size: 200K }
  - fork:
      as: child
      steps:
        - malloc_free: { as: big }
        - malloc: { as: c, size: 64 }
        - malloc_free: { as: small }
        - malloc_free: { as: small, errno: EINVAL }
  - wait: { for: child }
  - malloc: { as: p, size: 64 }
  - show: /proc/self/maps
`);
    expect(r.failedExpects).toEqual([]);
    const ptr = (pid: number, n: number) => log.filter((l) => l.startsWith(`pid ${pid} malloc = `))[n]!.split(" = ")[1];
    expect(ptr(1, 0)).toBe("0x508010"); // the heap starts at the break, 16 bytes of header
    expect(ptr(1, 1)).toBe("0xfffff7fca010"); // 200 KiB: its own mmap, as glibc's (the malloc capture's address)
    expect(ptr(2, 0)).toBe(ptr(1, 2)); // the same arena state on both sides of the fork
    expect(log).toContain("pid 2 free = -EINVAL");
    // The child's free munmapped its copy only: the parent's 200 KiB mapping is still there.
    expect(shows[0]).toMatch(/^fffff7fca000-fffff7ffd000 rw-p 00000000 00:00 0 $/m);
  });

  it("writes the chunk headers: a malloc faults in the header's page, an access touches the pages the block spans", { timeout: 60_000 }, () => {
    const { m, r } = run(`  - malloc: { as: a, size: 100K }
  - expect: { path: /proc/self/smaps_rollup, field: Anonymous, op: "==", value: 12 }
  - access: { as: a, write: true }
  - expect: { path: /proc/self/smaps_rollup, field: Anonymous, op: "==", value: 108 }
`);
    // stack page + the chunk's header page + the top chunk's header page; then all 26 pages of
    // [0x508000, 0x521020) — the block spans 26 pages, two of them already present.
    expect(r.failedExpects).toEqual([]);
    expect(m.processes.tasks.init!.minFlt).toBe(2 + 24);
  });

  it("malloc_free of an mmap is a clear error naming the step", () => {
    expect(() => run("  - mmap: { as: buf, size: 4K }\n  - malloc_free: { as: buf }\n")).toThrow(/malloc_free buf.*is an mmap, not a malloc'd block: munmap it/);
  });
});

describe("mlockall and munlockall", () => {
  it("lock every mapping and populate it (MCL_CURRENT), later ones too with future; munlockall unlocks all", { timeout: 60_000 }, () => {
    const { shows, r } = run(`  - mmap: { as: a, size: 64K }
  - mlockall: { future: true }
  - show: /proc/self/status
  - mmap: { as: b, size: 64K }
  - show: /proc/self/status
  - munlockall: {}
  - show: /proc/self/status
`);
    expect(r.failedExpects).toEqual([]);
    const [locked, later, unlocked] = shows;
    // Everything but [vvar] and [vdso] (VM_PFNMAP/VM_IO: never locked) is locked and resident.
    expect(field(locked!, "VmLck")).toBe(field(locked!, "VmSize") - 12);
    expect(field(locked!, "RssAnon") + field(locked!, "RssFile") + field(locked!, "RssShmem")).toBeGreaterThanOrEqual(64);
    expect(field(later!, "VmLck") - field(locked!, "VmLck")).toBe(64); // MCL_FUTURE: the new mapping is VM_LOCKED
    expect(field(unlocked!, "VmLck")).toBe(0);
  });
});

describe("exec", () => {
  it("replaces the task's mm: new maps and comm, the old names point into nothing (SIGSEGV), new mappings work", { timeout: 60_000 }, () => {
    const { log, shows, m } = run(`  - mmap: { as: old, size: 64K }
  - access: { as: old, write: true }
  - fork:
      as: child
      steps:
        - exec: { path: /bin/tool, text: 64K, data: 8K, bss: 16K }
        - show: /proc/self/maps
        - show: /proc/self/status
        - mmap: { as: fresh, size: 16K }
        - access: { as: fresh, write: true }
        - show: /proc/self/smaps_rollup
        - access: { as: old }
  - wait: { for: child }
`);
    const [maps, status, rollup] = shows;
    expect(maps).toMatch(/^00400000-00410000 r-xp 00000000 00:02 \d+ +\/bin\/tool$/m);
    expect(maps).not.toMatch(/^fffff7fed000-/m);
    expect(status).toMatch(/^Name:\ttool$/m);
    expect(field(rollup!, "Anonymous")).toBe(16 + 4); // the fresh pages and the new stack's first page
    expect(log).toContain("pid 2 execve = 0");
    expect(log.at(-1)).toBe("pid 2 access = SIGSEGV (SEGV_MAPERR) at 0xfffff7fed000");
    expect(m.readFile("/sys/kernel/debug/mmsim/signals")).toBe("SIGSEGV 1\nSEGV_MAPERR 1\nSEGV_ACCERR 0\n");
  });
});

describe("access of [stack] and [heap]", () => {
  it("[heap] touches the brk heap from start_brk; an empty heap is a clear error", { timeout: 60_000 }, () => {
    const { shows } = run(`  - brk: { grow: 64K }
  - access: { as: "[heap]", write: true }
  - show: /proc/self/smaps_rollup
`);
    expect(field(shows[0]!, "Anonymous")).toBe(64 + 4);
    expect(() => run(`  - access: { as: "[heap]" }\n`)).toThrow(/the heap is 0 bytes\): brk grow first/);
  });

  it("[stack] grows the stack VMA down to the page touched, and past RLIMIT_STACK is SIGSEGV", { timeout: 60_000 }, () => {
    const { shows, log } = run(`  - access: { as: "[stack]", offset: 2M, write: true }
  - show: /proc/self/status
  - fork: { as: c, steps: [ { access: { as: "[stack]", offset: 8M } } ] }
  - wait: { for: c }
`);
    expect(field(shows[0]!, "VmStk")).toBe(2048 + 4);
    // 8 MiB below the top plus the page: one page past RLIMIT_STACK (acct_stack_growth: size > rlimit).
    expect(log).toContain("pid 2 access = SIGSEGV (SEGV_MAPERR) at 0xffffff7ff000");
  });
});

describe("SIGBUS (issue 23: it was an error of the step, 'not simulated yet')", () => {
  it("an access past the end of a mapped file kills the task with SIGBUS; init's death of it panics as 6.1 (exitcode=0x00000007)", { timeout: 60_000 }, () => {
    const { m, log } = run(`  - open: { as: f, path: /tmp/f, flags: [rdwr, creat] }
  - write: { fd: f, size: 64K }
  - mmap: { as: fm, fd: f, size: 64K, flags: [shared] }
  - ftruncate: { fd: f, size: 4K }
  - fork: { as: c, steps: [ { access: { as: fm, offset: 8K, pages: 1 } }, { access: { as: fm } } ] }
  - wait: { for: c }
  - access: { as: fm, pages: 1 }
`);
    const sigbus = log.filter((l) => l.includes("SIGBUS"));
    expect(sigbus).toHaveLength(1);
    expect(sigbus[0]).toMatch(/^pid 2 access = SIGBUS \(BUS_ADRERR\) at 0x[0-9a-f]+000$/);
    expect(m.processes.sigbus).toBe(1);
    // init still runs and reads the page inside the file: no signal of its own, no panic
    expect(log.filter((l) => l.startsWith("pid 1 access"))).toEqual([]);
    const init = run(`  - open: { as: f, path: /tmp/f, flags: [rdwr, creat] }
  - mmap: { as: fm, fd: f, size: 64K, flags: [shared] }
  - access: { as: fm, pages: 1 }
`);
    expect(init.r.panic?.reason).toBe("Attempted to kill init! exitcode=0x00000007");
    expect(init.log.at(-1)).toMatch(/^pid 1 access = SIGBUS \(BUS_ADRERR\) at 0x/);
  });
});
