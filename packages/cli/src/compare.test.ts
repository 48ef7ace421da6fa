// mmsim compare: one scenario under several implementations of a slot, side by side.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CHART_INSTALL, loadChartLibraries, parseVary } from "./compare.ts";
import { main } from "./main.ts";

const policy = fileURLToPath(new URL("../../../examples/first-fit-slab/first-fit-slab.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mmsim-compare-"));
const file = join(dir, "slab.yaml");
writeFileSync(file, `workload:
  - kmem_cache_create: { name: dentry }
  - kmem_cache_alloc: { cache: dentry, as: d, count: 2000 }
  - kmalloc: { as: k, sizes: [64, 500, 3000], count: 600 }
  - kmem_cache_free: { as: d, count: 1000, order: random }
`);

async function mmsim(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
  return { code, stdout, stderr };
}

describe("mmsim compare", () => {
  it("parses --vary", () => {
    expect(parseVary("slab=slab,slub")).toEqual({ slot: "slab", choices: ["slab", "slub"] });
    expect(() => parseVary("slab")).toThrow(/expected slot=choice,choice/);
  });

  it("prints one column per choice, then each /proc/slabinfo; the same seed gives the same bytes", async () => {
    const args = ["compare", file, "--vary", `slab=${policy},${policy}`, "--mem", "256M"];
    const r = await mmsim(args);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^slab = +\S+first-fit-slab.mjs +\S+first-fit-slab.mjs$/);
    expect(r.stdout).toMatch(/^slab allocs \/ frees +2600 \/ 1000 +2600 \/ 1000$/m);
    expect(r.stdout.match(/==> \/proc\/slabinfo/g)).toHaveLength(2);
    expect(r.stdout).not.toMatch(/host time/);
    expect((await mmsim(args)).stdout).toBe(r.stdout);
  });

  it("--chart writes an SVG of the figures, the same bytes for the same seed", async () => {
    const svg = join(dir, "c.svg");
    expect((await mmsim(["compare", file, "--vary", `slab=${policy}`, "--mem", "256M", "--chart", svg])).code).toBe(0);
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(svg, "utf8");
    expect(text.startsWith("<svg")).toBe(true);
    expect(text).toContain("first-fit-slab.mjs");
    expect(text).toContain("overhead (KiB)");
    await mmsim(["compare", file, "--vary", `slab=${policy}`, "--mem", "256M", "--chart", svg]);
    expect(readFileSync(svg, "utf8")).toBe(text);
  });

  it("--chart without vega installed says what to install (vega and vega-lite are optional peer dependencies)", async () => {
    const notFound = (name: string) => Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/@mmsim/cli/dist/compare.js`), { code: "ERR_MODULE_NOT_FOUND" });
    const rejection = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e as Error & { _tag?: string };
      }
      throw new Error("expected loadChartLibraries to fail");
    };
    const err = await rejection(loadChartLibraries(async (name) => {
      throw notFound(name);
    }));
    expect(err._tag).toBe("ConfigError");
    expect(err.message).toContain(`--chart: expected vega and vega-lite installed`);
    expect(err.message).toContain(CHART_INSTALL);
    expect(err.message).toMatch(/got vega and vega-lite not found$/);
    const onlyLite = await rejection(loadChartLibraries(async (name) => (name === "vega" ? {} : Promise.reject(notFound(name)))));
    expect(onlyLite.message).toMatch(/got vega-lite not found$/);
    // a missing dependency *of* vega is not reported as vega missing
    const broken = notFound("d3-array");
    await expect(loadChartLibraries(async () => Promise.reject(broken))).rejects.toBe(broken);
    const libs = await loadChartLibraries();
    expect(typeof libs.vega.View).toBe("function");
    expect(typeof libs.vl.compile).toBe("function");
  });

  it("--json gives every figure; bad --vary and unknown policies exit 2", async () => {
    const j = await mmsim(["compare", file, "--vary", `slab=${policy}`, "--mem", "256M", "--json"]);
    const parsed = JSON.parse(j.stdout) as { slot: string; runs: { slabPages: number; liveKiB: number; fragmentationPct: number }[] };
    expect(parsed.slot).toBe("slab");
    expect(parsed.runs[0]!.slabPages).toBeGreaterThan(0);
    expect((await mmsim(["compare", file, "--vary", "slab"])).code).toBe(2);
    const bad = await mmsim(["compare", file, "--vary", "slab=slob", "--mem", "256M"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no implementation "slob" for slot "slab"/);
  });
});
