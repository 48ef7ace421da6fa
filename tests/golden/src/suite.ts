// mmsim: the vitest suite of one group of golden cases (one test per command line)
import { expect, it } from "vitest";
import type { GoldenCase } from "./cases.ts";
import { checkCase } from "./golden.ts";

/**
 * Per-case timeout. A case boots one board (an 8 GiB board takes ~0.4 s on an idle core; the
 * `compare` case runs a scenario twice, ~2 s): on a loaded 2-core CI machine, with nx running
 * other packages' suites beside this one, 20–30× slower has been seen. 60 s never fails a
 * correct run for speed and still ends a hung one.
 */
export const CASE_TIMEOUT_MS = 60_000;

/** One test per case: its output, byte for byte with its exit status, equals the golden file. */
export function goldenSuite(cases: readonly GoldenCase[]): void {
  for (const c of cases) {
    it(`mmsim ${c.argv.join(" ")}`, async () => {
      const problem = await checkCase(c);
      if (problem !== "") expect.fail(problem);
    }, c.timeoutMs ?? CASE_TIMEOUT_MS);
  }
}
