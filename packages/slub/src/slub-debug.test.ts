// mmsim: tests of slub_debug — option parsing, the object layout in memory, and the reports of mm/slub.c 6.1 line by line
import { GFP_KERNEL, NIL_OBJECT, Prandom, SLAB_CONSISTENCY_CHECKS, SLAB_HWCACHE_ALIGN, SLAB_KMALLOC, SLAB_NO_USER_FLAGS, SLAB_NOLEAKTRACE, SLAB_POISON, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE } from "@mmsim/core";
import { CollectingSink, expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { POISON_END, POISON_FREE, POISON_INUSE, SLUB_RED_ACTIVE, SLUB_RED_INACTIVE } from "./slub-debug.ts";
import { DEBUG_DEFAULT_FLAGS, kmemCacheFlags, parseSlubDebug } from "./slub-options.ts";
import { sysfsShow } from "./slub-sysfs.ts";
import { logLines, makeSlub } from "./slub.test-helpers.ts";

const F = SLAB_CONSISTENCY_CHECKS;
const Z = SLAB_RED_ZONE;
const P = SLAB_POISON;
const U = SLAB_STORE_USER;
const T = SLAB_TRACE;

describe("slub_debug= (setup_slub_debug, parse_slub_debug_flags, kmem_cache_flags)", () => {
  it("absent: nothing; bare or empty: F, Z, P, U everywhere", () => {
    expect(parseSlubDebug(undefined)).toMatchObject({ flags: 0, enabled: false });
    expect(parseSlubDebug("")).toMatchObject({ flags: F | Z | P | U, enabled: true });
    expect(DEBUG_DEFAULT_FLAGS).toBe(F | Z | P | U);
  });

  it("global letters, '-' and unknown letters", () => {
    expect(parseSlubDebug("FZ").flags).toBe(F | Z);
    expect(parseSlubDebug("pU").flags).toBe(P | U);
    expect(parseSlubDebug("FZ-T").flags).toBe(T);
    expect(parseSlubDebug("-")).toMatchObject({ flags: 0, enabled: false });
    expect(parseSlubDebug("Fx").unknown).toEqual(["x"]);
    expect(parseSlubDebug("O")).toMatchObject({ flags: 0, disableHigherOrderDebug: true });
  });

  it("slab lists: only the named caches (a trailing * is a prefix glob); ';' separates blocks", () => {
    const one = parseSlubDebug("FZ,kmalloc-128,dentry");
    expect(one.flags).toBe(0);
    expect(kmemCacheFlags(one, 0, "kmalloc-128")).toBe(F | Z);
    expect(kmemCacheFlags(one, 0, "dentry")).toBe(F | Z);
    expect(kmemCacheFlags(one, 0, "kmalloc-1k")).toBe(0);
    expect(kmemCacheFlags(one, 0, "kmalloc-12")).toBe(0);
    const blocks = parseSlubDebug("P;U,kmalloc-*");
    expect(blocks.flags).toBe(P);
    expect(kmemCacheFlags(blocks, 0, "kmalloc-rcl-8k")).toBe(U);
    expect(kmemCacheFlags(blocks, 0, "inode_cache")).toBe(P);
    expect(kmemCacheFlags(parseSlubDebug(",foo"), 0, "foo")).toBe(DEBUG_DEFAULT_FLAGS);
  });

  it("SLAB_NO_USER_FLAGS caches keep their own flags; SLAB_NOLEAKTRACE caches get no U by default", () => {
    const all = parseSlubDebug("");
    expect(kmemCacheFlags(all, SLAB_KMALLOC | SLAB_NO_USER_FLAGS, "kmalloc-128")).toBe(SLAB_KMALLOC | SLAB_NO_USER_FLAGS);
    expect(kmemCacheFlags(all, SLAB_NOLEAKTRACE, "kmemleak_object")).toBe(SLAB_NOLEAKTRACE | F | Z | P);
  });

  it("kmem_cache_init() prints no_hash_pointers' notice and the SLUB line", () => {
    const { allocator: a, log } = makeSlub({ slubDebug: "Fq" });
    a.kmemCacheInit();
    const lines = logLines(log);
    expect(lines[0]).toBe("slub_debug option 'q' unknown. skipped");
    expect(lines[4]).toBe("** This system shows unhashed kernel memory addresses   **");
    expect(lines.at(-1)).toBe("SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1");
    const { allocator: b, log: l2 } = makeSlub();
    b.kmemCacheInit();
    expect(logLines(l2)).toEqual(["SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1"]);
  });

  it("'O' drops red zones, poison and tracking from caches whose order they would raise", () => {
    const { allocator: a } = makeSlub({ slubDebug: "FZPUO" });
    const big = a.kmemCacheCreate("big", 4096, 8, 0);
    const small = a.kmemCacheCreate("small", 128, 8, 0);
    expect(["sanity_checks", "red_zone", "poison", "store_user"].map((k) => sysfsShow(a, big, k))).toEqual(["1\n", "0\n", "0\n", "0\n"]);
    expect(sysfsShow(a, big, "slab_size")).toBe("4096\n");
    expect(["sanity_checks", "red_zone", "poison", "store_user"].map((k) => sysfsShow(a, small, k))).toEqual(["1\n", "1\n", "1\n", "1\n"]);
  });
});

/** A kmalloc-128 cache as the reference kernel creates it, with slub_debug (default F, Z, P, U) and objects in address order. */
function kmalloc128(opts = {}) {
  const rig = makeSlub({ slubDebug: "", freelistRandom: false, ...opts });
  const c = rig.allocator.kmemCacheCreate("kmalloc-128", 128, 128, SLAB_KMALLOC);
  return { ...rig, c };
}

describe("objects in memory under slub_debug", () => {
  it("a free object: left red zone 0xbb, 0x6b…0xa5, right red zone 0xbb, free pointer, zeroed tracks, 0x5a padding", () => {
    const { allocator: a, c } = kmalloc128();
    expect(sysfsShow(a, c, "slab_size")).toBe("384\n");
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    expectValid(a);
    expect([...a.debugRead(x, -128, 128)!].every((b) => b === SLUB_RED_INACTIVE)).toBe(true);
    const obj = a.debugRead(x, 0, 128)!;
    expect([...obj.slice(0, 127)].every((b) => b === POISON_FREE)).toBe(true);
    expect(obj[127]).toBe(POISON_END);
    expect([...a.debugRead(x, 128, 8)!].every((b) => b === SLUB_RED_INACTIVE)).toBe(true);
    expect([...a.debugRead(x, 212, 44)!].every((b) => b === POISON_INUSE)).toBe(true);
  });

  it("an allocated object: red zones 0xcc; poisoned content stays (init_on_alloc yields to SLAB_POISON) unless __GFP_ZERO", () => {
    const { allocator: a, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect([...a.debugRead(x, -128, 128)!].every((b) => b === SLUB_RED_ACTIVE)).toBe(true);
    expect(a.debugRead(x, 0, 1)![0]).toBe(POISON_FREE);
    const { allocator: b, c: d } = kmalloc128({ slubDebug: "FZ" });
    const y = b.kmemCacheAlloc(d, GFP_KERNEL, 0);
    expect([...b.debugRead(y, 0, 128)!].every((v) => v === 0)).toBe(true); // init_on_alloc
    expectValid(a);
    expectValid(b);
  });

  it("the free pointer is stored obfuscated (CONFIG_SLAB_FREELIST_HARDENED) and decodes back", () => {
    const { allocator: a, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, y, 0);
    a.kmemCacheFree(c, x, 0); // x → y
    const raw = a.debugRead(x, 136, 8)!;
    const le = raw.reduce((v, b, i) => v | (BigInt(b) << BigInt(8 * i)), 0n);
    expect(le).not.toBe(0xffff000000000000n + BigInt(y - 0x40000000));
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(x);
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(y);
    const { allocator: b, c: d } = kmalloc128({ freelistHardened: false });
    const p = b.kmemCacheAlloc(d, GFP_KERNEL, 0);
    const q = b.kmemCacheAlloc(d, GFP_KERNEL, 0);
    b.kmemCacheFree(d, q, 0);
    b.kmemCacheFree(d, p, 0);
    const plain = b.debugRead(p, 136, 8)!.reduce((v, byte, i) => v | (BigInt(byte) << BigInt(8 * i)), 0n);
    expect(plain).toBe(0xffff000000000000n + BigInt(q - 0x40000000));
  });
});

describe("debug caches under load", () => {
  it("random alloc/free on 2 CPUs with F, Z, P, U keeps every invariant (bytes included) after every step, and reports nothing", () => {
    const { allocator: a, log } = makeSlub({ slubDebug: "" });
    const caches = [a.kmemCacheCreate("kmalloc-128", 128, 128, SLAB_KMALLOC), a.kmemCacheCreate("obj-40", 40, 8, 0), a.kmemCacheCreate("ctor-96", 96, 8, 0, () => {})];
    const live: [number, number][] = [];
    const rnd = new Prandom(3);
    for (let step = 0; step < 1500; step++) {
      const cpu = rnd.below(2);
      if (live.length === 0 || rnd.below(100) < 55) {
        const c = caches[rnd.below(3)]!;
        live.push([c, a.kmemCacheAlloc(c, GFP_KERNEL, cpu)]);
      } else {
        const [c, o] = live.splice(rnd.below(live.length), 1)[0]!;
        a.kmemCacheFree(c, o, cpu);
      }
      expectValid(a, `step ${step}`);
    }
    expect(log.length).toBe(0);
    for (const c of caches) expect(a.validateSlabCache(c)).toBeGreaterThan(0);
    expect(log.length).toBe(0);
  });
});

describe("reports (slab_bug, print_trailer, slab_fix)", () => {
  it("double free: `Object already free`, line for line", () => {
    const { allocator: a, log, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    const from = log.length;
    a.kmemCacheFree(c, x, 0);
    const redzone = (addr: number, b: string, n = 16) => `Redzone  ffff0000000000${addr.toString(16).padStart(2, "0")}: ${Array(n).fill(b).join(" ").padEnd(49)}${".".repeat(n)}`;
    const object = (addr: number, last = false) => `Object   ffff0000000000${addr.toString(16)}: ${Array(16).fill("6b").join(" ").slice(0, last ? 45 : 47)}${last ? "a5" : ""}  kkkkkkkkkkkkkkk${last ? "." : "k"}`;
    expect(logLines(log, from)).toEqual([
      "=============================================================================",
      "BUG kmalloc-128 (Not tainted): Object already free",
      "-----------------------------------------------------------------------------",
      "",
      "Allocated in kmem_cache_alloc age=0 cpu=0 pid=0",
      "object allocation/free stack trace missing",
      "Freed in kmem_cache_free age=0 cpu=0 pid=0",
      "object allocation/free stack trace missing",
      "Slab 0xfffffc0000000000 objects=21 used=1 fp=0xffff000000000080 flags=0x3fffc0000010200(slab|head|node=0|zone=0|lastcpupid=0xffff)",
      "Object 0xffff000000000080 @offset=128 fp=0xffff000000000380",
      "",
      ...[0, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70].map((o) => redzone(o, "bb")),
      ...[0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0].map((o) => object(o)),
      object(0xf0, true),
      "Redzone  ffff000000000100: bb bb bb bb bb bb bb bb                          ........",
      "Padding  ffff000000000154: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ",
      "Padding  ffff000000000164: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ",
      "Padding  ffff000000000174: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a              ZZZZZZZZZZZZ",
      "CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-56-arm64 #1  Debian 6.1.192-2",
      "Hardware name: linux,dummy-virt (DT)",
      "Call trace:",
      " dump_backtrace",
      " show_stack",
      " dump_stack_lvl",
      " dump_stack",
      " print_trailer",
      " object_err",
      " free_consistency_checks",
      " free_debug_processing",
      " __slab_free",
      " kmem_cache_free",
      "Disabling lock debugging due to kernel taint",
      "FIX kmalloc-128: Object at 0xffff000000000080 not freed",
    ]);
    expectValid(a);
    // Nothing changed: x is still free once, and comes back first.
    expect(a.kmemCacheAlloc(c, GFP_KERNEL, 0)).toBe(x);
    expectValid(a);
  });

  it("writing past the object: `Right Redzone overwritten`, restored, the object is not freed; later reports are tainted B", () => {
    const { allocator: a, log, c } = kmalloc128();
    a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.debugWrite(y, 0, 128, 0x11); // the object's own bytes: fine
    expectValid(a);
    a.debugWrite(y, 128, 1, 0x41);
    const sink = new CollectingSink();
    a.validate(sink); // validate() sees the overrun before the kernel does
    expect(sink.problems.map((p) => p.problem)).toEqual(["object 1 (allocated): right red zone byte 128 is 0x41, not 0xcc"]);
    const from = log.length;
    a.kmemCacheFree(c, y, 1);
    const lines = logLines(log, from);
    expect(lines.slice(0, 5)).toEqual([
      "=============================================================================",
      "BUG kmalloc-128 (Not tainted): Right Redzone overwritten",
      "-----------------------------------------------------------------------------",
      "",
      "0xffff000000000280-0xffff000000000280 @offset=640. First byte 0x41 instead of 0xcc",
    ]);
    expect(lines).toContain("Redzone  ffff000000000280: 41 cc cc cc cc cc cc cc                          A.......");
    expect(lines).toContain("CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0-56-arm64 #1  Debian 6.1.192-2");
    expect(lines.slice(-3)).toEqual([
      "Disabling lock debugging due to kernel taint",
      "FIX kmalloc-128: Restoring Right Redzone 0xffff000000000280-0xffff000000000280=0xcc",
      "FIX kmalloc-128: Object at 0xffff000000000200 not freed",
    ]);
    expect(a.debugRead(y, 128, 1)![0]).toBe(SLUB_RED_ACTIVE);
    expectValid(a);
    // The restore made the object freeable; a second bad write reports as tainted.
    a.kmemCacheFree(c, y, 1);
    expectValid(a);
    const z = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.debugWrite(z, -3, 2, 0);
    const f2 = log.length;
    a.kmemCacheFree(c, z, 0);
    expect(logLines(log, f2).slice(1, 5)).toEqual([
      "BUG kmalloc-128 (Tainted: G    B             ): Left Redzone overwritten",
      "-----------------------------------------------------------------------------",
      "",
      `0x${(0xffff000000000000n + BigInt(z - 3 - 0x40000000)).toString(16)}-0x${(0xffff000000000000n + BigInt(z - 2 - 0x40000000)).toString(16)} @offset=${z - 3 - 0x40000000}. First byte 0x0 instead of 0xcc`,
    ]);
    expectValid(a);
  });

  it("use after free: `Poison overwritten` when the object is allocated again; the slab is marked full, another slab serves", () => {
    const { allocator: a, log, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    a.debugWrite(x, 16, 4, 0x00);
    const from = log.length;
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    expect(y).not.toBe(NIL_OBJECT);
    expect(y).not.toBe(x);
    const lines = logLines(log, from);
    expect(lines[1]).toBe("BUG kmalloc-128 (Not tainted): Poison overwritten");
    expect(lines[4]).toBe("0xffff000000000090-0xffff000000000093 @offset=144. First byte 0x0 instead of 0x6b");
    expect(lines).toContain("Object   ffff000000000090: 00 00 00 00 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  ....kkkkkkkkkkkk");
    expect(lines).toContain(" alloc_debug_processing");
    expect(lines.slice(-2)).toEqual([
      "FIX kmalloc-128: Restoring Poison 0xffff000000000090-0xffff000000000093=0x6b",
      "FIX kmalloc-128: Marking all objects used",
    ]);
    expect(a.stats(c).numSlabs).toBe(2);
  });

  it("a corrupted free pointer: `Freepointer corrupt`", () => {
    const { allocator: a, log, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    a.debugWrite(x, 136, 8, 0x41); // the free pointer lives after the right red zone (P)
    const from = log.length;
    a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const lines = logLines(log, from);
    expect(lines[1]).toBe("BUG kmalloc-128 (Not tainted): Freepointer corrupt");
    expect(lines.at(-1)).toBe("FIX kmalloc-128: Marking all objects used");
  });

  it("a pointer into the middle of an object: `Invalid object pointer`", () => {
    const { allocator: a, log, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const from = log.length;
    a.kmemCacheFree(c, x + 8, 0);
    const lines = logLines(log, from);
    expect(lines[1]).toBe("BUG kmalloc-128 (Not tainted): Invalid object pointer 0xffff000000000088");
    expect(lines[4]).toMatch(/^Slab 0xfffffc0000000000 objects=21 used=1 fp=0xffff000000000200 flags=/);
    expect(lines.at(-1)).toBe("FIX kmalloc-128: Object at 0xffff000000000088 not freed");
    expectValid(a);
  });

  it("freeing into the wrong cache: WARN, the owner's tracking, then the owner's checks pass", () => {
    const { allocator: a, log, c } = kmalloc128();
    const d = a.kmemCacheCreate("kmalloc-256", 256, 256, SLAB_KMALLOC);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const from = log.length;
    a.kmemCacheFree(d, x, 0);
    const lines = logLines(log, from);
    expect(lines[1]).toBe("cache_from_obj: Wrong slab cache. kmalloc-256 but object is from kmalloc-128");
    expect(lines.slice(-2)).toEqual(["Allocated in kmem_cache_alloc age=0 cpu=0 pid=0", "object allocation/free stack trace missing"]);
    expect(a.stats(c).activeObjs).toBe(0);
    expectValid(a);
  });

  it("owner tracking (U): caller, age in jiffies (HZ=250), CPU and PID", () => {
    const { allocator: a, log, clock, c } = kmalloc128();
    a.kmemCacheAlloc(c, GFP_KERNEL, 0); // keeps the slab's inuse above 0
    a.setContext({ pid: 42, comm: "insmod", caller: "my_driver_probe" });
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 1);
    clock.advance(12_000_000);
    a.setContext({ pid: 7, caller: "my_driver_remove" });
    a.kmemCacheFree(c, x, 0);
    clock.advance(40_000_000);
    a.setContext({});
    const from = log.length;
    a.kmemCacheFree(c, x, 0);
    const lines = logLines(log, from);
    expect(lines.slice(4, 8)).toEqual([
      "Allocated in my_driver_probe age=13 cpu=1 pid=42",
      "object allocation/free stack trace missing",
      "Freed in my_driver_remove age=10 cpu=0 pid=7",
      "object allocation/free stack trace missing",
    ]);
  });

  it("SLAB_TRACE (T): a TRACE line and a stack for every alloc and free", () => {
    const { allocator: a, log } = makeSlub({ slubDebug: "T", freelistRandom: false });
    const c = a.kmemCacheCreate("traced", 32, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    const lines = logLines(log);
    expect(lines[0]).toBe("TRACE traced alloc 0xffff000000000000 inuse=1 fp=0xffff000000000020");
    expect(lines).toContain("TRACE traced free 0xffff000000000000 inuse=1 fp=0xffff000000000020");
    expect(lines).toContain("Object ffff000000000000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................");
    expectValid(a);
  });

  it("Z alone checks nothing on free (no F; the free even repaints the red zone); writing 1 to `validate` finds an overrun", () => {
    const { allocator: a, log } = makeSlub({ slubDebug: "Z", freelistRandom: false });
    const c = a.kmemCacheCreate("zz", 64, 8, 0);
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.debugWrite(x, 64, 1, 0x41);
    a.kmemCacheFree(c, x, 0);
    expect(log.length).toBe(0);
    expect(a.debugRead(x, 64, 1)![0]).toBe(SLUB_RED_INACTIVE);
    const y = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.debugWrite(y, 64, 1, 0x41);
    expect(a.validateSlabCache(c)).toBe(1);
    expect(logLines(log)[1]).toBe("BUG zz (Not tainted): Right Redzone overwritten");
    expect(logLines(log).at(-1)).toBe(`FIX zz: Restoring Right Redzone 0xffff0000000000${(y + 64 - 0x40000000).toString(16)}-0xffff0000000000${(y + 64 - 0x40000000).toString(16)}=0xcc`);
    expectValid(a);
    const { allocator: b } = makeSlub();
    const d = b.kmemCacheCreate("plain", 64, 8, 0);
    expect(b.validateSlabCache(d)).toBeLessThan(0);
  });

  it("a free into a slab with no allocated object: `Slab has 0 allocated objects but 1 are to be freed`", () => {
    const { allocator: a, log, c } = kmalloc128();
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    const from = log.length;
    a.kmemCacheFree(c, x, 0);
    const lines = logLines(log, from);
    expect(lines.slice(1, 4)).toEqual(["BUG kmalloc-128 (Not tainted): Slab has 0 allocated objects but 1 are to be freed", "", "-----------------------------------------------------------------------------"]);
    expect(lines.at(-1)).toBe("FIX kmalloc-128: Object at 0xffff000000000080 not freed");
    expectValid(a);
  });

  it("slab padding (P): `Padding overwritten` from check_slab", () => {
    const { allocator: a, log, c } = kmalloc128();
    a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    const slabEnd = 0x40000000 + 8192; // order-1 slab: 21 × 384 = 8064, 128 bytes of padding
    a.debugWrite(slabEnd - 100, 0, 2, 0x00);
    const from = log.length;
    a.validateSlabCache(c);
    const lines = logLines(log, from);
    expect(lines[1]).toBe("BUG kmalloc-128 (Not tainted): Padding overwritten. 0xffff000000001f9c-0xffff000000001f9d @offset=8092");
    expect(lines).toContain("Padding ffff000000001f90: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 00 00 5a 5a  ZZZZZZZZZZZZ..ZZ");
    expect(lines.at(-1)).toBe("FIX kmalloc-128: Restoring slab padding 0xffff000000001f9c-0xffff000000001f9d=0x5a");
  });

  it("with P but no F, a double free of the slab's first free object trips set_freepointer's BUG_ON", () => {
    const { allocator: a, log, c } = kmalloc128({ slubDebug: "P" });
    const x = a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheAlloc(c, GFP_KERNEL, 0);
    a.kmemCacheFree(c, x, 0);
    a.kmemCacheFree(c, x, 0);
    expect(logLines(log)).toContain("kernel BUG at mm/slub.c:419!");
    expectValid(a);
  });

  it("only the caches slub_debug names are debug caches", () => {
    const { allocator: a } = makeSlub({ slubDebug: "FZ,kmalloc-128" });
    const c = a.kmemCacheCreate("kmalloc-128", 128, 128, SLAB_KMALLOC);
    const d = a.kmemCacheCreate("kmalloc-256", 256, 256, SLAB_KMALLOC);
    const e = a.kmemCacheCreate("other", 64, 64, SLAB_HWCACHE_ALIGN);
    expect([c, d, e].map((k) => [sysfsShow(a, k, "sanity_checks"), sysfsShow(a, k, "red_zone"), sysfsShow(a, k, "slab_size")])).toEqual([
      ["1\n", "1\n", "384\n"], ["0\n", "0\n", "256\n"], ["0\n", "0\n", "64\n"],
    ]);
    expect(sysfsShow(a, c, "cpu_partial")).toBe("0\n");
  });
});
