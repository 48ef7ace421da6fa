// mmsim: the --json documents keep their schema: schemaVersion, camelCase keys, 0x addresses, parsed files, errors as JSON
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Machine, loadScenarioFile } from "@mmsim/machine";
import { describe, expect, it, vi } from "vitest";
import { fileJson } from "./files.ts";
import { type ErrorJson, JSON_SCHEMA_VERSION, type PtWalkJson } from "./json.ts";
import { EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, main } from "./main.ts";

async function mmsim(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "mmsim-json-"));
const SMALL = ["--mem", "256M"];

/** Properties whose values are maps keyed by the kernel's (or the scenario's) own names. */
const KERNEL_KEYED = new Set(["vmstat", "failedAllocs", "nodeStats", "stats", "blocks"]);

/**
 * Every property name in a document: camelCase, except the keys of maps named by the kernel
 * (meminfo fields, vmstat counters, …), which may be anything but must hold no spaces.
 */
function badKeys(value: unknown, path = "$", kernelKeyed = false, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => badKeys(v, `${path}[${i}]`, false, out));
  else if (value !== null && typeof value === "object") {
    const format = (value as { format?: unknown }).format;
    for (const [k, v] of Object.entries(value)) {
      const ok = kernelKeyed ? !/\s/.test(k) : /^[a-z][a-zA-Z0-9]*$/.test(k);
      if (!ok) out.push(`${path}.${k}`);
      const mapBelow = KERNEL_KEYED.has(k) || (k === "content" && (format === "meminfo" || format === "vmstat"));
      badKeys(v, `${path}.${k}`, mapBelow, out);
    }
  }
  return out;
}

/** Every string that looks like an address: 0x and lowercase hex. Numbers never hold addresses (checked by name). */
function addressFields(value: unknown, path = "$", out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) value.forEach((v, i) => addressFields(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (/^(va|pa|start|end|base|table|outputAddress|phys|descriptor)$/.test(k)) out.push([`${path}.${k}`, v]);
      addressFields(v, `${path}.${k}`, out);
    }
  }
  return out;
}

describe("every --json document", () => {
  const f = join(dir, "all.yaml");
  writeFileSync(f, "workload:\n  - kmem_cache_create: { name: dentry }\n  - vmalloc: { as: vbuf, size: 16K }\n  - mmap: { as: heap, size: 8K }\n  - label: made\n  - show: /proc/zoneinfo\n  - show: /proc/vmallocinfo\n");
  const commands: string[][] = [
    ["run", f],
    ["cat", "/proc/zoneinfo", "--scenario", f, "--after", "made"],
    ["cat", "/proc/meminfo"],
    ["cat", "/proc/slabinfo", "--scenario", f, "--after", "made"],
    ["cat", "/proc/pagetypeinfo"],
    ["cat", "/proc/iomem"],
    ["cat", "/sys/kernel/debug/memblock/reserved"],
    ["dmesg", "--scenario", f, "--after", "made"],
    ["layout"],
    ["pt", "walk", "0xffff000000123456"],
    ["pt", "walk", "0x0000fffff7ffe000", "--scenario", f, "--after", "made", "--access", "write"],
    ["compare", f, "--vary", "slab=slab,slub"],
  ];

  it.each(commands.map((c) => [c.join(" ").replace(f, "all.yaml"), c] as const))("%s: schemaVersion, command, camelCase keys, 0x-hex addresses", async (_name, args) => {
    const r = await mmsim([...args, "--json", ...SMALL]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    const doc = JSON.parse(r.stdout) as { schemaVersion: number; command: string };
    expect(doc.schemaVersion).toBe(JSON_SCHEMA_VERSION);
    expect(doc.command).toBe(args[0] === "pt" ? "pt walk" : args[0]);
    expect(badKeys(doc)).toEqual([]);
    for (const [where, v] of addressFields(doc)) if (v !== null) expect(v, where).toMatch(/^0x[0-9a-f]+$/);
    expect(r.stdout.endsWith("}\n")).toBe(true);
  }, 60_000 /* boots a 256 MiB board, compare two: seconds on a loaded 2-core CI machine */);
});

describe("cat --json: the parsed content of every file mmsim renders", () => {
  it("parses every file of a booted board after a workload, with the parser its path names", () => {
    const s = loadScenarioFile(join(dir, "all.yaml"), { mem: "256M" });
    const m = Machine.create(s);
    m.runWorkload();
    const formats = new Map<string, number>();
    for (const path of m.listFiles()) {
      const j = fileJson(path, m.readFile(path)!);
      formats.set(j.format, (formats.get(j.format) ?? 0) + 1);
      if (j.format === "text") expect(j.content).toBeNull();
      expect(badKeys(j), path).toEqual([]);
    }
    expect([...formats.keys()].sort()).toEqual(["buddyinfo", "iomem", "memblock", "meminfo", "number", "pagetypeinfo", "slabinfo", "sysctl", "text", "vmallocinfo", "vmstat", "zoneinfo"]);
    expect(formats.get("sysctl")).toBe(30); // /proc/sys/vm/* (with filemap's drop_caches and seven dirty_* knobs, reclaim's swappiness and vfs_cache_pressure, swap's page-cluster, compaction's four knobs, the OOM killer's three) and kernel/randomize_va_space (mmap_rnd_bits: a number too)
    expect(formats.get("memblock")).toBe(2);
  });

  it("zoneinfo: the node's counters with the first zone, the pagesets of every CPU", () => {
    const m = Machine.create(loadScenarioFile(join(dir, "all.yaml"), { mem: "256M", smp: "3" }, { ignoreWorkload: true }));
    m.boot();
    const j = fileJson("/proc/zoneinfo", m.readFile("/proc/zoneinfo")!);
    if (j.format !== "zoneinfo") throw new Error(j.format);
    const dma = j.content[0]!;
    expect(dma.zone).toBe("DMA");
    expect(dma.nodeStats?.nr_inactive_anon).toBe(0);
    expect(dma.pagesets?.map((p) => p.cpu)).toEqual([0, 1, 2]);
    expect(dma.stats?.nr_free_pages).toBe(dma.free);
  });
});

describe("pt walk --json", () => {
  it("gives each level's table, index and descriptor, and the translation", async () => {
    const r = await mmsim(["pt", "walk", "0xffff000000123456", "--json", ...SMALL]);
    const j = JSON.parse(r.stdout) as PtWalkJson;
    expect([j.va, j.access, j.region, j.ttbr, j.pa, j.leafLevel, j.leafSize, j.fault]).toEqual(["0xffff000000123456", "read", "linear map", 1, "0x0000000040123456", 3, 4096, null]);
    expect(j.levels.map((l) => [l.level, l.indexBits, l.kind])).toEqual([[0, "[47:39]", "table"], [1, "[38:30]", "table"], [2, "[29:21]", "table"], [3, "[20:12]", "page"]]);
    expect(j.levels[3]!.index).toBe(0x123);
    // Each level's table is what the level above pointed at.
    for (let i = 1; i < 4; i++) expect(j.levels[i]!.table).toBe(j.levels[i - 1]!.outputAddress);
    expect(j.levels[3]!.attributes).toMatchObject({ memType: "NORMAL_TAGGED", readOnly: false, accessFlag: true, pxn: true, uxn: true, user: false });
    expect(j.levels[0]!.attributes).toBeNull();
    expect(j.levels[0]!.tableAttributes).toEqual({ pxnTable: true, uxnTable: true, apTable: 0, nsTable: false });
    expect(j.levels[3]!.tableAttributes).toBeNull();
    const text = (await mmsim(["pt", "walk", "0xffff000000123456", ...SMALL])).stdout;
    expect(j.text).toBe(text);
    for (const l of j.levels) expect(text).toContain(`→ ${l.descriptor}  ${l.description}\n`);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("a fault: its level and kind, no translation", async () => {
    const j = JSON.parse((await mmsim(["pt", "walk", "0xffff800008010000", "--access", "write", "--json", ...SMALL])).stdout) as PtWalkJson;
    expect([j.pa, j.leafLevel, j.leafSize, j.fault]).toEqual([null, null, null, { level: 3, kind: "permission fault" }]);
    const hole = JSON.parse((await mmsim(["pt", "walk", "0xffff7f0000000000", "--json", ...SMALL])).stdout) as PtWalkJson;
    expect(hole.fault?.kind).toBe("translation fault");
    expect(hole.levels.at(-1)).toMatchObject({ kind: "invalid", outputAddress: null });
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);
});

describe("errors in --json mode", () => {
  /** The one line on stderr, parsed. */
  function errorOf(r: { code: number; stdout: string; stderr: string }): ErrorJson {
    expect(r.stdout).toBe("");
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    const e = JSON.parse(r.stderr) as ErrorJson;
    expect(e.schemaVersion).toBe(JSON_SCHEMA_VERSION);
    expect(e.error.exitCode).toBe(r.code);
    return e;
  }

  it("a usage error: kind usage, exit 2", async () => {
    const e = errorOf(await mmsim(["run", "--json", "--frobnicate"]));
    expect(e).toEqual({ schemaVersion: 1, command: "run", error: { exitCode: EXIT_BAD_INPUT, kind: "usage", type: "UsageError", message: "unknown option '--frobnicate' (see mmsim run --help)", file: null, line: null, field: null, stack: null } });
    expect(errorOf(await mmsim(["cat", "/proc/nope", "--json", ...SMALL])).error).toMatchObject({ kind: "usage", message: expect.stringMatching(/^cat: no file \/proc\/nope after boot; /) });
    expect(errorOf(await mmsim(["pt", "walk", "0x8000000000000000", "--json"]))).toMatchObject({ command: "pt walk", error: { kind: "usage" } });
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("bad input: kind badInput, the error's class, file, line and field", async () => {
    const f = join(dir, "bad.yaml");
    writeFileSync(f, "machine:\n  memroy: 1G\n");
    const e = errorOf(await mmsim(["run", f, "--json"]));
    expect(e.error).toEqual({
      exitCode: EXIT_BAD_INPUT, kind: "badInput", type: "ScenarioError", file: f, line: 2, field: "machine.memroy", stack: null,
      message: `${f}:2: machine.memroy: unknown field "memroy"; did you mean "memory"? valid fields of machine: board, memory, cpus, nodes, cmdline, reserved, disk`,
    });
    expect(errorOf(await mmsim(["dmesg", "--json", "--set", "kernel.policies.slab=slob"])).error).toMatchObject({ type: "UnknownPolicyError", field: "kernel.policies.slab" });
    expect(errorOf(await mmsim(["cat", "/proc/meminfo", "--json", "--mem", "1000"])).error).toMatchObject({ type: "ScenarioError", file: "<command line>", field: "machine.memory" });
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("an internal error: kind internal, exit 70, with the stack", async () => {
    vi.spyOn(Machine, "createAsync").mockImplementation(() => {
      throw new TypeError("boom");
    });
    try {
      const e = errorOf(await mmsim(["layout", "--json"]));
      expect(e.error).toMatchObject({ exitCode: EXIT_INTERNAL, kind: "internal", type: "TypeError", message: expect.stringMatching(/: boom$/) });
      expect(e.error.stack).toMatch(/^TypeError: boom\n\s+at /);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("help is text even with --json", async () => {
    const r = await mmsim(["cat", "--json", "--help"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^Usage: mmsim cat/);
  });
});
