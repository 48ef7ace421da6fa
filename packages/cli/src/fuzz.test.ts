// mmsim: the scenario fuzzer (issue 23): generated and mutated `mmsim run` command lines; none may
// end in an internal error (exit 70 or a stack on stderr) or run over 30 s.
//  - `pnpm test`: a fixed-seed budget of 40, in-process (boards up to 512 MiB);
//  - `pnpm fuzz` (FUZZ_MODE=long): FUZZ_RUNS (default 1000) in child processes of the built CLI,
//    each killed after 30 s; prints the outcome counts, writes every failing case to a directory
//    it names, then shrinks the first failure with fast-check.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
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
/** A run must finish within this much host time. */
const CASE_BUDGET_MS = 30_000;
const BIN = fileURLToPath(new URL("../bin/mmsim.js", import.meta.url));

/** One case in a child process of the built CLI, killed after CASE_BUDGET_MS (pnpm fuzz). */
function runChild(c: FuzzCase): { outcome: FuzzOutcome; ms: number; stderr: string; file: string } {
  const file = join(dir, `case-${n++}.yaml`);
  writeFileSync(file, c.text);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, "run", file, ...c.args], { timeout: CASE_BUDGET_MS, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  return { outcome: classifyOutcome(r.status, r.stderr ?? "", timedOut || r.signal !== null), ms, stderr: r.stderr ?? "", file };
}

let n = 0;
async function runCase(c: FuzzCase): Promise<{ outcome: FuzzOutcome; ms: number; stderr: string }> {
  const file = join(dir, `case-${n++}.yaml`);
  writeFileSync(file, c.text);
  let stderr = "";
  const t0 = process.hrtime.bigint();
  let code: number;
  try {
    code = await main(["run", file, ...c.args], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
  } catch (e) {
    code = 70;
    stderr += String((e as Error).stack);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { outcome: classifyOutcome(code, stderr, ms > CASE_BUDGET_MS), ms, stderr };
}

describe("the scenario fuzzer", () => {
  it("mutations apply line by line", () => {
    expect(mutate("a: 1\nb: 2\n", [{ kind: "drop", at: 0 }])).toBe("b: 2\n");
    expect(mutate("a: 1\nb: 2", [{ kind: "number", at: 1, value: 1e30 }])).toBe("a: 1\nb: 1e+30");
    expect(classifyOutcome(2, "mmsim: x\n    at foo (bar.js:1:1)\n", false)).toBe("internal");
    expect(classifyOutcome(3, "", false)).toBe("panic");
  });

  // One of the two runs below is defined, never skipped: `pnpm fuzz` (LONG) runs the long budget
  // in child processes, `pnpm test` the short one in-process.
  if (LONG) it(`pnpm fuzz: ${RUNS} command lines in child processes (seed ${SEED})`, async () => {
    const counts = emptyCounts();
    const failures: string[] = [];
    const cases = fc.sample(fuzzCase(bases), { seed: SEED, numRuns: RUNS });
    let slowest = 0;
    for (const [i, c] of cases.entries()) {
      const r = runChild(c);
      counts[r.outcome]++;
      slowest = Math.max(slowest, r.ms);
      if (r.outcome === "internal" || r.outcome === "timeout") {
        writeFileSync(`${r.file}.args`, `${JSON.stringify(c.args)}\n${r.stderr}`);
        failures.push(`${r.outcome}: ${r.file} ${JSON.stringify(c.args)}`);
      }
      if ((i + 1) % 100 === 0) console.log(`fuzz: ${i + 1}/${RUNS}: ${formatCounts(counts)}`);
    }
    console.log(`fuzz: ${RUNS} runs, seed ${SEED}: ${formatCounts(counts)}; slowest ${(slowest / 1000).toFixed(1)} s; cases in ${dir}`);
    for (const f of failures) console.log(`fuzz: ${f}`);
    if (failures.length > 0) {
      // Shrink the first failure: fast-check re-runs the same seed to it, then minimises it.
      fc.assert(fc.property(fuzzCase(bases), (c) => {
        const r = runChild(c);
        if (r.outcome === "internal" || r.outcome === "timeout") throw new Error(`${r.outcome}: ${r.stderr.slice(0, 2000)}`);
      }), { seed: SEED, numRuns: RUNS });
    }
  }, 24 * 3600_000 /* a long budget: as long as it takes */);

  else it(`${RUNS} generated and mutated command lines (seed ${SEED}): no internal error, no timeout`, async () => {
    const counts = emptyCounts();
    await fc.assert(
      fc.asyncProperty(fuzzCase(bases, { maxMemoryMiB: 512 }), async (c) => {
        const r = await runCase(c);
        counts[r.outcome]++;
        if (r.outcome === "internal" || r.outcome === "timeout") throw new Error(`${r.outcome} after ${r.ms.toFixed(0)} ms: ${r.stderr.slice(0, 2000)}`);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The outcome classes the budget reached, for the log.
    console.log(`fuzz: ${RUNS} runs, seed ${SEED}: ${formatCounts(counts)}`);
    expect(counts.ok + counts.expect + counts.input + counts.panic).toBe(RUNS);
  }, 600_000 /* 40 boots of up to 512 MiB boards with random workloads: a minute or two on a loaded 2-core machine; a shrink re-runs cases */);
});
