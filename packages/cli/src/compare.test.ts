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
    expect(parseVary("slab=slab,slub")).toEqual({ slot: "slab", choices: ["slab", "slub"], path: "kernel.policies.slab", policy: true });
    expect(parseVary("kernel.sysctl.swappiness=0, 60,200")).toEqual({ slot: "kernel.sysctl.swappiness", choices: ["0", "60", "200"], path: "kernel.sysctl.swappiness", policy: false });
    expect(parseVary("machine.reserved[0].size=1M,2M").path).toBe("machine.reserved[0].size");
    expect(() => parseVary("slab")).toThrow(/expected slot=choice,choice/);
    expect(() => parseVary("kernel..x=1")).toThrow(/expected slot=choice,choice/);
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

  it("--vary takes any scenario path: one run per value, the kernel counters that moved as rows, time series on the chart", async () => {
    // A page cache bigger than the free memory of min_free_kbytes' two settings: the run with the
    // larger reserve has less room, so the counters differ between the columns.
    const pc = join(dir, "pc.yaml");
    writeFileSync(pc, `workload:
  - open: { path: /tmp/f, flags: [creat, rdwr], as: f }
  - write: { fd: f, size: 8M, content: text }
  - read: { fd: f, size: 8M }
`);
    const args = ["compare", pc, "--vary", "kernel.sysctl.min_free_kbytes=2048,16384", "--mem", "256M"];
    const r = await mmsim(args);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^kernel\.sysctl\.min_free_kbytes = +2048 +16384$/);
    expect(r.stdout).toMatch(/^simulated time \(ns\) +\d+ +\d+$/m);
    expect(r.stdout).not.toMatch(/==> \/proc\/slabinfo/); // only when the slab allocator varies
    expect(r.stdout).not.toMatch(/time in direct reclaim/); // 256 MiB: no direct reclaim, so no row
    const j = JSON.parse((await mmsim([...args, "--json"])).stdout) as { slot: string; runs: { choice: string; pgscan: number; pswpin: number; refaults: number }[] };
    expect(j.slot).toBe("kernel.sysctl.min_free_kbytes");
    expect(j.runs.map((x) => x.choice)).toEqual(["2048", "16384"]);
    for (const run of j.runs) for (const key of ["pgscan", "pgsteal", "refaults", "pswpin", "pswpout", "allocstall", "pgmajfault", "oomKill", "directReclaimNs", "throttledNs", "kswapdNs"]) expect(typeof (run as Record<string, unknown>)[key]).toBe("number");
    const svg = join(dir, "series.svg");
    expect((await mmsim([...args, "--chart", svg])).code).toBe(0);
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(svg, "utf8");
    expect(text).toContain("free memory (MiB)");
    expect(text).toContain("simulated ms");
    const bad = await mmsim(["compare", pc, "--vary", "kernel.sysctl.min_free_kbytes=lots", "--mem", "256M"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/min_free_kbytes/);
  });

  // A few seconds on a loaded 2-core host: 48 MiB read through a 96 MiB machine, then 56 MiB of anonymous memory.
  it("the simulated time tasks spent in direct reclaim and kswapd's busy time get rows when reclaim ran", { timeout: 120_000 }, async () => {
    const rc = join(dir, "rc.yaml");
    writeFileSync(rc, `machine:\n  memory: 96M\n  cpus: 1\n  disk:\n    size: 64M\n    files:\n      - { path: /data/c, size: 48M, contents: random }\nworkload:\n  - open: { as: f, path: /mnt/disk/data/c, flags: [rdonly] }\n  - read: { fd: f, size: 48M, returns: 48M }\n  - mmap: { as: buf, size: 56M }\n  - access: { as: buf, write: true }\n`);
    const r = await mmsim(["compare", rc, "--vary", "reclaim=lru", "--json"]);
    expect(r.code).toBe(0);
    const run = (JSON.parse(r.stdout) as { runs: Record<string, number>[] }).runs[0]!;
    expect(run.allocstall).toBeGreaterThan(0);
    expect(run.directReclaimNs).toBeGreaterThan(0); // each stall costs the task simulated time
    expect(run.directReclaimNs).toBeGreaterThanOrEqual(run.throttledNs!);
    expect(run.kswapdNs).toBeGreaterThan(run.directReclaimNs!); // kswapd did most of the work, on its own clock
    expect(run.directReclaimNs).toBeLessThan(run.simulatedNs!);
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
