// mmsim: the body of `mmsim conformance` — pick the capture, boot its board, compare, print (the CLI only parses options)
/*
 * The board booted is the capture's: with --fixture, its RAM and CPUs (capture.json's `mem`,
 * `smp`) are applied to the scenario, so `--fixture virt-4g-4cpu` compares a 4 GiB, 4-CPU board;
 * without it, the capture is the one whose RAM and CPUs match the scenario's board (--mem/--smp).
 * Everything else (sysctls, config, policies) comes from the scenario and --set, so a difference
 * a setting makes shows up as a failing figure.
 */
import { ArgumentError } from "@mmsim/core";
import { Machine, type ResolvedScenario, type ScenarioOverrides, formatSize, loadScenarioFile, parseSize } from "@mmsim/machine";
import { type Check, summarize } from "./checks.ts";
import { type Fixture, findFixture, listFixtures, resolveFixture } from "./fixtures.ts";
import { checkMachine, formatReport } from "./report.ts";

/** What `mmsim conformance` was asked. */
export interface ConformanceCommandOptions {
  /** The scenario file: its kernel settings, and its board when no --fixture is given. */
  readonly scenarioFile: string;
  /** --mem, --smp, --nodes, --seed, --set. */
  readonly overrides: ScenarioOverrides;
  /** --list: print the captures and exit. */
  readonly list?: boolean;
  /** --fixture: a capture's name (`virt-4g-4cpu`) or a directory holding a capture of one's own. */
  readonly fixture?: string;
  /** --json: one JSON object instead of the text report. */
  readonly json?: boolean;
  /** --failures: only the figures that fail. */
  readonly failures?: boolean;
  /** Where a relative --fixture directory is found (default: the process's working directory). */
  readonly cwd?: string;
  /** Called after each phase ("load", "boot", "compare"), for the CLI's --timing. */
  readonly mark?: (phase: string) => void;
}

/** Where the command writes its output. */
export interface ConformanceOutput {
  write(chunk: string): unknown;
}

/** Exit statuses of the command (bad input is thrown as an MmsimError). */
export const CONFORMANCE_OK = 0;
export const CONFORMANCE_FAILED = 1;

/** A capture's description, as `--list --json` and the report's JSON print it. */
/** The version of `mmsim conformance --json`'s shape (the CLI's JSON_SCHEMA_VERSION; docs/json.md). */
export const JSON_SCHEMA_VERSION = 1;

export function describeFixture(f: Fixture): Record<string, unknown> {
  return { name: f.name, dir: f.dir, mem: f.info.mem, memBytes: f.memBytes, smp: f.info.smp, kernel: f.info.kernel, qemu: f.info.qemu, cmdline: f.info.cmdline, how: f.info.how };
}

/**
 * The scenario for a capture: the scenario file with the capture's RAM and CPUs. An explicit
 * --mem or --smp (or --set machine.*) that names another board is an error, not silently replaced.
 */
export function scenarioForFixture(scenarioFile: string, overrides: ScenarioOverrides, fixture: Fixture): ResolvedScenario {
  const mem = overrides.mem === undefined ? undefined : parseSize(overrides.mem);
  if (typeof mem === "number" && mem !== fixture.memBytes) {
    throw new ArgumentError("conformance.scenarioForFixture", "--mem", `the capture's RAM (${fixture.info.mem}) or no --mem with --fixture ${fixture.name}`, overrides.mem!);
  }
  if (overrides.smp !== undefined && Number(overrides.smp) !== fixture.info.smp) {
    throw new ArgumentError("conformance.scenarioForFixture", "--smp", `the capture's CPUs (${fixture.info.smp}) or no --smp with --fixture ${fixture.name}`, String(overrides.smp));
  }
  const scenario = loadScenarioFile(scenarioFile, { ...overrides, mem: fixture.info.mem, smp: fixture.info.smp }, { ignoreWorkload: true });
  if (scenario.machine.memory !== fixture.memBytes || scenario.machine.cpus !== fixture.info.smp) {
    throw new ArgumentError(
      "conformance.scenarioForFixture",
      "--set machine.*",
      `the board of ${fixture.name} (${fixture.info.mem}, ${fixture.info.smp} CPUs)`,
      `${formatSize(scenario.machine.memory)}, ${scenario.machine.cpus} CPUs`,
    );
  }
  return scenario;
}

/**
 * Runs `mmsim conformance`: --list, or boots the capture's board and prints the report.
 * @returns CONFORMANCE_OK, or CONFORMANCE_FAILED when a figure fails
 * @throws an MmsimError for bad input (no such capture, a directory without capture.json, …)
 */
export async function conformanceCommand(opts: ConformanceCommandOptions, out: ConformanceOutput): Promise<number> {
  const mark = opts.mark ?? (() => undefined);
  if (opts.list) {
    const all = listFixtures();
    if (opts.json) out.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "conformance", fixtures: all.map(describeFixture) }, null, 2)}\n`);
    else {
      for (const f of all) out.write(`${f.name.padEnd(32)} --mem ${f.info.mem.padEnd(4)} --smp ${String(f.info.smp).padEnd(3)} ${f.info.kernel}\n`);
    }
    return CONFORMANCE_OK;
  }
  let fixture: Fixture;
  let scenario: ResolvedScenario;
  if (opts.fixture !== undefined) {
    fixture = resolveFixture(opts.fixture, opts.cwd);
    scenario = scenarioForFixture(opts.scenarioFile, opts.overrides, fixture);
  } else {
    scenario = loadScenarioFile(opts.scenarioFile, opts.overrides, { ignoreWorkload: true });
    fixture = findFixture({ memBytes: scenario.machine.memory, smp: scenario.machine.cpus });
  }
  if (scenario.machine.nodes !== 1) {
    throw new ArgumentError("conformance.conformanceCommand", "--nodes", "1 (the captures are single-node boards)", String(scenario.machine.nodes));
  }
  mark("load");
  const machine = await Machine.createAsync(scenario);
  machine.boot();
  mark("boot");
  const checks: Check[] = checkMachine(machine, scenario, fixture);
  mark("compare");
  const sum = summarize(checks);
  if (opts.json) {
    const shown = opts.failures ? checks.filter((c) => !c.ok) : checks;
    const board = { memory: formatSize(scenario.machine.memory), cpus: scenario.machine.cpus, nodes: scenario.machine.nodes };
    out.write(`${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: "conformance", fixture: describeFixture(fixture), board, summary: sum, checks: shown }, null, 2)}\n`);
  } else {
    out.write(formatReport(fixture, checks, { failures: opts.failures }));
  }
  return sum.failed > 0 ? CONFORMANCE_FAILED : CONFORMANCE_OK;
}
