// mmsim: tests of the platform split — start_kernel is generic over a Platform, the arm64 boot code and the QEMU virt board sit apart, the workload's process is the process module's
import { readFileSync } from "node:fs";
import { ScenarioError, type ValidationSink, resolveToken } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { ARM64_LAYOUT, KERNEL_PAGE_TABLES, MMU } from "@mmsim/hw-arm64";
import { describe, expect, it } from "vitest";
import { Machine } from "../machine.ts";
import { loadScenario } from "../scenario.ts";
import { PROCESSES } from "../process/token.ts";
import { PLATFORMS, platformFor } from "./index.ts";
import { UserPgtableRoot } from "./platform.ts";
import { QEMU_VIRT_ARM64, QEMU_VIRT_ARM64_BOARD } from "./qemu-virt-arm64.ts";

const source = (rel: string): string => readFileSync(new URL(rel, import.meta.url), "utf8");
/** A source file without its comments. */
const code = (rel: string): string => source(rel).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");

describe("start_kernel is generic over the platform", () => {
  it("machine.ts names no arch or board: it only picks the platform machine.board names", () => {
    const text = code("../machine.ts");
    for (const word of [/arm64/i, /qemu/i, /virt/i, /hw-arm64/, /KERNEL_IMAGE/, /INITRD/, /BANNER/, /MEMBLOCK_DEBUG_CALLERS/, /swiotlb/i, /PopulatedAnonMm\(/, /WORKLOAD_MM/]) {
      expect([word.source, word.test(text)]).toEqual([word.source, false]);
    }
    expect(text).toMatch(/platformFor\(scenario\.machine\.board/);
  });

  it("the arm64 boot code knows no board: every board number comes from the Arm64Board it is given", () => {
    for (const file of ["./arm64/setup.ts", "./arm64/platform.ts", "./arm64/resources.ts", "./arm64/zone-sizes.ts"]) {
      const text = code(file);
      expect([file, /qemu-virt-arm64|QEMU_VIRT|VIRT_RAM_BASE|0x40000000/.test(text)]).toEqual([file, false]);
    }
  });

  it("the only board is QEMU virt arm64; another name is refused with the list", () => {
    expect(PLATFORMS.map((p) => [p.board, p.archModule])).toEqual([[QEMU_VIRT_ARM64, "hw-arm64"]]);
    expect(platformFor(QEMU_VIRT_ARM64, "s.yaml").board).toBe(QEMU_VIRT_ARM64_BOARD.name);
    expect(() => platformFor("raspberry-pi", "s.yaml")).toThrow(ScenarioError);
    expect(() => platformFor("raspberry-pi", "s.yaml")).toThrow(/machine.board: unknown board "raspberry-pi"; the only board is qemu-virt-arm64/);
  });

  it("the platform's pieces are the machine's: layout, page tables, MMU, image sizes", { timeout: 30_000 }, () => {
    const m = Machine.create(loadScenario("{}", "s.yaml"));
    m.boot();
    const p = m.platform;
    expect(m.pgtables).toBe(p.pgtables);
    expect(m.mmu).toBe(p.mmu);
    expect(m.container.resolve(MMU)).toBe(p.mmu);
    expect(m.container.resolve(ARM64_LAYOUT)).toBe(p.pgtables.layout);
    expect(m.container.resolve(KERNEL_PAGE_TABLES)).toBe(p.pgtables.kernel);
    // The VA layout is computed once, by paging_init: meminfo's arch inputs carry that object.
    expect(p.meminfo().layout).toBe(p.pgtables.layout);
    // mem_init_print_info's figures are the image's sections (13248K code, 2806K rwdata, 9524K rodata, 6464K init, 627K bss).
    expect([p.image.code, p.image.rwdata, p.image.rodata, p.image.init, p.image.bss].map((b) => b >> 10)).toEqual([13248, 2806, 9524, 6464, 627]);
    expect(m.log.dmesg()).toContain("(13248K kernel code, 2806K rwdata, 9524K rodata, 6464K init, 627K bss,");
  });
});

describe("the tasks are the process module's", () => {
  it("made by the module when the workload starts, over the booted kernel's services; every task's pgd is a UserPgtableRoot the page-table validator walks", { timeout: 30_000 }, () => {
    const m = Machine.create(loadScenario("workload:\n  - mmap: { as: buf, size: 64K }\n  - access: { as: buf, write: true }\n", "s.yaml"));
    m.runWorkload();
    const p = resolveToken(m.container, PROCESSES);
    expect(m.processes).toBe(p);
    const pgd = p.tasks.init!.mm!.pgtables!.pgd;
    expect(pgd).toBeGreaterThan(0);
    const roots = m.container.resolveAll<UserPgtableRoot>(UserPgtableRoot);
    expect(roots.map((r) => [r.name, r.pgds()])).toEqual([["the tasks' page tables", [pgd]]]);
    const sink = new CollectingSink();
    m.validate(sink);
    expect(sink.problems).toEqual([]);
  });

  it("the page-table validator walks every UserPgtableRoot contributed: a second root on the same pgd is a table referenced twice", { timeout: 30_000 }, () => {
    const m = Machine.create(loadScenario("workload:\n  - mmap: { as: buf, size: 64K }\n  - access: { as: buf, write: true }\n", "s.yaml"));
    m.runWorkload();
    const pgd = m.processes.tasks.init!.mm!.pgtables!.pgd;
    m.container.register(UserPgtableRoot, { useValue: { name: "a second mm on the same tables", pgds: () => [pgd] } });
    const problems: string[] = [];
    const sink: ValidationSink = { report: (where, problem) => problems.push(`${where}: ${problem}`) };
    m.validate(sink);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(/is also referenced from the tasks' page tables/);
  });
});
