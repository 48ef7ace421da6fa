// mmsim: issue 23's regression tests of the command — a simulated panic is an outcome (exit 3),
// every input error is exit 2 with what, where and how to fix, and exit 70 is left to real bugs
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ErrorJson, RunJson } from "./json.ts";
import { EXIT_BAD_INPUT, EXIT_PANIC, main } from "./main.ts";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function mmsim(args: readonly string[], cwd?: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false, cwd });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "mmsim-robust-"));
function scenario(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const MEM4K = ["--set", "machine.cmdline=console=ttyAMA0 nokaslr mem=4K"];

describe("a simulated kernel panic: exit 3, the kernel's panic lines, no internal error", () => {
  it("run prints the panic lines and a summary; --json has a panic object", async () => {
    const r = await mmsim(["run", ...MEM4K]);
    expect(r.code).toBe(EXIT_PANIC);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("==> dmesg (the kernel panicked during boot) <==\n[    0.000000] Kernel panic - not syncing: Failed to allocate page table page\n");
    expect(r.stdout).toContain("[    0.000000] ---[ end Kernel panic - not syncing: Failed to allocate page table page ]---\n");
    expect(r.stdout).toContain("kernel panic: Failed to allocate page table page (in early_pgtable_alloc, during boot; the workload did not run)\n");
    expect(r.stdout).toMatch(/expect: 0 passed, 0 failed, 2 not run \(the kernel panicked\)\n$/u);
    const j = await mmsim(["run", ...MEM4K, "--json"]);
    expect(j.code).toBe(EXIT_PANIC);
    const doc = JSON.parse(j.stdout) as RunJson;
    expect(doc.panic).toMatchObject({ reason: "Failed to allocate page table page", function: "early_pgtable_alloc", duringBoot: true, step: null });
    expect(doc.panic!.dmesg.map((d) => d.text)).toEqual([
      "Kernel panic - not syncing: Failed to allocate page table page",
      "Kernel Offset: disabled",
      "Memory Limit: 0 MB",
      "---[ end Kernel panic - not syncing: Failed to allocate page table page ]---",
    ]);
    expect(doc.expects).toEqual({ total: 0, passed: 0, failed: [] });
  }, 60_000 /* boots boards: seconds on a loaded 2-core machine */);

  it("dmesg and cat show the state at the panic (exit 3); layout reports the panic (exit 3)", async () => {
    const d = await mmsim(["dmesg", ...MEM4K]);
    expect(d.code).toBe(EXIT_PANIC);
    expect(d.stdout).toMatch(/---\[ end Kernel panic - not syncing: Failed to allocate page table page \]---\n$/);
    const c = await mmsim(["cat", "/sys/kernel/debug/memblock/memory", ...MEM4K]);
    expect(c.code).toBe(EXIT_PANIC);
    // mem=4K keeps the first page; the kernel image and the initramfs are added back (arm64_memblock_init).
    expect(c.stdout).toBe("   0: 0x0000000040000000..0x0000000040000fff\n   1: 0x0000000040200000..0x000000004220ffff\n   2: 0x0000000048000000..0x00000000480f1fff\n");
    expect(c.stderr).toContain("panicked during boot");
    const l = await mmsim(["layout", ...MEM4K, "--json"]);
    expect(l.code).toBe(EXIT_PANIC);
    const e = JSON.parse(l.stderr) as ErrorJson;
    expect(e.error).toMatchObject({ exitCode: 3, kind: "panic", type: "KernelPanic" });
  }, 60_000 /* boots boards: seconds on a loaded 2-core machine */);

  it("a panic in a workload step: the step is named, the workload's log holds the panic", async () => {
    const f = scenario("slab-panic.yaml", "machine: { memory: 256M }\nworkload:\n  - kmalloc: { as: a, size: 64 }\n  - kmem_cache_create: { name: bad, size: 64, flags: 0x40001 }\n  - expect: { path: /proc/meminfo, field: MemFree, op: '>', value: 0 }\n");
    const r = await mmsim(["run", f]);
    expect(r.code).toBe(EXIT_PANIC);
    expect(r.stdout).toContain("] Kernel panic - not syncing: kmem_cache_create_usercopy: Failed to create slab 'bad'. Error -22\n");
    expect(r.stdout).toContain("kernel panic: kmem_cache_create_usercopy: Failed to create slab 'bad'. Error -22 (in kmem_cache_create_usercopy, step 2; the workload stopped there)\n");
    expect(r.stdout).toMatch(/expect: 0 passed, 0 failed, 1 not run/);
  }, 60_000 /* boots boards: seconds on a loaded 2-core machine */);
});

describe("every input error is exit 2 with one short line (never 70, never a stack)", () => {
  const cases: [string, string[], RegExp][] = [
    ["an alias bomb", [scenario("bomb.yaml", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n")], /\(aliases\)/],
    ["an undefined alias", [scenario("undef.yaml", "machine: *nope\n")], /undef\.yaml:1: \*nope/],
    ["a self-referential alias", [scenario("self.yaml", "workload: &w [ {repeat: {times: 2, steps: *w}} ]\n")], /contain itself/],
    ["!!set", [scenario("set.yaml", "machine: !!set {a, b}\n")], /!!set is not allowed/],
    ["/dev/zero", ["/dev/zero"], /larger than 4 MiB/],
    ["a directory", [dir], /is a directory/],
    ["--set __proto__.polluted=1", ["--set", "__proto__.polluted=1"], /prototype/],
    ["--set machine.__proto__.x=1", ["--set", "machine.__proto__.x=1"], /prototype/],
    ["a hex size beyond 2^53", ["--set", "machine.memory=0x20000000000001"], /beyond 2\^53/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await mmsim(["run", ...args]);
      expect(r.code).toBe(EXIT_BAD_INPUT);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error| {4}at /);
      expect(r.stderr.split("\n").every((l) => l.length <= 400)).toBe(true);
    });
  }
  it("Object.prototype is untouched after the pollution attempts", () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it("an unknown option points to the command's help", async () => {
    const r = await mmsim(["run", "--bogus"]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toBe("mmsim: unknown option '--bogus'\n(see mmsim run --help)\n");
    const j = await mmsim(["run", "--bogus", "--json"]);
    expect((JSON.parse(j.stderr) as ErrorJson).error.message).toBe("unknown option '--bogus' (see mmsim run --help)");
  });
  it("a 600 KB value is cut in the message", async () => {
    const r = await mmsim(["run", "--set", `machine.board=${"x".repeat(600_000)}`]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr.length).toBeLessThan(500);
    expect(r.stderr).toContain("(600002 characters)");
  });
  it("--chart to a directory or into a missing directory is exit 2 before any run", async () => {
    const a = await mmsim(["compare", "--vary", "slab=slab,slub", "--chart", dir]);
    expect(a.code).toBe(EXIT_BAD_INPUT);
    expect(a.stderr).toMatch(/--chart ".*" is a directory; name a file in it/);
    const b = await mmsim(["compare", "--vary", "slab=slab,slub", "--chart", join(dir, "no-such-dir", "c.svg")]);
    expect(b.code).toBe(EXIT_BAD_INPUT);
    expect(b.stderr).toMatch(/is in a directory that does not exist/);
  }, 60_000);
});
