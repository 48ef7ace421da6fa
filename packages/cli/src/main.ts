// mmsim: the `mmsim` command — boot the simulated board, run a scenario, print its files and log (no kernel counterpart)
/*
 * Commands (each boots a machine; see `mmsim <command> --help`):
 *   mmsim run [scenario]   boot, print the kernel's memory lines of the log, run the workload
 *                          (its `show` steps print files), print a summary of its expects
 *   mmsim cat <path>       print one file after boot, or after a label or step (--after)
 *   mmsim dmesg            print the whole kernel log after boot (or --after)
 *   mmsim layout           the kernel's virtual memory layout of the booted board
 *   mmsim pt walk <va>     walk the kernel's page tables for one address, level by level
 *   mmsim conformance      boot the board of a real capture, compare every figure with the
 *                          real kernel's (mmsim / real / difference); --list the captures
 * Board options on every command: --mem, --smp, --nodes, --set path=value (repeatable),
 * --seed; and --json, --timing, --help.
 *
 * Output rules:
 *  - stdout carries only the command's output. File texts and log lines are printed untouched,
 *    so `mmsim cat /proc/buddyinfo | diff - <real capture>` compares formats byte for byte.
 *  - The same scenario and seed give byte-identical stdout (nothing host-dependent is printed).
 *  - stderr carries errors, `--timing` (host time, the only wall clock the CLI reads, and only
 *    when asked), and the progress bar.
 *  - The progress bar (cli-progress) is drawn on stderr only when `io.isTTY` (the bin sets it
 *    when both stdout and stderr are terminals, so nothing extra appears when either is piped)
 *    and the workload executes more than 1000 steps (repeats expanded). While it is drawn,
 *    stdout is held back and written when the workload ends, so the two never interleave.
 *
 * Exit codes: 0 success; 1 an expect step failed; 2 bad input (a scenario, option or path
 * mmsim cannot use: ScenarioError, ConfigError, ArgumentError, UnknownPolicyError,
 * TraceFormatError, or a command-line usage error), reported as one line on stderr with no stack;
 * 70 (EX_SOFTWARE) an unexpected exception: "mmsim: internal error" and its stack on stderr.
 */
import { compareChartSvg, compareRuns, compareTable, parseVary } from "./compare.ts";
import { readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { type MmsimError, formatPrintkTime, isMmsimError } from "@mmsim/core";
import {
  DEFAULT_SCENARIO_FILE, KERNEL_IMAGE, Machine, type ResolvedScenario, type ScenarioOverrides, type WorkloadResult, type WorkloadStep,
  describeScenarioSchema, loadScenarioFile,
} from "@mmsim/machine";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, formatLayout, formatVa0x, parseVa, ptWalk } from "@mmsim/hw-arm64";
import { type Fixture, checkMachine, findFixture, formatReport, listFixtures, summarize } from "@mmsim/conformance";
import cliProgress from "cli-progress";
import { Command, CommanderError, Option } from "commander";

/** A stream the CLI writes to. */
export interface CliStream {
  write(chunk: string): unknown;
}

/** Where main() writes, and whether a progress bar may be drawn. */
export interface CliIo {
  readonly stdout: CliStream;
  /** Errors, --timing and the progress bar. For the bar it must be a real terminal stream. */
  readonly stderr: CliStream;
  /** True when stdout and stderr are both terminals: the progress bar may be drawn on stderr. */
  readonly isTTY: boolean;
}

/** Exit statuses. */
export const EXIT_OK = 0;
export const EXIT_EXPECT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** EX_SOFTWARE of sysexits.h: an internal error. */
export const EXIT_INTERNAL = 70;

/** Workloads with more executed steps than this get a progress bar (on a terminal). */
export const PROGRESS_MIN_STEPS = 1000;

/**
 * The kernel log lines `mmsim run` prints: those whose text matches this, exactly what
 * `dmesg | grep -E 'Zone ranges|DMA|Normal|Movable|node|Initmem|cma:|zonelists|Policy zone|Memory:|NUMA'`
 * keeps on a real board (case-sensitive, anywhere in the line; so it also keeps e.g.
 * "Inode-cache hash table entries", which contains "node"). The timestamp holds no letters, so
 * matching the text alone equals grep on the whole line.
 */
export const MEMORY_LINE = /Zone ranges|DMA|Normal|Movable|node|Initmem|cma:|zonelists|Policy zone|Memory:|NUMA/;

/** Options every command takes. */
interface CommonOptions {
  mem?: string;
  smp?: string;
  nodes?: string;
  seed?: string;
  set: string[];
  json?: boolean;
  timing?: boolean;
  scenario?: string;
  after?: string;
}

/** A failure the user can fix: printed as one line, exit 2. */
class UsageFailure extends Error {}

/** Host-time marks for --timing (process.hrtime: the CLI's only wall clock, stderr only). */
class Timing {
  private readonly marks: [string, bigint][] = [];
  private last = process.hrtime.bigint();
  private readonly start = this.last;

  mark(what: string): void {
    const now = process.hrtime.bigint();
    this.marks.push([what, now - this.last]);
    this.last = now;
  }

  text(): string {
    const ms = (ns: bigint) => `${(Number(ns) / 1e6).toFixed(1)} ms`;
    const parts = this.marks.map(([w, ns]) => `${w} ${ms(ns)}`);
    return `mmsim: host time: ${parts.join(", ")}, total ${ms(this.last - this.start)}\n`;
  }
}

/**
 * Runs the `mmsim` command line.
 * @param argv the arguments after the program name (process.argv.slice(2))
 * @returns the exit status
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let status = EXIT_OK;
  const program = buildProgram(io, (s) => {
    status = s;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (e) {
    return reportError(e, io);
  }
}

/** Prints an error thrown by a command and returns its exit status. */
function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // Commander has already printed its message (help, version, or a usage error).
    return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  if (e instanceof UsageFailure) {
    io.stderr.write(`mmsim: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (isMmsimError(e) && e._tag !== "MmBugError") {
    io.stderr.write(`mmsim: ${describeMmsimError(e)}\n`);
    return EXIT_BAD_INPUT;
  }
  const stack = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  io.stderr.write(`mmsim: internal error (a bug in mmsim, please report it with the command line)\n${stack}\n`);
  return EXIT_INTERNAL;
}

/** An MmsimError's message without its `<package>.<function>:` site. */
function describeMmsimError(e: MmsimError): string {
  const prefix = `${e.site}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The board options, --json, --timing (every command). */
function addCommonOptions(cmd: Command): Command {
  return cmd
    .option("--mem <size>", "RAM size, e.g. 512M, 4G (= --set machine.memory=<size>)")
    .option("--smp <n>", "number of CPUs (= --set machine.cpus=<n>)")
    .option("--nodes <n>", "number of NUMA nodes (= --set machine.nodes=<n>)")
    .option("--set <path=value>", "set any scenario field by its path, e.g. kernel.sysctl.min_free_kbytes=8192 (repeatable)", collect, [])
    .option("--seed <n>", "seed of the simulated kernel's random source (= --set seed=<n>)")
    .option("--json", "print one JSON object instead of text")
    .option("--timing", "print host time spent (load, boot, workload) on stderr");
}

function overridesOf(o: CommonOptions): ScenarioOverrides {
  return { mem: o.mem, smp: o.smp, nodes: o.nodes, seed: o.seed, set: o.set };
}

/** The scenario path to read: the given one, or the built-in default (relative to cwd when inside it). */
function scenarioPath(given: string | undefined): string {
  if (given !== undefined) return given;
  const rel = relative(process.cwd(), DEFAULT_SCENARIO_FILE);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : DEFAULT_SCENARIO_FILE;
}

/** `--after 3` → 3 (executed steps); `--after allocated` → the label. */
function parseAfter(text: string | undefined): string | number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === "") throw new UsageFailure("--after: expected a label or a step number");
  return text;
}

function buildProgram(io: CliIo, setStatus: (s: number) => void): Command {
  const program = new Command("mmsim");
  program
    .description("mmsim: a simulator of the Linux 6.1 memory-management subsystem on a simulated ARM64 board")
    .version(packageVersion(), "-V, --version", "print mmsim's version")
    .helpOption("-h, --help", "print this help")
    .helpCommand("help [command]", "print help for a command")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`mmsim: ${s.replace(/^error: /, "")}`),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      "\nExit status: 0 ok, 1 an expect step failed, 2 bad input, 70 internal error.\n" +
        "Examples:\n  mmsim run\n  mmsim run my-scenario.yaml --mem 4G --smp 4\n  mmsim cat /proc/buddyinfo --after allocated\n  mmsim dmesg --json\n",
    );

  addCommonOptions(
    program
      .command("run")
      .description("boot the board, print the kernel's memory lines, run the scenario's workload (default: the built-in scenario)")
      .argument("[scenario]", "scenario file (YAML or JSON)"),
  )
    .addHelpText("after", `\nThe memory lines are the log lines matching ${MEMORY_LINE.source}\n(as dmesg | grep -E would select them).\n\n${describeScenarioSchema()}`)
    .action(async (scenario: string | undefined, opts: CommonOptions) => {
      setStatus(await runCommand(scenario, opts, io));
    });

  addCommonOptions(
    program
      .command("compare")
      .description("run one scenario once per implementation of a slot and print the results side by side")
      .argument("[scenario]", "scenario file (default: the built-in scenario)")
      .requiredOption("--vary <slot=a,b,…>", "the slot and its implementations, e.g. slab=slab,slub or slab=slub,./my-slab.mjs")
      .option("--chart <file.svg>", "also write a chart of the figures (SVG) to this file"),
  )
    .addHelpText("after", "\nEvery figure is simulated (pages, bytes, simulated ns from the cost model); host time appears only with --timing.\n")
    .action(async (scenario: string | undefined, opts: CommonOptions & { vary: string; chart?: string }) => {
      setStatus(await compareCommand(scenario, opts, io));
    });

  addCommonOptions(
    program
      .command("cat")
      .description("print one file (as the kernel renders it) after boot, or after a label or step of the workload")
      .argument("<path>", "e.g. /proc/buddyinfo, /proc/meminfo, /proc/zoneinfo, /sys/kernel/debug/memblock/memory")
      .addOption(new Option("--scenario <file>", "scenario file (default: the built-in scenario)"))
      .addOption(new Option("--after <label|step>", "run the workload up to this label, or this many executed steps, first")),
  ).action(async (path: string, opts: CommonOptions) => {
    setStatus(await catCommand(path, opts, io));
  });

  addCommonOptions(
    program
      .command("dmesg")
      .description("print the whole kernel log after boot (or after a label or step of the workload)")
      .addOption(new Option("--scenario <file>", "scenario file (default: the built-in scenario)"))
      .addOption(new Option("--after <label|step>", "run the workload up to this label, or this many executed steps, first")),
  ).action(async (opts: CommonOptions) => {
    setStatus(await dmesgCommand(opts, io));
  });

  addCommonOptions(
    program
      .command("layout")
      .description("print the kernel's virtual memory layout (linear map, modules, vmalloc, fixmap, PCI I/O, vmemmap) of the booted board")
      .argument("[scenario]", "scenario file (default: the built-in scenario)"),
  ).action(async (scenario: string | undefined, opts: CommonOptions) => {
    setStatus(await layoutCommand(scenario, opts, io));
  });

  const pt = program.command("pt").description("the kernel's page tables");
  addCommonOptions(
    pt
      .command("walk")
      .description("walk swapper_pg_dir for one virtual address: each level's table, index, descriptor and bits, then the physical address or the fault")
      .argument("<va>", "a 64-bit virtual address in hex: a kernel one (0xffff000000000000, the linear map; one from /proc/vmallocinfo) or a user one of the workload's mmap steps")
      .addOption(new Option("--access <kind>", "the access to check permissions for").choices(["read", "write", "exec"]).default("read"))
      .addOption(new Option("--scenario <file>", "scenario file (default: the built-in scenario)"))
      .addOption(new Option("--after <label|step>", "run the workload up to this label, or this many executed steps, first")),
  )
    .addHelpText("after", "\nExamples:\n  mmsim pt walk 0xffff000000000000   # the linear map: RAM at 0x40000000 starts here\n  mmsim pt walk 0xffff800008210000 --access exec\n  mmsim cat /proc/vmallocinfo --after filled   # then walk one of its addresses with --after filled\n")
    .action(async (va: string, opts: CommonOptions & { access: "read" | "write" | "exec" }) => {
      setStatus(await ptWalkCommand(va, opts, io));
    });

  addCommonOptions(
    program
      .command("conformance")
      .description("boot the board a real Linux 6.1 capture was taken on and compare every figure with it (mmsim / real / difference)")
      .argument("[scenario]", "scenario file (default: the built-in scenario); its machine.memory and machine.cpus pick the capture")
      .option("--list", "list the real captures mmsim can compare against, and exit")
      .option("--fixture <name>", "compare against this capture (e.g. virt-4g-4cpu) instead of the one matching --mem/--smp"),
  )
    .addHelpText(
      "after",
      "\nexact figures must be equal, close ones within the tolerance printed beside them (with the reason),\n" +
        "line shapes are the names, order and layout of each file's lines. Exit status 1 when any differs.\n" +
        "Examples:\n  mmsim conformance\n  mmsim conformance --mem 4G --smp 4\n  mmsim conformance --list\n",
    )
    .action(async (scenario: string | undefined, opts: CommonOptions & { list?: boolean; fixture?: string }) => {
      setStatus(await conformanceCommand(scenario, opts, io));
    });

  return program;
}

function packageVersion(): string {
  try {
    const pj = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pj.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** Steps executed by a workload, repeats expanded. */
function countSteps(steps: readonly WorkloadStep[], kind?: WorkloadStep["kind"]): number {
  let n = 0;
  for (const s of steps) {
    if (s.kind === "repeat") n += s.times * countSteps(s.steps, kind);
    else if (kind === undefined || s.kind === kind) n++;
  }
  return n;
}

/** The step executed `n`-th (1-based, repeats expanded). */
function stepAt(steps: readonly WorkloadStep[], n: number): WorkloadStep | undefined {
  for (const s of steps) {
    if (s.kind !== "repeat") {
      if (n === 1) return s;
      n--;
      continue;
    }
    const per = countSteps(s.steps);
    if (n <= per * s.times) return stepAt(s.steps, ((n - 1) % per) + 1);
    n -= per * s.times;
  }
  return undefined;
}

/**
 * What "after step n" means in a header: "boot" before any step, a label's name, or the step
 * (e.g. "alloc user-pages"). `mmsim cat <path> --after <n>` prints the same file text.
 */
function describeAfter(workload: readonly WorkloadStep[], n: number): string {
  if (n === 0) return "boot";
  const s = stepAt(workload, n);
  switch (s?.kind) {
    case "label":
      return s.name;
    case "alloc":
    case "free":
      return `${s.kind} ${s.name}`;
    case "show":
      return `show ${s.path}`;
    case "sysctl":
      return `sysctl ${s.name}`;
    case "expect":
      return `expect ${s.field}`;
    default:
      return `step ${n}`;
  }
}

interface Loaded {
  readonly scenario: ResolvedScenario;
  readonly machine: Machine;
}

/** Loads the scenario, builds (loading policy files it names) and boots the machine. */
async function bootMachine(file: string | undefined, opts: CommonOptions, timing: Timing, ignoreWorkload: boolean): Promise<Loaded> {
  const scenario = loadScenarioFile(scenarioPath(file), overridesOf(opts), { ignoreWorkload });
  timing.mark("load");
  const machine = await Machine.createAsync(scenario);
  machine.boot();
  timing.mark("boot");
  return { scenario, machine };
}

/**
 * Runs the workload with the progress bar when wanted. `onShow` writes through `write`, which
 * holds stdout back while the bar is drawn and flushes it when the workload ends.
 */
function runWorkload(
  loaded: Loaded,
  io: CliIo,
  observer: { onShow?(path: string, text: string, step: number, write: (s: string) => void): void; stopAfter?: string | number },
): WorkloadResult {
  const total = countSteps(loaded.scenario.workload);
  const held: string[] = [];
  let bar: cliProgress.SingleBar | undefined;
  if (io.isTTY && total > PROGRESS_MIN_STEPS) {
    bar = new cliProgress.SingleBar(
      { stream: io.stderr as NodeJS.WritableStream, format: "workload [{bar}] {percentage}% | {value}/{total} steps | {duration_formatted}", clearOnComplete: true, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
  }
  const write = bar ? (s: string) => void held.push(s) : (s: string) => void io.stdout.write(s);
  const every = Math.max(1, Math.floor(total / 1000));
  try {
    return loaded.machine.runWorkload({
      stopAfter: observer.stopAfter,
      onShow: observer.onShow ? (p, t, n) => observer.onShow!(p, t, n, write) : undefined,
      onStep: bar ? (done, all) => (done % every === 0 || done === all ? bar!.update(done) : undefined) : undefined,
    });
  } finally {
    bar?.stop();
    for (const s of held) io.stdout.write(s);
  }
}

async function compareCommand(file: string | undefined, opts: CommonOptions & { vary: string; chart?: string }, io: CliIo): Promise<number> {
  let vary: { slot: string; choices: string[] };
  try {
    vary = parseVary(opts.vary);
  } catch (e) {
    throw new UsageFailure((e as Error).message);
  }
  const hostClock = opts.timing ? () => Number(process.hrtime.bigint()) / 1e6 : undefined;
  const runs = await compareRuns(scenarioPath(file), overridesOf(opts), vary.slot, vary.choices, hostClock);
  if (opts.chart) writeFileSync(opts.chart, await compareChartSvg(vary.slot, runs));
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ slot: vary.slot, runs }, null, 2)}\n`);
    return EXIT_OK;
  }
  io.stdout.write(compareTable(vary.slot, runs));
  for (const r of runs) if (r.slabinfo) io.stdout.write(`\n==> /proc/slabinfo (${vary.slot}=${r.choice}) <==\n${r.slabinfo}`);
  return EXIT_OK;
}

async function runCommand(file: string | undefined, opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const loaded = await bootMachine(file, opts, timing, false);
  const { scenario, machine } = loaded;
  const out = (s: string) => void io.stdout.write(s);
  const memoryLines = machine.log.all().filter((r) => MEMORY_LINE.test(r.text)).map((r) => `${formatPrintkTime(r.tsNs)} ${r.text}`);
  const bootRecords = machine.log.length;
  const shows: { path: string; afterStep: number; after: string; text: string }[] = [];
  if (!opts.json) out(`==> dmesg (memory lines) <==\n${memoryLines.map((l) => `${l}\n`).join("")}`);
  const result = runWorkload(loaded, io, {
    // `step` is the show's own 1-based number; the header names the step before it, so that
    // `mmsim cat <path> --after <n>` prints the same text.
    onShow: (path, text, step, write) => {
      const after = describeAfter(scenario.workload, step - 1);
      if (opts.json) shows.push({ path, afterStep: step - 1, after, text });
      else write(`\n==> ${path} (after step ${step - 1}: ${after}) <==\n${text}`);
    },
  });
  timing.mark("workload");
  const newLog = machine.log.dmesg(bootRecords);
  const expects = countSteps(scenario.workload, "expect");
  const failed = result.failedExpects;
  const failedAllocs = Object.entries(result.failedAllocs ?? {});
  if (opts.json) {
    const json = {
      scenario: scenario.file,
      seed: scenario.seed,
      machine: scenario.machine,
      dmesg: memoryLines,
      workloadLog: newLog === "" ? [] : newLog.replace(/\n$/, "").split("\n"),
      shows,
      expects: { total: expects, passed: expects - failed.length, failed },
      counters: { steps: result.steps, failedAllocs: Object.fromEntries(failedAllocs), simulatedNs: machine.clock.now(), vmstat: parseVmstat(machine.readFile("/proc/vmstat")) },
    };
    out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    if (newLog !== "") out(`\n==> dmesg (lines logged during the workload) <==\n${newLog}`);
    out("\n");
    for (const [name, n] of failedAllocs) out(`alloc failed: ${name}: ${n} allocation${n === 1 ? "" : "s"} returned no page\n`);
    for (const f of failed) out(`expect failed: ${scenario.file}${f.line !== undefined ? `:${f.line}` : ""} (step ${f.step}): ${f.message}\n`);
    out(`expect: ${expects - failed.length} passed, ${failed.length} failed\n`);
  }
  if (opts.timing) io.stderr.write(timing.text());
  return failed.length > 0 ? EXIT_EXPECT_FAILED : EXIT_OK;
}

/** /proc/vmstat as { name: value }. */
function parseVmstat(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? "").split("\n")) {
    const [k, v] = line.split(" ");
    if (k && v !== undefined && v !== "") out[k] = Number(v);
  }
  return out;
}

/** Runs the workload up to --after (if given); reports failed expects on stderr. */
function runUpTo(loaded: Loaded, after: string | number | undefined, io: CliIo, timing: Timing): number {
  if (after === undefined || after === 0) return EXIT_OK;
  const result = runWorkload(loaded, io, { stopAfter: after });
  timing.mark("workload");
  for (const f of result.failedExpects) {
    io.stderr.write(`mmsim: expect failed: ${loaded.scenario.file}${f.line !== undefined ? `:${f.line}` : ""} (step ${f.step}): ${f.message}\n`);
  }
  return result.failedExpects.length > 0 ? EXIT_EXPECT_FAILED : EXIT_OK;
}

async function catCommand(path: string, opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const after = parseAfter(opts.after);
  const loaded = await bootMachine(opts.scenario, opts, timing, after === undefined || after === 0);
  const files = loaded.machine.listFiles();
  if (!files.includes(path)) {
    throw new UsageFailure(`cat: no file ${path}; the files mmsim renders are:\n${files.map((f) => `  ${f}`).join("\n")}`);
  }
  const status = runUpTo(loaded, after, io, timing);
  const text = loaded.machine.readFile(path) ?? "";
  if (opts.json) io.stdout.write(`${JSON.stringify({ path, after: after ?? null, text }, null, 2)}\n`);
  else io.stdout.write(text);
  if (opts.timing) io.stderr.write(timing.text());
  return status;
}

async function dmesgCommand(opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const after = parseAfter(opts.after);
  const loaded = await bootMachine(opts.scenario, opts, timing, after === undefined || after === 0);
  const status = runUpTo(loaded, after, io, timing);
  const log = loaded.machine.log;
  if (opts.json) {
    const lines = log.all().map((r) => ({ ns: r.tsNs, level: r.level, text: r.text }));
    io.stdout.write(`${JSON.stringify({ lines }, null, 2)}\n`);
  } else {
    io.stdout.write(log.dmesg());
  }
  if (opts.timing) io.stderr.write(timing.text());
  return status;
}

function describeFixture(f: Fixture): Record<string, unknown> {
  return { name: f.name, mem: f.info.mem, smp: f.info.smp, kernel: f.info.kernel, qemu: f.info.qemu, cmdline: f.info.cmdline, how: f.info.how };
}

async function conformanceCommand(file: string | undefined, opts: CommonOptions & { list?: boolean; fixture?: string }, io: CliIo): Promise<number> {
  if (opts.list) {
    const all = listFixtures();
    if (opts.json) io.stdout.write(`${JSON.stringify({ fixtures: all.map(describeFixture) }, null, 2)}\n`);
    else {
      for (const f of all) io.stdout.write(`${f.name.padEnd(32)} --mem ${f.info.mem.padEnd(4)} --smp ${String(f.info.smp).padEnd(3)} ${f.info.kernel}\n`);
    }
    return EXIT_OK;
  }
  const timing = new Timing();
  const scenario = loadScenarioFile(scenarioPath(file), overridesOf(opts), { ignoreWorkload: true });
  timing.mark("load");
  const fixture = findFixture(
    opts.fixture !== undefined ? { name: opts.fixture } : { memBytes: scenario.machine.memory, smp: scenario.machine.cpus },
  );
  if (scenario.machine.nodes !== 1) throw new UsageFailure(`conformance: the captures are single-node boards; this scenario has ${scenario.machine.nodes} nodes`);
  const machine = await Machine.createAsync(scenario);
  machine.boot();
  timing.mark("boot");
  const checks = checkMachine(machine, scenario, fixture);
  timing.mark("compare");
  const sum = summarize(checks);
  if (opts.json) io.stdout.write(`${JSON.stringify({ fixture: describeFixture(fixture), summary: sum, checks }, null, 2)}\n`);
  else io.stdout.write(formatReport(fixture, checks));
  if (opts.timing) io.stderr.write(timing.text());
  return sum.failed > 0 ? EXIT_EXPECT_FAILED : EXIT_OK;
}

async function layoutCommand(file: string | undefined, opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const { machine } = await bootMachine(file, opts, timing, true);
  const { layout, kernel } = machine.pgtables;
  const ram = kernel.memory.map((r) => ({ start: r.base, end: r.base + r.size }));
  const imageSize = KERNEL_IMAGE._end - KERNEL_IMAGE._text;
  if (opts.json) {
    const regions: Record<string, { start: string; end: string }> = {};
    const pairs: [string, number, number][] = [
      ["user", 0, layout.TASK_SIZE], ["linear map", layout.PAGE_OFFSET, layout.PAGE_END], ["modules", layout.MODULES_VADDR, layout.MODULES_END],
      ["vmalloc", layout.VMALLOC_START, layout.VMALLOC_END], ["kernel image", layout.kimageVaddr, layout.kimageVaddr + imageSize],
      ["fixmap", layout.FIXADDR_START, layout.FIXADDR_TOP], ["PCI I/O", layout.PCI_IO_START, layout.PCI_IO_END], ["vmemmap", layout.VMEMMAP_START, layout.VMEMMAP_END],
    ];
    for (const [name, start, end] of pairs) regions[name] = { start: formatVa0x(start), end: formatVa0x(end) };
    io.stdout.write(`${JSON.stringify({ vaBits: layout.vaBits, pageSize: layout.pageSize, levels: layout.pgtableLevels, regions, ram: ram.map((r) => ({ start: r.start, end: r.end })) }, null, 2)}\n`);
  } else {
    io.stdout.write(formatLayout(layout, ram, imageSize));
  }
  if (opts.timing) io.stderr.write(timing.text());
  return EXIT_OK;
}

async function ptWalkCommand(vaText: string, opts: CommonOptions & { access: "read" | "write" | "exec" }, io: CliIo): Promise<number> {
  let va: number;
  try {
    va = parseVa(vaText);
  } catch (e) {
    throw new UsageFailure(`pt walk: ${(e as Error).message}`);
  }
  const timing = new Timing();
  const after = parseAfter(opts.after);
  const loaded = await bootMachine(opts.scenario, opts, timing, after === undefined || after === 0);
  const status = runUpTo(loaded, after, io, timing);
  const { store, layout } = loaded.machine.pgtables;
  const access = { read: ACCESS_READ, write: ACCESS_WRITE, exec: ACCESS_EXEC }[opts.access];
  // User addresses walk the workload process's tables (its mmap steps); kernel ones swapper_pg_dir.
  const userPgd = va >= 0 ? loaded.machine.userMm.pgd : undefined;
  if (va >= 0 && userPgd === undefined) throw new UsageFailure(`pt walk: ${formatVa0x(va)} is a user address, and the workload's process has no page tables yet: walk it --after an mmap step`);
  const text = ptWalk(store, layout, va, access, userPgd);
  if (opts.json) io.stdout.write(`${JSON.stringify({ va: formatVa0x(va), access: opts.access, after: after ?? null, text }, null, 2)}\n`);
  else io.stdout.write(text);
  if (opts.timing) io.stderr.write(timing.text());
  return status;
}
