// mmsim: slub_debug from the kernel command line (setup_slub_debug, kmem_cache_flags of 6.1) against real captures of Debian's 6.1 with slub_debug=…
/*
 * The captures (tests/conformance/fixtures/cmdline/linux-6.1-arm64/virt-1g-2cpu-slub_debug-*,
 * made with tools/real-kernel/capture --append "slub_debug=…" --run slab-attrs.sh) hold the real
 * kernel's dmesg, /proc/slabinfo, every kmalloc cache's geometry and the sysfs attributes of
 * eighteen caches. Here the same command line goes through SLUB's __setup() handlers as the
 * machine runs them, the caches are created with the arguments 6.1 passes, and every captured
 * attribute must come out the same.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  COST_MODEL, CostModel, KERNEL_LOG, KernelLog, KernelParam, KmemCacheAllocator, MEM_MAP, PageAllocator, Prandom, RNG, SIM_CLOCK, SLAB_ACCOUNT,
  SLAB_HWCACHE_ALIGN, SLAB_MEM_SPREAD, SLAB_PANIC, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_STORE_USER, SLAB_TYPESAFE_BY_RCU, STACK_DEPOT, SimClock,
  SlabCommon, StackDepot, TOPOLOGY, SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE, parseBootParams,
} from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { slubModule } from "./module.ts";
import { SLUB_DEBUG_NONE, kmemCacheFlags, parseSlubDebug, setupSlubDebug } from "./slub-options.ts";
import { sysfsShow } from "./slub-sysfs.ts";
import type { SlubAllocator } from "./slub.ts";

const F = SLAB_CONSISTENCY_CHECKS;
const Z = SLAB_RED_ZONE;
const P = SLAB_POISON;
const U = SLAB_STORE_USER;
const CMDLINE_FIX = fileURLToPath(new URL("../../../tests/conformance/fixtures/cmdline/linux-6.1-arm64/", import.meta.url));

/** A capture: its command line and files. */
function capture(name: string): { cmdline: string; file(f: string): string } {
  const dir = `${CMDLINE_FIX}virt-1g-2cpu-slub_debug-${name}/`;
  const file = (f: string): string => readFileSync(dir + f, "utf8");
  return { cmdline: file("proc_cmdline").trim(), file };
}

/** The captured attributes per cache (`name -> k=v …`; merged caches show their target after ->). */
function attrs(text: string): Map<string, { merged: boolean; v: Record<string, string> }> {
  const out = new Map<string, { merged: boolean; v: Record<string, string> }>();
  for (const l of text.trim().split("\n")) {
    const m = /^(\S+) ->(\S*) (.*)$/.exec(l);
    if (!m) continue; // "kmalloc-8 ABSENT": arm64's smallest kmalloc cache is kmalloc-128
    out.set(m[1]!, { merged: m[2] !== "", v: Object.fromEntries(m[3]!.split(" ").map((kv) => kv.split("=") as [string, string])) });
  }
  return out;
}

const A = SLAB_PANIC | SLAB_ACCOUNT;
const R = SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD;
const ctor = (_obj: number): void => {};
/**
 * The captured caches that are not kmalloc caches, as 6.1 creates them: kmem_cache_create()'s
 * object size (sizeof, not the slabinfo size), align and flags, the constructor, the usercopy
 * region (never merged). kmem_cache and kmem_cache_node are create_boot_cache()'s (align 128:
 * ARCH_KMALLOC_MINALIGN; not through kmem_cache_create, never merged).
 */
const KERNEL_CACHES_61: readonly { name: string; size: number; align: number; flags: number; ctor?: boolean; usersize?: number; boot?: boolean }[] = [
  { name: "kmem_cache_node", size: 64, align: 128, flags: SLAB_HWCACHE_ALIGN, boot: true },
  { name: "kmem_cache", size: 224, align: 128, flags: SLAB_HWCACHE_ALIGN, boot: true },
  { name: "vmap_area", size: 64, align: 8, flags: SLAB_PANIC },
  { name: "radix_tree_node", size: 576, align: 0, flags: SLAB_PANIC | SLAB_RECLAIM_ACCOUNT, ctor: true },
  { name: "task_struct", size: 4160, align: 64, flags: A, usersize: 224 },
  { name: "mm_struct", size: 960, align: 0, flags: SLAB_HWCACHE_ALIGN | A, usersize: 400 },
  { name: "vm_area_struct", size: 152, align: 8, flags: A },
  { name: "anon_vma", size: 96, align: 0, flags: SLAB_TYPESAFE_BY_RCU | A, ctor: true },
  { name: "names_cache", size: 4096, align: 0, flags: SLAB_HWCACHE_ALIGN | SLAB_PANIC, usersize: 4096 },
  { name: "dentry", size: 192, align: 8, flags: R | SLAB_ACCOUNT, usersize: 32 },
  { name: "inode_cache", size: 632, align: 0, flags: R | SLAB_ACCOUNT, ctor: true },
];

/** A machine's SLUB as the machine builds it: the module, its __setup() handlers run on the command line, then the caches. */
function bootSlub(cmdline: string) {
  const fake = new FakePageAllocator();
  const c = container.createChildContainer();
  const log = new KernelLog();
  const depot = new StackDepot();
  c.register(PageAllocator, { useValue: fake });
  c.register(MEM_MAP, { useValue: fake.mem });
  c.register(TOPOLOGY, { useValue: { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] } });
  c.register(SIM_CLOCK, { useValue: new SimClock() });
  c.register(COST_MODEL, { useValue: new CostModel() });
  c.register(KERNEL_LOG, { useValue: log });
  c.register(RNG, { useValue: new Prandom(1) });
  c.register(STACK_DEPOT, { useValue: depot });
  slubModule.register(c);
  const left = parseBootParams(cmdline, c.resolveAll<KernelParam>(KernelParam));
  const a = c.resolve<KmemCacheAllocator>(KmemCacheAllocator) as SlubAllocator;
  const sc = new SlabCommon(a, fake, log);
  sc.createKmallocCaches();
  a.kmemCacheInit();
  for (const k of KERNEL_CACHES_61) {
    if (k.boot) {
      const id = a.kmemCacheCreate(k.name, k.size, k.align, k.flags);
      expect(id, k.name).toBeGreaterThanOrEqual(0);
    } else {
      expect(sc.kmemCacheCreate(k.name, k.size, k.align, k.flags, k.ctor ? ctor : undefined, k.usersize ?? 0), k.name).toBeDefined();
    }
  }
  return { a, sc, log, depot, left };
}

const SYSFS = ["object_size", "slab_size", "objs_per_slab", "order", "align", "sanity_checks", "red_zone", "poison", "store_user", "trace", "min_partial", "cpu_partial", "aliases", "reclaim_account", "hwcache_align"];

describe.each(["FZPU", "bare", "blocks", "list", "FZPUO"])("slub_debug from the command line, against the real kernel (capture %s)", (name) => {
  const cap = capture(name);
  const real = attrs(cap.file("workload"));
  const dmesg = cap.file("dmesg");

  it("gives each captured cache the real sysfs attributes (geometry, debug flags, partial limits)", () => {
    const { a, sc } = bootSlub(cap.cmdline);
    expect(real.size).toBe(18);
    for (const [cache, r] of real) {
      const s = sc.findCache(cache) ?? { id: [...Array(a.caches.cap).keys()].find((i) => a.caches.name[i] === cache)!, aliases: [], usersize: 0 };
      expect(s.id, cache).toBeGreaterThanOrEqual(0);
      const keys = r.merged ? SYSFS.filter((k) => k !== "aliases") : SYSFS; // merged in the real kernel with caches mmsim never creates
      const got = Object.fromEntries(keys.map((k) => [k, sysfsShow(a, s.id, k, s.aliases.length, s.usersize)?.trim()]));
      const want = Object.fromEntries(keys.map((k) => [k, r.v[k]]));
      expect({ cache, ...got }).toEqual({ cache, ...want });
    }
    expectValid(a);
  });

  it("gives every kmalloc cache the real order, objs_per_slab, object_size and slab_size, and /proc/slabinfo the real geometry columns", () => {
    const { sc } = bootSlub(cap.cmdline);
    const sys = cap.file("sys_kernel_slab_kmalloc-all").trim().split("\n");
    expect(sys.length).toBe(21);
    const mine = new Map(sc.slabinfo().trim().split("\n").slice(2).map((l) => l.split(/\s+/)).map((f) => [f[0]!, f]));
    const theirs = new Map(cap.file("proc_slabinfo").trim().split("\n").slice(2).map((l) => l.split(/\s+/)).map((f) => [f[0]!, f]));
    for (const l of sys) {
      const [cache, ...kv] = l.split(" ");
      const v = Object.fromEntries(kv.map((x) => x.split("=")));
      const g = sc.allocator.geometry(sc.findCache(cache!)!.id);
      expect({ cache, order: g.order, objs: g.objsPerSlab, object: g.objectSize, slab: g.size }).toEqual({
        cache, order: Number(v.order), objs: Number(v.objs_per_slab), object: Number(v.object_size), slab: Number(v.slab_size),
      });
    }
    for (const cache of [...sys.map((l) => l.split(" ")[0]!), ...KERNEL_CACHES_61.filter((k) => !k.boot && !real.get(k.name)!.merged).map((k) => k.name)]) {
      // objsize (s->size), objperslab, pagesperslab
      expect({ cache, cols: mine.get(cache)?.slice(3, 6) }).toEqual({ cache, cols: theirs.get(cache)?.slice(3, 6) });
    }
  });

  it("prints what the real kernel prints for it, and asks for the stack depot when it does", () => {
    const { log, depot, left } = bootSlub(cap.cmdline);
    const lines = log.all().map((r) => r.text);
    const poisonNotice = "mem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free";
    expect(lines.includes(poisonNotice)).toBe(dmesg.includes(poisonNotice));
    expect(lines.includes("** This system shows unhashed kernel memory addresses   **")).toBe(dmesg.includes("This system shows unhashed"));
    expect(depot.earlyInitNeeded()).toBe(dmesg.includes("stackdepot hash table entries"));
    expect(lines.filter((l) => l.startsWith("SLUB: "))).toEqual(dmesg.split("\n").filter((l) => l.includes("] SLUB: ")).map((l) => l.replace(/^\[[ 0-9.]+\] /, "")));
    expect(left).toEqual(["console=ttyAMA0", "nokaslr"]); // not SLUB's: console= is printk's, nokaslr arm64's idreg override
  });
});

describe("setup_slub_debug as 6.1 runs it for each slub_debug word", () => {
  it("a later word without a slab list replaces the global flags and keeps the earlier list", () => {
    const first = setupSlubDebug(SLUB_DEBUG_NONE, "=FZ,dentry");
    expect(first).toMatchObject({ flags: 0, string: "FZ,dentry", enabled: true });
    const second = setupSlubDebug(first, "=P");
    expect(second).toMatchObject({ flags: P, string: "FZ,dentry" });
    expect(kmemCacheFlags(second, 0, "dentry")).toBe(F | Z);
    expect(kmemCacheFlags(second, 0, "inode_cache")).toBe(P);
  });

  it("a later word with only slab lists keeps the global flags of the earlier one (6.1's backwards compatibility)", () => {
    const s = setupSlubDebug(setupSlubDebug(SLUB_DEBUG_NONE, "=U"), "=F,kmalloc-*");
    expect(s).toMatchObject({ flags: U, string: "F,kmalloc-*" });
    expect(kmemCacheFlags(s, 0, "kmalloc-1k")).toBe(F);
    expect(kmemCacheFlags(s, 0, "dentry")).toBe(U);
    // a bare word or slub_debugX (the __setup name is a prefix) is full debugging
    expect(setupSlubDebug(s, "").flags).toBe(F | Z | P | U);
    expect(setupSlubDebug(s, "X").flags).toBe(F | Z | P | U);
    expect(setupSlubDebug(s, "=").flags).toBe(F | Z | P | U);
  });

  it("reports unknown letters while parsing, and the poison notice only with init_on_alloc", () => {
    const log = new KernelLog();
    const s = setupSlubDebug(SLUB_DEBUG_NONE, "=FqP;Zw,dentry", { log, initOnAllocOrFree: true });
    expect(log.all().map((r) => r.text)).toEqual([
      "slub_debug option 'q' unknown. skipped",
      "slub_debug option 'w' unknown. skipped",
      "mem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free",
    ]);
    expect(s.unknown).toEqual([]);
    const quiet = new KernelLog();
    setupSlubDebug(SLUB_DEBUG_NONE, "=P", { log: quiet, initOnAllocOrFree: false });
    expect(quiet.length).toBe(0);
  });

  it("asks for the stack depot for U, global or in a list", () => {
    const asked: string[] = [];
    for (const v of ["=U", "=F,x;U,y", "=F", "=FP,dentry", ""]) setupSlubDebug(SLUB_DEBUG_NONE, v, { wantStackDepot: () => asked.push(v) });
    expect(asked).toEqual(["=U", "=F,x;U,y", ""]);
  });

  it("matches slab names as kmem_cache_flags does: whole names, a * ending a prefix, the first block that names the cache", () => {
    const s = parseSlubDebug("Z,kmalloc-1*,dentry;P,kmalloc-*;U,kmalloc-128");
    expect(kmemCacheFlags(s, 0, "kmalloc-1k")).toBe(Z);
    expect(kmemCacheFlags(s, 0, "kmalloc-128")).toBe(Z);
    expect(kmemCacheFlags(s, 0, "kmalloc-256")).toBe(P);
    expect(kmemCacheFlags(s, 0, "dentryx")).toBe(0);
    expect(kmemCacheFlags(s, 0, "dentr")).toBe(0);
    expect(kmemCacheFlags(parseSlubDebug("F,*"), 0, "anything")).toBe(F);
    // 6.1 quirk: a list ended by ";;" does not match its last name (the end lands on the second ';')
    expect(kmemCacheFlags(parseSlubDebug("F,a,b;;P,c"), 0, "b")).toBe(0);
    expect(kmemCacheFlags(parseSlubDebug("F,a,b;P,c"), 0, "b")).toBe(F);
    expect(parseSlubDebug("F,a,b;;P,c").blocks).toEqual([{ flags: F, slabs: ["a", "b"] }, { flags: P, slabs: ["c"] }]);
  });
});

describe("slub_min_order=, slub_max_order=, slub_min_objects= from the command line", () => {
  it("set calculate_order's parameters as get_option reads them (capped max order, no digits: unchanged)", () => {
    const { a } = bootSlub("slub_min_order=1 slub_max_order=12 slub_min_objects=0x10 slub_min_order=x");
    expect(a.orderParams).toMatchObject({ minOrder: 1, maxOrder: 10, minObjects: 16 });
    expect(a.opts.slubMaxOrder).toBe(10);
  });
});
