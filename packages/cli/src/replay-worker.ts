// mmsim: one worker thread of `mmsim replay`: its share of the grid's cells, over its own stream of the trace (no kernel counterpart)
import { parentPort, workerData } from "node:worker_threads";
import { TraceFormatError } from "@mmsim/core";
import { replayTrace } from "@mmsim/cachesim";
import { type ReplayWorkerInput, type ReplayWorkerMessage, resolveReplayAlgorithm } from "./replay.ts";

const input = workerData as ReplayWorkerInput;
const post = (m: ReplayWorkerMessage) => parentPort!.postMessage(m);

try {
  const cells = [];
  for (const c of input.cells) cells.push({ algorithm: await resolveReplayAlgorithm(c.algorithm, input.kernel, c.name), capacity: c.capacity, size: c.size });
  let last = 0;
  const { summary, results } = await replayTrace(input.path, cells, input.read, {
    onBatch: (records) => {
      if (records - last >= 1 << 20) {
        last = records;
        post({ kind: "progress", records });
      }
    },
  });
  post({ kind: "done", summary, results });
} catch (e) {
  const trace = e instanceof TraceFormatError ? { file: e.file, line: e.line, problem: e.problem } : undefined;
  post({ kind: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e), trace });
}
