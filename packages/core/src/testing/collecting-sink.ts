// mmsim: a ValidationSink that records what validate() reports, for tests (cf. slub_kunit's error counting)
import type { Validatable, ValidationSink } from "../validation.ts";

/** One reported problem. */
export interface Problem {
  readonly where: string;
  readonly problem: string;
}

/** Records every report; tests assert it stays empty. */
export class CollectingSink implements ValidationSink {
  readonly problems: Problem[] = [];

  report(where: string, problem: string): void {
    this.problems.push({ where, problem });
  }

  /** True when nothing was reported. */
  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** The problems, one per line. */
  toString(): string {
    return this.problems.map((p) => `${p.where}: ${p.problem}`).join("\n");
  }
}

/**
 * Runs `x.validate()` and throws an Error listing every problem if any was reported. Call it
 * after every step of an allocator test.
 */
export function expectValid(x: Validatable, step?: string): void {
  const sink = new CollectingSink();
  x.validate(sink);
  if (!sink.ok) {
    throw new Error(`validate() found ${sink.problems.length} problem(s)${step ? ` after ${step}` : ""}:\n${sink.toString()}`);
  }
}
