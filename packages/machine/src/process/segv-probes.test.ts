// mmsim: raw-address accesses and the fatal-signal log line against the real kernel's segv capture (tests/conformance/fixtures/process/linux-6.1-arm64/segv: src/segv.c run with debug.exception-trace 0, then 1)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Machine } from "../machine.ts";
import { loadScenario } from "../scenario.ts";
import { validateProcesses } from "./files.ts";

const FIXTURE = fileURLToPath(new URL("../../../../tests/conformance/fixtures/process/linux-6.1-arm64/segv/", import.meta.url));

/** The capture's log lines (arm64_show_signal's first line) in the exception-trace=1 run, by case. */
function captured(): { esr: string; name: string }[] {
  const dmesg = readFileSync(`${FIXTURE}dmesg`, "utf8");
  const after = dmesg.slice(dmesg.indexOf("mmsim: segv exception-trace=1"));
  return [...after.matchAll(/segv\[\d+\]: unhandled exception: DABT \(lower EL\), ESR (0x[0-9a-f]{16}), (.*) in segv\[400000\+7f000\]$/gm)].map((m) => ({ esr: m[1]!, name: m[2]! }));
}

/** The capture's si_code of each handled case (the same accesses, caught with SA_SIGINFO). */
function capturedCodes(): Record<string, number> {
  const w = readFileSync(`${FIXTURE}workload`, "utf8");
  const out: Record<string, number> = {};
  for (const m of w.matchAll(/=====CASE (\S+):handled=====\n(?:addr .*\n)?result handled signo 11 si_code (\d)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

/**
 * The four cases as workload steps, each in a forked child (as segv.c's children). Each child
 * first builds the page tables the real child's walk found: the real program's instruction
 * fetches, stdio buffers and vDSO use, which mmsim's steps do not make, had filled the tables
 * over its low 2 MiB (text, data, heap) and over the 2 MiB below mmap_base ([vvar], [vdso]), so
 * the walk stopped at level 2 for 0x10 and at level 3 for the new mappings. A malloc (its chunk
 * header on the heap) and a touched page mapped just above the probe's stand for them (mmsim's
 * program file and vDSO pages cannot be faulted in: see the report of session 7).
 */
const HEAP = "  - malloc: { as: b, size: 24 }";
const NEAR = "  - mmap: { as: near, size: 4K }\n        - access: { as: near, write: true }";
const CASES = `  - fork:
      as: nul
      steps:
      ${HEAP}
        - access: { at: 0x10 }
  - wait: { for: nul }
  - fork:
      as: rdonly
      steps:
      ${NEAR}
        - mmap: { as: ro, size: 4K, prot: r }
        - access: { as: ro, write: true }
  - wait: { for: rdonly }
  - fork:
      as: kernel
      steps:
      ${HEAP}
        - access: { at: "0xffff000008000000" }
  - wait: { for: kernel }
  - fork:
      as: none
      steps:
      ${NEAR}
        - mmap: { as: pn, size: 4K, prot: none }
        - access: { as: pn }
  - wait: { for: none }
`;

function run(trace: number) {
  const m = Machine.create(loadScenario(`kernel: { sysctl: { randomize_va_space: 0, exception-trace: ${trace} } }\nworkload:\n${CASES}`, "segv.yaml"));
  const problems: string[] = [];
  const r = m.runWorkload({
    onStep: () => {
      const sink = new CollectingSink();
      validateProcesses(m.processes, sink);
      if (!sink.ok) problems.push(sink.toString());
    },
  });
  expect(problems).toEqual([]);
  const log = m.log.all().map((x) => x.text);
  const syscalls = m.readFile("/sys/kernel/debug/mmsim/syscalls")!;
  return { m, r, log, syscalls };
}

describe("raw-address accesses and arm64_show_signal (the segv capture)", () => {
  it("the capture says what mmsim must print: four fatal data aborts, with exception-trace 0 by default", () => {
    expect(readFileSync(`${FIXTURE}workload`, "utf8")).toMatch(/^exception-trace: 0$/m);
    expect(captured()).toEqual([
      { esr: "0x0000000092000006", name: "level 2 translation fault" },
      { esr: "0x0000000092000047", name: "level 3 translation fault" },
      { esr: "0x0000000092000004", name: "level 3 permission fault" },
      { esr: "0x0000000092000007", name: "level 3 translation fault" },
    ]);
    expect(capturedCodes()).toEqual({ null: 1, rdonly: 2, kernel: 1, "prot-none": 2 });
  });

  it("each case kills its child with the capture's si_code; nothing is logged with exception-trace 0", { timeout: 60_000 }, () => {
    const { log, syscalls, m } = run(0);
    expect(syscalls).toMatch(/pid 2 access = SIGSEGV \(SEGV_MAPERR\) at 0x10$/m);
    expect(syscalls).toMatch(/pid 3 access = SIGSEGV \(SEGV_ACCERR\) at 0xfffff7f[0-9a-f]{5}$/m);
    expect(syscalls).toMatch(/pid 4 access = SIGSEGV \(SEGV_MAPERR\) at 0xffff000008000000$/m);
    expect(syscalls).toMatch(/pid 5 access = SIGSEGV \(SEGV_ACCERR\) at 0xfffff7f[0-9a-f]{5}$/m);
    expect(m.readFile("/sys/kernel/debug/mmsim/signals")).toBe("SIGSEGV 4\nSEGV_MAPERR 2\nSEGV_ACCERR 2\n");
    expect(log.filter((l) => l.includes("unhandled exception"))).toEqual([]);
    expect(m.readFile("/proc/sys/debug/exception-trace")).toBe("0\n");
  });

  it("with exception-trace 1 each death logs the capture's line: the same ESR and fault name, the program's text VMA for the PC", { timeout: 60_000 }, () => {
    const { log } = run(1);
    const lines = log.filter((l) => l.includes("unhandled exception"));
    const text = /^init\[(\d)\]: unhandled exception: DABT \(lower EL\), ESR (0x[0-9a-f]{16}), (.*) in init\[400000\+([0-9a-f]+)\]$/;
    const got = lines.map((l) => {
      const m = text.exec(l);
      expect(m, l).not.toBeNull();
      return { esr: m![2]!, name: m![3]! };
    });
    // Differences, named: mmsim's program is init (the probes' layout), the capture's is segv
    // (its own text size); mmsim's linear map is page-mapped at 0xffff000008000000 as the
    // reference's (rodata=full), so the kernel case is a level-3 permission fault in both.
    expect(got).toEqual(captured());
    // __show_regs' first lines follow each (mmsim has no registers to print after them)
    const i = log.indexOf(lines[0]!);
    expect(log[i + 1]).toMatch(/^CPU: \d PID: 2 Comm: init Not tainted 6\.1\.0-\d+-arm64 #1 {2}Debian 6\.1\.\d+-\d+$/);
    expect(log[i + 2]).toBe("Hardware name: linux,dummy-virt (DT)");
  });

  it("refuses an address that is neither user nor kernel, and an access with both as and at", () => {
    expect(() => loadScenario(`workload:\n  - access: { at: "0x1000000000000" }\n`, "bad.yaml")).toThrow(/not a canonical 48-bit address/);
    expect(() => Machine.create(loadScenario(`workload:\n  - mmap: { as: a, size: 4K }\n  - access: { as: a, at: 0x10 }\n`, "bad.yaml")).runWorkload()).toThrow(/not both/);
  });
});
