// Issue 23: every input error of a scenario is a ScenarioError naming file, line and field, with
// how to fix it — never another exception — and scenario input is data (no path reaches a prototype).
import { ScenarioError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { MAX_SCENARIO_BYTES, loadScenario, loadScenarioFile } from "./scenario.ts";
import { Machine } from "./machine.ts";
import { referenceScenario } from "./machine.test-helpers.ts";

/** The ScenarioError loading `text` throws (fails when it throws anything else, or nothing). */
function errorOf(text: string, set: string[] = []): ScenarioError {
  try {
    loadScenario(text, "s.yaml", { set });
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error("no error");
}

describe("YAML that is not plain data", () => {
  it("an alias bomb stops at 1000 aliases", () => {
    const level = (n: string) => `[${Array(9).fill(`*${n}`).join(",")}]`;
    const bomb = `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b ${level("a")}\nc: &c ${level("b")}\nd: &d ${level("c")}\ne: &e ${level("d")}\nf: ${level("e")}\n`;
    expect(errorOf(bomb).message).toMatch(/s\.yaml: \(aliases\): .*at most 1000 aliases/);
  });
  it("an undefined alias names its line", () => {
    const e = errorOf("seed: 1\nmachine: *nope\n");
    expect(e.line).toBe(2);
    expect(e.problem).toMatch(/define &nope earlier/);
  });
  it("a self-referential alias is refused, not a stack overflow", () => {
    const e = errorOf("workload: &w [ {repeat: {times: 2, steps: *w}} ]\n");
    expect(e.field).toBe("*w");
    expect(e.problem).toMatch(/contain itself/);
  });
  it("merge keys << merge, as YAML 1.1 defines them", () => {
    const s = loadScenario("machine: &m { memory: 256M }\nkernel: { config: { cma_mbytes: 0 } }\nseed: 3\n", "s.yaml");
    expect(s.machine.memory).toBe(256 * 1024 ** 2);
    const merged = loadScenario("machine:\n  <<: { memory: 512M, cpus: 1 }\n  cpus: 4\n", "s.yaml");
    expect(merged.machine).toMatchObject({ memory: 512 * 1024 ** 2, cpus: 4 });
  });
  it("tags other than the core schema's are refused: !!set, !!binary, !!timestamp, custom ones", () => {
    for (const [text, tag] of [["machine: !!set {a, b}\n", "!!set"], ["seed: !!binary aGVsbG8=\n", "!!binary"], ["seed: !!timestamp 2001-12-14\n", "!!timestamp"], ["seed: !foo 1\n", "!foo"]] as const) {
      const e = errorOf(text);
      expect(e.line).toBe(1);
      expect(e.problem).toContain(tag);
      expect(e.problem).toMatch(/remove the tag/);
    }
  });
  it("a file over the size cap, and /dev/zero, are refused before parsing", () => {
    expect(errorOf(" ".repeat(MAX_SCENARIO_BYTES + 1)).problem).toMatch(/larger than 4 MiB/);
    expect(() => loadScenarioFile("/dev/zero")).toThrow(/larger than 4 MiB/);
  });
  it("flow collections nested thousands deep are refused (the parser would crash V8)", () => {
    const n = 50_000;
    expect(errorOf(`a: ${"[".repeat(n)}${"]".repeat(n)}\n`).problem).toMatch(/nested more than 256 levels/);
  });
  it("integers beyond 2^53 − 1 are refused at load with their line, in hex or decimal, quoted or not", () => {
    expect(errorOf("seed: 1\nmachine: { memory: 0x20000000000001 }\n")).toMatchObject({ line: 2 });
    expect(errorOf("machine: { memory: 0x20000000000001 }\n").problem).toContain("0x20000000000001 is beyond 2^53 − 1");
    expect(errorOf('machine: { memory: "0x20000000000001" }\n').problem).toContain("beyond 2^53 − 1");
    expect(errorOf("seed: 9007199254740993\n").problem).toContain("9007199254740993 is beyond");
  });
});

describe("scenario input is data: no path reaches a prototype", () => {
  it("--set __proto__.x and machine.__proto__.x are refused and Object.prototype stays clean", () => {
    for (const path of ["__proto__.polluted", "machine.__proto__.polluted", "kernel.constructor.prototype.polluted", "kernel.sysctl.__proto__"]) {
      const e = errorOf("", [`${path}=1`]);
      expect(e.file).toBe("<command line>");
      expect(e.problem).toMatch(/prototype/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(loadScenario("", "s.yaml").machine.memory).toBe(1024 ** 3);
  });
  it("a __proto__ key in the file is refused with its line", () => {
    const e = errorOf("machine:\n  __proto__: { memory: 64M }\n");
    expect(e.line).toBe(2);
    expect(e.field).toBe("machine.__proto__");
    expect(({} as Record<string, unknown>).memory).toBeUndefined();
  });
});

describe("values the schema accepts are what the kernel does with them", () => {
  it("cpu bounds are the board's, not the schema's", () => {
    expect(errorOf("workload:\n  - alloc: { name: a, cpu: 300 }\n").problem).toBe("cpu 300 does not exist: machine.cpus is 2; use a cpu from 0 to 1");
  });
  it("an odd cma_mbytes is rounded up to a pageblock as cma_declare_contiguous_nid does (1 → 2 MiB, 3 → 4, 63 → 64)", () => {
    for (const [mb, reserved] of [[1, 2], [3, 4], [63, 64]]) {
      const m = Machine.create(referenceScenario({ machine: { memory: 256 * 1024 ** 2 }, kernel: { config: { deferredStructPageInit: true, transparentHugepage: true, initOnAlloc: true, cmaMbytes: mb!, vaBits: 48, kfence: false } } }));
      m.boot();
      expect(m.log.dmesg()).toMatch(new RegExp(`cma: Reserved ${reserved} MiB at 0x`));
      expect(m.readFile("/proc/meminfo")).toMatch(new RegExp(`CmaTotal: +${reserved * 1024} kB`));
    }
  }, 60_000 /* three 256 MiB boots: seconds on a loaded 2-core machine */);
  it("huge and invisible values are shown escaped and cut", () => {
    const long = errorOf(`machine: { board: "${"x".repeat(100_000)}" }\n`);
    expect(long.message.length).toBeLessThan(400);
    expect(long.message).toContain("… (100002 characters)");
    expect(errorOf('machine: { board: "a\\u202eb\\u200bc\\u0007" }\n').problem).toContain('"a\\u202eb\\u200bc\\u0007"');
  });
});
