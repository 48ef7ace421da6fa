// mmsim: the `pnpm bench` summary — per figure with a target (tools/bench/targets.ts): median, target, met / not met, and the load it was measured under
import { loadavg } from "node:os";
import type { Reporter, TestModule } from "vitest/node";
import { verdict } from "../../packages/core/src/testing/bench-targets.ts";

/** A bench task as the reporter sees it (the fields used). */
interface BenchTask {
  readonly name: string;
  readonly type: string;
  readonly meta?: { benchmark?: boolean };
  readonly tasks?: readonly BenchTask[];
  readonly result?: { benchmark?: { samples: readonly number[] } };
}

function* benches(task: BenchTask): Generator<BenchTask> {
  if (task.meta?.benchmark) yield task;
  for (const t of task.tasks ?? []) yield* benches(t);
}

/** Prints, after vitest's own tables, one line per figure that has a target (vitest keeps the samples: benchmark.includeSamples). */
export class TargetReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const lines: string[] = [];
    for (const m of testModules) {
      for (const b of benches(m.task as unknown as BenchTask)) {
        const line = verdict(b.name, b.result?.benchmark?.samples ?? []);
        if (line !== null) lines.push(line);
      }
    }
    if (lines.length === 0) return;
    const [l1, l5] = loadavg();
    process.stdout.write(`\nTargets (issue 22; medians, load average ${l1!.toFixed(2)} / ${l5!.toFixed(2)} (1 / 5 min)):\n${lines.map((l) => `  ${l}\n`).join("")}`);
  }
}
