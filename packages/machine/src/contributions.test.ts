// mmsim: tests of the contribution points — steps, sysctls, files, kernel threads, initcalls and validators come from the modules, and a user's module from a file adds all four
import { fileURLToPath } from "node:url";
import {
  BALLOON_DEFLATE, BALLOON_INFLATE, ConfigError, Initcall, KernelThread, type MmsimModule, NR_FREE_PAGES, ScenarioError, VM_STAT, defineStep, int,
  resolveToken,
} from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { ModuleCatalog } from "./catalog.ts";
import { Machine } from "./machine.ts";
import { KernelRegistry } from "./registry.ts";
import { loadScenario, loadScenarioFileAsync } from "./scenario.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const BALLOON_SCENARIO = `${REPO}examples/scenarios/balloon.yaml`;

/** A module contributing one step, for registry tests. */
function stepModule(name: string, kind: string): MmsimModule {
  return {
    slot: name,
    name,
    description: "test",
    register: () => {},
    steps: [defineStep({ kind, doc: `- ${kind}: <n>`, schema: int(1, 9), make: (n, ctx) => ({ kind, line: ctx.line, n }), run: () => {} })],
  };
}

describe("the registry: steps and sysctls come from the modules", () => {
  it("lists the engine's steps first, then each module's, and every module's sysctls", () => {
    const r = ModuleCatalog.default().registry();
    expect(r.stepKinds().slice(0, 7)).toEqual(["show", "repeat", "sysctl", "expect", "write", "sleep", "label"]);
    expect(r.stepKinds()).toEqual(expect.arrayContaining(["alloc", "free", "kmalloc", "kfree", "slab_churn", "vmalloc", "kvfree", "mmap", "munmap", "access", "mprotect", "fork", "wait", "mkswap", "swapon", "swapoff", "zram"]));
    expect([...r.sysctls.keys()]).toEqual(["min_free_kbytes", "watermark_scale_factor", "watermark_boost_factor", "lowmem_reserve_ratio", "percpu_pagelist_high_fraction", "admin_reserve_kbytes", "max_map_count", "overcommit_kbytes", "overcommit_memory", "overcommit_ratio", "user_reserve_kbytes", "drop_caches", "dirty_background_ratio", "dirty_background_bytes", "dirty_ratio", "dirty_bytes", "dirty_writeback_centisecs", "dirty_expire_centisecs", "dirtytime_expire_seconds", "page-cluster", "randomize_va_space", "mmap_rnd_bits", "exception-trace", "swappiness", "vfs_cache_pressure", "compact_memory", "compaction_proactiveness", "extfrag_threshold", "compact_unevictable_allowed", "panic_on_oom", "oom_kill_allocating_task", "oom_dump_tasks"]);
  });

  it("refuses two modules that define the same step kind", () => {
    expect(() => new KernelRegistry([stepModule("a", "poke"), stepModule("b", "poke")])).toThrow(ConfigError);
  });

  it("a module's step is accepted by the loader only when its module is in the catalog", () => {
    const text = "workload:\n  - poke: 3\n";
    expect(() => loadScenario(text, "s.yaml")).toThrow(/unknown step "poke"/);
    const catalog = ModuleCatalog.default().add(stepModule("poker", "poke"));
    expect(loadScenario(text, "s.yaml", {}, { catalog }).workload).toEqual([{ kind: "poke", line: 2, n: 3 }]);
    expect(() => loadScenario("workload:\n  - poke: 12\n", "s.yaml", {}, { catalog })).toThrow(/s\.yaml:2: workload\[0\]\.poke: 12 is out of range/);
  });
});

describe("kernel threads, initcalls and validators are contributed", () => {
  it("SLAB's cache_reap runs only when SLAB is the slab policy", () => {
    const threads = (slab: string) => {
      const m = Machine.create(loadScenario(`kernel: { policies: { slab: ${slab} } }`, "s.yaml"));
      m.boot();
      return m.container.isRegistered(KernelThread, true) ? m.container.resolveAll<KernelThread>(KernelThread).map((t) => t.name) : [];
    };
    expect(threads("slab")).toEqual(["psi_avgs_work", "kswapd0", "kcompactd0", "kcompactd0 (HPAGE_FRAG_CHECK_INTERVAL_MSEC timeout)", "ksmd", "cache_reap"]);
    expect(threads("slub")).toEqual(["psi_avgs_work", "kswapd0", "kcompactd0", "kcompactd0 (HPAGE_FRAG_CHECK_INTERVAL_MSEC timeout)", "ksmd"]);
  });

  it("initcalls are registered at their 6.1 levels", () => {
    const m = Machine.create(loadScenario("{}", "s.yaml"));
    m.boot();
    const calls = m.container.resolveAll<Initcall>(Initcall).map((c) => `${c.level}:${c.name}`);
    expect(calls).toEqual(expect.arrayContaining(["core:cma_init_reserved_areas", "postcore:init_per_zone_wmark_min", "arch:asids_init", "subsys:hugepage_init"]));
    expect(m.log.dmesg()).toMatch(/ASID allocator initialised with 65536 entries/);
  });

  it("validate() runs every module's validator", () => {
    const m = Machine.create(loadScenario("{}", "s.yaml"));
    const sink = new CollectingSink();
    m.validate(sink);
    expect(sink.problems).toEqual([]);
  });
});

describe("a user's module from a file adds a file, a sysctl, a step and a kernel thread (examples/balloon)", () => {
  it("runs examples/scenarios/balloon.yaml: every expect holds", async () => {
    const { scenario, catalog } = await loadScenarioFileAsync(BALLOON_SCENARIO);
    const m = await Machine.createAsync(scenario, catalog);
    const shown: string[] = [];
    const r = m.runWorkload({ onShow: (path, text) => shown.push(`${path}\n${text}`) });
    expect(r.failedExpects).toEqual([]);
    expect(shown[0]).toBe("/sys/kernel/debug/balloon/stats\nheld 0\ninflated 0\ndeflated 0\nfailed 0\nruns 0\n");
    expect(m.readFile("/sys/kernel/debug/balloon/stats")).toMatch(/^held 13312\ninflated 16384\ndeflated 3072\nfailed 0\nruns 5\n$/);
    expect(m.listFiles()).toContain("/proc/sys/vm/balloon_deflate_pages");
    expect(m.listFiles()).toContain("/sys/kernel/debug/balloon/stats");
    const sink = new CollectingSink();
    m.validate(sink);
    expect(sink.problems).toEqual([]);
  });

  it("its figure joins mmsim compare's, ordered by rank after the slab layer's and the page allocator's", async () => {
    const { scenario, catalog } = await loadScenarioFileAsync(BALLOON_SCENARIO);
    const m = await Machine.createAsync(scenario, catalog);
    m.boot();
    const metrics = m.metrics();
    expect(metrics.map((x) => x.key)).toEqual([
      "slabPages", "slabKiB", "liveKiB", "overheadKiB", "fragmentationPct", "slabCounterKiB", "buddyPagesAllocated", "directReclaimNs", "throttledNs", "kswapdNs", "slabAllocs", "slabFrees", "nsPerSlabOp", "balloonPages",
    ]);
    for (const x of metrics) x.begin?.();
    m.runWorkload();
    const got = Object.fromEntries(metrics.map((x) => [x.key, x.sample()]));
    expect(got.balloonPages).toBe(13312);
    expect(got.buddyPagesAllocated).toBeGreaterThanOrEqual(16384);
  });

  it("counts balloon_inflate / balloon_deflate through the VM_STAT service, and /proc/vmstat shows them", async () => {
    const { scenario, catalog } = await loadScenarioFileAsync(BALLOON_SCENARIO);
    const vmstatOf = (m: Machine): Map<string, number> =>
      new Map(m.readFile("/proc/vmstat")!.trimEnd().split("\n").map((l) => [l.split(" ")[0]!, Number(l.split(" ")[1])]));
    const m = await Machine.createAsync(scenario, catalog);
    const early = resolveToken(m.container, VM_STAT); // resolvable before boot (sized from TOPOLOGY)
    m.boot();
    expect(m.buddy.state.vmstat).toBe(early);
    expect([vmstatOf(m).get("balloon_inflate"), vmstatOf(m).get("balloon_deflate")]).toEqual([0, 0]);
    m.runWorkload({ stopAfter: 2 }); // show, balloon_inflate: 16384 pages
    const vs = resolveToken(m.container, VM_STAT);
    expect(vs).toBe(m.buddy.state.vmstat); // one service: the allocator's zones count into it too
    expect(vs.sumVmEvent(BALLOON_INFLATE)).toBe(16384); // counted by the module, not by the page allocator
    expect(vmstatOf(m).get("balloon_inflate")).toBe(16384);
    expect(vmstatOf(m).get("nr_free_pages")).toBe(vs.globalZonePageState(NR_FREE_PAGES));
    const all = await Machine.createAsync(scenario, catalog);
    expect(all.runWorkload().failedExpects).toEqual([]); // the scenario's own expects on /proc/vmstat hold
    expect([vmstatOf(all).get("balloon_inflate"), vmstatOf(all).get("balloon_deflate")]).toEqual([16384, 3072]);
    expect(resolveToken(all.container, VM_STAT).sumVmEvent(BALLOON_DEFLATE)).toBe(3072);
    expect(resolveToken(all.container, VM_STAT)).not.toBe(vs);
  });

  it("its sysctl is checked by the loader like the kernel's own, and unknown without the module", async () => {
    await expect(loadScenarioFileAsync(BALLOON_SCENARIO, { set: ["kernel.sysctl.balloon_deflate_pages=-1"] })).rejects.toThrow(
      /<command line>: kernel\.sysctl\.balloon_deflate_pages: -1 is out of range: the kernel accepts 0\.\.2147483647 \(pages\)/,
    );
    expect(() => loadScenario("kernel: { sysctl: { balloon_deflate_pages: 4 } }", "s.yaml")).toThrow(/unknown field "balloon_deflate_pages"/);
  });

  it("a module file that does not exist is named with the field that asked for it", async () => {
    await expect(loadScenarioFileAsync(BALLOON_SCENARIO, { set: ["kernel.modules=[./no-such-module.mjs]"] })).rejects.toThrow(ScenarioError);
    await expect(loadScenarioFileAsync(BALLOON_SCENARIO, { set: ["kernel.modules=[./no-such-module.mjs]"] })).rejects.toThrow(/kernel\.modules: cannot import/);
  });

  it("needs no change to @mmsim/machine: the module reaches the kernel only through @mmsim/core and tsyringe", async () => {
    const { readFileSync } = await import("node:fs");
    const src = readFileSync(`${REPO}examples/balloon/balloon.mjs`, "utf8");
    const imports = [...src.matchAll(/from "([^"]+)"/g)].map((x) => x[1]);
    expect(new Set(imports)).toEqual(new Set(["@mmsim/core", "tsyringe"]));
  });
});

describe("files a step reads are checked before the workload runs", () => {
  it("a show of a file that will not exist fails at its line before any step ran, naming the nearest files", () => {
    const m = Machine.create(loadScenario("workload:\n  - alloc: { name: a, count: 10 }\n  - show: /proc/meminf\n", "s.yaml"));
    let ran = 0;
    expect(() => m.runWorkload({ onStep: () => ran++ })).toThrow(/s\.yaml:3: show: no file \/proc\/meminf; did you mean \/proc\/meminfo\b.*\(the machine has \d+ files;/);
    expect(ran).toBe(0);
  });

  it("a file in a directory whose files appear during the run is not refused early", () => {
    const m = Machine.create(loadScenario("workload:\n  - kmem_cache_create: { name: dentry }\n  - show: /sys/kernel/slab/dentry/order\n", "s.yaml"));
    const shown: string[] = [];
    m.runWorkload({ onShow: (_p, text) => shown.push(text) });
    expect(shown).toEqual(["0\n"]);
  });
});
