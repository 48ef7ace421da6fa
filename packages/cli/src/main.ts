// mmsim: the `mmsim` command — boot the simulated board, run a scenario, print its files and log (no kernel counterpart)
/*
 * Commands (each boots a machine; see `mmsim <command> --help`):
 *   mmsim run [scenario]   boot, print the kernel's memory lines of the log, run the workload
 *                          (its `show` steps print files), print a summary of its expects
 *   mmsim cat <path>       print one file after boot, or after a label or step (--after)
 *   mmsim dmesg            print the whole kernel log after boot (or --after)
 *   mmsim layout           the kernel's virtual memory layout of the booted board
 *   mmsim pt walk <va>     walk the kernel's page tables for one address, level by level
 *   mmsim compare          one scenario under several implementations of a slot, side by side
 *   mmsim conformance      boot the board of a real capture, compare every figure with the
 *                          real kernel's (mmsim / real / difference); --list the captures
 *   mmsim replay <trace>   a cache trace through cache algorithms at several sizes (replay.ts)
 * One grammar: every command takes the scenario as `--scenario FILE`; run, compare, layout and
 * conformance also take it as their argument. Board options on every command: --mem, --smp,
 * --nodes, --set path=value (repeatable), --seed; and --json, --timing, --help.
 * Relative paths (scenario, --chart, policy modules in --set and --vary) are the user's: they
 * resolve against CliIo.cwd, the directory the command was typed in (paths.ts).
 *
 * Output rules:
 *  - stdout carries only the command's output. File texts and log lines are printed untouched,
 *    so `mmsim cat /proc/buddyinfo | diff - <real capture>` compares formats byte for byte.
 *  - The same scenario and seed give byte-identical stdout (nothing host-dependent is printed).
 *  - --json prints one document of json.ts's types (schemaVersion, command, …) at the end.
 *  - stderr carries errors, `--timing` (host time, the only wall clock the CLI reads, and only
 *    when asked), and progress (progress.ts), drawn only when stderr is a terminal.
 *
 * Exit codes: 0 success; 1 an expect step failed; 2 bad input (a scenario, option or path
 * mmsim cannot use: ScenarioError, ConfigError, ArgumentError, UnknownPolicyError,
 * TraceFormatError, or a command-line usage error), reported as one line on stderr with no stack;
 * 3 the simulated kernel panicked (an outcome of the simulation, not an error: `run` and `dmesg`
 * print its panic lines, `cat` the file as it was at the panic, `run --json` a `panic` object);
 * 70 (EX_SOFTWARE) an unexpected exception: "mmsim: internal error" and its stack on stderr.
 * With --json an error is one ErrorJson line on stderr instead, with the same exit code.
 */
import { compareChartSvg, compareRuns, compareTable, parseVary, type Vary } from "./compare.ts";
import { fileJson } from "./files.ts";
import {
  type CatJson, type CompareJson, type DmesgJson, type DmesgRecord, type ErrorJson, type FailedExpectJson, JSON_SCHEMA_VERSION,
  type LayoutJson, type MachineJson, type RunJson, jsonText,
} from "./json.ts";
import { userPath, userPolicy, userSets } from "./paths.ts";
import { PROGRESS_MIN_STEPS, progressBar, withBootStatus } from "./progress.ts";
import { hex16, walkJson } from "./walk-json.ts";
import { addReplayCommand } from "./replay.ts";
import { packageVersion } from "./version.ts";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative } from "node:path";
import { type KernelPanic, type StepBase, type MmsimError, type PrintkRecord, cutText, describeValue, escapeInvisible, formatPrintkTime, isKernelPanic, isMmsimError } from "@mmsim/core";
import {
  DEFAULT_SCENARIO_FILE, KERNEL_IMAGE, Machine, type MachineSpec, type ResolvedScenario, type ScenarioOverrides, type WorkloadResult,
  type WorkloadStep, countSteps, describeScenarioSchema, loadScenarioFileAsync,
} from "@mmsim/machine";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, formatLayout, formatVa0x, parseVa, ptWalk } from "@mmsim/hw-arm64";
import { CONFORMANCE_OK, conformanceCommand } from "@mmsim/conformance";
import { Command, CommanderError, Option } from "commander";

/** A stream the CLI writes to. */
export interface CliStream {
  write(chunk: string): unknown;
}

/** Where main() writes, where the user is, and whether progress may be drawn. */
export interface CliIo {
  readonly stdout: CliStream;
  /** Errors, --timing and progress. For progress it must be a real terminal stream. */
  readonly stderr: CliStream;
  /** True when stderr is a terminal: progress may be drawn there (never on a pipe or a file). */
  readonly isTTY: boolean;
  /**
   * The directory the user typed the command in: relative paths resolve against it. Default
   * process.cwd(); the bin passes MMSIM_CWD, which the workspace's `pnpm mmsim` wrapper sets from
   * pnpm's INIT_CWD (`pnpm mmsim` runs from the workspace root).
   */
  readonly cwd?: string;
}

/** Exit statuses. */
export const EXIT_OK = 0;
export const EXIT_EXPECT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** The simulated kernel panicked (Kernel panic - not syncing: …): an outcome, not an error. */
export const EXIT_PANIC = 3;
/** EX_SOFTWARE of sysexits.h: an internal error. */
export const EXIT_INTERNAL = 70;

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

/** Longest line of an error message (a value the user gave is cut well before; this is the last guard). */
const MAX_MESSAGE_LINE = 400;

/** An error message as printed: invisible characters escaped, every line cut to MAX_MESSAGE_LINE. */
function safeMessage(text: string): string {
  return text.split("\n").map((l) => cutText(escapeInvisible(l), MAX_MESSAGE_LINE)).join("\n");
}

/** The pointer to a command's help that follows a command-line usage error. */
function helpPointer(argv: readonly string[]): string {
  const c = commandOf(argv);
  return c === null ? "mmsim --help" : `mmsim ${c} --help`;
}

/** Whether the command line asks for JSON (`--json` before any `--`). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** The command a command line names ("pt walk" for `pt walk …`), or null. */
function commandOf(argv: readonly string[]): string | null {
  const [first, second] = argv;
  if (first === undefined || first.startsWith("-") || first === "help") return null;
  return first === "pt" && second === "walk" ? "pt walk" : first;
}

/**
 * Runs the `mmsim` command line.
 * @param argv the arguments after the program name (process.argv.slice(2))
 * @returns the exit status
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let status = EXIT_OK;
  const json = wantsJson(argv);
  const program = buildProgram(io, json, (s) => {
    status = s;
  }, helpPointer(argv));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (e) {
    return reportError(e, io, json ? commandOf(argv) : undefined);
  }
}

/**
 * Prints an error thrown by a command and returns its exit status.
 * @param jsonCommand set (a command name, or null) in --json mode: the error is an ErrorJson line
 */
function reportError(e: unknown, io: CliIo, jsonCommand?: string | null): number {
  const json = (error: ErrorJson["error"]): number => {
    io.stderr.write(jsonText({ schemaVersion: JSON_SCHEMA_VERSION, command: jsonCommand ?? null, error }, true));
    return error.exitCode;
  };
  const where = { file: null, line: null, field: null, stack: null };
  if (e instanceof CommanderError) {
    // Help and version exit 0; a usage error: Commander has printed it in text mode, not in JSON mode.
    if (e.exitCode === 0) return EXIT_OK;
    if (jsonCommand === undefined || e.code === "commander.help") return EXIT_BAD_INPUT;
    const help = jsonCommand === null ? "mmsim --help" : `mmsim ${jsonCommand} --help`;
    return json({ exitCode: EXIT_BAD_INPUT, kind: "usage", type: "UsageError", message: `${safeMessage(e.message.replace(/^error: /, "").trimEnd())} (see ${help})`, ...where });
  }
  if (e instanceof UsageFailure) {
    if (jsonCommand !== undefined) return json({ exitCode: EXIT_BAD_INPUT, kind: "usage", type: "UsageError", message: safeMessage(e.message), ...where });
    io.stderr.write(`mmsim: ${safeMessage(e.message)}\n`);
    return EXIT_BAD_INPUT;
  }
  if (isKernelPanic(e)) {
    // A command that has no document for a panicked machine (layout, pt walk, compare, conformance).
    const message = `the simulated kernel panicked (${e.message}); \`mmsim dmesg\` with the same options shows its log`;
    if (jsonCommand !== undefined) return json({ exitCode: EXIT_PANIC, kind: "panic", type: "KernelPanic", message, ...where });
    io.stderr.write(`mmsim: ${message}\n`);
    return EXIT_PANIC;
  }
  if (isMmsimError(e) && e._tag !== "MmBugError") {
    const message = safeMessage(describeMmsimError(e));
    if (jsonCommand !== undefined) return json({ exitCode: EXIT_BAD_INPUT, kind: "badInput", type: e._tag, message, ...errorWhere(e), stack: null });
    io.stderr.write(`mmsim: ${message}\n`);
    return EXIT_BAD_INPUT;
  }
  const stack = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  if (jsonCommand !== undefined) {
    const message = `internal error (a bug in mmsim, please report it with the command line): ${e instanceof Error ? e.message : String(e)}`;
    return json({ exitCode: EXIT_INTERNAL, kind: "internal", type: e instanceof Error ? e.name : typeof e, message, ...where, stack });
  }
  io.stderr.write(`mmsim: internal error (a bug in mmsim, please report it with the command line)\n${stack}\n`);
  return EXIT_INTERNAL;
}

/** Where an MmsimError points: file and line, and the field (or argument, or slot). */
function errorWhere(e: MmsimError): { file: string | null; line: number | null; field: string | null } {
  const w = errorWhereRaw(e);
  return { ...w, field: w.field === null ? null : safeMessage(w.field) };
}

function errorWhereRaw(e: MmsimError): { file: string | null; line: number | null; field: string | null } {
  switch (e._tag) {
    case "ScenarioError":
      return { file: e.file, line: e.line ?? null, field: e.field };
    case "ConfigError":
      return { file: e.file, line: e.line ?? null, field: e.path };
    case "TraceFormatError":
      return { file: e.file, line: e.line, field: null };
    case "ArgumentError":
      return { file: null, line: null, field: e.argument };
    case "UnknownPolicyError":
      return { file: null, line: null, field: `kernel.policies.${e.slot}` };
    default:
      return { file: null, line: null, field: null };
  }
}

/** An MmsimError's message without its `<package>.<function>:` site. */
function describeMmsimError(e: MmsimError): string {
  const prefix = `${e.site}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --scenario, the one way every command takes a scenario file. */
function scenarioOption(): Option {
  return new Option("--scenario <file>", "scenario file, YAML or JSON (default: the built-in scenario)");
}

/** --after, for the commands that print the state at one point of the workload. */
function afterOption(): Option {
  return new Option("--after <label|step>", "run the workload up to this label, or this many executed steps, first");
}

/** The board options, --json, --timing (every command). */
function addCommonOptions(cmd: Command): Command {
  return cmd
    .option("--mem <size>", "RAM size, e.g. 512M, 4G (= --set machine.memory=<size>)")
    .option("--smp <n>", "number of CPUs (= --set machine.cpus=<n>)")
    .option("--nodes <n>", "number of NUMA nodes (= --set machine.nodes=<n>)")
    .option("--set <path=value>", "set any scenario field by its path, e.g. kernel.sysctl.min_free_kbytes=8192 (repeatable)", collect, [])
    .option("--seed <n>", "seed of the simulated kernel's random source (= --set seed=<n>)")
    .option("--json", "print one JSON document instead of text (schema: docs/json.md; types exported by @mmsim/cli)")
    .option("--timing", "print host time spent (load, boot, workload) on stderr");
}

/** The board options as scenario overrides; policy module paths in --set resolved against the user's directory. */
function overridesOf(o: CommonOptions, io?: CliIo): ScenarioOverrides {
  return { mem: o.mem, smp: o.smp, nodes: o.nodes, seed: o.seed, set: userSets(io?.cwd, o.set) };
}

/** The scenario path to read: the given one, or the built-in default (relative to cwd when inside it). */
function scenarioPath(given: string | undefined): string {
  if (given !== undefined) return given;
  const rel = relative(process.cwd(), DEFAULT_SCENARIO_FILE);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : DEFAULT_SCENARIO_FILE;
}

/**
 * The scenario a command was given — as its argument or with --scenario, not both — as a path
 * the process can open (the user's relative path resolved against their directory), or undefined.
 */
function givenScenario(command: string, argument: string | undefined, option: string | undefined, io: CliIo): string | undefined {
  if (argument !== undefined && option !== undefined) {
    throw new UsageFailure(`${command}: the scenario is given twice ("${argument}" and --scenario "${option}"); give it once`);
  }
  const given = argument ?? option;
  return given === undefined ? undefined : userPath(io.cwd, given);
}

/** `--after 3` → 3 (executed steps); `--after allocated` → the label. */
function parseAfter(text: string | undefined): string | number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === "") throw new UsageFailure("--after: expected a label or a step number");
  return text;
}

/** Help text: "Examples:" and one `mmsim …` line each (a test runs every one of them). */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}\n`).join("")}`;
}

function buildProgram(io: CliIo, json: boolean, setStatus: (s: number) => void, help = "mmsim --help"): Command {
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
      // In --json mode the error becomes one ErrorJson line (reportError).
      outputError: (s, write) => (json ? undefined : write(`mmsim: ${safeMessage(s.replace(/^error: /, "").trimEnd())}\n(see ${help})\n`)),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      "\nExit status: 0 ok, 1 an expect step failed, 2 bad input, 3 the simulated kernel panicked, 70 internal error.\n" +
        "With --json, output is one JSON document (docs/json.md); an error is then one JSON line on stderr.\n" +
        examples(
          "mmsim run",
          "mmsim run my-scenario.yaml --mem 4G --smp 4",
          "mmsim cat /proc/buddyinfo --after allocated",
          "mmsim dmesg --json",
        ),
    );

  addCommonOptions(
    program
      .command("run")
      .description("boot the board, print the kernel's memory lines, run the scenario's workload (default: the built-in scenario)")
      .argument("[scenario]", "scenario file, YAML or JSON (or --scenario)")
      .addOption(scenarioOption()),
  )
    .addHelpText(
      "after",
      `\nThe memory lines are the log lines matching ${MEMORY_LINE.source}\n(as dmesg | grep -E would select them).\n` +
        examples(
          "mmsim run                                  # the built-in scenario",
          "mmsim run --mem 4G --smp 4                 # the same workload on a bigger board",
          "mmsim run --scenario my-scenario.yaml --set kernel.sysctl.min_free_kbytes=8192 --json",
        ) +
        `\n${describeScenarioSchema()}`,
    )
    .action(async (scenario: string | undefined, opts: CommonOptions) => {
      setStatus(await runCommand(givenScenario("run", scenario, opts.scenario, io), opts, io));
    });

  addCommonOptions(
    program
      .command("compare")
      .description("run one scenario once per implementation of a slot (or value of a scenario field) and print the results side by side")
      .argument("[scenario]", "scenario file (or --scenario; default: the built-in scenario)")
      .addOption(scenarioOption())
      .requiredOption("--vary <slot=a,b,…>", "a policy slot and its implementations (slab=slab,slub, reclaim=lru,mglru,./my-policy.mjs), or any scenario path and its values (kernel.sysctl.swappiness=0,60,200, machine.memory=256M,512M)")
      .option("--chart <file.svg>", "also write a chart of the figures (SVG) to this file"),
  )
    .addHelpText(
      "after",
      "\nEvery figure is simulated (pages, bytes, simulated ns from the cost model); host time appears only with --timing.\n" +
        examples("mmsim compare --vary slab=slab,slub", "mmsim compare --vary slab=slab,slub --mem 256M --json", "mmsim compare examples/scenarios/page-cache-tmpfs.yaml --vary kernel.sysctl.swappiness=0,60,200 --chart swappiness.svg"),
    )
    .action(async (scenario: string | undefined, opts: CommonOptions & { vary: string; chart?: string }) => {
      setStatus(await compareCommand(givenScenario("compare", scenario, opts.scenario, io), opts, io));
    });

  addCommonOptions(
    program
      .command("cat")
      .description("print one file (as the kernel renders it) after boot, or after a label or step of the workload")
      .argument("<path>", "e.g. /proc/buddyinfo, /proc/meminfo, /proc/zoneinfo, /sys/kernel/debug/memblock/memory")
      .addOption(scenarioOption())
      .addOption(afterOption()),
  )
    .addHelpText(
      "after",
      examples(
        "mmsim cat /proc/buddyinfo",
        "mmsim cat /proc/meminfo --mem 4G --json        # parsed fields (kB) and the text",
        "mmsim cat /proc/buddyinfo --after allocated    # after the built-in workload's label",
      ),
    )
    .action(async (path: string, opts: CommonOptions) => {
      setStatus(await catCommand(path, opts, io));
    });

  addCommonOptions(
    program
      .command("dmesg")
      .description("print the whole kernel log after boot (or after a label or step of the workload)")
      .addOption(scenarioOption())
      .addOption(afterOption()),
  )
    .addHelpText("after", examples("mmsim dmesg", "mmsim dmesg --nodes 2 --mem 2G", "mmsim dmesg --json"))
    .action(async (opts: CommonOptions) => {
      setStatus(await dmesgCommand(opts, io));
    });

  addCommonOptions(
    program
      .command("layout")
      .description("print the kernel's virtual memory layout (linear map, modules, vmalloc, fixmap, PCI I/O, vmemmap) of the booted board")
      .argument("[scenario]", "scenario file (or --scenario; default: the built-in scenario)")
      .addOption(scenarioOption()),
  )
    .addHelpText("after", examples("mmsim layout", "mmsim layout --set kernel.config.va_bits=39 --json"))
    .action(async (scenario: string | undefined, opts: CommonOptions) => {
      setStatus(await layoutCommand(givenScenario("layout", scenario, opts.scenario, io), opts, io));
    });

  const pt = program.command("pt").description("the kernel's page tables");
  addCommonOptions(
    pt
      .command("walk")
      .description("walk swapper_pg_dir for one virtual address: each level's table, index, descriptor and bits, then the physical address or the fault")
      .argument("<va>", "a 64-bit virtual address in hex: a kernel one (0xffff000000000000, the linear map; one from /proc/vmallocinfo) or a user one of the workload's mmap steps")
      .addOption(new Option("--access <kind>", "the access to check permissions for").choices(["read", "write", "exec"]).default("read"))
      .addOption(scenarioOption())
      .addOption(afterOption()),
  )
    .addHelpText(
      "after",
      examples(
        "mmsim pt walk 0xffff000000000000                  # the linear map: RAM at 0x40000000 starts here",
        "mmsim pt walk 0xffff800008210000 --access exec    # kernel text",
        "mmsim cat /proc/vmallocinfo                       # vmalloc areas after boot; walk any address in them:",
        "mmsim pt walk 0xffff800008010000 --json",
      ),
    )
    .action(async (va: string, opts: CommonOptions & { access: "read" | "write" | "exec" }) => {
      setStatus(await ptWalkCommand(va, opts, io));
    });

  addCommonOptions(
    program
      .command("conformance")
      .description("boot the board a real Linux 6.1 capture was taken on and compare every figure with it (mmsim / real / difference)")
      .argument("[scenario]", "scenario file (or --scenario; default: the built-in scenario); its machine.memory and machine.cpus pick the capture")
      .addOption(scenarioOption())
      .option("--list", "list the real captures mmsim can compare against, and exit")
      .option("--fixture <name|dir>", "compare against this capture, booting its board (RAM and CPUs from its capture.json): a name from --list (e.g. virt-4g-4cpu) or a directory holding a capture of your own")
      .option("--failures", "print only the figures that fail"),
  )
    .addHelpText(
      "after",
      "\nexact figures must be equal, close ones within the tolerance printed beside them (with the reason),\n" +
        "line shapes are the names, order and layout of each file's lines. Exit status 1 when any differs.\n" +
        "A directory for --fixture holds what tools/real-kernel/capture writes (dmesg, proc_zoneinfo,\n" +
        "proc_meminfo, …) and a capture.json (kernel, qemu, cmdline, mem, smp, how).\n" +
        "Examples:\n  mmsim conformance\n  mmsim conformance --mem 4G --smp 4\n  mmsim conformance --fixture virt-4g-4cpu --failures\n  mmsim conformance --list\n",
    )
    .action(async (scenario: string | undefined, opts: CommonOptions & { list?: boolean; fixture?: string; failures?: boolean }) => {
      const file = givenScenario("conformance", scenario, opts.scenario, io);
      setStatus(await conformanceCliCommand(file, opts, io));
    });

  addReplayCommand(program, io, setStatus);
  return program;
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------


/**
 * Finds the step executed `n`-th (1-based, repeats expanded) by a binary search over the
 * steps' first executed numbers, built once: a `show` header per step costs O(log steps), not a
 * rescan of the workload (80,000 shows took 25 s with the rescan).
 */
function stepLocator(steps: readonly WorkloadStep[]): (n: number) => WorkloadStep | undefined {
  const first: number[] = [];
  let total = 0;
  for (const s of steps) {
    first.push(total);
    total += s.kind === "repeat" ? s.times * countSteps(s.steps) : 1;
  }
  const bodies = new Map<WorkloadStep, (n: number) => WorkloadStep | undefined>();
  return (n) => {
    if (!(n >= 1 && n <= total)) return undefined;
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (first[mid]! < n) lo = mid;
      else hi = mid - 1;
    }
    const s = steps[lo]!;
    if (s.kind !== "repeat") return s;
    let body = bodies.get(s);
    if (!body) bodies.set(s, (body = stepLocator(s.steps)));
    return body(((n - first[lo]! - 1) % countSteps(s.steps)) + 1);
  };
}

/** The expect steps among the first `n` executed steps (repeats expanded), without walking them one by one. */
function countExpectsIn(steps: readonly WorkloadStep[], n: number): number {
  let found = 0;
  for (const s of steps) {
    if (n <= 0) break;
    if (s.kind !== "repeat") {
      if (s.kind === "expect") found++;
      n--;
      continue;
    }
    const per = countSteps(s.steps);
    const whole = per === 0 ? 0 : Math.min(s.times, Math.floor(n / per));
    found += whole * countSteps(s.steps, "expect");
    n -= whole * per;
    if (whole < s.times && n > 0) {
      found += countExpectsIn(s.steps, n);
      n = 0;
    }
  }
  return found;
}

/**
 * What "after step n" means in a header: "boot" before any step, a label's name, or the step
 * (e.g. "alloc user-pages"). `mmsim cat <path> --after <n>` prints the same file text.
 */
function describeAfter(stepAt: (n: number) => WorkloadStep | undefined, n: number, executed?: WorkloadStep): string {
  if (n === 0) return "boot";
  const s = executed ?? stepAt(n);
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
    default: {
      // a step that names what it acts on (mmap, access, fork …)
      const as = (s as { as?: unknown } | undefined)?.as;
      return typeof as === "string" ? `${s!.kind} ${as}` : s !== undefined && s.kind !== "repeat" ? s.kind : `step ${n}`;
    }
  }
}

interface Loaded {
  readonly scenario: ResolvedScenario;
  readonly machine: Machine;
}

/** Loads the scenario, builds (loading policy files it names) and boots the machine. */
async function bootMachine(file: string | undefined, opts: CommonOptions, io: CliIo, timing: Timing, ignoreWorkload: boolean, allowPanic = false): Promise<Loaded> {
  const { scenario, catalog } = await loadScenarioFileAsync(scenarioPath(file), overridesOf(opts, io), { ignoreWorkload, cwd: io.cwd });
  timing.mark("load");
  const machine = await Machine.createAsync(scenario, catalog);
  try {
    withBootStatus(io, scenario.machine, () => machine.boot());
  } catch (e) {
    // A panic during boot is an outcome: the machine logged it and keeps what it had (see machine.panicked).
    if (!isKernelPanic(e) || !allowPanic) throw e;
  }
  timing.mark("boot");
  return { scenario, machine };
}

/** The panic section of `run`'s text, or its JSON, for a machine that panicked. */
function panicOf(machine: Machine): { panic: KernelPanic; duringBoot: boolean; records: PrintkRecord[] } | undefined {
  const p = machine.panicked;
  return p ? { panic: p.panic, duringBoot: p.duringBoot, records: machine.log.all().slice(p.logIndex) } : undefined;
}

/**
 * Runs the workload with the progress bar when wanted. `onShow` writes through `write`, which
 * holds stdout back while the bar is drawn and flushes it when the workload ends.
 */
function runWorkload(
  loaded: Loaded,
  io: CliIo,
  observer: { onShow?(path: string, text: string, step: number, write: (s: string) => void, previous: StepBase | undefined): void; stopAfter?: string | number },
): WorkloadResult {
  const total = countSteps(loaded.scenario.workload);
  const held: string[] = [];
  const bar = total > PROGRESS_MIN_STEPS ? progressBar(io, "workload [{bar}] {percentage}% | {value}/{total} steps | {duration_formatted}", total) : undefined;
  const write = bar ? (s: string) => void held.push(s) : (s: string) => void io.stdout.write(s);
  const every = Math.max(1, Math.floor(total / 1000));
  try {
    return loaded.machine.runWorkload({
      stopAfter: observer.stopAfter,
      onShow: observer.onShow ? (p, t, n, prev) => observer.onShow!(p, t, n, write, prev) : undefined,
      onStep: bar ? (done, all) => (done % every === 0 || done === all ? bar.update(done) : undefined) : undefined,
    });
  } finally {
    bar?.stop();
    for (const s of held) io.stdout.write(s);
  }
}

/** A log record as JSON. */
function dmesgRecord(r: PrintkRecord): DmesgRecord {
  return { timeNs: r.tsNs, level: r.level, text: r.text };
}

/** The resolved machine section as JSON. */
function machineJson(m: MachineSpec): MachineJson {
  return { board: m.board, memory: m.memory, cpus: m.cpus, nodes: m.nodes, cmdline: m.cmdline, reserved: m.reserved.map((r) => ({ start: hex16(r.start), size: r.size, name: r.name })) };
}

function failedExpectsJson(failed: WorkloadResult["failedExpects"]): FailedExpectJson[] {
  return failed.map((f) => ({ step: f.step, line: f.line ?? null, message: f.message }));
}

/** Why --chart cannot be written, and what to do. */
function chartError(given: string, code: string): UsageFailure {
  const why = code === "EISDIR" ? "is a directory; name a file in it, e.g. chart.svg" : code === "ENOENT" ? "is in a directory that does not exist; create the directory first or write the chart elsewhere" : code === "EACCES" ? "cannot be written (permission denied); write the chart elsewhere" : `cannot be written (${code})`;
  return new UsageFailure(`--chart ${describeValue(given)} ${why}`);
}

async function compareCommand(file: string | undefined, opts: CommonOptions & { vary: string; chart?: string }, io: CliIo): Promise<number> {
  let vary: Vary;
  try {
    vary = parseVary(opts.vary);
  } catch (e) {
    throw new UsageFailure((e as Error).message);
  }
  // --chart is checked before the runs: a directory, or a file in a directory that does not exist.
  if (opts.chart) {
    const chart = userPath(io.cwd, opts.chart);
    if (existsSync(chart) && statSync(chart).isDirectory()) throw chartError(opts.chart, "EISDIR");
    if (!existsSync(dirname(chart))) throw chartError(opts.chart, "ENOENT");
  }
  const hostClock = opts.timing ? () => Number(process.hrtime.bigint()) / 1e6 : undefined;
  const n = vary.choices.length;
  const bar = progressBar(io, "compare [{bar}] {value}/{total} runs | {slot}={choice}: {phase}", n, { slot: vary.slot, choice: vary.choices[0], phase: "loading" });
  let every = 1;
  let comparison;
  try {
    comparison = await compareRuns(scenarioPath(file), overridesOf(opts, io), vary.slot, vary.choices, {
      hostClock,
      cwd: io.cwd,
      resolveChoice: (c) => userPolicy(io.cwd, c),
      series: opts.chart !== undefined,
      onRun: (i, choice) => bar?.update(i, { choice, phase: "booting" }),
      onStep: bar
        ? (done, total) => {
            if (done === 1) every = Math.max(1, Math.floor(total / 100));
            if (done % every === 0 || done === total) bar.update({ phase: `workload ${done}/${total} steps` });
          }
        : undefined,
    });
    bar?.update(n, { phase: "done" });
  } finally {
    bar?.stop();
  }
  const { runs } = comparison;
  if (opts.chart) {
    const svg = await compareChartSvg(vary.slot, runs);
    try {
      writeFileSync(userPath(io.cwd, opts.chart), svg);
    } catch (e) {
      throw chartError(opts.chart, (e as NodeJS.ErrnoException).code ?? String(e));
    }
  }
  if (opts.json) {
    const doc: CompareJson = { schemaVersion: JSON_SCHEMA_VERSION, command: "compare", slot: vary.slot, runs };
    io.stdout.write(jsonText(doc));
    return EXIT_OK;
  }
  io.stdout.write(compareTable(vary.slot, comparison));
  // Each run's /proc/slabinfo after the table when the slab allocator is what varies (--json has it always).
  if (vary.path === "kernel.policies.slab") for (const r of runs) if (r.slabinfo) io.stdout.write(`\n==> /proc/slabinfo (${vary.slot}=${r.choice}) <==\n${r.slabinfo}`);
  return EXIT_OK;
}

async function runCommand(file: string | undefined, opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const loaded = await bootMachine(file, opts, io, timing, false, true);
  const { scenario, machine } = loaded;
  const out = (s: string) => void io.stdout.write(s);
  const bootPanic = machine.panicked;
  // A mistyped show/expect path fails here, before the boot log is printed.
  if (!bootPanic) machine.checkWorkloadFiles();
  const bootLog = bootPanic ? machine.log.all().slice(0, bootPanic.logIndex) : machine.log.all();
  const memoryRecords = bootLog.filter((r) => MEMORY_LINE.test(r.text));
  const bootRecords = machine.log.length;
  const shows: RunJson["shows"][number][] = [];
  const stepAt = stepLocator(scenario.workload);
  if (!opts.json) out(`==> dmesg (memory lines) <==\n${memoryRecords.map((r) => `${formatPrintkTime(r.tsNs)} ${r.text}\n`).join("")}`);
  const result = runWorkload(loaded, io, {
    // `step` is the show's own 1-based number; the header names the step before it, so that
    // `mmsim cat <path> --after <n>` prints the same text.
    onShow: (path, text, step, write, previous) => {
      const after = describeAfter(stepAt, step - 1, previous as WorkloadStep | undefined);
      if (opts.json) shows.push({ afterStep: step - 1, after, ...fileJson(path, text) });
      else write(`\n==> ${path} (after step ${step - 1}: ${after}) <==\n${text}`);
    },
  });
  timing.mark("workload");
  const failed = result.failedExpects;
  const failedAllocs = Object.entries(result.failedAllocs ?? {});
  const panicked = panicOf(machine);
  // After a panic only the expects of the steps executed before it count.
  const allExpects = countSteps(scenario.workload, "expect");
  const expects = panicked ? countExpectsIn(scenario.workload, result.steps) : allExpects;
  if (opts.json) {
    const doc: RunJson = {
      schemaVersion: JSON_SCHEMA_VERSION,
      command: "run",
      scenario: scenario.file,
      seed: scenario.seed,
      machine: machineJson(scenario.machine),
      dmesg: memoryRecords.map(dmesgRecord),
      workloadDmesg: machine.log.all().slice(bootRecords).map(dmesgRecord),
      shows,
      expects: { total: result.passedExpects + failed.length, passed: result.passedExpects, failed: failedExpectsJson(failed) },
      counters: {
        steps: result.steps,
        failedAllocs: Object.fromEntries(failedAllocs),
        simulatedNs: machine.clock.now(),
        vmstat: panicked?.duringBoot ? {} : (fileJson("/proc/vmstat", machine.readFile("/proc/vmstat") ?? "").content as Record<string, number>),
      },
      panic: panicked
        ? { reason: panicked.panic.reason, function: panicked.panic.where, duringBoot: panicked.duringBoot, step: panicked.duringBoot ? null : result.steps + 1, dmesg: panicked.records.map(dmesgRecord) }
        : null,
    };
    out(jsonText(doc));
  } else {
    if (bootPanic) out(`\n==> dmesg (the kernel panicked during boot) <==\n${machine.log.dmesg(bootPanic.logIndex)}`);
    const newLog = machine.log.dmesg(bootRecords);
    if (newLog !== "") out(`\n==> dmesg (lines logged during the workload) <==\n${newLog}`);
    out("\n");
    if (panicked) out(`kernel panic: ${panicked.panic.reason} (in ${panicked.panic.where}, ${panicked.duringBoot ? "during boot; the workload did not run" : `step ${result.steps + 1}; the workload stopped there`})\n`);
    for (const [name, n] of failedAllocs) out(`alloc failed: ${name}: ${n} allocation${n === 1 ? "" : "s"} returned no page\n`);
    for (const f of failed) out(`expect failed: ${scenario.file}${f.line !== undefined ? `:${f.line}` : ""} (step ${f.step}): ${f.message}\n`);
    out(`expect: ${result.passedExpects} passed, ${failed.length} failed${allExpects > expects ? `, ${allExpects - expects} not run (the kernel panicked)` : ""}\n`);
  }
  if (opts.timing) io.stderr.write(timing.text());
  if (panicked) return EXIT_PANIC;
  return failed.length > 0 ? EXIT_EXPECT_FAILED : EXIT_OK;
}

/**
 * Runs the workload up to --after (if given). Failed expects are reported on stderr in text mode
 * and returned for the JSON document; the status is 1 when any failed.
 */
function runUpTo(loaded: Loaded, after: string | number | undefined, opts: CommonOptions, io: CliIo, timing: Timing): { status: number; failed: FailedExpectJson[] } {
  const bootPanic = loaded.machine.panicked;
  if (bootPanic) {
    if (!opts.json) io.stderr.write(`mmsim: the simulated kernel panicked during boot (${bootPanic.panic.message}); the output is the state at the panic\n`);
    return { status: EXIT_PANIC, failed: [] };
  }
  if (after === undefined || after === 0) return { status: EXIT_OK, failed: [] };
  const result = runWorkload(loaded, io, { stopAfter: after });
  timing.mark("workload");
  if (result.panic) {
    if (!opts.json) io.stderr.write(`mmsim: the simulated kernel panicked in step ${result.steps + 1}, before --after ${after} (${result.panic.message}); the output is the state at the panic\n`);
    return { status: EXIT_PANIC, failed: failedExpectsJson(result.failedExpects) };
  }
  if (!opts.json) {
    for (const f of result.failedExpects) {
      io.stderr.write(`mmsim: expect failed: ${loaded.scenario.file}${f.line !== undefined ? `:${f.line}` : ""} (step ${f.step}): ${f.message}\n`);
    }
  }
  return { status: result.failedExpects.length > 0 ? EXIT_EXPECT_FAILED : EXIT_OK, failed: failedExpectsJson(result.failedExpects) };
}

async function catCommand(path: string, opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const after = parseAfter(opts.after);
  const loaded = await bootMachine(givenScenario("cat", undefined, opts.scenario, io), opts, io, timing, after === undefined || after === 0, true);
  // The path is checked where it is read: files such as /sys/kernel/slab/<cache>/* and
  // where/<name> appear only when the workload creates them.
  const { status, failed } = runUpTo(loaded, after, opts, io, timing);
  const text = loaded.machine.readFile(path);
  if (text === undefined) {
    const files = loaded.machine.listFiles();
    const when = loaded.machine.panicked?.duringBoot ? "when the kernel panicked during boot" : after === undefined || after === 0 ? "after boot" : `after ${typeof after === "number" ? `step ${after}` : `"${after}"`}`;
    throw new UsageFailure(`cat: no file ${path} ${when}; the files mmsim renders then are:\n${files.map((f) => `  ${f}`).join("\n")}`);
  }
  if (opts.json) {
    const doc: CatJson = { schemaVersion: JSON_SCHEMA_VERSION, command: "cat", after: after ?? null, failedExpects: failed, ...fileJson(path, text) };
    io.stdout.write(jsonText(doc));
  } else io.stdout.write(text);
  if (opts.timing) io.stderr.write(timing.text());
  return status;
}

async function dmesgCommand(opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const after = parseAfter(opts.after);
  const loaded = await bootMachine(givenScenario("dmesg", undefined, opts.scenario, io), opts, io, timing, after === undefined || after === 0, true);
  const { status, failed } = runUpTo(loaded, after, opts, io, timing);
  const log = loaded.machine.log;
  if (opts.json) {
    const doc: DmesgJson = { schemaVersion: JSON_SCHEMA_VERSION, command: "dmesg", after: after ?? null, failedExpects: failed, dmesg: log.all().map(dmesgRecord) };
    io.stdout.write(jsonText(doc));
  } else {
    io.stdout.write(log.dmesg());
  }
  if (opts.timing) io.stderr.write(timing.text());
  return status;
}

/** `mmsim conformance`: the options parsed here, the work done by @mmsim/conformance. */
async function conformanceCliCommand(file: string | undefined, opts: CommonOptions & { list?: boolean; fixture?: string; failures?: boolean }, io: CliIo): Promise<number> {
  const timing = new Timing();
  const status = await conformanceCommand(
    {
      scenarioFile: scenarioPath(file), overrides: overridesOf(opts, io), list: opts.list,
      // a capture's name, or a directory of the user's (relative to where they typed the command)
      fixture: opts.fixture !== undefined && /[/\\]|^\./.test(opts.fixture) ? userPath(io.cwd, opts.fixture) : opts.fixture, json: opts.json, failures: opts.failures,
      mark: (phase) => timing.mark(phase),
    },
    io.stdout,
  );
  if (opts.timing && !opts.list) io.stderr.write(timing.text());
  return status === CONFORMANCE_OK ? EXIT_OK : EXIT_EXPECT_FAILED;
}

async function layoutCommand(file: string | undefined, opts: CommonOptions, io: CliIo): Promise<number> {
  const timing = new Timing();
  const { machine } = await bootMachine(file, opts, io, timing, true);
  const { layout, kernel } = machine.pgtables;
  const ram = kernel.memory.map((r) => ({ start: r.base, end: r.base + r.size }));
  const imageSize = KERNEL_IMAGE._end - KERNEL_IMAGE._text;
  if (opts.json) {
    const regions: [string, number, number][] = [
      ["user", 0, layout.TASK_SIZE], ["linear map", layout.PAGE_OFFSET, layout.PAGE_END], ["modules", layout.MODULES_VADDR, layout.MODULES_END],
      ["vmalloc", layout.VMALLOC_START, layout.VMALLOC_END], ["kernel image", layout.kimageVaddr, layout.kimageVaddr + imageSize],
      ["fixmap", layout.FIXADDR_START, layout.FIXADDR_TOP], ["PCI I/O", layout.PCI_IO_START, layout.PCI_IO_END], ["vmemmap", layout.VMEMMAP_START, layout.VMEMMAP_END],
    ];
    const doc: LayoutJson = {
      schemaVersion: JSON_SCHEMA_VERSION,
      command: "layout",
      vaBits: layout.vaBits,
      pageSize: layout.pageSize,
      levels: layout.pgtableLevels,
      regions: regions.map(([name, start, end]) => ({ name, start: formatVa0x(start), end: formatVa0x(end) })),
      ram: ram.map((r) => ({ start: hex16(r.start), end: hex16(r.end) })),
    };
    io.stdout.write(jsonText(doc));
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
  const loaded = await bootMachine(givenScenario("pt walk", undefined, opts.scenario, io), opts, io, timing, after === undefined || after === 0);
  const { status, failed } = runUpTo(loaded, after, opts, io, timing);
  const { store, layout } = loaded.machine.pgtables;
  const access = { read: ACCESS_READ, write: ACCESS_WRITE, exec: ACCESS_EXEC }[opts.access];
  // User addresses walk init's tables (pid 1: the workload's own task); kernel ones swapper_pg_dir.
  const init = va >= 0 ? loaded.machine.processes.tasks.init : null;
  const userPgd = init?.mm?.pgtables?.pgd;
  if (va >= 0 && userPgd === undefined) throw new UsageFailure(`pt walk: ${formatVa0x(va)} is a user address, and init has no page tables yet (the workload has not started): walk it --after a step`);
  const text = ptWalk(store, layout, va, access, userPgd);
  if (opts.json) {
    const pgd = va < 0 ? store.swapperPgDir : userPgd!;
    io.stdout.write(jsonText(walkJson(store, layout, va, access, pgd, { access: opts.access, after: after ?? null, failedExpects: failed, text })));
  } else io.stdout.write(text);
  if (opts.timing) io.stderr.write(timing.text());
  return status;
}
