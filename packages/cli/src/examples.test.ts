// mmsim: every command line the READMEs and the --help texts show runs, and exits as they say
/*
 * The command lines are parsed out of the files, so this test keeps the documentation true as
 * the CLI grows:
 *  - the root README.md, the README.md of every workspace package (packages/*, tests/*,
 *    examples/*) and the pages of docs/: each line of a code block (fenced, or indented by four spaces) whose command
 *    (also after `&&` or `;`) starts with `pnpm -s mmsim`, `pnpm mmsim` or `mmsim`;
 *  - the help of every command: each line of its "Examples:" section.
 * What a line pipes its output into (`| diff - …`) is not run; a trailing `# comment` is
 * dropped. A line exits 0 unless its comment says otherwise ("# exits 1 …").
 * They run in-process, typed in a scratch "user directory" that links the repository's
 * examples/, packages/ and tests/ and holds the files the documentation calls the user's own
 * (USER_FILES), so that relative paths resolve as they do for a user in a clone.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SCENARIO_FILE } from "@mmsim/machine";
import { describe, expect, it } from "vitest";
import { main } from "./main.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Files the documentation's examples call the user's own, and what stands in for them here. */
const USER_FILES: Readonly<Record<string, string>> = {
  "my.yaml": DEFAULT_SCENARIO_FILE,
  "my-scenario.yaml": DEFAULT_SCENARIO_FILE,
};

/** Directories the documentation calls the user's own, and the directory that stands in for each. */
const USER_DIRS: Readonly<Record<string, string>> = {
  // "a capture of your own": the reference capture, as a user's directory would hold it
  "my-capture": join(ROOT, "tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu"),
};

interface Example {
  /** Where it was found: `README.md:16`, `mmsim pt walk --help`. */
  readonly where: string;
  readonly argv: readonly string[];
  readonly exitCode: number;
}

/** Splits a command line into words (double and single quotes group; no other shell syntax). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** The mmsim command in one shell line, if it has one: its arguments and documented exit status. */
export function parseCommandLine(line: string): { argv: string[]; exitCode: number }[] {
  const hash = line.search(/(^|\s)#\s/);
  const comment = hash >= 0 ? line.slice(hash) : "";
  const code = hash >= 0 ? line.slice(0, hash) : line;
  const exit = /\bexits? (?:with )?(?:status )?(\d+)\b/.exec(comment);
  const out: { argv: string[]; exitCode: number }[] = [];
  for (const part of code.split(/&&|;/)) {
    const m = /^\s*(?:\$\s+)?(?:pnpm\s+(?:-s\s+)?mmsim|mmsim)(?:\s+(.*))?$/.exec(part.split(/\s\|\s/)[0]!.trimEnd());
    if (m) out.push({ argv: shellWords(m[1] ?? ""), exitCode: exit ? Number(exit[1]) : 0 });
  }
  return out;
}

/** The code lines of a markdown file (fenced blocks, and blocks indented by four spaces), with their line numbers. */
export function codeLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fenced = false;
  let prevBlankOrCode = true;
  markdown.split("\n").forEach((text, i) => {
    if (/^\s*```/.test(text)) {
      fenced = !fenced;
      return;
    }
    if (fenced) out.push({ line: i + 1, text });
    else if (/^ {4}\S/.test(text) && prevBlankOrCode) {
      out.push({ line: i + 1, text: text.slice(4) });
      return;
    }
    prevBlankOrCode = text.trim() === "";
  });
  return out;
}

/** The root README, every workspace package's README, and docs/*.md. */
function readmes(): string[] {
  const files = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];
  for (const group of ["packages", "tests", "examples"]) {
    for (const d of readdirSync(join(ROOT, group), { withFileTypes: true })) {
      const f = join(group, d.name, "README.md");
      if (d.isDirectory() && existsSync(join(ROOT, f))) files.push(f);
    }
  }
  return files;
}

function readmeExamples(): Example[] {
  return readmes().flatMap((file) =>
    codeLines(readFileSync(join(ROOT, file), "utf8")).flatMap(({ line, text }) =>
      parseCommandLine(text).map((c) => ({ where: `${file}:${line}`, ...c })),
    ),
  );
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function mmsim(argv: readonly string[], cwd?: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false, cwd });
  return { code, stdout, stderr };
}

/** Every command's help text (`mmsim --help`, `mmsim run --help`, …, `mmsim pt walk --help`). */
const HELP_COMMANDS: readonly (readonly string[])[] = [[], ["run"], ["compare"], ["cat"], ["dmesg"], ["layout"], ["pt"], ["pt", "walk"], ["conformance"]];

async function helpExamples(): Promise<Example[]> {
  const out: Example[] = [];
  for (const c of HELP_COMMANDS) {
    const help = await mmsim([...c, "--help"]);
    expect(help.code, `mmsim ${c.join(" ")} --help`).toBe(0);
    const lines = help.stdout.split("\n");
    const at = lines.indexOf("Examples:");
    if (at < 0) continue;
    for (let i = at + 1; i < lines.length && lines[i]!.startsWith("  mmsim "); i++) {
      for (const cmd of parseCommandLine(lines[i]!.trim())) out.push({ where: `mmsim ${[...c, "--help"].join(" ")}`, ...cmd });
    }
  }
  return out;
}

/** The user's directory: the repository's folders, and the files the documentation calls theirs. */
function userDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), "mmsim-examples-"));
  for (const d of ["examples", "packages", "tests"]) symlinkSync(join(ROOT, d), join(dir, d), "dir");
  for (const [name, from] of Object.entries(USER_FILES)) copyFileSync(from, join(dir, name));
  for (const [name, from] of Object.entries(USER_DIRS)) symlinkSync(from, join(dir, name), "dir");
  return dir;
}

describe("the parsers of documented command lines", () => {
  it("find commands in code blocks, after &&, before pipes and comments, with a documented exit status", () => {
    expect(parseCommandLine("pnpm -s mmsim cat /proc/buddyinfo | diff - x   # one file")).toEqual([{ argv: ["cat", "/proc/buddyinfo"], exitCode: 0 }]);
    expect(parseCommandLine("npm i -g pnpm@10.34.9 && pnpm install --frozen-lockfile && pnpm mmsim run")).toEqual([{ argv: ["run"], exitCode: 0 }]);
    expect(parseCommandLine('mmsim run --set "machine.cmdline=a b"   # exits 1: an expect fails')).toEqual([{ argv: ["run", "--set", "machine.cmdline=a b"], exitCode: 1 }]);
    expect(parseCommandLine("pnpm test")).toEqual([]);
    expect(parseCommandLine("mmsim simulates the memory")).toEqual([{ argv: ["simulates", "the", "memory"], exitCode: 0 }]);
    expect(codeLines("text\n\n    pnpm -s mmsim layout\nmmsim prose\n```sh\nmmsim dmesg\n```\n    not code\n").map((l) => [l.line, l.text])).toEqual([
      [3, "pnpm -s mmsim layout"],
      [6, "mmsim dmesg"],
    ]);
  });
});

describe("every documented command line runs and exits as documented", async () => {
  const user = userDirectory();
  const all = [...readmeExamples(), ...(await helpExamples())];

  it("finds the READMEs' and the help texts' examples", () => {
    const from = (prefix: string) => all.filter((e) => e.where.startsWith(prefix)).length;
    expect(from("README.md:")).toBeGreaterThanOrEqual(10);
    expect(from("packages/cli/README.md:")).toBeGreaterThanOrEqual(7);
    expect(from("tests/conformance/README.md:")).toBeGreaterThanOrEqual(4);
    expect(from("docs/json.md:")).toBeGreaterThanOrEqual(3);
    for (const c of HELP_COMMANDS.filter((c) => c.length === 0 || c[0] !== "pt" || c.length === 2)) {
      expect(from(`mmsim ${[...c, "--help"].join(" ")}`), `mmsim ${c.join(" ")} --help`).toBeGreaterThanOrEqual(2);
    }
  });

  // One run per distinct command line, named by every place that shows it.
  const byArgv = new Map<string, Example[]>();
  for (const e of all) byArgv.set(JSON.stringify([e.argv, e.exitCode]), [...(byArgv.get(JSON.stringify([e.argv, e.exitCode])) ?? []), e]);
  const cases = [...byArgv.values()].map((es) => [`mmsim ${es[0]!.argv.join(" ")} (${es.map((e) => e.where).join(", ")})`, es[0]!] as const);

  it.each(cases)("%s", async (_name, e) => {
    const r = await mmsim(e.argv, user);
    expect(r.code, r.stderr).toBe(e.exitCode);
    if (e.exitCode === 0) expect(r.stderr).toBe("");
    expect(r.stdout).not.toBe("");
  }, 180_000 /* some boot 4 GiB boards or run a conformance report: tens of seconds on a loaded 2-core CI machine */);
});
