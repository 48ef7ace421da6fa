// mmsim: progress on stderr for long work — the workload bar, large boots, compare runs (no kernel counterpart)
/*
 * Drawn only when stderr is a terminal (CliIo.isTTY), like git's and curl's progress: a pipe or
 * a file never receives it, and stdout is never touched. Host time appears only in the bar.
 *  - workload: a cli-progress bar when the workload executes more than PROGRESS_MIN_STEPS steps;
 *    stdout is held back while it is drawn and written when the workload ends.
 *  - boot: Machine.boot() is synchronous and reports no phases, so a board of PROGRESS_MIN_BOOT_BYTES
 *    or more gets one status line ("booting …") while it boots, erased when the boot ends.
 *  - compare: one bar over the runs, naming the run and its phase (boot, workload step n/N).
 */
import cliProgress from "cli-progress";
import type { CliIo } from "./main.ts";

/** Workloads with more executed steps than this get a progress bar (on a terminal). */
export const PROGRESS_MIN_STEPS = 1000;

/** Boards with at least this much RAM print a status line while they boot (on a terminal). */
export const PROGRESS_MIN_BOOT_BYTES = 4 * 1024 ** 3;

/** "64 GiB", "1.5 GiB", "512 MiB". */
export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  if (gib >= 1) return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** Erases the current terminal line (carriage return, then CSI 2K). */
const ERASE_LINE = "\r\x1b[2K";

/** Runs `boot` with a status line on stderr while a large board boots (terminal only). */
export function withBootStatus<T>(io: CliIo, machine: { memory: number; cpus: number; nodes: number }, boot: () => T): T {
  if (!io.isTTY || machine.memory < PROGRESS_MIN_BOOT_BYTES) return boot();
  io.stderr.write(`mmsim: booting ${formatBytes(machine.memory)}, ${machine.cpus} CPU${machine.cpus === 1 ? "" : "s"}, ${machine.nodes} node${machine.nodes === 1 ? "" : "s"}…`);
  try {
    return boot();
  } finally {
    io.stderr.write(ERASE_LINE);
  }
}

/** A cli-progress bar on stderr; undefined when stderr is not a terminal. */
export function progressBar(io: CliIo, format: string, total: number, payload: Record<string, unknown> = {}): cliProgress.SingleBar | undefined {
  if (!io.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr as NodeJS.WritableStream, format, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, payload);
  return bar;
}
