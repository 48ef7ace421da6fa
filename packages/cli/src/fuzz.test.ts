// mmsim: the scenario fuzzer (issue 23): generated and mutated `mmsim run` command lines; none may
// end in an internal error (exit 70 or a stack on stderr) or run over 30 s.
//  - `pnpm test`: a fixed-seed budget of 40, in-process (boards up to 256 MiB: about 15 s of CPU);
//  - `pnpm fuzz` (FUZZ_MODE=long): FUZZ_RUNS (default 1000) in child processes of the built CLI
//    (FUZZ_JOBS at once, default 1), each stopped past 30 s of CPU time; prints the outcome counts
//    (also to progress.log in the directory it names, with every failing case), then shrinks the
//    first failure with fast-check (FUZZ_SHRINK=0: not).
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FuzzCase, type FuzzOutcome, classifyOutcome, emptyCounts, formatCounts, fuzzCase, mutate } from "./fuzz.test-helpers.ts";
import { main } from "./main.ts";

const EXAMPLES = fileURLToPath(new URL("../../../examples/scenarios/", import.meta.url));
const bases = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml") && f !== "balloon.yaml").map((f) => readFileSync(join(EXAMPLES, f), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "mmsim-fuzz-"));

/** Fixed seed and budget: the same command lines on every run (`FUZZ_SEED`/`FUZZ_RUNS` explore others). */
const LONG = process.env.FUZZ_MODE === "long";
const SEED = Number(process.env.FUZZ_SEED ?? 2023);
const RUNS = Number(process.env.FUZZ_RUNS ?? (LONG ? 1000 : 40));
/** `pnpm fuzz`: children run at once (FUZZ_JOBS, default 1: the machine is shared). */
const JOBS = Math.max(1, Number(process.env.FUZZ_JOBS ?? 1));
/**
 * A run must finish within this much host CPU time (user + system, all of its threads). CPU time,
 * not wall time: on a loaded shared machine a run's wall time measures the other processes.
 */
const CASE_BUDGET_MS = 30_000;
/** A child still alive after this much wall time is killed as a timeout (a hang that does not burn CPU). */
const CASE_WALL_LIMIT_MS = 20 * CASE_BUDGET_MS;
/** `pnpm test`: the largest board generated for sane-looking scenarios (boot time grows with it). */
const MAX_MEMORY_MIB = 256;
const BIN = fileURLToPath(new URL("../bin/mmsim.js", import.meta.url));

/**
 * The shell around each child: RLIMIT_CPU stops it past the budget (SIGXCPU), and `times` reports
 * the CPU time it used on fd 3 (the shell's children's user and system times, second line).
 */
const CHILD_SHELL = 'ulimit -t "$1"; shift; "$@"; rc=$?; times >&3; exit $rc';

/** CPU milliseconds from `times`'s second line (`0m1.234s 0m0.120s`). */
function childCpuMs(times: string): number {
  const line = times.trim().split("\n")[1] ?? "";
  let ms = 0;
  for (const m of line.matchAll(/(\d+)m([\d.]+)s/gu)) ms += (Number(m[1]) * 60 + Number(m[2])) * 1000;
  return ms;
}

interface ChildResult {
  readonly outcome: FuzzOutcome;
  readonly ms: number;
  readonly stderr: string;
  readonly file: string;
}

/** One case in a child process of the built CLI under CASE_BUDGET_MS of CPU (pnpm fuzz). */
function runChild(c: FuzzCase): Promise<ChildResult> {
  const file = join(dir, `case-${n++}.yaml`);
  writeFileSync(file, c.text);
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", CHILD_SHELL, "sh", String(Math.ceil(CASE_BUDGET_MS / 1000) + 1), process.execPath, BIN, "run", file, ...c.args], { stdio: ["ignore", "pipe", "pipe", "pipe"], detached: true });
    let stderr = "";
    let times = "";
    child.stdout!.resume();
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding("utf8").on("data", (d: string) => (times += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      process.kill(-child.pid!, "SIGKILL");
    }, CASE_WALL_LIMIT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = childCpuMs(times);
      // 128 + SIGXCPU (24) or + SIGKILL (9): the CPU limit stopped it.
      const overBudget = killed || ms > CASE_BUDGET_MS || code === 152 || code === 137;
      resolve({ outcome: classifyOutcome(code, stderr, overBudget), ms, stderr, file });
    });
  });
}

let n = 0;
async function runCase(c: FuzzCase): Promise<{ outcome: FuzzOutcome; ms: number; stderr: string }> {
  const file = join(dir, `case-${n++}.yaml`);
  writeFileSync(file, c.text);
  let stderr = "";
  const t0 = process.cpuUsage();
  let code: number;
  try {
    code = await main(["run", file, ...c.args], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
  } catch (e) {
    code = 70;
    stderr += String((e as Error).stack);
  }
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  return { outcome: classifyOutcome(code, stderr, ms > CASE_BUDGET_MS), ms, stderr };
}

describe("the scenario fuzzer", () => {
  it("mutations apply line by line", () => {
    expect(mutate("a: 1\nb: 2\n", [{ kind: "drop", at: 0 }])).toBe("b: 2\n");
    expect(mutate("a: 1\nb: 2", [{ kind: "number", at: 1, value: 1e30 }])).toBe("a: 1\nb: 1e+30");
    expect(classifyOutcome(2, "mmsim: x\n    at foo (bar.js:1:1)\n", false)).toBe("internal");
    expect(classifyOutcome(3, "", false)).toBe("panic");
    expect(childCpuMs("0m0.010s 0m0.000s\n1m2.500s 0m0.250s\n")).toBe(62_750);
    expect(childCpuMs("0m0.000000s 0m0.000000s\n0m1.392000s 0m0.188000s\n")).toBeCloseTo(1580, 6);
  });

  // One of the two runs below is defined, never skipped: `pnpm fuzz` (LONG) runs the long budget
  // in child processes, `pnpm test` the short one in-process.
  if (LONG) it(`pnpm fuzz: ${RUNS} command lines in child processes (seed ${SEED})`, async () => {
    const counts = emptyCounts();
    const failures: string[] = [];
    const cases = fc.sample(fuzzCase(bases), { seed: SEED, numRuns: RUNS });
    const progress = join(dir, "progress.log");
    const say = (line: string) => {
      appendFileSync(progress, `${line}\n`);
      console.log(line);
    };
    say(`fuzz: ${RUNS} runs, seed ${SEED}, ${JOBS} at once; cases and progress in ${dir}`);
    let slowest = 0;
    let done = 0;
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const r = await runChild(c);
        counts[r.outcome]++;
        slowest = Math.max(slowest, r.ms);
        if (r.outcome === "internal" || r.outcome === "timeout") {
          writeFileSync(`${r.file}.args`, `${JSON.stringify(c.args)}\n${(r.ms / 1000).toFixed(1)} s CPU\n${r.stderr}`);
          failures.push(`${r.outcome}: ${r.file} ${JSON.stringify(c.args)}`);
          say(`fuzz: ${failures.at(-1)!}`);
        }
        if (++done % 100 === 0) say(`fuzz: ${done}/${RUNS}: ${formatCounts(counts)}; slowest ${(slowest / 1000).toFixed(1)} s CPU`);
      }
    };
    await Promise.all(Array.from({ length: JOBS }, worker));
    say(`fuzz: ${RUNS} runs, seed ${SEED}: ${formatCounts(counts)}; slowest ${(slowest / 1000).toFixed(1)} s CPU; cases in ${dir}`);
    if (failures.length > 0 && process.env.FUZZ_SHRINK !== "0") {
      // Shrink the first failure: fast-check re-runs the same seed to it, then minimises it.
      await fc.assert(
        fc.asyncProperty(fuzzCase(bases), async (c) => {
          const r = await runChild(c);
          if (r.outcome === "internal" || r.outcome === "timeout") throw new Error(`${r.outcome}: ${r.stderr.slice(0, 2000)}`);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
    expect(failures).toEqual([]);
  }, 24 * 3600_000 /* a long budget: as long as it takes */);

  else it(`${RUNS} generated and mutated command lines (seed ${SEED}): no internal error, no timeout`, async () => {
    const counts = emptyCounts();
    let cpuMs = 0;
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCase(bases, { maxMemoryMiB: MAX_MEMORY_MIB }), async (c) => {
        const r = await runCase(c);
        counts[r.outcome]++;
        cpuMs += r.ms;
        slowest = Math.max(slowest, r.ms);
        if (r.outcome === "internal" || r.outcome === "timeout") throw new Error(`${r.outcome} after ${r.ms.toFixed(0)} ms: ${r.stderr.slice(0, 2000)}`);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The outcome classes the budget reached, for the log.
    console.log(`fuzz: ${RUNS} runs, seed ${SEED}: ${formatCounts(counts)}; ${(cpuMs / 1000).toFixed(1)} s CPU, slowest ${(slowest / 1000).toFixed(1)} s`);
    expect(counts.ok + counts.expect + counts.input + counts.panic).toBe(RUNS);
  }, 600_000 /* 40 boots of up to 256 MiB boards with random workloads: about 15 s of CPU, a minute on a loaded 2-core machine; a shrink re-runs cases */);
});
