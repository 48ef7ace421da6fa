// mmsim: tests of the early parameters map_mem() depends on (init/main.c, asm/setup.h, mm.c of 6.1.65+)
import { describe, expect, it } from "vitest";
import { getOption, parseMapMemParams, setDebugRodata } from "./early-params.ts";
import { canSetDirectMap } from "./paging-init.ts";

describe("rodata= (set_debug_rodata → arch_parse_debug_rodata, 6.1.65+)", () => {
  it("full, on, off set rodata_enabled and rodata_full as the arm64 hook does; anything else is ignored", () => {
    expect(setDebugRodata("full")).toEqual({ rodataEnabled: true, rodataFull: true });
    expect(setDebugRodata("on")).toEqual({ rodataEnabled: true, rodataFull: false });
    expect(setDebugRodata("off")).toEqual({ rodataEnabled: false, rodataFull: false });
    for (const bad of ["ful", "1", "y", "noalias", "", undefined]) expect(setDebugRodata(bad)).toBeUndefined();
  });

  it("reads the command line in order, the last valid rodata= winning; the default is rodata_full", () => {
    expect(parseMapMemParams("console=ttyAMA0 nokaslr")).toEqual({ rodataEnabled: true, rodataFull: true, kfenceSampleInterval: 100, invalidRodata: [] });
    expect(parseMapMemParams("rodata=off quiet rodata=on")).toMatchObject({ rodataEnabled: true, rodataFull: false });
    expect(parseMapMemParams("rodata=on rodata=ful")).toMatchObject({ rodataEnabled: true, rodataFull: false, invalidRodata: ["ful"] });
    expect(parseMapMemParams("rodata")).toMatchObject({ rodataEnabled: true, rodataFull: true, invalidRodata: ["(null)"] });
  });

  it("decides the linear map's granularity with can_set_direct_map()", () => {
    const g = (cmdline: string, kfence = false) => canSetDirectMap({ ...parseMapMemParams(cmdline), kfence });
    expect(g("")).toBe(true); // the reference board: rodata_full by default
    expect(g("rodata=full")).toBe(true);
    expect(g("rodata=on")).toBe(false);
    expect(g("rodata=off")).toBe(false);
    expect(g("rodata=on", true)).toBe(false); // early KFENCE maps only its pool with pages
    expect(g("rodata=on kfence.sample_interval=0", true)).toBe(true); // late KFENCE: all pages
  });
});

describe("kfence.sample_interval= (parse_kfence_early_init, get_option)", () => {
  it("takes get_option()'s integer: decimal, 0x hex, 0 octal, a sign; no digits changes nothing", () => {
    expect(getOption("250")).toBe(250);
    expect(getOption("0x10ms")).toBe(16);
    expect(getOption("010")).toBe(8);
    expect(getOption("-5")).toBe(-5);
    expect(getOption("0")).toBe(0);
    expect(getOption("abc")).toBeUndefined();
    expect(getOption("4294967296")).toBe(0); // stored in an int
    expect(parseMapMemParams("kfence.sample_interval=0").kfenceSampleInterval).toBe(0);
    expect(parseMapMemParams("kfence.sample_interval=x").kfenceSampleInterval).toBe(100);
  });
});
