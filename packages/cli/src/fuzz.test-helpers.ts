// mmsim: the scenario fuzzer — generated and mutated scenarios and option sets for `mmsim run`, and their outcomes (no kernel counterpart)
/*
 * Issue 23: mmsim must never crash and never hang, whatever a hostile user types. The fuzzer
 * makes `mmsim run` command lines from fast-check arbitraries, so a seed reproduces a run and a
 * failure shrinks to a small case:
 *  - generated scenarios: every section, with values from the ordinary to the absurd (sizes of
 *    4K and 2^60, 300 CPUs, cost constants of 1e30, random gfp masks, nested repeats, unknown
 *    fields, prototype keys) and `--set`/`--mem` options;
 *  - mutated scenarios: the example files with lines dropped, doubled or cut, numbers replaced
 *    by extreme ones, YAML aliases, tags and merge keys inserted.
 * Each run is classified by what the command did: ok (0), expect (1, an expect failed), input
 * (2, bad input), panic (3, the simulated kernel panicked), internal (70, or any stack on stderr)
 * and timeout. Only internal and timeout are failures.
 *
 * `pnpm test` runs a fixed-seed budget in-process (fuzz.test.ts); `pnpm fuzz` runs a longer one
 * in child processes with a real timeout (tools/fuzz.mjs), and writes each failure to a file.
 */
import * as fc from "fast-check";

/** What one run of `mmsim run` did. */
export type FuzzOutcome = "ok" | "expect" | "input" | "panic" | "internal" | "timeout";

export const FUZZ_OUTCOMES: readonly FuzzOutcome[] = ["ok", "expect", "input", "panic", "internal", "timeout"];

/** One fuzzed command line: the scenario file's text and the options after it. */
export interface FuzzCase {
  readonly text: string;
  readonly args: readonly string[];
}

/**
 * The outcome of a run from its exit status and stderr. A stack on stderr (a line starting with
 * "    at ") is internal whatever the status.
 */
export function classifyOutcome(code: number | null, stderr: string, timedOut: boolean): FuzzOutcome {
  if (timedOut) return "timeout";
  if (/^ {4}at /m.test(stderr)) return "internal";
  switch (code) {
    case 0:
      return "ok";
    case 1:
      return "expect";
    case 2:
      return "input";
    case 3:
      return "panic";
    default:
      return "internal";
  }
}

/** How large the generated boards may be (the in-test budget keeps them small). */
export interface FuzzLimits {
  /** Largest machine.memory generated for valid-looking boards, in MiB (default 2048). */
  readonly maxMemoryMiB?: number;
}

const EXTREME_NUMBERS = [0, 1, -1, 3, 7, 63, 4095, 4097, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 1e15, 1e30, -1e30, 0.5, 1e-9];
const extremeNumber = fc.oneof(fc.constantFrom(...EXTREME_NUMBERS), fc.integer(), fc.double({ noNaN: true }));
const sizeText = (maxMiB: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: Math.max(1, maxMiB / 4) }).map((k) => `${k * 4}K`) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.max(1, maxMiB) }).map((m) => `${m}M`) },
    { weight: 1, arbitrary: fc.constantFrom("0", "4K", "1.5G", "255G", "256G", "16E", "0x20000000000001", "0x7fffffffffffffff", "-4K", "1e9", "4k", "12 M", "1P") },
    { weight: 1, arbitrary: extremeNumber },
  );
const name = fc.oneof({ weight: 8, arbitrary: fc.constantFrom("a", "b", "c", "buf", "x") }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "", "a".repeat(300)) });
const gfp = fc.oneof(fc.constantFrom("GFP_KERNEL", "GFP_ATOMIC", "GFP_KERNEL | __GFP_ZERO", "GFP_NOWAIT", "GFP_KERNEL | __GFP_NOFAIL", "GFP_HIGHUSER_MOVABLE", "GFP_DMA", "__GFP_NOWARN", "GFP_KERNEL | __GFP_NORETRY", "GFP_KERNEL|"), fc.integer({ min: 0, max: 2 ** 26 }), extremeNumber);
const cpu = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: extremeNumber });
const count = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 300 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 100_000, 2 ** 31 - 1) }, { weight: 1, arbitrary: extremeNumber });

const fdName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom("f", "g", "h") }, { weight: 1, arbitrary: fc.constantFrom(0, 1, 2, 3, 99, -1, 2 ** 31) }, { weight: 1, arbitrary: name });
const mapName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom("m", "n", "a") }, { weight: 1, arbitrary: name });
const filePath = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("/tmp/f", "/tmp/g", "/mnt/t/f", "/mnt/t/g", "/mnt/disk/data/f", "/mnt/disk/data/g") },
  { weight: 1, arbitrary: fc.constantFrom("/", "/proc/meminfo", "/dev/zram0", "relative", "/tmp/../tmp/f", "/nope/x", `/tmp/${"d".repeat(300)}`, "/tmp/f\u0000x") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const errno = fc.constantFrom("ENOMEM", "EINVAL", "EBUSY", "ENOENT", "EACCES", "EBOGUS", 12);
const openFlags = fc.oneof(fc.subarray(["rdonly", "wronly", "rdwr", "creat", "excl", "trunc", "append", "cloexec", "directory", "sync"]), fc.constantFrom(["rdwr", "creat"], ["wronly", "creat", "trunc"], ["bogus"], "rdwr"));
const mmapFlags = fc.oneof(fc.subarray(["shared", "private", "fixed", "fixed_noreplace", "populate", "noreserve", "locked", "growsdown", "stack"], { maxLength: 3 }), fc.constantFrom(["private"], ["shared"], ["shared", "populate"], ["nope"]));
const advice = fc.constantFrom("dontneed", "free", "willneed", "cold", "pageout", "populate_read", "populate_write", "hugepage", "nohugepage", "dontfork", "wipeonfork", "mergeable", "remove", "bogus");
const offset = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(0, 4096, 8192, "4K", "1M") }, { weight: 1, arbitrary: extremeNumber });

/** The process, file and swap steps (issues 14, 15, 16), sometimes wrong on purpose; nested programs to `depth`. */
function taskStepArb(maxMiB: number, depth: number): fc.Arbitrary<unknown> {
  const size = sizeText(Math.min(maxMiB, 256));
  const leaf = fc.oneof(
    fc.record({ open: fc.record({ as: fdName, path: filePath, flags: openFlags, mode: fc.constantFrom("0644", "0", "777", "x"), errno }, { requiredKeys: ["as", "path"] }) }),
    fc.record({ close: fc.record({ fd: fdName, errno }, { requiredKeys: ["fd"] }) }),
    fc.record({ read: fc.record({ fd: fdName, size, into: mapName, into_offset: offset, returns: size, errno }, { requiredKeys: ["fd", "size"] }) }),
    fc.record({ write: fc.record({ fd: fdName, size, content: fc.constantFrom("zero", "random", "text", "fill", "bogus"), value: extremeNumber, compress: fc.constantFrom(0, 0.5, 1, 2, -1), from: mapName, returns: size, errno }, { requiredKeys: ["fd", "size"] }) }),
    fc.record({ pread: fc.record({ fd: fdName, size, offset, errno }, { requiredKeys: ["fd", "size", "offset"] }) }),
    fc.record({ pwrite: fc.record({ fd: fdName, size, offset, content: fc.constantFrom("zero", "random"), errno }, { requiredKeys: ["fd", "size", "offset"] }) }),
    fc.record({ lseek: fc.record({ fd: fdName, offset, whence: fc.constantFrom("set", "cur", "end", "data", "hole", "x") }, { requiredKeys: ["fd", "offset"] }) }),
    fc.record({ fsync: fc.record({ fd: fdName }) }),
    fc.record({ ftruncate: fc.record({ fd: fdName, size, errno }, { requiredKeys: ["fd", "size"] }) }),
    fc.record({ truncate: fc.record({ path: filePath, size }) }),
    fc.record({ unlink: fc.record({ path: filePath, errno }, { requiredKeys: ["path"] }) }),
    fc.record({ mkdir: fc.record({ path: fc.constantFrom("/mnt", "/mnt/t", "/tmp/d", "/", "/proc/x", "/mnt/disk/new"), errno }, { requiredKeys: ["path"] }) }),
    fc.record({ rmdir: fc.record({ path: fc.constantFrom("/mnt/t", "/tmp/d", "/", "/tmp") }) }),
    fc.record({ mount: fc.record({ path: fc.constantFrom("/mnt/t", "/tmp", "/nope", "/mnt/disk"), fstype: fc.constantFrom("tmpfs", "ramfs", "ext4"), options: fc.oneof(fc.constantFrom("size=1M", "size=64M,nr_inodes=10", "size=50%", "size=0", "size=16E", "nr_inodes=0", "size=x", "mode=777"), fc.string({ maxLength: 12 })), errno }, { requiredKeys: ["path"] }) }),
    fc.record({ umount: fc.record({ path: fc.constantFrom("/mnt/t", "/tmp", "/mnt/disk", "/"), errno }, { requiredKeys: ["path"] }) }),
    fc.record({ mmap: fc.record({ as: mapName, size, prot: fc.constantFrom("rw", "r", "none", "rwx", "w", "x", "bogus"), flags: mmapFlags, addr: fc.constantFrom(0, 0x1000, 0x400000, 2 ** 47, 2 ** 48, 0x7fffffffe000), fd: fdName, path: filePath, offset, errno }, { requiredKeys: ["as", "size"] }) }),
    fc.record({ munmap: fc.record({ as: mapName, offset, size, errno }, { requiredKeys: ["as"] }) }),
    fc.record({ mprotect: fc.record({ as: mapName, offset, size, prot: fc.constantFrom("r", "rw", "none", "rwx"), errno }, { requiredKeys: ["as", "prot"] }) }),
    fc.record({ mremap: fc.record({ as: mapName, size, maymove: fc.boolean(), dontunmap: fc.boolean(), new_as: mapName, errno }, { requiredKeys: ["as", "size"] }) }),
    fc.record({ madvise: fc.record({ as: mapName, offset, size, advice, errno }, { requiredKeys: ["as", "advice"] }) }),
    fc.record({ mlock: fc.record({ as: mapName, offset, size, onfault: fc.boolean(), errno }, { requiredKeys: ["as"] }) }),
    fc.record({ munlock: fc.record({ as: mapName }) }),
    fc.record({ mlockall: fc.record({ current: fc.boolean(), future: fc.boolean(), onfault: fc.boolean() }) }),
    fc.constant({ munlockall: {} }),
    fc.record({ brk: fc.oneof(fc.record({ grow: size }), fc.record({ shrink: size })) }),
    fc.record({ malloc: fc.record({ as: mapName, size }) }),
    fc.record({ malloc_free: fc.record({ as: mapName }) }),
    fc.record({ access: fc.record({ as: mapName, write: fc.boolean(), pattern: fc.constantFrom("sequential", "random", "zipf", "stride", "bogus"), pages: fc.oneof(fc.constant("all"), count), offset, stride: fc.constantFrom(1, 2, 0, -1), theta: fc.constantFrom(0.5, 0.99, 2, -1), times: fc.oneof(fc.integer({ min: 1, max: 3 }), extremeNumber) }, { requiredKeys: ["as"] }) }),
    fc.record({ exec: fc.record({ path: fc.constantFrom("/bin/prog", "/bin/x", "relative"), text: sizeText(16), data: sizeText(4), bss: sizeText(4) }, { requiredKeys: ["path"] }) }),
    fc.record({ exit: fc.record({ code: fc.constantFrom(0, 1, 255, 256, -1) }) }),
    fc.record({ wait: fc.record({ for: fc.constantFrom("c", "d", "nope") }, { requiredKeys: [] }) }),
    fc.record({ zram: fc.record({ size: sizeText(Math.min(maxMiB, 512)), priority: fc.constantFrom(100, -1, 40000), algorithm: fc.constantFrom("lzo-rle", "zstd", "lz4", "bogus") }, { requiredKeys: ["size"] }) }),
    fc.record({ swap_disk: fc.record({ size: sizeText(Math.min(maxMiB, 512)), rotational: fc.boolean(), priority: fc.constantFrom(10, -5), swapon: fc.boolean() }, { requiredKeys: ["size"] }) }),
    fc.record({ mkswap: fc.record({ path: fc.constantFrom("/dev/zram0", "/dev/vdb", "/tmp/f", "/dev/nope") }) }),
    fc.record({ swapon: fc.record({ path: fc.constantFrom("/dev/zram0", "/dev/vdb", "/tmp/f"), priority: fc.constantFrom(0, 5, 32768), discard: fc.constantFrom("once", "pages", "both", "x"), expect: errno }, { requiredKeys: ["path"] }) }),
    fc.record({ swapoff: fc.record({ path: fc.constantFrom("/dev/zram0", "/dev/vdb", "/tmp/f"), expect: errno }, { requiredKeys: ["path"] }) }),
    fc.record({ slab_corrupt: fc.record({ as: name, bug: fc.constantFrom("overflow", "use_after_free", "double_free", "bogus"), bytes: fc.constantFrom(1, 8, 4096, 2 ** 31, -1), cpu }, { requiredKeys: ["as", "bug"] }) }),
    fc.record({ write: fc.record({ path: fc.constantFrom("/proc/sys/vm/drop_caches", "/sys/kernel/mm/lru_gen/enabled", "/sys/kernel/mm/transparent_hugepage/enabled", "/proc/sys/vm/swappiness", "/proc/sys/vm/overcommit_memory", "/proc/sys/vm/dirty_ratio", "/proc/sys/vm/vfs_cache_pressure"), value: fc.oneof(fc.constantFrom("1", "3", "y", "n", "0x0007", "always", "never", "[madvise]", "200", "-1", "2", ""), fc.string({ maxLength: 8 })) }) }),
    fc.record({ show: fc.constantFrom("/proc/self/maps", "/proc/self/smaps", "/proc/1/status", "/proc/swaps", "/proc/diskstats", "/proc/vmstat", "/sys/kernel/debug/mmsim/pagemap/1", "/proc/2/maps", "/sys/kernel/mm/lru_gen/enabled", "/proc/zoneinfo") }),
  );
  if (depth <= 0) return leaf;
  const program = fc.array(taskStepArb(maxMiB, depth - 1), { maxLength: 4 });
  return fc.oneof(
    { weight: 12, arbitrary: leaf },
    { weight: 1, arbitrary: fc.record({ fork: fc.record({ as: fc.constantFrom("c", "d", "__proto__"), steps: program }, { requiredKeys: ["as"] }) }) },
    { weight: 1, arbitrary: fc.record({ spawn: fc.record({ as: fc.constantFrom("c", "d"), path: fc.constantFrom("/bin/prog", "/bin/p2"), text: sizeText(16), steps: program }, { requiredKeys: ["as"] }) }) },
  );
}

/** One workload step, sometimes wrong on purpose. */
function stepArb(maxMiB: number, depth: number): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    taskStepArb(maxMiB, Math.min(depth, 1)),
    taskStepArb(maxMiB, 0),
    fc.record({ alloc: fc.record({ name, order: fc.oneof(fc.integer({ min: 0, max: 10 }), extremeNumber), gfp, cpu, count, nid: fc.constantFrom(-1, 0, 1, 5) }, { requiredKeys: ["name"] }) }),
    fc.record({ free: fc.record({ name, count: fc.oneof(fc.constant("all"), count), cpu }, { requiredKeys: ["name"] }) }),
    fc.record({ kmalloc: fc.record({ as: name, size: fc.oneof(fc.constantFrom(8, 64, 100, 4096, 8192, 2 ** 22, 2 ** 23), extremeNumber), count, cpu, gfp }, { requiredKeys: ["as"] }) }),
    fc.record({ kfree: fc.record({ as: name, order: fc.constantFrom("lifo", "random", "fifo") }, { requiredKeys: ["as"] }) }),
    fc.record({ kmem_cache_create: fc.record({ name: fc.constantFrom("dentry", "vm_area_struct", "mine", "names_cache"), size: fc.oneof(fc.integer({ min: 8, max: 8192 }), extremeNumber), align: fc.constantFrom(0, 8, 64, 4096, 3), flags: fc.oneof(fc.constantFrom("SLAB_HWCACHE_ALIGN", "SLAB_PANIC", "SLAB_POISON | SLAB_RED_ZONE"), fc.integer({ min: 0, max: 2 ** 31 })) }, { requiredKeys: ["name"] }) }),
    fc.record({ kmem_cache_alloc: fc.record({ cache: fc.constantFrom("dentry", "mine", "kmalloc-64"), as: name, count, cpu }, { requiredKeys: ["cache", "as"] }) }),
    fc.record({ slab_churn: fc.record({ sizes: fc.constantFrom([64], [4096], [8, 8192], [3]), as: name, pattern: fc.constantFrom("steady", "burst", "mixed", "odd"), ops: count, live: count, cpus: fc.constantFrom([0], [0, 1], [7]) }, { requiredKeys: ["sizes", "as", "pattern", "ops"] }) }),
    fc.record({ vmalloc: fc.record({ as: name, size: sizeText(Math.min(maxMiB, 256)), count: fc.oneof(fc.integer({ min: 1, max: 8 }), extremeNumber), cpu, zero: fc.boolean() }, { requiredKeys: ["as", "size"] }) }),
    fc.record({ vfree: fc.record({ as: name }) }),
    fc.record({ kvmalloc: fc.record({ as: name, size: sizeText(64), gfp }, { requiredKeys: ["as", "size"] }) }),
    fc.record({ mmap: fc.record({ as: name, size: sizeText(Math.min(maxMiB, 512)), cpu }, { requiredKeys: ["as", "size"] }) }),
    fc.record({ munmap: fc.record({ as: name }) }),
    fc.record({ access: fc.record({ as: name, cpu, write: fc.boolean(), times: fc.oneof(fc.integer({ min: 1, max: 3 }), extremeNumber) }, { requiredKeys: ["as"] }) }),
    fc.record({ show: fc.constantFrom("/proc/buddyinfo", "/proc/meminfo", "/proc/slabinfo", "/proc/vmallocinfo", "/proc/nope", "/sys/kernel/debug/mmsim/where/a", "/sys/kernel/debug/mmsim/tlb") }),
    fc.record({ sysctl: fc.record({ name: fc.constantFrom("min_free_kbytes", "watermark_scale_factor", "lowmem_reserve_ratio", "nope"), value: fc.oneof(extremeNumber, fc.constant([256, 256, 32, 0])) }) }),
    fc.record({ write: fc.record({ path: fc.constantFrom("/proc/sys/vm/min_free_kbytes", "/proc/slabinfo", "/proc/meminfo"), value: fc.oneof(fc.constantFrom("", "1024", "kmalloc-64 0 0 0", " ", "x"), fc.string({ maxLength: 12 })) }) }),
    fc.record({ expect: fc.record({ path: fc.constantFrom("/proc/meminfo", "/proc/vmstat"), field: fc.constantFrom("MemFree", "nr_free_pages", "Nope"), op: fc.constantFrom(">", "==", "<=", "~"), value: extremeNumber }) }),
    fc.record({ sleep: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(86_400_000, 2 ** 31 - 1), extremeNumber) }),
    fc.record({ label: name }),
  );
  if (depth <= 0) return leaf;
  return fc.oneof({ weight: 9, arbitrary: leaf }, { weight: 1, arbitrary: fc.record({ repeat: fc.record({ times: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(1000, 1_000_000, 2 ** 31)), steps: fc.array(stepArb(maxMiB, depth - 1), { maxLength: 3 }) }) }) });
}

/** A scenario as data (written out as JSON or YAML by the caller's choice). */
function scenarioData(maxMiB: number): fc.Arbitrary<Record<string, unknown>> {
  const machine = fc.record(
    {
      memory: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 64, max: Math.max(64, maxMiB) }).map((m) => `${m}M`) }, { weight: 1, arbitrary: sizeText(maxMiB) }),
      cpus: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: extremeNumber }),
      nodes: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 2 }) }, { weight: 1, arbitrary: extremeNumber }),
      cmdline: fc.oneof(fc.constantFrom("console=ttyAMA0 nokaslr ", "mem=4K", "mem=1", "mem=128M mem=96M", "mem=0x8000000", "mem=16E", "rodata=off", "kfence.sample_interval=0", "slub_debug=FZPU"), fc.string({ maxLength: 20 })),
      disk: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.record({ size: sizeText(256), mount: fc.constantFrom("/mnt/disk", "/", "relative", "/mnt/d"), files: fc.array(fc.record({ path: fc.constantFrom("/data/f", "/data/g", "/f", "", "/data/f/x"), size: sizeText(64), contents: fc.constantFrom("zero", "random", { fill: 42 }, { text: "a", compressibility: 0.5 }, "bogus", { fill: 300 }) }, { requiredKeys: ["path", "size"] }), { maxLength: 3 }) }, { requiredKeys: [] }) },
      ),
      reserved: fc.array(fc.record({ start: fc.oneof(fc.integer({ min: 0x40000000, max: 0x40000000 + 63 * 2 ** 20 }).map((a) => a - (a % 4096)), extremeNumber), size: sizeText(64), name }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const kernel = fc.record(
    {
      sysctl: fc.dictionary(fc.constantFrom("min_free_kbytes", "watermark_scale_factor", "watermark_boost_factor", "percpu_pagelist_high_fraction", "bogus", "__proto__"), extremeNumber, { maxKeys: 2 }),
      config: fc.record({ cma_mbytes: fc.oneof(fc.integer({ min: 0, max: 96 }), extremeNumber), va_bits: fc.constantFrom(39, 48, 52), kfence: fc.boolean(), deferred_struct_page_init: fc.boolean(), init_on_alloc: fc.boolean(), transparent_hugepage: fc.boolean() }, { requiredKeys: [] }),
      policies: fc.oneof(fc.constant({}), fc.constant({ slab: "slab" }), fc.constant({ slab: "slub" }), fc.constant({ slab: "nope" })),
      costs: fc.dictionary(fc.constantFrom("clearPage", "pcpAlloc", "slabAllocFast", "zoneLock", "bogus"), extremeNumber, { maxKeys: 2 }),
    },
    { requiredKeys: [] },
  );
  return fc.record({ seed: fc.oneof(fc.integer({ min: 0, max: 1000 }), extremeNumber), machine, kernel, workload: fc.array(stepArb(maxMiB, 2), { maxLength: 8 }) }, { requiredKeys: [] });
}

/** A step a careful user would write: known names, sizes that fit, names that match. */
function saneStep(maxMiB: number): fc.Arbitrary<unknown> {
  const small = fc.integer({ min: 1, max: 200 });
  return fc.oneof(
    fc.tuple(fc.constantFrom("p", "q"), fc.integer({ min: 0, max: 10 }), small, fc.constantFrom("GFP_KERNEL", "GFP_ATOMIC", "GFP_KERNEL | __GFP_ZERO", "GFP_HIGHUSER_MOVABLE", "GFP_NOWAIT | __GFP_NOWARN")).map(([n, order, count, g]) => ({ alloc: { name: `${n}${order}`, order, count, gfp: g } })),
    fc.tuple(fc.constantFrom("p", "q"), fc.integer({ min: 0, max: 10 })).map(([n, order]) => ({ free: { name: `${n}${order}` } })),
    fc.record({ kmalloc: fc.record({ as: fc.constantFrom("k", "l"), size: fc.constantFrom(8, 64, 100, 192, 1000, 4096, 8192, 65536), count: small }) }),
    fc.record({ kfree: fc.record({ as: fc.constantFrom("k", "l"), order: fc.constantFrom("lifo", "random") }) }),
    fc.record({ vmalloc: fc.record({ as: fc.constantFrom("v", "w"), size: fc.integer({ min: 1, max: Math.max(1, Math.min(maxMiB, 64)) * 256 }).map((k) => `${k * 4}K`), count: fc.integer({ min: 1, max: 4 }) }) }),
    fc.record({ vfree: fc.record({ as: fc.constantFrom("v", "w") }) }),
    fc.record({ mmap: fc.record({ as: fc.constantFrom("m", "n"), size: fc.integer({ min: 1, max: Math.max(1, Math.min(maxMiB / 2, 256)) }).map((k) => `${k}M`) }) }),
    fc.record({ munmap: fc.record({ as: fc.constantFrom("m", "n") }) }),
    fc.record({ access: fc.record({ as: fc.constantFrom("m", "v", "k"), write: fc.boolean() }) }),
    fc.record({ slab_churn: fc.record({ sizes: fc.constantFrom([64, 512], [4096], [8, 192, 2048]), as: fc.constantFrom("c", "d"), pattern: fc.constantFrom("steady", "burst", "mixed"), ops: fc.integer({ min: 1, max: 3000 }), live: fc.integer({ min: 0, max: 3000 }) }) }),
    fc.record({ show: fc.constantFrom("/proc/buddyinfo", "/proc/meminfo", "/proc/slabinfo", "/proc/vmallocinfo", "/proc/pagetypeinfo") }),
    fc.record({ sysctl: fc.record({ name: fc.constantFrom("min_free_kbytes", "watermark_scale_factor"), value: fc.integer({ min: 10, max: 3000 }) }) }),
    fc.record({ sleep: fc.integer({ min: 0, max: 5000 }) }),
  );
}

/** A few consistent steps of a task a careful user would write: files, mappings, a child, swap. */
function saneTaskSteps(maxMiB: number): fc.Arbitrary<unknown[]> {
  const kib = fc.integer({ min: 1, max: Math.max(1, Math.min(maxMiB / 4, 64)) * 256 }).map((k) => `${k * 4}K`);
  const adv = fc.constantFrom("dontneed", "free", "willneed", "cold", "pageout", "populate_write", "hugepage");
  return fc.oneof(
    // a tmpfs file written, mapped shared, touched, advised
    fc.tuple(fc.constantFrom("/tmp/f", "/tmp/g"), kib, adv, fc.boolean()).map(([path, size, a, unlink]) => [
      { open: { as: "f", path, flags: ["rdwr", "creat"] } },
      { write: { fd: "f", size, content: "random" } },
      { mmap: { as: "fm", size, fd: "f", flags: ["shared"] } },
      { access: { as: "fm", write: true } },
      { madvise: { as: "fm", advice: a } },
      { close: { fd: "f" } },
      { munmap: { as: "fm" } },
      ...(unlink ? [{ unlink: { path } }] : []),
    ]),
    // anonymous memory, a fork that writes it (COW), mlock
    fc.tuple(kib, fc.boolean(), fc.boolean()).map(([size, lock, w]) => [
      { mmap: { as: "am", size } },
      { access: { as: "am", write: true } },
      ...(lock ? [{ mlock: { as: "am" } }] : []),
      { fork: { as: "c", steps: [{ access: { as: "am", write: w } }] } },
      { wait: { for: "c" } },
      { madvise: { as: "am", advice: "pageout" } },
      { munmap: { as: "am" } },
    ]),
    // zram swap, then anonymous memory larger than what is free
    fc.tuple(fc.integer({ min: 16, max: Math.max(16, Math.min(maxMiB, 512)) }), fc.integer({ min: 1, max: Math.max(1, Math.min(maxMiB, 512)) })).map(([z, m]) => [
      { zram: { size: `${z}M` } },
      { mmap: { as: "big", size: `${m}M` } },
      { access: { as: "big", write: true, content: "text", compress: 0.5 } },
      { show: "/proc/swaps" },
      { munmap: { as: "big" } },
    ]),
    // a tmpfs mount with a small size, filled past it (ENOSPC: a short write)
    fc.tuple(fc.integer({ min: 1, max: 16 }), kib).map(([mb, size]) => [
      { mkdir: { path: "/mnt" } },
      { mkdir: { path: "/mnt/t" } },
      { mount: { path: "/mnt/t", options: `size=${mb}M` } },
      { open: { as: "t", path: "/mnt/t/x", flags: ["wronly", "creat", "trunc"] } },
      { write: { fd: "t", size } },
      { close: { fd: "t" } },
      { write: { path: "/proc/sys/vm/drop_caches", value: "3" } },
    ]),
    // malloc and brk
    fc.tuple(kib, kib).map(([a, b]) => [{ malloc: { as: "ma", size: a } }, { access: { as: "ma", write: true } }, { malloc: { as: "mb", size: b } }, { malloc_free: { as: "ma" } }, { brk: { grow: "64K" } }]),
  );
}

/** A scenario a careful user would write, on a board of at most `maxMiB`. */
function saneScenario(maxMiB: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    seed: fc.integer({ min: 0, max: 1000 }),
    machine: fc.record({ memory: fc.integer({ min: 64, max: Math.max(64, maxMiB) }).map((m) => `${m}M`), cpus: fc.integer({ min: 1, max: 4 }), nodes: fc.constantFrom(1, 1, 2) }),
    kernel: fc.record({ policies: fc.constantFrom({ slab: "slub" }, { slab: "slab" }), config: fc.record({ cma_mbytes: fc.constantFrom(0, 1, 3, 16, 63) }) }),
    workload: fc
      .tuple(fc.array(fc.oneof({ weight: 9, arbitrary: saneStep(maxMiB) }, { weight: 1, arbitrary: stepArb(maxMiB, 1) }), { maxLength: 10 }).map(inOrder), fc.array(saneTaskSteps(maxMiB), { maxLength: 2 }))
      .map(([steps, tasks]) => [...steps, ...tasks.flat()]),
  });
}

/** The steps with each free, kfree, vfree, munmap and access that comes before its allocation left out. */
function inOrder(steps: readonly unknown[]): unknown[] {
  const made = new Set<string>();
  const out: unknown[] = [];
  for (const st of steps) {
    const [kind, body] = Object.entries(st as Record<string, unknown>)[0] ?? [];
    const b = (body ?? {}) as Record<string, unknown>;
    const n = String(b.name ?? b.as ?? "");
    const needs = { free: ["alloc"], kfree: ["kmalloc"], vfree: ["vmalloc"], munmap: ["mmap"], access: ["kmalloc", "vmalloc", "mmap"] }[kind as string];
    if (needs) {
      if (!needs.some((k) => made.has(`${k}:${n}`))) continue;
      if (kind === "munmap") made.delete(`mmap:${n}`);
    } else if (kind === "mmap" && made.has(`mmap:${n}`)) continue;
    else made.add(`${kind}:${n}`);
    out.push(st);
  }
  return out;
}

/** Scenario data as YAML flow text (JSON is YAML), sometimes with a YAML trick spliced in. */
const YAML_TRICKS = [
  "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nq: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
  "workload: &w [ {repeat: {times: 2, steps: *w}} ]\n",
  "machine: *undefined_anchor\n",
  "machine: !!set {a, b}\n",
  "machine:\n  <<: { memory: 128M }\n  cpus: 1\n",
  "seed: !!binary aGVsbG8=\n",
  "machine: { memory: 0x20000000000001 }\n",
  `a: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
  "machine:\n  __proto__: { polluted: 1 }\n",
  "\u0000\u0001\u202e",
  "machine: {memory: 1G\n",
];

/** Options after the scenario file, sometimes hostile. */
const options = fc.array(
  fc.oneof(
    fc.constantFrom(["--mem", "256M"], ["--mem", "4K"], ["--smp", "300"], ["--seed", "-1"], ["--set", "__proto__.polluted=1"], ["--set", "machine.__proto__.x=1"], ["--set", "kernel.config.cma_mbytes=63"], ["--set", "kernel.costs.clearPage=1e30"], ["--set", "machine.cmdline=mem=4K"], ["--set", "kernel.policies.slab=slab"], ["--bogus"], ["--json"], ["--set", "workload=[]"], ["--set", "machine.memory=0x20000000000001"]),
    fc.tuple(fc.constant("--set"), fc.string({ maxLength: 30 })),
  ),
  { maxLength: 2 },
).map((xs) => xs.flat());

/**
 * Generated command lines: a scenario built from every section's values (from ordinary to
 * absurd), written as JSON or with a YAML trick appended, and options.
 */
export function generatedCase(limits: FuzzLimits = {}): fc.Arbitrary<FuzzCase> {
  const maxMiB = limits.maxMemoryMiB ?? 2048;
  const sane = fc.record({ data: saneScenario(maxMiB), trick: fc.constant(null), args: fc.oneof({ weight: 4, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: options }) });
  const hostile = fc.record({ data: scenarioData(maxMiB), trick: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...YAML_TRICKS) }), args: options });
  return fc.oneof({ weight: 3, arbitrary: sane }, { weight: 2, arbitrary: hostile }).map(({ data, trick, args }) => ({
    text: trick === null ? JSON.stringify(data, null, 1) : `${trick}${JSON.stringify(data).slice(1, -1) === "" ? "" : `\n# generated\n${toYamlish(data)}`}`,
    args,
  }));
}

/** Top-level keys of the data as `key: <json>` lines (YAML), so a trick's keys may collide with them. */
function toYamlish(data: Record<string, unknown>): string {
  return Object.entries(data).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join("\n") + "\n";
}

/** One mutation of a scenario text. */
type Mutation =
  | { readonly kind: "drop" | "double" | "cut"; readonly at: number }
  | { readonly kind: "number"; readonly at: number; readonly value: number | string }
  | { readonly kind: "insert"; readonly at: number; readonly text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom("drop" as const, "double" as const, "cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("number" as const), at: fc.nat(), value: fc.oneof(extremeNumber, fc.constantFrom("4K", "0x20000000000001", "-1", "1e30", "all", "")) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...YAML_TRICKS), fc.constantFrom("  - repeat: { times: 1000000, steps: [ { repeat: { times: 1000000, steps: [ { label: x } ] } } ] }\n", "  - alloc: { name: zz, count: 2147483647 }\n", "  - slab_churn: { sizes: [4096], as: s, pattern: steady, ops: 10, live: 100000 }\n", "  - sleep: 86400000\n", "  bogus: 1\n", "  - show: /proc/buddyinfo\n")) }),
);

/** Applies mutations to a text, line by line (positions taken modulo its length). */
export function mutate(text: string, muts: readonly Mutation[]): string {
  let lines = text.split("\n");
  for (const m of muts) {
    const at = lines.length === 0 ? 0 : m.at % lines.length;
    if (m.kind === "drop") lines.splice(at, 1);
    else if (m.kind === "double") lines.splice(at, 0, lines[at] ?? "");
    else if (m.kind === "cut") lines = lines.slice(0, at).concat((lines[at] ?? "").slice(0, Math.floor((lines[at] ?? "").length / 2)));
    else if (m.kind === "insert") lines.splice(at, 0, ...m.text.split("\n"));
    else if (m.kind === "number") {
      // replace the first number on the line (or from it on) with the value
      for (let i = 0; i < lines.length; i++) {
        const j = (at + i) % lines.length;
        if (/\d+/.test(lines[j]!)) {
          lines[j] = lines[j]!.replace(/\d+[KMG]?/, String(m.value));
          break;
        }
      }
    }
  }
  return lines.join("\n");
}

/** Mutated command lines: one of `bases` (the example scenarios' texts) with 1–4 mutations, and options. */
export function mutatedCase(bases: readonly string[]): fc.Arbitrary<FuzzCase> {
  return fc.record({ base: fc.constantFrom(...bases), muts: fc.array(mutation, { minLength: 1, maxLength: 4 }), args: options }).map(({ base, muts, args }) => ({ text: mutate(base, muts), args }));
}

/** Generated (sane or hostile) and mutated cases. */
export function fuzzCase(bases: readonly string[], limits: FuzzLimits = {}): fc.Arbitrary<FuzzCase> {
  return bases.length === 0 ? generatedCase(limits) : fc.oneof(generatedCase(limits), mutatedCase(bases));
}

/** Outcome counts, in FUZZ_OUTCOMES order, as one line: `ok 12, expect 3, input 40, …`. */
export function formatCounts(counts: Readonly<Record<FuzzOutcome, number>>): string {
  return FUZZ_OUTCOMES.map((o) => `${o} ${counts[o]}`).join(", ");
}

/** Zeroed outcome counts. */
export function emptyCounts(): Record<FuzzOutcome, number> {
  return { ok: 0, expect: 0, input: 0, panic: 0, internal: 0, timeout: 0 };
}
