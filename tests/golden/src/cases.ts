// mmsim: the command lines whose output the golden files hold, one golden file per command line
/*
 * Each case is one `mmsim <argv>` run in-process from the repository root (so scenario paths
 * are the ones a user types there) and one file under outputs/. The five boards are those of
 * the real captures in tests/conformance/fixtures/linux-6.1-arm64 (QEMU virt, RAM / CPUs).
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One command line and the golden file of its output. */
export interface GoldenCase {
  /** Path of the golden file under outputs/, e.g. "4g-4cpu/cat-proc-meminfo.txt". */
  readonly file: string;
  /** The arguments after `mmsim`. */
  readonly argv: readonly string[];
  /** A longer per-case limit for a case whose workload is heavy (default CASE_TIMEOUT_MS). */
  readonly timeoutMs?: number;
}

/**
 * The example scenarios' limit: their workloads are the heaviest cases (reclaim-tmpfs-zram
 * writes 576 MiB through zram on a 512 MiB board: ~8 s on an idle core, over 70 s seen with
 * other suites beside it on a loaded 2-core machine).
 */
const EXAMPLE_TIMEOUT_MS = 300_000;

/** The boards of the conformance captures: folder name and the board options. */
export const BOARDS: readonly { readonly name: string; readonly options: readonly string[] }[] = [
  { name: "1g-2cpu", options: ["--mem", "1G", "--smp", "2"] },
  { name: "2g-1cpu", options: ["--mem", "2G", "--smp", "1"] },
  { name: "4g-4cpu", options: ["--mem", "4G", "--smp", "4"] },
  { name: "6g-2cpu", options: ["--mem", "6G", "--smp", "2"] },
  { name: "8g-8cpu", options: ["--mem", "8G", "--smp", "8"] },
];

/**
 * Every /proc/sys/vm file the machine serves today. Written out (not read from the machine) so
 * that a sysctl the refactor loses fails here; one it adds shows in the `cat` listing golden.
 */
export const VM_SYSCTLS = ["lowmem_reserve_ratio", "min_free_kbytes", "percpu_pagelist_high_fraction", "watermark_boost_factor", "watermark_scale_factor"];

/** The files `cat` prints on every board. */
export const BOARD_FILES = [
  "/proc/meminfo",
  "/proc/zoneinfo",
  "/proc/buddyinfo",
  "/proc/pagetypeinfo",
  "/proc/vmstat",
  "/proc/slabinfo",
  "/proc/vmallocinfo",
  "/proc/iomem",
  "/proc/cmdline",
  ...VM_SYSCTLS.map((n) => `/proc/sys/vm/${n}`),
  "/sys/kernel/debug/mmsim/tlb",
  "/sys/kernel/debug/memblock/memory",
  "/sys/kernel/debug/memblock/reserved",
  // 3 KiB on every board (the linear map's ranges, not its pages), so on every board.
  "/sys/kernel/debug/kernel_page_tables",
];

/** The example scenarios: every file of examples/scenarios, so a new example is covered when it lands. */
export const EXAMPLE_SCENARIOS: readonly string[] = Object.freeze(
  readdirSync(fileURLToPath(new URL("../../../examples/scenarios/", import.meta.url)))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort(),
);

/** A few attributes of one SLUB cache's sysfs directory. */
export const SLAB_ATTRS = ["object_size", "objs_per_slab", "order", "slabs", "cpu_slabs"];

/** "/proc/sys/vm/min_free_kbytes" → "proc-sys-vm-min_free_kbytes". */
export function slug(path: string): string {
  return path.replace(/^\//, "").replace(/\//g, "-");
}

/** The scenario that shows every BOARD_FILES file in one boot (the large boards' `cat`s). */
export const SHOW_BOARD_FILES = "tests/golden/scenarios/show-board-files.yaml";

/**
 * The cases of one board of the captures. On the 1 GiB board `cat` prints each file in its own
 * boot (and the listing of every file); the larger boards, whose boots cost 2–8× more, print the
 * same files through one `run` of SHOW_BOARD_FILES (the files are read by the same
 * Machine.readFile that `cat` calls), which keeps the suite near its ~20 s budget.
 */
export function boardCases(board: (typeof BOARDS)[number]): GoldenCase[] {
  const b = board.options;
  const dir = board.name;
  const files =
    board.name === "1g-2cpu"
      ? [
          ...BOARD_FILES.map((f) => ({ file: `${dir}/cat-${slug(f)}.txt`, argv: ["cat", f, ...b] })),
          // The listing of every file the board serves (an unknown path prints it, exit 2).
          { file: `${dir}/cat-unknown-file.txt`, argv: ["cat", "/proc/no-such-file", ...b] },
        ]
      : [{ file: `${dir}/run-show-board-files.txt`, argv: ["run", SHOW_BOARD_FILES, ...b] }];
  // The text forms of dmesg and run print the same records as their --json forms through the
  // same board-independent formatting: the larger boards keep only --json (a boot each saved).
  const text = board.name === "1g-2cpu";
  return [
    ...(text ? [{ file: `${dir}/dmesg.txt`, argv: ["dmesg", ...b] }] : []),
    { file: `${dir}/dmesg--json.txt`, argv: ["dmesg", "--json", ...b] },
    ...files,
    { file: `${dir}/layout.txt`, argv: ["layout", ...b] },
    // The built-in scenario: its expects hold on 1 GiB only (exit 1 on 4–8 GiB; exit 2 on the
    // 1-CPU board, where it allocates on CPU 1).
    ...(text ? [{ file: `${dir}/run.txt`, argv: ["run", ...b] }] : []),
    { file: `${dir}/run--json.txt`, argv: ["run", "--json", ...b] },
    { file: `${dir}/conformance--json.txt`, argv: ["conformance", "--json", ...b] },
  ];
}

const KVM = "examples/scenarios/kmalloc-vmalloc-malloc.yaml";
const CHURN = "examples/scenarios/slab-churn.yaml";
const CLOUD = "packages/cachesim/fixtures/cloudPhysicsIO.oracleGeneral.bin.zst";

/**
 * The cases on the default board (the built-in scenario's: 1 GiB, 2 CPUs), no board options.
 * `run --json` and `layout` of this board are the 1g-2cpu board's.
 */
export function defaultBoardCases(): GoldenCase[] {
  const d = "default";
  return [
    { file: `${d}/help.txt`, argv: ["--help"] },
    { file: `${d}/run--help.txt`, argv: ["run", "--help"] },
    { file: `${d}/run.txt`, argv: ["run"] },
    ...EXAMPLE_SCENARIOS.flatMap((s) => [
      { file: `${d}/run-${s}.txt`, argv: ["run", `examples/scenarios/${s}.yaml`], timeoutMs: EXAMPLE_TIMEOUT_MS },
      { file: `${d}/run-${s}--json.txt`, argv: ["run", `examples/scenarios/${s}.yaml`, "--json"], timeoutMs: EXAMPLE_TIMEOUT_MS },
    ]),
    { file: `${d}/run--set-slab=slab.txt`, argv: ["run", "--set", "kernel.policies.slab=slab"] },
    { file: `${d}/run--set-slab=first-fit-slab.txt`, argv: ["run", "--set", "kernel.policies.slab=./examples/first-fit-slab/first-fit-slab.mjs"] },
    { file: `${d}/cat-proc-slabinfo--set-slab=slab.txt`, argv: ["cat", "/proc/slabinfo", "--set", "kernel.policies.slab=slab"] },
    { file: `${d}/compare-slab-churn.txt`, argv: ["compare", CHURN, "--vary", "slab=slab,slub"] },
    { file: `${d}/compare-slab-churn--json.txt`, argv: ["compare", CHURN, "--vary", "slab=slab,slub", "--json"] },
    { file: `${d}/replay-cloudPhysicsIO.txt`, argv: ["replay", CLOUD, "--size", "1%,5%,10%,20%,50%"] },
    { file: `${d}/replay-cloudPhysicsIO-4897--json.txt`, argv: ["replay", CLOUD, "--algo", "lru,fifo,belady", "--size", "4897", "--json"] },
    ...SLAB_ATTRS.map((a) => ({ file: `${d}/cat-sys-kernel-slab-kmalloc-256-${a}.txt`, argv: ["cat", `/sys/kernel/slab/kmalloc-256/${a}`] })),
    { file: `${d}/cat-proc-vmallocinfo--after-allocated.txt`, argv: ["cat", "/proc/vmallocinfo", "--scenario", KVM, "--after", "allocated"] },
    { file: `${d}/cat-proc-buddyinfo--after-3.txt`, argv: ["cat", "/proc/buddyinfo", "--scenario", KVM, "--after", "3"] },
    { file: `${d}/dmesg--after-allocated.txt`, argv: ["dmesg", "--scenario", KVM, "--after", "allocated"] },
    { file: `${d}/pt-walk-linear-map.txt`, argv: ["pt", "walk", "0xffff000000000000"] },
    // The vmalloc and user buffers of the example (addresses from its run's where files).
    { file: `${d}/pt-walk-vbuf--after-allocated.txt`, argv: ["pt", "walk", "0xffff800008000000", "--scenario", KVM, "--after", "allocated"] },
    { file: `${d}/pt-walk-ubuf--after-allocated--access-write.txt`, argv: ["pt", "walk", "0x0000fffff7ff8000", "--access", "write", "--scenario", KVM, "--after", "allocated"] },
    { file: `${d}/conformance.txt`, argv: ["conformance"] },
    { file: `${d}/conformance--list.txt`, argv: ["conformance", "--list"] },
    // Sysctls: set from the command line, read back, and refused with a reason.
    { file: `${d}/cat-min_free_kbytes--set-8192.txt`, argv: ["cat", "/proc/sys/vm/min_free_kbytes", "--set", "kernel.sysctl.min_free_kbytes=8192"] },
    { file: `${d}/cat-proc-zoneinfo--set-min_free_kbytes-8192.txt`, argv: ["cat", "/proc/zoneinfo", "--set", "kernel.sysctl.min_free_kbytes=8192"] },
    { file: `${d}/set-min_free_kbytes-bad.txt`, argv: ["cat", "/proc/sys/vm/min_free_kbytes", "--set", "kernel.sysctl.min_free_kbytes=-1"] },
    { file: `${d}/set-unknown-sysctl.txt`, argv: ["cat", "/proc/sys/vm/min_free_kbytes", "--set", "kernel.sysctl.no_such_knob=1"] },
    { file: `${d}/set-unknown-slab-policy.txt`, argv: ["run", "--set", "kernel.policies.slab=slob"] },
  ];
}

/** The large board of issue 22 (64 GiB, 4 CPUs): no capture, but the boot's speed work must not change a byte of it. */
export const LARGE_BOARD = { name: "64g-4cpu", options: ["--mem", "64G", "--smp", "4"] } as const;

/**
 * A 64 GiB boot costs ~1–1.5 s of CPU today (issue 22), 20–30× that on a loaded 2-core machine:
 * each of these cases boots once, under a generous limit.
 */
const LARGE_TIMEOUT_MS = 300_000;

/**
 * The cases of the 64 GiB board: its boot log, every board file in one boot (the linear map's
 * 16.8 M PTEs show in kernel_page_tables and the memblock reservations of their tables), the
 * built-in scenario, and walks of the linear map at its first page, at the kernel image's alias, in the middle and at its
 * last page (the PTE words a lazily materialised linear map must still report exactly).
 */
export function largeBoardCases(): GoldenCase[] {
  const b = LARGE_BOARD.options;
  const dir = LARGE_BOARD.name;
  const walks = ["0xffff000000000000", "0xffff000000210000", "0xffff000812345678", "0xffff000ffffff000"];
  return [
    { file: `${dir}/dmesg--json.txt`, argv: ["dmesg", "--json", ...b], timeoutMs: LARGE_TIMEOUT_MS },
    { file: `${dir}/run-show-board-files.txt`, argv: ["run", SHOW_BOARD_FILES, ...b], timeoutMs: LARGE_TIMEOUT_MS },
    { file: `${dir}/run--json.txt`, argv: ["run", "--json", ...b], timeoutMs: LARGE_TIMEOUT_MS },
    ...walks.map((va) => ({ file: `${dir}/pt-walk-${va}.txt`, argv: ["pt", "walk", va, ...b], timeoutMs: LARGE_TIMEOUT_MS })),
  ];
}

/** Every case: the five boards, the 64 GiB board, then the default board's. */
export function allCases(): GoldenCase[] {
  return [...BOARDS.flatMap(boardCases), ...largeBoardCases(), ...defaultBoardCases()];
}
