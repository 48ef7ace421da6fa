// mmsim: run one mmsim command line in-process, render its golden text, compare it with the stored one
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "@mmsim/cli";
import type { GoldenCase } from "./cases.ts";

/** The repository root: the CLI runs from here, as a user would type the command lines. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Where the golden files live. */
export const OUTPUTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "../outputs");
/** Set to 1 to rewrite the golden files instead of comparing. */
export const UPDATE = process.env.MMSIM_UPDATE_GOLDEN === "1";

/** What one command line did. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mmsim <argv>` in-process from the repository root, with piped (non-TTY) captured streams. */
export async function runMmsim(argv: readonly string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Host paths an output must not carry. No output embeds one today (the golden test checks
 * every file for them); if one ever does, `normalise` replaces it with the marker beside it.
 */
export function hostPaths(): readonly (readonly [string, string])[] {
  return [
    [REPO_ROOT, "<repo>"],
    [tmpdir(), "<tmp>"],
  ];
}

/** Replaces every host path in `text` with its marker. */
export function normalise(text: string): string {
  let out = text;
  for (const [path, marker] of hostPaths()) out = out.split(path).join(marker);
  return out;
}

/**
 * The golden text of one run: the command line, the exit status, then stdout and stderr
 * verbatim, each announced with its length in UTF-16 units so that the sections cannot run
 * into each other whatever they end with.
 */
export function goldenText(argv: readonly string[], run: CliRun): string {
  const stdout = normalise(run.stdout);
  const stderr = normalise(run.stderr);
  return `$ mmsim ${argv.join(" ")}\nexit ${run.code}\n--- stdout (${stdout.length} chars) ---\n${stdout}\n--- stderr (${stderr.length} chars) ---\n${stderr}\n`;
}

/** Characters of context either side of the first difference within a long line. */
const CONTEXT = 60;

function excerpt(line: string, col: number): string {
  const from = Math.max(0, col - CONTEXT);
  const to = Math.min(line.length, col + CONTEXT);
  return `${from > 0 ? "…" : ""}${JSON.stringify(line.slice(from, to))}${to < line.length ? "…" : ""}`;
}

/**
 * Compares the golden text with the actual one, byte for byte.
 * @returns "" when equal; otherwise a readable report of the first differing line (its number,
 *   the column, both lines around it) and how many lines differ in all
 */
export function diffGolden(file: string, expected: string, actual: string): string {
  if (expected === actual) return "";
  const e = expected.split("\n");
  const a = actual.split("\n");
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const el = e[i];
  const al = a[i];
  let col = 0;
  if (el !== undefined && al !== undefined) while (col < el.length && col < al.length && el[col] === al[col]) col++;
  let differing = 0;
  for (let k = 0; k < Math.max(e.length, a.length); k++) if (e[k] !== a[k]) differing++;
  return [
    `golden ${file} differs at line ${i + 1}, column ${col + 1} (${differing} of ${Math.max(e.length, a.length)} lines differ; golden ${e.length} lines, now ${a.length}):`,
    `  golden: ${el === undefined ? "(end of file)" : excerpt(el, col)}`,
    `  now:    ${al === undefined ? "(end of output)" : excerpt(al, col)}`,
    `If the change is intended: MMSIM_UPDATE_GOLDEN=1 pnpm exec vitest run (in tests/golden), and give the reason in the commit.`,
  ].join("\n");
}

/**
 * Runs one case and checks it against its golden file (or rewrites the file when updating).
 * @returns "" when it matches; otherwise what differs
 */
export async function checkCase(c: GoldenCase, outputsDir = OUTPUTS_DIR, update = UPDATE): Promise<string> {
  const text = goldenText(c.argv, await runMmsim(c.argv));
  const path = join(outputsDir, c.file);
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text);
    return "";
  }
  if (!existsSync(path)) return `no golden file ${relative(REPO_ROOT, path)} for \`mmsim ${c.argv.join(" ")}\`; create it with MMSIM_UPDATE_GOLDEN=1 pnpm exec vitest run (in tests/golden)`;
  return diffGolden(relative(REPO_ROOT, path), readFileSync(path, "utf8"), text);
}

/** Every file under `dir`, relative to it, sorted. */
export function listGoldenFiles(dir = OUTPUTS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** Removes golden files no case produces (when updating). */
export function removeStale(known: readonly string[], dir = OUTPUTS_DIR): string[] {
  const stale = listGoldenFiles(dir).filter((f) => !known.includes(f));
  for (const f of stale) rmSync(join(dir, f));
  return stale;
}
