// mmsim: tests of the mmsim command, run in-process through main(): output, exit codes, help, JSON
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SCENARIO_FILE, Machine, describeScenarioSchema, loadScenarioFile, readField } from "@mmsim/machine";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseBuddyinfo } from "@mmsim/procfs";
import { type CatJson, type DmesgJson, JSON_SCHEMA_VERSION, type LayoutJson, type RunJson } from "./json.ts";
import { EXIT_BAD_INPUT, EXIT_EXPECT_FAILED, EXIT_INTERNAL, EXIT_OK, MEMORY_LINE, main } from "./main.ts";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `mmsim <args>` in-process with captured streams (piped unless `tty`). */
async function mmsim(args: readonly string[], tty = false): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    isTTY: tty,
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "mmsim-cli-"));
function scenario(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A small, quick board for most tests. */
const SMALL = ["--mem", "256M"];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("help", () => {
  it("mmsim --help lists the commands and exit codes", async () => {
    const r = await mmsim(["--help"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^Usage: mmsim \[options\] \[command\]/);
    for (const c of ["run [options] [scenario]", "cat [options] <path>", "dmesg [options]", "conformance [options] [scenario]"]) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain("Exit status: 0 ok, 1 an expect step failed, 2 bad input, 3 the simulated kernel panicked, 70 internal error.");
    expect(r.stderr).toBe("");
  });

  it("every command has --help with the board options; run's lists the scenario fields", async () => {
    for (const c of ["run", "cat", "dmesg", "compare", "conformance"]) {
      const r = await mmsim([c, "--help"]);
      expect(r.code, c).toBe(EXIT_OK);
      for (const o of ["--mem <size>", "--smp <n>", "--nodes <n>", "--set <path=value>", "--seed <n>", "--json", "--timing", "-h, --help"]) expect(r.stdout, `${c} ${o}`).toContain(o);
    }
    const run = await mmsim(["run", "--help"]);
    expect(run.stdout).toContain(describeScenarioSchema());
    expect(run.stdout).toContain(MEMORY_LINE.source);
    expect((await mmsim(["help", "cat"])).stdout).toContain("--after <label|step>");
  });

  it("no command prints the help on stderr and exits 2", async () => {
    const r = await mmsim([]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: mmsim");
  });
});

describe("mmsim run", () => {
  it("a mistyped show path fails before any output, at its line, with the nearest names", async () => {
    const f = scenario("typo.yaml", "machine: { memory: 256M }\nworkload:\n  - alloc: { name: a }\n  - show: /proc/meminf\n");
    const r = await mmsim(["run", f]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/typo\.yaml:4: show: no file \/proc\/meminf; did you mean \/proc\/meminfo\b/);
  });

  it("prints the memory lines of the log, each show with its header, and the expects", async () => {
    const r = await mmsim(["run"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("==> dmesg (memory lines) <==");
    expect(r.stdout).toMatch(/^\[ {4}0\.000000\] Zone ranges:$/m);
    expect(r.stdout).toMatch(/^\[ {4}0\.000000\] Memory: \d+K\/1048576K available/m);
    expect(r.stdout).toContain("\n==> /proc/buddyinfo (after step 0: boot) <==\nNode 0, zone      DMA ");
    expect(r.stdout).toContain("\n==> /proc/buddyinfo (after step 6: allocated) <==\n");
    expect(r.stdout).toContain("\n==> /proc/buddyinfo (after step 12: freed-half) <==\n");
    expect(r.stdout.endsWith("\nexpect: 2 passed, 0 failed\n")).toBe(true);
    // Only log lines that the grep keeps, untouched.
    const log = lines.slice(1, lines.indexOf(""));
    expect(log.length).toBeGreaterThan(5);
    for (const l of log) expect(l).toMatch(new RegExp(`^\\[[ \\d.]+\\] .*(${MEMORY_LINE.source})`));
  });

  it("a show prints the file as `mmsim cat --after` does", async () => {
    const run = await mmsim(["run"]);
    const cat = await mmsim(["cat", "/proc/buddyinfo", "--after", "allocated"]);
    const cat6 = await mmsim(["cat", "/proc/buddyinfo", "--after", "6"]);
    expect(cat.code).toBe(EXIT_OK);
    expect(cat6.stdout).toBe(cat.stdout);
    expect(run.stdout).toContain(`(after step 6: allocated) <==\n${cat.stdout}\n`);
    const boot = await mmsim(["cat", "/proc/buddyinfo"]);
    expect(run.stdout).toContain(`(after step 0: boot) <==\n${boot.stdout}\n`);
    expect(boot.stdout).not.toBe(cat.stdout);
  });

  it("the same seed gives byte-identical stdout", async () => {
    const a = await mmsim(["run", "--seed", "7"]);
    const b = await mmsim(["run", "--seed", "7"]);
    expect(a.code).toBe(EXIT_OK);
    expect(b.stdout).toBe(a.stdout);
    const j1 = await mmsim(["run", "--json", ...SMALL]);
    const j2 = await mmsim(["run", "--json", ...SMALL]);
    expect(j2.stdout).toBe(j1.stdout);
  });

  it("--json prints one document: schemaVersion, dmesg records, shows with parsed content, expects, counters", async () => {
    const r = await mmsim(["run", "--json"]);
    expect(r.code).toBe(EXIT_OK);
    const j = JSON.parse(r.stdout) as RunJson;
    expect([j.schemaVersion, j.command]).toEqual([JSON_SCHEMA_VERSION, "run"]);
    expect(j.seed).toBe(1);
    expect(j.machine).toEqual({ board: "qemu-virt-arm64", memory: 1024 ** 3, cpus: 2, nodes: 1, cmdline: "console=ttyAMA0 nokaslr ", reserved: [] });
    expect(j.dmesg.find((d) => d.text === "Zone ranges:")).toEqual({ timeNs: 0, level: 6, text: "Zone ranges:" });
    for (const d of j.dmesg) expect(d.text).toMatch(MEMORY_LINE);
    expect(j.shows.map((s) => [s.path, s.afterStep, s.after, s.format])).toEqual([
      ["/proc/buddyinfo", 0, "boot", "buddyinfo"],
      ["/proc/buddyinfo", 6, "allocated", "buddyinfo"],
      ["/proc/buddyinfo", 12, "freed-half", "buddyinfo"],
    ]);
    expect(j.shows[0]!.text).toMatch(/^Node 0, zone {6}DMA /);
    const zones = j.shows[0]!.content as { node: number; zone: string; free: number[] }[];
    expect(zones[0]).toMatchObject({ node: 0, zone: "DMA" });
    expect(zones[0]!.free).toHaveLength(11);
    expect(j.expects).toEqual({ total: 2, passed: 2, failed: [] });
    expect(j.counters.steps).toBe(15);
    expect(j.counters.vmstat.numa_hit).toBe(7075); // the workload's allocations and init's exec (its tables and stack page)
    expect(j.workloadDmesg).toEqual([]);
  });

  it("runs the built-in scenario on every board size: its expects hold from 64M to 16G", async () => {
    // 64G passes as well (checked by hand: 16M struct pages take ~600 MB, too much for the suite).
    for (const mem of ["64M", "128M", "2G", "4G", "16G"]) {
      const r = await mmsim(["run", "--mem", mem]);
      expect(r.code, mem).toBe(EXIT_OK);
      expect(r.stdout.endsWith("\nexpect: 2 passed, 0 failed\n"), mem).toBe(true);
    }
    // Two nodes of 64 MiB: one 2 MiB block comes from the other node (numa_miss 1), still within the expect.
    expect((await mmsim(["run", "--mem", "128M", "--nodes", "2"])).code).toBe(EXIT_OK);
  }, 120_000 /* boots five boards up to 16 GiB; seconds each on a loaded 2-core CI machine */);

  it("exits 1 when an expect fails, naming its line", async () => {
    const f = scenario("fail.yaml", "workload:\n  - show: /proc/sys/vm/min_free_kbytes\n  - expect: { path: /proc/meminfo, field: MemFree, op: \"<\", value: 1 }\n");
    const r = await mmsim(["run", f, ...SMALL]);
    expect(r.code).toBe(EXIT_EXPECT_FAILED);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`\\nexpect failed: ${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3 \\(step 2\\): /proc/meminfo MemFree = \\d+, expected < 1\\n`));
    expect(r.stdout.endsWith("expect: 0 passed, 1 failed\n")).toBe(true);
    const j = JSON.parse((await mmsim(["run", f, "--json", ...SMALL])).stdout) as RunJson;
    expect(j.expects.failed).toEqual([{ step: 2, line: 3, message: expect.stringMatching(/^\/proc\/meminfo MemFree = \d+, expected < 1$/) }]);
  });

  it("counts every check: expect steps and the returns/errno of other steps, each time a repeat runs them", async () => {
    const f = scenario(
      "checks.yaml",
      "workload:\n  - open: { as: f, path: /tmp/x, flags: [creat, rdwr] }\n  - repeat:\n      times: 3\n      steps:\n        - write: { fd: f, size: 8K, returns: 8K }\n" +
        "  - write: { fd: f, size: 4K, returns: 8K }\n  - close: { fd: 99, errno: EBADF }\n  - expect: { path: /proc/meminfo, field: MemFree, op: \">\", value: 1 }\n",
    );
    const r = await mmsim(["run", f, ...SMALL]);
    expect(r.code).toBe(EXIT_EXPECT_FAILED);
    expect(r.stdout).toMatch(/\nexpect failed: .*checks\.yaml:7 \(step 5\): write in pid \d+: expected 8192 bytes, got 4096\n/);
    expect(r.stdout.endsWith("expect: 5 passed, 1 failed\n")).toBe(true); // 3 writes, the close's errno and the expect step
    const j = JSON.parse((await mmsim(["run", f, "--json", ...SMALL])).stdout) as RunJson;
    expect(j.expects.total).toBe(6);
    expect(j.expects.passed).toBe(5);
  });

  it("exits 2 with one line on stderr for a bad scenario, no stack", async () => {
    const f = scenario("bad.yaml", "machine:\n  memroy: 1G\n");
    const r = await mmsim(["run", f]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`mmsim: ${f}:2: machine.memroy: unknown field "memroy"; did you mean "memory"? valid fields of machine: board, memory, cpus, nodes, cmdline, reserved, disk\n`);
  });

  it("exits 2 for each kind of bad input", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "--mem", "1000000"], /^mmsim: <command line>: machine\.memory: RAM must be at least 64M \(67108864 bytes\); got 1000000\n$/],
      [["run", "--mem", "100000001"], /^mmsim: <command line>: machine\.memory: RAM must be a multiple of 4096 bytes/],
      [["run", "--smp", "two"], /^mmsim: <command line>: machine\.cpus: expected a CPU count from 1 to 256, got "two"\n$/],
      [["run", "--set", "machine.memroy=1G"], /^mmsim: <command line>: machine\.memroy: unknown field "memroy"; did you mean "memory"\?/],
      [["run", "--set", "kernel.sysctl.watermark_scale_factor=0"], /^mmsim: <command line>: kernel\.sysctl\.watermark_scale_factor: 0 is out of range/],
      [["run", "--set", "nonsense"], /^mmsim: <command line>: nonsense: expected --set path=value/],
      [["run", "--set", "workload=[]"], /^mmsim: <command line>: workload: the workload cannot be set from the command line/],
      [["run", "--set", "machine.reserved=[]", "--set", "kernel.policies.slab=slob"], /^mmsim: no implementation "slob" for slot "slab"/],
      [["run", "/nonexistent/scenario.yaml"], /^mmsim: \/nonexistent\/scenario\.yaml: \(file\): no such file\n$/],
      [["run", "--smp", "1"], /default\.yaml:\d+: workload\[2\]\.alloc\.cpu: cpu 1 does not exist: machine\.cpus is 1 \(set on the command line\)/],
      [["run", "--frobnicate"], /^mmsim: unknown option '--frobnicate'/],
      [["frobnicate"], /^mmsim: unknown command 'frobnicate'/],
      [["run", "a.yaml", "b.yaml"], /^mmsim: too many arguments for 'run'/],
      [["cat"], /^mmsim: missing required argument 'path'/],
      [["cat", "/proc/buddyinfo", "--after", "no-such-label", ...SMALL], /^mmsim: .*--after: no label "no-such-label" in the workload/],
    ];
    for (const [args, re] of cases) {
      const r = await mmsim(args);
      expect(r.code, args.join(" ")).toBe(EXIT_BAD_INPUT);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr, args.join(" ")).toMatch(re);
      expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
  });

  it("exits 2 when a step cannot run as written (its line named)", async () => {
    const f = scenario("overfree.yaml", "workload:\n  - alloc: { name: a, count: 2 }\n  - free: { name: a, count: 5 }\n");
    const r = await mmsim(["run", f, ...SMALL]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toMatch(new RegExp(`^mmsim: ${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: `));
    expect(r.stderr.split("\n")).toHaveLength(2);
  });

  it("exits 70 with 'internal error' and the stack for an unexpected exception", async () => {
    vi.spyOn(Machine, "createAsync").mockImplementation(() => {
      throw new TypeError("boom");
    });
    const r = await mmsim(["run", ...SMALL]);
    expect(r.code).toBe(EXIT_INTERNAL);
    expect(r.stderr).toMatch(/^mmsim: internal error .*\nTypeError: boom\n\s+at /);
  });

  it("no progress bar when piped; --timing only on stderr", async () => {
    const f = scenario("long.yaml", "workload:\n  - repeat: { times: 1500, steps: [ { alloc: { name: a } }, { free: { name: a } } ] }\n  - show: /proc/buddyinfo\n");
    const piped = await mmsim(["run", f, ...SMALL]);
    expect(piped.code).toBe(EXIT_OK);
    expect(piped.stderr).toBe("");
    const timed = await mmsim(["run", f, "--timing", ...SMALL]);
    expect(timed.stdout).toBe(piped.stdout);
    expect(timed.stderr).toMatch(/^mmsim: host time: load [\d.]+ ms, boot [\d.]+ ms, workload [\d.]+ ms, total [\d.]+ ms\n$/);
  });

  it("on a terminal, a long workload draws the bar on stderr and stdout is unchanged", async () => {
    const f = scenario("long2.yaml", "workload:\n  - show: /proc/buddyinfo\n  - repeat: { times: 1500, steps: [ { alloc: { name: a } }, { free: { name: a } } ] }\n  - show: /proc/buddyinfo\n");
    const piped = await mmsim(["run", f, ...SMALL]);
    let stdout = "";
    let stderr = "";
    const tty = {
      isTTY: true,
      columns: 100,
      write: (s: string) => ((stderr += s), true),
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      clearScreenDown: () => true,
    };
    const code = await main(["run", f, ...SMALL], { stdout: { write: (s: string) => (stdout += s) }, stderr: tty, isTTY: true });
    expect(code).toBe(EXIT_OK);
    expect(stdout).toBe(piped.stdout);
    expect(stderr).toContain("3002/3002 steps");
  });
});

describe("mmsim cat", () => {
  it("prints the file text only, untouched", async () => {
    const r = await mmsim(["cat", "/proc/meminfo", ...SMALL]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stderr).toBe("");
    const m = Machine.create(loadScenarioFile(DEFAULT_SCENARIO_FILE, { mem: "256M" }, { ignoreWorkload: true }));
    m.boot();
    expect(r.stdout).toBe(m.readFile("/proc/meminfo"));
    expect(r.stdout).toMatch(/^MemTotal: +\d+ kB\n/);
    expect((await mmsim(["cat", "/proc/cmdline"])).stdout).toBe("console=ttyAMA0 nokaslr \n");
  });

  it("boots without the workload unless --after asks for it", async () => {
    // The default scenario allocates on cpu 1; a one-CPU board can still be booted and read.
    const r = await mmsim(["cat", "/proc/buddyinfo", "--smp", "1", ...SMALL]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^Node 0, zone {6}DMA /);
  });

  it("an unknown path exits 2 listing the available paths", async () => {
    const r = await mmsim(["cat", "/proc/nonexistent", ...SMALL]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^mmsim: cat: no file \/proc\/nonexistent after boot; the files mmsim renders then are:\n/);
    for (const p of ["/proc/buddyinfo", "/proc/meminfo", "/proc/zoneinfo", "/proc/vmstat", "/proc/cmdline"]) expect(r.stderr).toContain(`\n  ${p}\n`);
  });

  it("--json gives the parsed content and the text", async () => {
    const text = (await mmsim(["cat", "/proc/buddyinfo", ...SMALL])).stdout;
    const r = await mmsim(["cat", "/proc/buddyinfo", "--json", "--after", "allocated", ...SMALL]);
    const j = JSON.parse(r.stdout) as CatJson;
    expect([j.schemaVersion, j.command, j.path, j.after, j.format, j.failedExpects]).toEqual([JSON_SCHEMA_VERSION, "cat", "/proc/buddyinfo", "allocated", "buddyinfo", []]);
    expect(j.text).not.toBe(text);
    expect(j.text).toMatch(/^Node 0, zone {6}DMA /);
    expect(j.content).toEqual(parseBuddyinfo(j.text));
    const m = JSON.parse((await mmsim(["cat", "/proc/meminfo", "--json", ...SMALL])).stdout) as CatJson;
    expect(m.format).toBe("meminfo");
    const fields = m.content as Record<string, number>;
    expect(fields.MemTotal).toBe(readField(m.text, "MemTotal"));
    expect(Object.keys(fields)).toHaveLength(m.text.trimEnd().split("\n").length);
    const sysctl = JSON.parse((await mmsim(["cat", "/proc/sys/vm/lowmem_reserve_ratio", "--json", ...SMALL])).stdout) as CatJson;
    expect([sysctl.format, sysctl.content]).toEqual(["sysctl", [256, 256, 32, 0]]);
    const cmdline = JSON.parse((await mmsim(["cat", "/proc/cmdline", "--json", ...SMALL])).stdout) as CatJson;
    expect([cmdline.format, cmdline.content, cmdline.text]).toEqual(["text", null, "console=ttyAMA0 nokaslr \n"]);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("--after reads files that appear only during the workload (a new slab cache, a where/ buffer)", async () => {
    const f = scenario("appear.yaml", "workload:\n  - kmem_cache_create: { name: dentry }\n  - vmalloc: { as: vbuf, size: 16K }\n  - label: made\n");
    const obj = await mmsim(["cat", "/sys/kernel/slab/dentry/object_size", "--scenario", f, "--after", "made", ...SMALL]);
    expect(obj.stderr).toBe("");
    expect(obj.code).toBe(EXIT_OK);
    expect(obj.stdout).toMatch(/^\d+\n$/);
    const where = await mmsim(["cat", "/sys/kernel/debug/mmsim/where/vbuf", "--scenario", f, "--after", "made", ...SMALL]);
    expect(where.code).toBe(EXIT_OK);
    expect(where.stdout).toContain("vmalloc");
    const j = JSON.parse((await mmsim(["cat", "/sys/kernel/slab/dentry/object_size", "--scenario", f, "--after", "made", "--json", ...SMALL])).stdout) as CatJson;
    expect([j.format, j.content]).toEqual(["number", Number(obj.stdout)]);
    // Before the workload made it, the file does not exist: exit 2, naming when.
    const before = await mmsim(["cat", "/sys/kernel/slab/dentry/object_size", "--scenario", f, ...SMALL]);
    expect(before.code).toBe(EXIT_BAD_INPUT);
    expect(before.stderr).toMatch(/^mmsim: cat: no file \/sys\/kernel\/slab\/dentry\/object_size after boot; /);
    const step1 = await mmsim(["cat", "/sys/kernel/debug/mmsim/where/vbuf", "--scenario", f, "--after", "1", ...SMALL]);
    expect(step1.code).toBe(EXIT_BAD_INPUT);
    expect(step1.stderr).toMatch(/^mmsim: cat: no file \/sys\/kernel\/debug\/mmsim\/where\/vbuf after step 1; the files mmsim renders then are:\n(.*\n)* {2}\/sys\/kernel\/slab\/dentry\/object_size\n/);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("with --after, a failed expect before the stop exits 1 (message on stderr, stdout the file)", async () => {
    const f = scenario("cat-fail.yaml", "workload:\n  - expect: { path: /proc/meminfo, field: MemFree, value: 1 }\n  - label: here\n");
    const r = await mmsim(["cat", "/proc/cmdline", "--scenario", f, "--after", "here", ...SMALL]);
    expect(r.code).toBe(EXIT_EXPECT_FAILED);
    expect(r.stdout).toBe("console=ttyAMA0 nokaslr \n");
    expect(r.stderr).toMatch(/^mmsim: expect failed: .*cat-fail\.yaml:2 \(step 1\): \/proc\/meminfo MemFree = \d+, expected == 1\n$/);
  });
});

describe("mmsim dmesg", () => {
  it("prints the whole log after boot", async () => {
    const r = await mmsim(["dmesg", ...SMALL]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^\[ {4}0\.000000\] Booting Linux on physical CPU 0x0000000000 \[0x411fd070\]\n/);
    expect(r.stdout).toContain("] Zone ranges:\n");
    for (const l of r.stdout.trimEnd().split("\n")) expect(l).toMatch(/^\[ *\d+\.\d{6}\] /);
  });

  it("--json gives the records, in the shape of run --json's dmesg", async () => {
    const r = await mmsim(["dmesg", "--json", ...SMALL]);
    const j = JSON.parse(r.stdout) as DmesgJson;
    expect([j.schemaVersion, j.command, j.after, j.failedExpects]).toEqual([JSON_SCHEMA_VERSION, "dmesg", null, []]);
    expect(j.dmesg[0]).toEqual({ timeNs: 0, level: 6, text: "Booting Linux on physical CPU 0x0000000000 [0x411fd070]" });
    expect(j.dmesg.length).toBe((await mmsim(["dmesg", ...SMALL])).stdout.trimEnd().split("\n").length);
    const run = JSON.parse((await mmsim(["run", "--json", ...SMALL])).stdout) as RunJson;
    expect(run.dmesg).toEqual(j.dmesg.filter((d) => MEMORY_LINE.test(d.text)));
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);
});

describe("mmsim conformance", () => {
  it("--list names every real capture with the options that select it", async () => {
    const r = await mmsim(["conformance", "--list"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^linux-6\.1-arm64\/virt-1g-2cpu +--mem 1G +--smp 2 +linux-image-6\.1\.0-56-arm64/m);
    expect(r.stdout).toMatch(/^linux-6\.1-arm64\/virt-4g-4cpu +--mem 4G +--smp 4 /m);
    const j = JSON.parse((await mmsim(["conformance", "--list", "--json"])).stdout);
    expect(j.fixtures.length).toBe(r.stdout.trimEnd().split("\n").length);
  });

  it("compares the default board with the reference capture: mmsim / real / difference, exit 0", async () => {
    const r = await mmsim(["conformance"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^mmsim conformance: linux-6\.1-arm64\/virt-1g-2cpu\n/);
    expect(r.stdout).toMatch(/^\/proc\/zoneinfo\nok +exact +Node 0 DMA spanned +262144 +262144 += *$/m);
    expect(r.stdout).toMatch(/^ok +exact +Node 0 DMA min +5632 +5632 += *$/m);
    expect(r.stdout).toMatch(/^ok +close +Memory: reserved +54988 +55168 +-180 \(-0\.33 % ≤ 0\.50 %\)$/m);
    expect(r.stdout).toMatch(/\n\d+ figures: \d+ match, \d+ known differences, 0 fail \(0 exact, 0 close, 0 line shapes\)\n$/);
    for (const line of r.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it("--fixture boots the capture's own board; --failures prints only what fails", async () => {
    const r = await mmsim(["conformance", "--fixture", "virt-4g-4cpu", "--failures"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^mmsim conformance: linux-6\.1-arm64\/virt-4g-4cpu\n/);
    expect(r.stdout).toContain("\nNo figure fails.\n");
    const bad = await mmsim(["conformance", "--fixture", "virt-2g-1cpu", "--failures", "--set", "kernel.sysctl.min_free_kbytes=8192"]);
    expect(bad.code).toBe(EXIT_EXPECT_FAILED);
    expect(bad.stdout.split("\n").filter((l) => /^(ok|FAIL) /.test(l)).every((l) => l.startsWith("FAIL"))).toBe(true);
    expect(bad.stdout).toMatch(/^FAIL +exact +min_free_kbytes +8192 +22528 +-14336$/m);
    const none = await mmsim(["conformance", "--fixture", "no-such-capture"]);
    expect(none.code).toBe(EXIT_BAD_INPUT);
    expect(none.stderr).toMatch(/^mmsim: --fixture: expected the name of a real capture \(.*virt-1g-2cpu.*\) or a directory holding one, got no-such-capture/);
  });

  it("exits 1 when an exact figure differs, and 2 for a board with no capture", async () => {
    const r = await mmsim(["conformance", "--set", "kernel.sysctl.min_free_kbytes=8192", "--json"]);
    expect(r.code).toBe(EXIT_EXPECT_FAILED);
    const j = JSON.parse(r.stdout);
    expect(j.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { item: string }) => c.item)).toEqual(
      expect.arrayContaining(["min_free_kbytes", "Node 0 DMA min"]),
    );
    const none = await mmsim(["conformance", "--mem", "3G"]);
    expect(none.code).toBe(EXIT_BAD_INPUT);
    expect(none.stderr).toMatch(/^mmsim: --mem\/--smp: expected a board with a real capture: .*virt-1g-2cpu \(--mem 1G --smp 2\)/);
  });
});

describe("mmsim layout and mmsim pt walk", () => {
  it("layout prints the 6.1 arm64 regions with full 64-bit addresses, and --json the same as data", async () => {
    const r = await mmsim(["layout"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^arm64 kernel layout \(Linux 6\.1\): 4 KiB pages, VA_BITS 48, 4 levels of tables$/m);
    expect(r.stdout).toMatch(/^ {2}ffff000000000000 {2}ffff7fffffffffff +128TB {2}kernel logical memory map \(linear map\)$/m);
    expect(r.stdout).toMatch(/^ \[ffff000000000000 {2}ffff00003fffffff\] +1GB {2}populated: RAM 0x40000000-0x7fffffff$/m);
    expect(r.stdout).toMatch(/^ {2}ffff800008000000 {2}fffffbffefffffff +≈124TB {2}vmalloc$/m);
    const j = JSON.parse((await mmsim(["layout", "--json", "--mem", "4G"])).stdout) as LayoutJson;
    expect([j.schemaVersion, j.command, j.vaBits, j.pageSize, j.levels]).toEqual([JSON_SCHEMA_VERSION, "layout", 48, 4096, 4]);
    expect(j.regions.map((x) => x.name)).toEqual(["user", "linear map", "modules", "vmalloc", "kernel image", "fixmap", "PCI I/O", "vmemmap"]);
    expect(j.regions.find((x) => x.name === "vmalloc")).toEqual({ name: "vmalloc", start: "0xffff800008000000", end: "0xfffffbfff0000000" });
    expect(j.ram).toEqual([{ start: "0x0000000040000000", end: "0x0000000140000000" }]);
    const small = await mmsim(["layout", "--set", "kernel.config.va_bits=39"]);
    expect(small.stdout).toMatch(/^arm64 kernel layout \(Linux 6\.1\): 4 KiB pages, VA_BITS 39, 3 levels of tables$/m);
    expect(small.stdout).toMatch(/^ {2}ffffff8000000000 {2}ffffffbfffffffff +256GB {2}kernel logical memory map \(linear map\)$/m);
    const bad = await mmsim(["layout", "--set", "kernel.config.va_bits=42"]);
    expect(bad.code).toBe(EXIT_BAD_INPUT);
    expect(bad.stderr).toMatch(/kernel\.config\.va_bits: CONFIG_ARM64_VA_BITS with 4 KiB pages is 39 \(3 levels of tables\) or 48/);
  });

  it("pt walk shows every level and the PA of a linear-map address, and a permission fault for a write to kernel text", async () => {
    const r = await mmsim(["pt", "walk", "0xffff000000123456"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^region: linear map$/m);
    expect(r.stdout).toMatch(/^ {2}level 3: table 0x[0-9a-f]{16} index VA\[20:12\]=291 → /m);
    expect(r.stdout).toMatch(/^ {2}→ PA 0x0000000040123456 \(4 KiB page at level 3\)$/m);
    const w = await mmsim(["pt", "walk", "0xffff800008010000", "--access", "write"]);
    expect(w.stdout).toMatch(/^ {2}→ level 3 permission fault$/m);
  });

  it("pt walk reads a user address through init's tables after an mmap, and refuses bad addresses", async () => {
    // randomize_va_space 0: the mapping lands right below [vvar] (0xfffff7ffd000), as on the real kernel
    const f = scenario("pt.yaml", "kernel: { sysctl: { randomize_va_space: 0 } }\nworkload:\n  - mmap: { as: heap, size: 8K, flags: [private, populate] }\n  - label: mapped\n");
    const r = await mmsim(["pt", "walk", "0x0000fffff7ffb000", "--scenario", f, "--after", "mapped", "--access", "write"]);
    expect(r.code).toBe(EXIT_OK);
    expect(r.stdout).toMatch(/^region: user$/m);
    expect(r.stdout).toMatch(/TTBR0/);
    expect(r.stdout).toMatch(/^ {2}→ PA 0x[0-9a-f]{16} \(4 KiB page at level 3\)$/m);
    const before = await mmsim(["pt", "walk", "0x1000"]);
    expect(before.code).toBe(EXIT_BAD_INPUT);
    expect(before.stderr).toMatch(/user address, and init has no page tables yet/);
    const bad = await mmsim(["pt", "walk", "0x8000000000000000"]);
    expect(bad.code).toBe(EXIT_BAD_INPUT);
    expect(bad.stderr).toMatch(/^mmsim: pt walk: "0x8000000000000000" is not a canonical address/);
  });
});
