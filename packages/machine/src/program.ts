// mmsim: a task's program of workload steps, walked one step at a time (no kernel counterpart: what a task executes)
/*
 * A task runs its steps one at a time, interleaved with other tasks by the scheduler, so its
 * place in its program (repeats included) must survive between two of its steps: a stack of
 * (steps, next index, passes left) frames, with repeats expanded as they are reached.
 */
import type { StepBase } from "@mmsim/core";
import { isRepeat } from "./steps/generic.ts";

interface Frame {
  readonly steps: readonly StepBase[];
  next: number;
  /** Passes left over `steps` after the current one. */
  passes: number;
}

/** Where a task is in its program. */
export class ProgramCursor {
  private readonly stack: Frame[];

  constructor(steps: readonly StepBase[]) {
    this.stack = [{ steps, next: 0, passes: 0 }];
  }

  /** The next step to execute (repeats expanded), or undefined at the end of the program. */
  next(): StepBase | undefined {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (f === undefined) return undefined;
      if (f.next >= f.steps.length) {
        if (f.passes > 0) {
          f.passes--;
          f.next = 0;
          continue;
        }
        this.stack.pop();
        continue;
      }
      const s = f.steps[f.next++]!;
      if (isRepeat(s)) {
        if (s.times > 0 && s.steps.length > 0) this.stack.push({ steps: s.steps, next: 0, passes: s.times - 1 });
        continue;
      }
      return s;
    }
  }
}
