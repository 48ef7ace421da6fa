// Kernel: mm/slub.c (v6.1) — the boot parameters slub_debug=, slub_min_order=, slub_max_order=, slub_min_objects= and kmem_cache_flags()
/*
 * SLUB's command-line knobs and the build options of the reference kernel that change its
 * behaviour, as one options object registered under the SLUB_OPTIONS token (slubModule does it
 * from the module options a scenario passes; tests pass it to `new SlubAllocator(...)`).
 *
 * Defaults are the reference machine's (Debian 6.1.0-56-arm64, command line
 * `console=ttyAMA0 nokaslr`): no slub_* parameter given, CONFIG_SLUB_DEBUG=y without
 * CONFIG_SLUB_DEBUG_ON, CONFIG_SLAB_FREELIST_RANDOM=y, CONFIG_SLAB_FREELIST_HARDENED=y,
 * CONFIG_SLUB_CPU_PARTIAL=y, CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y.
 *
 * `slub_debug` is parsed exactly as setup_slub_debug()/parse_slub_debug_flags() do: blocks
 * separated by ';', each `<flags>[,<slab>[,<slab>…]]`, a trailing `*` in a slab name is a
 * prefix glob; flags F Z P U T A O and '-' (none); an empty value means F, Z, P and U for every
 * cache. kmem_cache_flags() then applies the result to each cache as it is created.
 */
import {
  ConfigError, describeValue, MAX_ORDER, PAGE_ALLOC_COSTLY_ORDER, SLAB_CONSISTENCY_CHECKS, SLAB_FAILSLAB,
  SLAB_NO_USER_FLAGS, SLAB_NOLEAKTRACE, SLAB_POISON, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE, token,
} from "@mmsim/core";

/** Kernel: `DEBUG_DEFAULT_FLAGS` (what `slub_debug` with no options turns on). */
export const DEBUG_DEFAULT_FLAGS = SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
/** Kernel: `SLAB_DEBUG_FLAGS` with CONFIG_SLUB_DEBUG (mm/slab.h): any of them makes a cache a debug cache. */
export const SLAB_DEBUG_FLAGS = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS;
/** Kernel: `DEBUG_METADATA_FLAGS`: what `slub_debug=O` drops when it would raise a cache's minimum order. */
export const DEBUG_METADATA_FLAGS = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;

/** What a scenario (or a test) may set. Every field is optional; see SLUB_DEFAULTS. */
export interface SlubOptions {
  /**
   * The value of `slub_debug=` on the kernel command line ("" for a bare `slub_debug`), or
   * undefined when the parameter is absent (the reference machine).
   */
  readonly slubDebug?: string;
  /** `slub_min_order=` (default 0). */
  readonly slubMinOrder?: number;
  /** `slub_max_order=` (default PAGE_ALLOC_COSTLY_ORDER = 3; capped at MAX_ORDER - 1). */
  readonly slubMaxOrder?: number;
  /** `slub_min_objects=` (default 0: 4 × (fls(nr_cpus) + 1)). */
  readonly slubMinObjects?: number;
  /** CONFIG_SLAB_FREELIST_RANDOM (default true). */
  readonly freelistRandom?: boolean;
  /** CONFIG_SLAB_FREELIST_HARDENED (default true): obfuscated free pointers, cache_from_obj() always checks. */
  readonly freelistHardened?: boolean;
  /** CONFIG_SLUB_CPU_PARTIAL (default true). */
  readonly cpuPartial?: boolean;
  /** CONFIG_INIT_ON_ALLOC_DEFAULT_ON (default true): objects are zeroed on allocation (visible only in debug caches' bytes). */
  readonly initOnAlloc?: boolean;
  /** `num_present_cpus()` when caches are sized (default: the Topology's CPU count). */
  readonly presentCpus?: number;
  /** `init_utsname()->release` for dump_stack() lines (default "6.1.0-56-arm64"). */
  readonly utsRelease?: string;
  /** The first word of `init_utsname()->version` (default "#1"). */
  readonly utsVersion?: string;
  /** Debian's package id appended by its version patch (default " Debian 6.1.192-2"). */
  readonly packageId?: string;
  /** `Hardware name:` of dump_stack() (default "linux,dummy-virt (DT)", the QEMU virt board). */
  readonly hardwareName?: string;
  /**
   * arm64 `memstart_addr` (PHYS_OFFSET) for printing linear-map addresses; default: the first
   * byte of the MemMap rounded down to ARM64_MEMSTART_ALIGN (1 GiB with 4 KiB pages, 48-bit VA).
   */
  readonly memstartAddr?: number;
}

/** The resolved options (every field present). */
export interface ResolvedSlubOptions {
  readonly slubDebug: string | undefined;
  readonly slubMinOrder: number;
  readonly slubMaxOrder: number;
  readonly slubMinObjects: number;
  readonly freelistRandom: boolean;
  readonly freelistHardened: boolean;
  readonly cpuPartial: boolean;
  readonly initOnAlloc: boolean;
  readonly presentCpus: number | undefined;
  readonly utsRelease: string;
  readonly utsVersion: string;
  readonly packageId: string;
  readonly hardwareName: string;
  readonly memstartAddr: number | undefined;
}

/** Token of the SLUB options; slubModule registers it from its module options. */
export const SLUB_OPTIONS = token<SlubOptions>("SlubOptions");

/** The reference machine's options: no slub_* parameter, the Debian build's config. */
export const SLUB_DEFAULTS: ResolvedSlubOptions = {
  slubDebug: undefined,
  slubMinOrder: 0,
  slubMaxOrder: PAGE_ALLOC_COSTLY_ORDER,
  slubMinObjects: 0,
  freelistRandom: true,
  freelistHardened: true,
  cpuPartial: true,
  initOnAlloc: true,
  presentCpus: undefined,
  utsRelease: "6.1.0-56-arm64",
  utsVersion: "#1",
  packageId: " Debian 6.1.192-2",
  hardwareName: "linux,dummy-virt (DT)",
  memstartAddr: undefined,
};

const KEYS = Object.freeze(Object.keys(SLUB_DEFAULTS) as (keyof ResolvedSlubOptions)[]);

/**
 * Checks and completes options. Kernel: the `__setup()` handlers (`setup_slub_min_order`,
 * `setup_slub_max_order` with its `min(…, MAX_ORDER - 1)`, `setup_slub_min_objects`).
 * @throws ConfigError on an unknown key or a value of the wrong kind
 */
export function resolveSlubOptions(o: SlubOptions | Readonly<Record<string, unknown>> = {}, file = "<api>"): ResolvedSlubOptions {
  const src = o as Readonly<Record<string, unknown>>;
  for (const k of Object.keys(src)) {
    if (!(KEYS as string[]).includes(k)) throw new ConfigError("slub.resolveSlubOptions", file, `slub.${k}`, `one of ${KEYS.join(", ")}`, JSON.stringify(k));
  }
  const uint = (k: keyof ResolvedSlubOptions, max: number): number => {
    const v = src[k];
    if (v === undefined) return SLUB_DEFAULTS[k] as number;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ConfigError("slub.resolveSlubOptions", file, `slub.${k}`, "an integer ≥ 0", describeValue(v));
    return Math.min(v, max);
  };
  const bool = (k: keyof ResolvedSlubOptions): boolean => {
    const v = src[k];
    if (v === undefined) return SLUB_DEFAULTS[k] as boolean;
    if (typeof v !== "boolean") throw new ConfigError("slub.resolveSlubOptions", file, `slub.${k}`, "true or false", describeValue(v));
    return v;
  };
  const str = (k: keyof ResolvedSlubOptions): string => {
    const v = src[k];
    if (v === undefined) return SLUB_DEFAULTS[k] as string;
    if (typeof v !== "string") throw new ConfigError("slub.resolveSlubOptions", file, `slub.${k}`, "a string", describeValue(v));
    return v;
  };
  const debug = src.slubDebug;
  if (debug !== undefined && typeof debug !== "string") throw new ConfigError("slub.resolveSlubOptions", file, "slub.slubDebug", "a string (the value of slub_debug=)", describeValue(debug));
  const present = src.presentCpus;
  if (present !== undefined && (typeof present !== "number" || !Number.isInteger(present) || present < 1)) {
    throw new ConfigError("slub.resolveSlubOptions", file, "slub.presentCpus", "an integer ≥ 1", describeValue(present));
  }
  const memstart = src.memstartAddr;
  if (memstart !== undefined && (typeof memstart !== "number" || !Number.isSafeInteger(memstart) || memstart < 0 || memstart % 4096 !== 0)) {
    throw new ConfigError("slub.resolveSlubOptions", file, "slub.memstartAddr", "a page-aligned physical address", describeValue(memstart));
  }
  return {
    slubDebug: debug as string | undefined,
    slubMinOrder: uint("slubMinOrder", MAX_ORDER - 1),
    slubMaxOrder: uint("slubMaxOrder", MAX_ORDER - 1),
    slubMinObjects: uint("slubMinObjects", 0xffff),
    freelistRandom: bool("freelistRandom"),
    freelistHardened: bool("freelistHardened"),
    cpuPartial: bool("cpuPartial"),
    initOnAlloc: bool("initOnAlloc"),
    presentCpus: present as number | undefined,
    utsRelease: str("utsRelease"),
    utsVersion: str("utsVersion"),
    packageId: str("packageId"),
    hardwareName: str("hardwareName"),
    memstartAddr: memstart as number | undefined,
  };
}

/** One `;`-separated block of slub_debug: its flags and its slab-name list (undefined = global). */
export interface SlubDebugBlock {
  readonly flags: number;
  readonly slabs: readonly string[] | undefined;
}

/** slub_debug parsed: the global flags, the per-cache blocks, `O`, and the unknown options met. */
export interface SlubDebugSetting {
  /** `slub_debug` (the global flags). */
  readonly flags: number;
  /** Blocks with a slab list, in order (`slub_debug_string`). */
  readonly blocks: readonly SlubDebugBlock[];
  /** `disable_higher_order_debug` (option `O`). */
  readonly disableHigherOrderDebug: boolean;
  /** Kernel: `static_branch_enable(&slub_debug_enabled)`: any debugging anywhere. */
  readonly enabled: boolean;
  /** Option letters the kernel skips with `slub_debug option '%c' unknown. skipped`. */
  readonly unknown: readonly string[];
}

/**
 * Parses one block. Kernel: `parse_slub_debug_flags()`.
 * @returns the block and the rest of the string after it (undefined at the end)
 */
function parseBlock(str: string, init: boolean, unknown: string[]): { block: SlubDebugBlock; higherOrderDisable: boolean; rest: string | undefined } {
  let i = 0;
  while (i < str.length && str[i] === ";") i++;
  let flags = 0;
  let higherOrderDisable = false;
  if (str[i] === ",") {
    flags = DEBUG_DEFAULT_FLAGS;
  } else {
    for (; i < str.length && str[i] !== "," && str[i] !== ";"; i++) {
      switch (str[i]!.toLowerCase()) {
        case "-": flags = 0; break;
        case "f": flags |= SLAB_CONSISTENCY_CHECKS; break;
        case "z": flags |= SLAB_RED_ZONE; break;
        case "p": flags |= SLAB_POISON; break;
        case "u": flags |= SLAB_STORE_USER; break;
        case "t": flags |= SLAB_TRACE; break;
        case "a": flags |= SLAB_FAILSLAB; break;
        case "o": higherOrderDisable = true; break;
        default:
          if (init) unknown.push(str[i]!);
      }
    }
  }
  let slabs: string[] | undefined;
  if (str[i] === ",") {
    i++;
    const start = i;
    while (i < str.length && str[i] !== ";") i++;
    slabs = str.slice(start, i).split(",");
  } else {
    while (i < str.length && str[i] !== ";") i++;
  }
  while (i < str.length && str[i] === ";") i++;
  return { block: { flags, slabs }, higherOrderDisable, rest: i < str.length ? str.slice(i) : undefined };
}

/**
 * Parses the value of `slub_debug=`. Kernel: `setup_slub_debug()` (CONFIG_SLUB_DEBUG_ON off).
 * @param value the text after `slub_debug=`, "" for a bare `slub_debug`, undefined when absent
 */
export function parseSlubDebug(value: string | undefined): SlubDebugSetting {
  if (value === undefined) return { flags: 0, blocks: [], disableHigherOrderDebug: false, enabled: false, unknown: [] };
  if (value === "") return { flags: DEBUG_DEFAULT_FLAGS, blocks: [], disableHigherOrderDebug: false, enabled: true, unknown: [] };
  const unknown: string[] = [];
  let globalFlags = DEBUG_DEFAULT_FLAGS;
  let globalChanged = false;
  let listSpecified = false;
  let disable = false;
  const blocks: SlubDebugBlock[] = [];
  let str: string | undefined = value;
  while (str !== undefined) {
    const r = parseBlock(str, true, unknown);
    if (r.higherOrderDisable) disable = true;
    if (r.block.slabs === undefined) {
      globalFlags = r.block.flags;
      globalChanged = true;
    } else {
      listSpecified = true;
      blocks.push(r.block);
    }
    str = r.rest;
  }
  // A single list of flags with a slab list changes only those slabs: the global flags stay 0.
  if (listSpecified && !globalChanged) globalFlags = 0;
  return { flags: globalFlags, blocks, disableHigherOrderDebug: disable, enabled: globalFlags !== 0 || listSpecified, unknown };
}

/**
 * The flags a new cache gets: slub_debug applied by name. Kernel: `kmem_cache_flags()`.
 */
export function kmemCacheFlags(setting: SlubDebugSetting, flags: number, name: string): number {
  if ((flags & SLAB_NO_USER_FLAGS) !== 0) return flags;
  let global = setting.flags;
  if ((flags & SLAB_NOLEAKTRACE) !== 0) global &= ~SLAB_STORE_USER;
  for (const b of setting.blocks) {
    for (const pat of b.slabs!) {
      const glob = pat.indexOf("*");
      const match = glob >= 0 ? name.startsWith(pat.slice(0, glob)) : name === pat;
      if (match) return flags | b.flags;
    }
  }
  return flags | global;
}
