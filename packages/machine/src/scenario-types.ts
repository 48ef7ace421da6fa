// mmsim: the resolved scenario — what a validated scenario file becomes (no kernel counterpart)
/*
 * A scenario file (YAML or JSON) is parsed, board options and `--set path=value` overrides are
 * applied, and the result is validated into this shape with every default filled in
 * (scenario.ts). The machine reads only this.
 */

import type { DiskSpec } from "@mmsim/block";

/** Byte sizes are already parsed (`1G` → 1073741824). */
export interface ResolvedScenario {
  /** Where it came from: a path, or "<built-in default>". */
  readonly file: string;
  /** Seed of the machine's Prandom. */
  readonly seed: number;
  readonly machine: MachineSpec;
  readonly kernel: KernelSpec;
  /**
   * The steps, each resolved by its kind's definition. WorkloadStep types the built-in kinds; a
   * step a module contributes has the shape its definition gives it (a StepBase) and is carried
   * here as it is.
   */
  readonly workload: readonly WorkloadStep[];
}

export interface MachineSpec {
  /** Board preset: only "qemu-virt-arm64" so far. */
  readonly board: "qemu-virt-arm64";
  /** RAM in bytes (a multiple of 4 KiB; at least 64 MiB). */
  readonly memory: number;
  /** CPUs (1..256). */
  readonly cpus: number;
  /** NUMA nodes (1..16): RAM is split evenly, CPUs round-robin. */
  readonly nodes: number;
  /** Kernel command line, as /proc/cmdline shows it (e.g. "console=ttyAMA0 nokaslr"). */
  readonly cmdline: string;
  /** Extra memblock reservations a user asks for: [start, size) in bytes, inside RAM. */
  readonly reserved: readonly { readonly start: number; readonly size: number; readonly name: string }[];
  /** A virtio disk (vda) with an ext2 image of these files, mounted at `mount`; absent: no disk. */
  readonly disk?: DiskDeclaration;
}

/** `machine.disk`: the disk's size and files (@mmsim/block's DiskSpec) and where it is mounted. */
export interface DiskDeclaration {
  readonly spec: DiskSpec;
  /** Absolute mount point (default /mnt/disk); missing directories are made on the rootfs. */
  readonly mount: string;
}

export interface KernelSpec {
  /** `vm.*` sysctls set after boot, by name without the prefix (e.g. "min_free_kbytes": 8192). */
  readonly sysctl: Readonly<Record<string, number | readonly number[]>>;
  /** Build options of the reference config, overridable. */
  readonly config: {
    readonly deferredStructPageInit: boolean;
    readonly transparentHugepage: boolean;
    readonly initOnAlloc: boolean;
    /** CONFIG_CMA_SIZE_MBYTES (reference: 64); 0 disables the default CMA area. */
    readonly cmaMbytes: number;
    /** CONFIG_ARM64_VA_BITS (reference: 48; 39 gives 3 levels of tables). */
    readonly vaBits: number;
    /** CONFIG_KFENCE (reference: not set); its early pool is page-mapped, and all of the linear map with kfence.sample_interval=0 (6.1.65+). */
    readonly kfence: boolean;
  };
  /** Policy choice per slot (e.g. { slab: "slub" }); slots with one implementation may be omitted. */
  readonly policies: Readonly<Record<string, string>>;
  /** Cost-model overrides, ns per named constant. */
  readonly costs: Readonly<Record<string, number>>;
  /** Extra modules loaded after the policies (insmod), by catalog name or module file. */
  readonly modules?: readonly string[];
}

/** The built-in workload steps, as their definitions resolve them. `line` is the step's 1-based line in the scenario file, when known. */
export type WorkloadStep =
  | { readonly kind: "alloc"; readonly line?: number; readonly name: string; readonly order: number; readonly gfp: number; readonly gfpText: string; readonly cpu: number; readonly count: number; readonly nid: number }
  | { readonly kind: "free"; readonly line?: number; readonly name: string; readonly count: number | "all"; readonly cpu: number }
  | { readonly kind: "repeat"; readonly line?: number; readonly times: number; readonly steps: readonly WorkloadStep[] }
  | { readonly kind: "show"; readonly line?: number; readonly path: string }
  | { readonly kind: "sysctl"; readonly line?: number; readonly name: string; readonly value: number | readonly number[] }
  | { readonly kind: "expect"; readonly line?: number; readonly path: string; readonly field: string; readonly op: "==" | "!=" | "<" | "<=" | ">" | ">="; readonly value: number }
  | { readonly kind: "label"; readonly line?: number; readonly name: string }
  /**
   * A churn pattern over one cache (or kmalloc sizes), CPUs picked by the seeded RNG:
   * steady (keep ~live objects, each op frees a random one and allocates), burst (allocate ops
   * objects, then free them all in random order), mixed (1 in 5 allocations long-lived and kept,
   * the others freed after a short random lifetime). Objects left are held under `as`.
   */
  | { readonly kind: "slab_churn"; readonly line?: number; readonly cache?: string; readonly sizes: readonly number[]; readonly as: string; readonly pattern: "steady" | "burst" | "mixed"; readonly ops: number; readonly live: number; readonly cpus: readonly number[]; readonly gfp: number; readonly gfpText: string }
  /** Lets simulated time pass (an idle machine): periodic work such as SLAB's cache_reap runs. */
  | { readonly kind: "sleep"; readonly line?: number; readonly ms: number }
  /** `echo value > path`: /proc/sys/vm/<name>, or /proc/slabinfo (SLAB's tunables: "name limit batchcount shared"). */
  | { readonly kind: "write"; readonly line?: number; readonly path: string; readonly value: string }
  /** kmem_cache_create: a named kernel cache (KERNEL_CACHES) or an explicit size/align/flags. */
  | { readonly kind: "kmem_cache_create"; readonly line?: number; readonly name: string; readonly size: number; readonly align: number; readonly flags: number; readonly usercopy: boolean; readonly ctor: boolean }
  /** kmem_cache_alloc of `count` objects from `cache`, held under `as`. */
  | { readonly kind: "kmem_cache_alloc"; readonly line?: number; readonly cache: string; readonly as: string; readonly count: number; readonly cpu: number; readonly gfp: number; readonly gfpText: string }
  /** kmalloc of `count` objects, each size drawn from `sizes` with the machine's seeded RNG, held under `as`. */
  | { readonly kind: "kmalloc"; readonly line?: number; readonly sizes: readonly number[]; readonly as: string; readonly count: number; readonly cpu: number; readonly gfp: number; readonly gfpText: string }
  /** vmalloc (vzalloc with zero) of `size` bytes, `count` times, held under `as`; /proc/vmallocinfo names `caller`. */
  | { readonly kind: "vmalloc"; readonly line?: number; readonly as: string; readonly size: number; readonly count: number; readonly cpu: number; readonly zero: boolean; readonly caller: string }
  /** kvmalloc: kmalloc first, vmalloc when that fails or the size is beyond kmalloc; held under `as`. */
  | { readonly kind: "kvmalloc"; readonly line?: number; readonly as: string; readonly size: number; readonly count: number; readonly cpu: number; readonly gfp: number; readonly gfpText: string; readonly caller: string }
  /** A user malloc: mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE) of `size` bytes in the workload's process, named `as`. */
  | { readonly kind: "mmap"; readonly line?: number; readonly as: string; readonly size: number; readonly cpu: number }
  /** Touches every page of the buffers named `as` through the MMU of `cpu`, `times` passes (read, or write). */
  | { readonly kind: "access"; readonly line?: number; readonly as: string; readonly cpu: number; readonly write: boolean; readonly times: number }
  /** munmap of the mapping named `as`. */
  | { readonly kind: "munmap"; readonly line?: number; readonly as: string; readonly cpu: number }
  /** vfree (or kvfree) of `count` (or all) buffers held under `as`, newest first or in a seeded random order. */
  | { readonly kind: "vfree" | "kvfree"; readonly line?: number; readonly as: string; readonly count: number | "all"; readonly cpu: number; readonly order: "lifo" | "random" }
  /** Frees `count` (or all) objects held under `as` (kmem_cache_free or kfree, as they were allocated), newest first or in a seeded random order. */
  | { readonly kind: "kmem_cache_free" | "kfree"; readonly line?: number; readonly as: string; readonly count: number | "all"; readonly cpu: number; readonly order: "lifo" | "random" };
