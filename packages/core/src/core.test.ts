// Cross-file checks of @mmsim/core: errors, errno, printk, clock, cost model, sizes, DI helpers.
import { container, inject, injectable } from "tsyringe";
import { describe, expect, it } from "vitest";
import { SimClock } from "./clock.ts";
import { CostModel, DEFAULT_COSTS } from "./cost-model.ts";
import { isMmsimModule, type MmsimModule } from "./di/module.ts";
import { token } from "./di/token.ts";
import { KERNEL_LOG, SIM_CLOCK } from "./di/tokens.ts";
import { EINVAL, ENOMEM, errname } from "./errno.ts";
import { ArgumentError, ConfigError, MmBugError, UnknownPolicyError, checkUint, debugVm, isMmsimError, vmBugOn } from "./errors.ts";
import { KERN_DEBUG, KERN_INFO, KernelLog, formatPrintkTime } from "./printk.ts";
import { SZ_1G, SZ_4G, alignDown, alignUp, ffs32, fls32, hex, isAligned, isPowerOf2, pfnDown, pfnUp } from "./sizes.ts";

describe("errno", () => {
  it("has the asm-generic values and prints signed names", () => {
    expect(ENOMEM).toBe(12);
    expect(EINVAL).toBe(22);
    expect(errname(-ENOMEM)).toBe("-ENOMEM");
    expect(errname(EINVAL)).toBe("EINVAL");
    expect(errname(-4095)).toBe("-4095");
  });
});

describe("tagged errors", () => {
  it("name the site, the field and what was expected", () => {
    const e = new ConfigError("machine.loadScenario", "boot.yaml", "machine.memory", "a size like 1G", '"1Q"', 3);
    expect(e.message).toBe('machine.loadScenario: boot.yaml:3: machine.memory: expected a size like 1G, got "1Q"');
    expect(e._tag).toBe("ConfigError");
    expect(isMmsimError(e)).toBe(true);
    expect(isMmsimError(new Error("x"))).toBe(false);
    const u = new UnknownPolicyError("machine.catalog", "slab", "slob", ["slab", "slub"]);
    expect(u.message).toBe('machine.catalog: no implementation "slob" for slot "slab"; available: slab, slub');
  });

  it("checkUint rejects what is not a physical address", () => {
    expect(() => checkUint("x.f", "base", -1)).toThrow(ArgumentError);
    expect(() => checkUint("x.f", "base", Number.NaN)).toThrow("x.f: base: expected an integer in [0, 2^53), got NaN (not an integer)");
    expect(() => checkUint("x.f", "base", 2 ** 53)).toThrow(ArgumentError);
    expect(() => checkUint("x.f", "base", SZ_4G)).not.toThrow();
  });

  it("vmBugOn throws only when debugVm is on", () => {
    const was = debugVm.on;
    try {
      debugVm.on = false;
      expect(() => vmBugOn(true, "buddy.expand", "bad")).not.toThrow();
      debugVm.on = true;
      expect(() => vmBugOn(true, "buddy.expand", "page 5 not buddy")).toThrow(MmBugError);
      expect(() => vmBugOn(false, "buddy.expand", "x")).not.toThrow();
    } finally {
      debugVm.on = was;
    }
  });
});

describe("printk", () => {
  it("renders dmesg lines with the [%5lu.%06lu] timestamp", () => {
    const clock = new SimClock();
    const log = new KernelLog(clock);
    log.prInfo("Zone ranges:");
    clock.advance(1_234_567_891);
    log.prWarn("a\nb\n");
    log.prDebug("dropped at the default level");
    expect(log.dmesg()).toBe("[    0.000000] Zone ranges:\n[    1.234567] a\n[    1.234567] b\n");
    expect(log.all()[1]!.level).toBe(4);
    expect(log.dmesg(2)).toBe("[    1.234567] b\n");
    expect(formatPrintkTime(123_456_000_000_000)).toBe("[123456.000000]");
    log.recordLevel = KERN_DEBUG;
    log.prDebug("kept");
    expect(log.length).toBe(4);
    expect(log.recordLevel).toBeGreaterThan(KERN_INFO);
  });

  it("prints 0 timestamps until the clock starts (early boot), then counts from that moment", () => {
    const clock = new SimClock();
    const log = new KernelLog(clock, false);
    clock.advance(5_000_000);
    log.prInfo("early");
    log.startClock();
    clock.advance(1_500_000);
    log.prInfo("late");
    expect(log.dmesg()).toBe("[    0.000000] early\n[    0.001500] late\n");
  });

  it("WARN_ONCE logs once per key", () => {
    const log = new KernelLog();
    expect(log.warnOnce("k", "memblock_alloc_range_nid (mm/memblock.c)", "Usage of MAX_NUMNODES is deprecated")).toBe(true);
    expect(log.warnOnce("k", "memblock_alloc_range_nid (mm/memblock.c)")).toBe(false);
    expect(log.dmesg()).toContain("WARNING: CPU: 0 PID: 0 at memblock_alloc_range_nid (mm/memblock.c)");
    expect(log.dmesg().match(/cut here/g)).toHaveLength(1);
  });
});

describe("SimClock and CostModel", () => {
  it("the clock only moves forward", () => {
    const c = new SimClock();
    c.advance(10);
    c.advance(-5);
    c.advanceTo(5);
    expect(c.now()).toBe(10);
    c.advanceTo(20);
    expect(c.now()).toBe(20);
  });

  it("every cost has a source, and overrides are checked by name", () => {
    for (const e of Object.values(DEFAULT_COSTS)) {
      expect(e.source.length).toBeGreaterThan(10);
      expect(e.ns).toBeGreaterThanOrEqual(0);
    }
    const m = new CostModel({ clearPage: 200 });
    expect(m.clearPage).toBe(200);
    expect(m.get("pcpAlloc")).toBe(DEFAULT_COSTS.pcpAlloc.ns);
    expect(m.table().find((r) => r.name === "clearPage")).toMatchObject({ ns: 200, defaultNs: 150 });
    expect(() => new CostModel({ clearPages: 1 }, "s.yaml")).toThrow(/s.yaml: costs.clearPages: expected one of pcpAlloc/);
    expect(() => new CostModel({ clearPage: -1 })).toThrow(/expected a finite number of ns ≥ 0, got -1/);
  });
});

describe("sizes", () => {
  it("aligns above 2^32 exactly", () => {
    expect(alignUp(SZ_4G + 1, SZ_1G)).toBe(5 * SZ_1G);
    expect(alignDown(SZ_4G + SZ_1G - 1, SZ_1G)).toBe(SZ_4G);
    expect(isAligned(SZ_4G, SZ_4G)).toBe(true);
    expect(isPowerOf2(SZ_4G)).toBe(true);
    expect(isPowerOf2(SZ_4G + SZ_1G)).toBe(false);
    expect(isPowerOf2(0)).toBe(false);
    expect(pfnUp(4097)).toBe(2);
    expect(pfnDown(8191)).toBe(1);
    expect(ffs32(0x40000)).toBe(18);
    expect(fls32(1024)).toBe(10);
    expect(hex(0x40000000)).toBe("0x0000000040000000");
  });
});

describe("DI helpers", () => {
  it("tokens are Symbol.for, so two copies of core agree", () => {
    expect(token("X")).toBe(Symbol.for("mmsim:X"));
    expect(SIM_CLOCK).toBe(Symbol.for("mmsim:SimClock"));
  });

  it("an MmsimModule registers into a child container only", () => {
    const GREETER = token<Greeter>("TestGreeter");
    @injectable()
    class Greeter {
      constructor(@inject(SIM_CLOCK) readonly clock: SimClock, @inject(KERNEL_LOG) readonly log: KernelLog) {}
    }
    const mod: MmsimModule = {
      slot: "test",
      name: "greeter",
      description: "test module",
      register(c) {
        c.register(GREETER, { useClass: Greeter });
      },
    };
    expect(isMmsimModule(mod)).toBe(true);
    expect(isMmsimModule({ slot: "x" })).toBe(false);
    const a = container.createChildContainer();
    const b = container.createChildContainer();
    for (const c of [a, b]) {
      const clock = new SimClock();
      c.register(SIM_CLOCK, { useValue: clock });
      c.register(KERNEL_LOG, { useValue: new KernelLog(clock) });
      mod.register(c);
    }
    const ga = a.resolve<Greeter>(GREETER);
    const gb = b.resolve<Greeter>(GREETER);
    expect(ga.clock).not.toBe(gb.clock);
    expect(container.isRegistered(GREETER)).toBe(false);
  });
});
