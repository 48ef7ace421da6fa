// mmsim: tests of the boot command line's two passes (init/main.c, kernel/params.c, lib/cmdline.c of 6.1) and the stack depot's boot state.
import { describe, expect, it } from "vitest";
import { KernelLog } from "../printk.ts";
import { StackDepot, isStackDepotDisabled } from "../stackdepot.ts";
import {
  type KernelParam, earlyParam, getOption, nextArg, obsoleteChecksetup, parameq, parseArgs, parseBootParams, parseEarlyParam, setupParam,
} from "./kernel-param.ts";

/** Every word as parse_args() hands it over. */
function words(cmdline: string): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  parseArgs(cmdline, (p, v) => out.push([p, v]));
  return out;
}

function texts(log: KernelLog): string[] {
  return log.all().map((r) => r.text);
}

describe("next_arg / parse_args", () => {
  it("splits at blanks, at the first '=', and stops at --", () => {
    expect(words("  console=ttyAMA0 nokaslr \tslub_debug=FZ,dentry;P,kmalloc-*  a=b=c ")).toEqual([
      ["console", "ttyAMA0"], ["nokaslr", undefined], ["slub_debug", "FZ,dentry;P,kmalloc-*"], ["a", "b=c"],
    ]);
    let rest: string | undefined;
    const seen: string[] = [];
    rest = parseArgs("memblock=debug -- slub_debug single", (p) => seen.push(p));
    expect(seen).toEqual(["memblock"]);
    expect(rest).toBe("slub_debug single");
    rest = parseArgs("memblock=debug --=x", () => undefined);
    expect(rest).toBeUndefined(); // "--" with a value is an ordinary word
  });

  it("drops the quotes next_arg drops", () => {
    expect(words('dyndbg="file a.c +p" "quoted word" x="" ="y"')).toEqual([
      ["dyndbg", "file a.c +p"], ["quoted word", undefined], ["x", ""], ['="y"', undefined],
    ]);
    expect(nextArg('"a=b c" d', 0)).toEqual({ param: "a", val: "b c", next: 8 });
  });

  it("compares names with dashes as underscores", () => {
    expect(parameq("slub-debug", "slub_debug")).toBe(true);
    expect(parameq("slub_debug", "slub_debugx")).toBe(false);
  });

  it("reads get_option's leading integer in C notation", () => {
    expect([getOption("3"), getOption("0x10,"), getOption("010"), getOption("-2"), getOption("x"), getOption("")]).toEqual([3, 16, 8, -2, undefined, undefined]);
  });
});

describe("parse_early_param", () => {
  it("gives each early_param its word's value, names compared exactly, a bare word undefined", () => {
    const got: (string | undefined)[] = [];
    const log = new KernelLog();
    const params: KernelParam[] = [
      earlyParam("memblock", (v) => (got.push(v), 0)),
      setupParam("memblock", () => 1), // a __setup of the same name is not called in the early pass
      earlyParam("bad", () => 1),
    ];
    parseEarlyParam("memblock=debug memblock memblockx=1 Memblock=2 bad=1 -- memblock=init", params, log);
    expect(got).toEqual(["debug", undefined]);
    expect(texts(log)).toEqual(["Malformed early option 'bad'"]);
  });

  it("also gives console= to an earlycon handler, as do_early_param does", () => {
    const got: (string | undefined)[] = [];
    parseEarlyParam("console=ttyAMA0", [earlyParam("earlycon", (v) => (got.push(v), 0))], new KernelLog());
    expect(got).toEqual(["ttyAMA0"]);
  });
});

describe("obsolete_checksetup (the __setup pass)", () => {
  it("hands the rest of the word after the name to the first __setup that takes it, prefix-matched", () => {
    const got: string[] = [];
    const params: KernelParam[] = [
      setupParam("slub_debug", (rest) => (got.push(`a${rest}`), 1)),
      setupParam("slub_debug", (rest) => (got.push(`b${rest}`), 1)),
      setupParam("slub_min_order=", (rest) => (got.push(`o${rest}`), 1)),
    ];
    const left = parseBootParams('console=ttyAMA0 slub_debug slub-debug=FZ slub_debugX slub_debug="F Z" slub_min_order=2 slub_min_order BOOT_IMAGE=/vmlinuz', params);
    expect(got).toEqual(["a", "a=FZ", "aX", "a=F Z", "o2"]);
    // the kernel passes these to init (console= has a handler in the real kernel that mmsim does not model)
    expect(left).toEqual(["console=ttyAMA0", "slub_min_order"]);
  });

  it("lets a handler that returns 0 pass the word on, and counts an early_param of that name as handled", () => {
    const got: string[] = [];
    const params = [setupParam("foo", (r) => (got.push(`declined${r}`), 0)), earlyParam("foo", () => 0), setupParam("foo", (r) => (got.push(`took${r}`), 1))];
    expect(obsoleteChecksetup("foo=1", params)).toBe(true);
    expect(got).toEqual(["declined=1", "took=1"]);
    expect(obsoleteChecksetup("foo", [earlyParam("foo", () => 0)])).toBe(true);
    expect(obsoleteChecksetup("food", [earlyParam("foo", () => 0)])).toBe(false);
  });
});

describe("the stack depot's boot state", () => {
  it("is wanted by a subsystem and turned off by stack_depot_disable=", () => {
    const d = new StackDepot();
    expect(d.earlyInitNeeded()).toBe(false);
    d.wantEarlyInit();
    expect(d.earlyInitNeeded()).toBe(true);
    const log = new KernelLog();
    for (const v of ["maybe", undefined, "off"]) isStackDepotDisabled(d, v, log);
    expect(d.earlyInitNeeded()).toBe(true);
    isStackDepotDisabled(d, "on", log);
    expect(d.earlyInitNeeded()).toBe(false);
    expect(texts(log)).toEqual(["Stack Depot is disabled"]);
  });
});
