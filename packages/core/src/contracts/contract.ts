// mmsim: contract suites — one suite per interface, run against every implementation (mnemonist's makeTests)
import { describe, it } from "vitest";
import { expectValid } from "../testing/collecting-sink.ts";
import type { Validatable } from "../validation.ts";

/** One case of a contract: a name and a body run on a fresh subject. */
export interface ContractCase<S> {
  readonly name: string;
  run(subject: S): void | Promise<void>;
}

/** True when `x` has a validate() method. */
function isValidatable(x: unknown): x is Validatable {
  return typeof x === "object" && x !== null && typeof (x as { validate?: unknown }).validate === "function";
}

/**
 * Declares `describe("<contract> contract: <impl>")` with one `it` per case. Each case gets a
 * fresh subject from `make()`; if the subject (or its `validate` target) is Validatable,
 * validate() runs after the case and any reported problem fails it.
 *
 * Implementation packages call the interface's `describeX(name, make)` wrapper, which calls
 * this with the interface's cases.
 */
export function describeContract<S>(
  contract: string,
  implName: string,
  make: () => S,
  cases: readonly ContractCase<S>[],
  validateTarget: (s: S) => unknown = (s) => s,
): void {
  describe(`${contract} contract: ${implName}`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const subject = make();
        await c.run(subject);
        const target = validateTarget(subject);
        if (isValidatable(target)) expectValid(target, c.name);
      });
    }
  });
}
