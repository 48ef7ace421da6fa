// mmsim: the golden test itself can fail: a changed golden is reported with its first differing line; the set of files is exactly the cases'
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BOARD_FILES, EXAMPLE_SCENARIOS, SHOW_BOARD_FILES, allCases } from "./cases.ts";
import { OUTPUTS_DIR, REPO_ROOT, UPDATE, checkCase, diffGolden, goldenText, hostPaths, listGoldenFiles, normalise, removeStale, runMmsim } from "./golden.ts";
import { CASE_TIMEOUT_MS } from "./suite.ts";

/** The golden files together stay small enough to review and to keep in git. */
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;

describe("diffGolden", () => {
  it("is empty when the texts are equal", () => {
    expect(diffGolden("f.txt", "a\nb\n", "a\nb\n")).toBe("");
  });

  it("names the first differing line and column and shows both lines", () => {
    const report = diffGolden("f.txt", "exit 0\nMemFree:  100 kB\nx\n", "exit 0\nMemFree:  104 kB\ny\n");
    expect(report.split("\n").slice(0, 3)).toEqual([
      "golden f.txt differs at line 2, column 13 (2 of 4 lines differ; golden 4 lines, now 4):",
      '  golden: "MemFree:  100 kB"',
      '  now:    "MemFree:  104 kB"',
    ]);
    expect(report).toContain("MMSIM_UPDATE_GOLDEN=1");
  });

  it("shows a window around the difference in a long line, and a missing end", () => {
    const long = "x".repeat(500);
    const report = diffGolden("f.txt", `${long}A${long}\n`, `${long}B${long}\n`);
    expect(report).toContain("column 501");
    expect(report).toContain(`  golden: …"${"x".repeat(60)}A${"x".repeat(59)}"…`);
    expect(diffGolden("f.txt", "a\nb", "a")).toContain("  now:    (end of output)");
    expect(diffGolden("f.txt", "a", "a\nb")).toContain("  golden: (end of file)");
  });

  it("tells a changed exit status apart from equal output", () => {
    const run = { code: 0, stdout: "same\n", stderr: "" };
    const report = diffGolden("f.txt", goldenText(["x"], run), goldenText(["x"], { ...run, code: 1 }));
    expect(report).toContain("at line 2, column 6");
    expect(report).toContain('  golden: "exit 0"');
  });

  it("cannot mistake stderr for the end of stdout: the sections carry their lengths", () => {
    const a = goldenText(["x"], { code: 0, stdout: "a", stderr: "b" });
    const b = goldenText(["x"], { code: 0, stdout: "a\n--- stderr (1 chars) ---\nb", stderr: "" });
    expect(a).not.toBe(b);
  });

  it("replaces host paths with markers", () => {
    const [[repo, marker]] = hostPaths();
    expect(normalise(`open ${repo}/examples/x.yaml failed`)).toBe(`open ${marker}/examples/x.yaml failed`);
  });
});

describe("checkCase", () => {
  it("reports a golden file whose output changed, and a missing one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmsim-golden-"));
    const c = { file: "t/cmdline.txt", argv: ["cat", "/proc/cmdline", "--mem", "256M"] };
    expect(await checkCase(c, dir, false)).toMatch(/^no golden file .*t\/cmdline\.txt for `mmsim cat \/proc\/cmdline --mem 256M`/);
    expect(await checkCase(c, dir, true)).toBe("");
    const path = join(dir, c.file);
    const good = readFileSync(path, "utf8");
    expect(good).toBe("$ mmsim cat /proc/cmdline --mem 256M\nexit 0\n--- stdout (25 chars) ---\nconsole=ttyAMA0 nokaslr \n\n--- stderr (0 chars) ---\n\n");
    expect(await checkCase(c, dir, false)).toBe("");
    writeFileSync(path, good.replace("nokaslr", "kaslr"));
    const report = await checkCase(c, dir, false);
    expect(report.split("\n").slice(0, 3)).toEqual([
      expect.stringMatching(/^golden .*t\/cmdline\.txt differs at line 4, column 17 \(1 of 8 lines differ/),
      '  golden: "console=ttyAMA0 kaslr "',
      '  now:    "console=ttyAMA0 nokaslr "',
    ]);
  }, CASE_TIMEOUT_MS);

  it("removes golden files no case produces, when updating", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmsim-golden-"));
    for (const f of ["a/kept.txt", "a/stale.txt"]) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), "x");
    }
    expect(removeStale(["a/kept.txt"], dir)).toEqual(["a/stale.txt"]);
    expect(listGoldenFiles(dir)).toEqual(["a/kept.txt"]);
  });

  it("runs the CLI in-process: a usage error is exit 2 with its message on stderr", async () => {
    const r = await runMmsim(["cat"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("mmsim: missing required argument 'path'\n(see mmsim cat --help)\n");
  });
});

describe("the golden files", () => {
  const files = allCases().map((c) => c.file);

  it("the large boards' show scenario shows exactly the files the 1 GiB board cats", () => {
    const text = readFileSync(join(REPO_ROOT, SHOW_BOARD_FILES), "utf8");
    expect([...text.matchAll(/^ {2}- show: (\S+)$/gm)].map((m) => m[1])).toEqual(BOARD_FILES);
  });

  it("each case has its own file", () => {
    expect(new Set(files).size).toBe(files.length);
  });

  it.runIf(!UPDATE)("are exactly the cases' (none stale, none missing)", () => {
    expect(listGoldenFiles()).toEqual([...files].sort());
  });

  // Updating also removes goldens no case writes any more (not a test: nothing to check).
  if (UPDATE) afterAll(() => removeStale(files));

  it.runIf(!UPDATE)(`carry no host path, and total less than ${MAX_TOTAL_BYTES} bytes`, () => {
    let total = 0;
    for (const f of listGoldenFiles()) {
      const text = readFileSync(join(OUTPUTS_DIR, f), "utf8");
      total += statSync(join(OUTPUTS_DIR, f)).size;
      for (const [path] of hostPaths()) expect(text.includes(path), `${f} contains ${path}`).toBe(false);
    }
    expect(total).toBeLessThan(MAX_TOTAL_BYTES);
  });
});

describe("the example scenarios", () => {
  // An example whose own expects fail is a broken lesson, even when its golden matches.
  const EXIT_OF: Readonly<Record<string, number>> = Object.freeze({ "kernel-panic": 3 });
  it("run as their golden outputs recorded them: exit 0 (the panic example 3), no failed expect", () => {
    for (const s of EXAMPLE_SCENARIOS) {
      const text = readFileSync(join(OUTPUTS_DIR, "default", `run-${s}.txt`), "utf8");
      expect(text.split("\n")[1], s).toBe(`exit ${EXIT_OF[s] ?? 0}`);
      expect(text, s).not.toMatch(/^expect failed: /m);
    }
  });

  // A "BUG:" line is the simulated kernel reporting a broken state of its own (a Bad page
  // state, a list corruption): a golden must not record one as the expected output. The
  // panic example's "Kernel panic" lines are not BUG reports.
  it.runIf(!UPDATE)("report no kernel BUG in any golden output", () => {
    for (const f of listGoldenFiles()) expect(readFileSync(join(OUTPUTS_DIR, f), "utf8"), f).not.toMatch(/BUG: /);
  });
});
