// mmsim: one grammar for the scenario (argument or --scenario), and relative paths that are the user's (INIT_CWD)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEFAULT_SCENARIO_FILE } from "@mmsim/machine";
import { describe, expect, it } from "vitest";
import { EXIT_BAD_INPUT, EXIT_OK, main } from "./main.ts";
import { isModulePath, userPath, userSets } from "./paths.ts";

/** Runs `mmsim <args>` in-process as if typed in `cwd`. */
async function mmsim(args: readonly string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false, cwd });
  return { code, stdout, stderr };
}

const policy = fileURLToPath(new URL("../../../examples/first-fit-slab/first-fit-slab.mjs", import.meta.url));
/** The user's directory: a scenario, a policy module, and a subdirectory to type commands in. */
const user = mkdtempSync(join(tmpdir(), "mmsim-user-"));
mkdirSync(join(user, "sub"));
writeFileSync(join(user, "mine.yaml"), "machine: { memory: 256M }\nworkload:\n  - kmem_cache_create: { name: dentry }\n  - kmem_cache_alloc: { cache: dentry, as: d, count: 100 }\n  - label: here\n  - show: /proc/buddyinfo\n");
// The user's own policy module (here re-exporting the example's, which finds @mmsim/core from its folder).
writeFileSync(join(user, "my-slab.mjs"), `export { default } from ${JSON.stringify(pathToFileURL(policy).href)};\n`);

describe("one grammar: the scenario as an argument or --scenario", () => {
  it("run, compare, layout and conformance take either, with the same output", async () => {
    const cases: [string[], string[]][] = [
      [["run", "mine.yaml"], ["run", "--scenario", "mine.yaml"]],
      [["layout", "mine.yaml"], ["layout", "--scenario", "mine.yaml"]],
      [["compare", "mine.yaml", "--vary", "slab=slab,slub"], ["compare", "--scenario", "mine.yaml", "--vary", "slab=slab,slub"]],
    ];
    for (const [a, b] of cases) {
      const x = await mmsim(a, user);
      expect(x.code, a.join(" ")).toBe(EXIT_OK);
      expect((await mmsim(b, user)).stdout, b.join(" ")).toBe(x.stdout);
    }
    // conformance picks the capture from the scenario's board: 3G has none, whichever way it is given.
    for (const args of [["conformance", "mine.yaml", "--mem", "3G"], ["conformance", "--scenario", "mine.yaml", "--mem", "3G"]]) {
      const r = await mmsim(args, user);
      expect(r.code, args.join(" ")).toBe(EXIT_BAD_INPUT);
      expect(r.stderr).toMatch(/^mmsim: --mem\/--smp: expected a board with a real capture/);
    }
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("cat, dmesg and pt walk take --scenario (their argument is the path or address)", async () => {
    expect((await mmsim(["cat", "/sys/kernel/slab/dentry/objects", "--scenario", "mine.yaml", "--after", "here"], user)).code).toBe(EXIT_OK);
    expect((await mmsim(["dmesg", "--scenario", "mine.yaml"], user)).stdout).toMatch(/Memory: \d+K\/262144K available/);
    expect((await mmsim(["pt", "walk", "0xffff000000000000", "--scenario", "mine.yaml"], user)).code).toBe(EXIT_OK);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("a scenario given twice exits 2", async () => {
    for (const c of ["run", "compare", "layout", "conformance"]) {
      const r = await mmsim([c, "mine.yaml", "--scenario", "other.yaml", ...(c === "compare" ? ["--vary", "slab=slub"] : [])], user);
      expect(r.code, c).toBe(EXIT_BAD_INPUT);
      expect(r.stderr).toBe(`mmsim: ${c}: the scenario is given twice ("mine.yaml" and --scenario "other.yaml"); give it once\n`);
    }
  });
});

describe("relative paths resolve against the user's directory", () => {
  it("a scenario file, from the directory and from a subdirectory; not from the process's", async () => {
    const here = await mmsim(["run", "mine.yaml"], user);
    expect(here.code).toBe(EXIT_OK);
    expect((await mmsim(["run", "../mine.yaml"], join(user, "sub"))).stdout).toBe(here.stdout);
    expect((await mmsim(["run", join(user, "mine.yaml")])).stdout).toBe(here.stdout);
    // Without the user's directory, the same relative name is looked up in the process's.
    const missing = await mmsim(["run", "mine.yaml"]);
    expect(missing.code).toBe(EXIT_BAD_INPUT);
    expect(missing.stderr).toBe("mmsim: mine.yaml: (file): no such file\n");
    // An error names the file the user meant.
    const gone = await mmsim(["run", "nope.yaml"], user);
    expect(gone.stderr).toBe(`mmsim: ${join(user, "nope.yaml")}: (file): no such file\n`);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("--chart, and policy modules in --set and --vary", async () => {
    const r = await mmsim(["compare", "mine.yaml", "--vary", "slab=slub,./my-slab.mjs", "--chart", "out.svg"], user);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout.split("\n")[0]).toMatch(/^slab = +slub +\.\/my-slab\.mjs$/);
    expect(readFileSync(join(user, "out.svg"), "utf8")).toMatch(/^<svg/);
    const sub = await mmsim(["run", "../mine.yaml", "--set", "kernel.policies.slab=../my-slab.mjs"], join(user, "sub"));
    expect(sub.code).toBe(EXIT_OK);
    const cat = await mmsim(["cat", "/proc/slabinfo", "--scenario", "../mine.yaml", "--set", "kernel.policies.slab=../my-slab.mjs"], join(user, "sub"));
    expect(cat.code).toBe(EXIT_OK);
    expect(cat.stdout).not.toBe((await mmsim(["cat", "/proc/slabinfo", "--scenario", "mine.yaml"], user)).stdout);
    expect(existsSync(join(user, "sub", "out.svg"))).toBe(false);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("userPath keeps a path as typed when the user's directory is the process's", () => {
    expect(userPath(process.cwd(), "a/b.yaml")).toBe("a/b.yaml");
    expect(userPath(undefined, "a/b.yaml")).toBe("a/b.yaml");
    expect(userPath("/somewhere/else", "a/b.yaml")).toBe("/somewhere/else/a/b.yaml");
    expect(userPath("/somewhere/else", "/abs.yaml")).toBe("/abs.yaml");
    expect(userSets("/u", ["kernel.policies.slab=./x.mjs", "kernel.policies.slab=slub", "machine.memory=1G", "kernel.policies.slab = y.js"])).toEqual([
      "kernel.policies.slab=/u/x.mjs", "kernel.policies.slab=slub", "machine.memory=1G", "kernel.policies.slab = /u/y.js",
    ]);
    expect([isModulePath("slub"), isModulePath("./x"), isModulePath("/x"), isModulePath("x.mjs")]).toEqual([false, true, true, true]);
  });

  it("the built-in scenario is named relative to the process's directory when inside it", async () => {
    const r = await mmsim(["run", "--json", "--mem", "256M"], user);
    const rel = relative(process.cwd(), DEFAULT_SCENARIO_FILE);
    expect(JSON.parse(r.stdout).scenario).toBe(rel.startsWith("..") ? DEFAULT_SCENARIO_FILE : rel);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);
});
