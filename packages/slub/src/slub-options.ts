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
 * separated by ';', each `<flags>[,<slab>[,<slab>…]]`, a `*` in a slab name ends a prefix glob;
 * flags F Z P U T A O and '-' (none); an empty value means F, Z, P and U for every cache.
 * kmem_cache_flags() then applies the result to each cache as it is created. On a machine the
 * value comes from the kernel command line: slubModule contributes the __setup() handlers
 * (`slub_debug`, `slub_min_order=`, `slub_max_order=`, `slub_min_objects=`; slubKernelParams)
 * and the machine calls them right after "Kernel command line:", as start_kernel() does.
 */
import {
  ConfigError, describeValue, getOption, type KernelParam, MAX_ORDER, setupParam, PAGE_ALLOC_COSTLY_ORDER, SLAB_CONSISTENCY_CHECKS, SLAB_FAILSLAB,
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
  /**
   * slub_debug as the kernel command line's `slub_debug` words left it (setupSlubDebug(), one
   * call per word); slubModule sets it when the machine parses its command line. Wins over
   * slubDebug.
   */
  readonly slubDebugSetting?: SlubDebugSetting;
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
  /** The command line's slub_debug, when it had one. */
  readonly slubDebugSetting: SlubDebugSetting | undefined;
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
  slubDebugSetting: undefined,
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
  const setting = src.slubDebugSetting as SlubDebugSetting | undefined;
  if (setting !== undefined && (typeof setting !== "object" || setting === null || typeof setting.flags !== "number" || !Array.isArray(setting.unknown))) {
    throw new ConfigError("slub.resolveSlubOptions", file, "slub.slubDebugSetting", "a SlubDebugSetting (from setupSlubDebug())", describeValue(setting));
  }
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
    slubDebugSetting: setting,
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

/**
 * slub_debug as setup_slub_debug() leaves the kernel's variables: the global flags, the string
 * of blocks with slab lists, `O`, and the unknown options met.
 */
export interface SlubDebugSetting {
  /** Kernel: `slub_debug` (the global flags). */
  readonly flags: number;
  /**
   * Kernel: `slub_debug_string`: the whole value of the last `slub_debug=` that had a slab list,
   * re-parsed by kmem_cache_flags() for each new cache; undefined when none had one.
   */
  readonly string: string | undefined;
  /** The blocks of `string` that have a slab list, in order (parsed for callers; kmem_cache_flags reads `string`). */
  readonly blocks: readonly SlubDebugBlock[];
  /** Kernel: `disable_higher_order_debug` (option `O`). */
  readonly disableHigherOrderDebug: boolean;
  /** Kernel: `static_branch_enable(&slub_debug_enabled)`: any debugging anywhere. */
  readonly enabled: boolean;
  /**
   * Option letters the kernel skips with `slub_debug option '%c' unknown. skipped`, not printed
   * yet: parseSlubDebug() leaves them for kmem_cache_init() to print; the command-line handler
   * prints them as it parses and leaves none.
   */
  readonly unknown: readonly string[];
}

/** No slub_debug on the command line (CONFIG_SLUB_DEBUG_ON off): the reference machine. */
export const SLUB_DEBUG_NONE: SlubDebugSetting = Object.freeze({
  flags: 0, string: undefined, blocks: Object.freeze([]), disableHigherOrderDebug: false, enabled: false, unknown: Object.freeze([]),
});

/** One block as parse_slub_debug_flags() reads it, by index into the string. */
interface ParsedBlock {
  readonly flags: number;
  /** Where the slab list starts (`*slabs`), or undefined for a block without one. */
  readonly slabs: number | undefined;
  readonly higherOrderDisable: boolean;
  /** Where the next block starts, or undefined at the end. */
  readonly next: number | undefined;
}

/**
 * Parses the block of `s` at `i`. Kernel: `parse_slub_debug_flags()`.
 * @param init the first parse (setup_slub_debug): unknown letters are reported, `O` counts
 */
function parseBlock(s: string, i: number, init: boolean, unknown: string[]): ParsedBlock {
  const n = s.length;
  let flags = 0;
  let higherOrderDisable = false;
  /* Skip any completely empty blocks */
  while (i < n && s[i] === ";") i++;
  if (s[i] === ",") {
    /* No options but restriction on slabs: full debugging for the slabs matching. */
    flags = DEBUG_DEFAULT_FLAGS;
  } else {
    for (; i < n && s[i] !== "," && s[i] !== ";"; i++) {
      switch (s[i]!.toLowerCase()) {
        case "-": flags = 0; break;
        case "f": flags |= SLAB_CONSISTENCY_CHECKS; break;
        case "z": flags |= SLAB_RED_ZONE; break;
        case "p": flags |= SLAB_POISON; break;
        case "u": flags |= SLAB_STORE_USER; break;
        case "t": flags |= SLAB_TRACE; break;
        case "a": flags |= SLAB_FAILSLAB; break;
        /* Avoid enabling debugging on caches if its minimum order would increase as a result. */
        case "o": higherOrderDisable = true; break;
        default:
          if (init) unknown.push(s[i]!);
      }
    }
  }
  let slabs: number | undefined;
  if (s[i] === ",") slabs = ++i;
  /* Skip over the slab list */
  while (i < n && s[i] !== ";") i++;
  /* Skip any completely empty blocks */
  while (i < n && s[i] === ";") i++;
  return { flags, slabs, higherOrderDisable: init && higherOrderDisable, next: i < n ? i : undefined };
}

/** The blocks of a slub_debug_string that have a slab list. */
function listBlocks(s: string | undefined): SlubDebugBlock[] {
  const out: SlubDebugBlock[] = [];
  let next: number | undefined = s === undefined ? undefined : 0;
  while (s !== undefined && next !== undefined) {
    const b = parseBlock(s, next, false, []);
    next = b.next;
    if (b.slabs === undefined) continue;
    let end = s.indexOf(";", b.slabs);
    if (end < 0) end = s.length;
    out.push({ flags: b.flags, slabs: s.slice(b.slabs, end).split(",") });
  }
  return out;
}

/** What setup_slub_debug() does besides setting the variables, when a machine's command line is parsed. */
export interface SlubDebugBoot {
  /** Where pr_err/pr_info go (unknown letters, the SLAB_POISON notice); undefined: keep unknown letters in the setting. */
  readonly log?: { prErr(text: string): void; prInfo(text: string): void };
  /** init_on_alloc or init_on_free is on (the notice about SLAB_POISON). */
  readonly initOnAllocOrFree?: boolean;
  /** Kernel: `stack_depot_want_early_init()`, called when U is asked for anywhere. */
  readonly wantStackDepot?: () => void;
}

/**
 * One `slub_debug` word of the command line, on top of what earlier ones set. Kernel:
 * `setup_slub_debug()` (CONFIG_SLUB_DEBUG_ON off), a __setup("slub_debug") handler.
 *
 * Without `=value` (or with an empty one) every cache gets F, Z, P and U. Otherwise each
 * `;`-separated block is `<flags>[,<slab>…]`: a block without a slab list sets the global flags
 * (the last one wins), blocks with lists apply to the caches they name and make this value the
 * new slub_debug_string. A value with only slab lists keeps the global flags of an earlier
 * slub_debug (0 for the first), "for backwards compatibility" (6.1's comment); one without any
 * keeps the earlier slub_debug_string.
 * @param str the rest of the word after "slub_debug": "" (bare), "=FZ,dentry", or anything else
 */
export function setupSlubDebug(prev: SlubDebugSetting, str: string, boot: SlubDebugBoot = {}): SlubDebugSetting {
  let globalFlags = DEBUG_DEFAULT_FLAGS;
  let slubDebugString = prev.string;
  let disable = prev.disableHigherOrderDebug;
  const unknown: string[] = [];
  let wantDepot = false;
  if (str[0] === "=" && str.length > 1) {
    const saved = str.slice(1);
    let globalChanged = false;
    let listSpecified = false;
    let next: number | undefined = 0;
    while (next !== undefined) {
      const b = parseBlock(saved, next, true, unknown);
      if (b.higherOrderDisable) disable = true;
      if (b.slabs === undefined) {
        globalFlags = b.flags;
        globalChanged = true;
      } else {
        listSpecified = true;
        if ((b.flags & SLAB_STORE_USER) !== 0) wantDepot = true;
      }
      next = b.next;
    }
    if (listSpecified) {
      if (!globalChanged) globalFlags = prev.flags;
      slubDebugString = saved;
    }
  }
  // out:
  if ((globalFlags & SLAB_STORE_USER) !== 0) wantDepot = true;
  if (wantDepot) boot.wantStackDepot?.();
  const log = boot.log;
  if (log) for (const ch of unknown) log.prErr(`slub_debug option '${ch}' unknown. skipped`);
  if (log && boot.initOnAllocOrFree && (globalFlags & SLAB_POISON) !== 0) {
    log.prInfo("mem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free");
  }
  return {
    flags: globalFlags,
    string: slubDebugString,
    blocks: listBlocks(slubDebugString),
    disableHigherOrderDebug: disable,
    enabled: globalFlags !== 0 || slubDebugString !== undefined,
    unknown: log ? [] : [...prev.unknown, ...unknown],
  };
}

/**
 * Parses the value of `slub_debug=` given as a library option: setupSlubDebug() of
 * `slub_debug=<value>` on a machine without slub_debug, unknown letters kept for kmem_cache_init().
 * @param value the text after `slub_debug=`, "" for a bare `slub_debug`, undefined when absent
 */
export function parseSlubDebug(value: string | undefined): SlubDebugSetting {
  if (value === undefined) return SLUB_DEBUG_NONE;
  return setupSlubDebug(SLUB_DEBUG_NONE, `=${value}`);
}

/** `strncmp(a, s + i, n) == 0` over C strings (a string ends where the JS string does). */
function strneq(a: string, s: string, i: number, n: number): boolean {
  for (let k = 0; k < n; k++) {
    const x = a[k];
    const y = s[i + k];
    if (x !== y) return false;
    if (x === undefined) return true;
  }
  return true;
}

/**
 * The flags a new cache gets: the first block whose slab list names it (a `*` ends a prefix; a
 * name is otherwise compared whole), else the global flags (without U for SLAB_NOLEAKTRACE
 * caches); SLAB_NO_USER_FLAGS caches keep theirs. Kernel: `kmem_cache_flags()`, which re-parses
 * slub_debug_string, followed to the character (a list ended by `;;` does not match its last
 * name, as in 6.1).
 */
export function kmemCacheFlags(setting: SlubDebugSetting, flags: number, name: string): number {
  if ((flags & SLAB_NO_USER_FLAGS) !== 0) return flags;
  let local = setting.flags;
  /* A cache for debugging (kmemleak) stores no user tracks by default. */
  if ((flags & SLAB_NOLEAKTRACE) !== 0) local &= ~SLAB_STORE_USER;
  const s = setting.string;
  const len = name.length;
  let next: number | undefined = s === undefined ? undefined : 0;
  while (s !== undefined && next !== undefined) {
    const b = parseBlock(s, next, false, []);
    next = b.next;
    if (b.slabs === undefined) continue;
    /* Found a block that has a slab list, search it */
    let iter = b.slabs;
    while (iter < s.length) {
      let end = s.indexOf(",", iter);
      if (end < 0) end = s.length;
      if (next !== undefined && next < end) end = next - 1;
      const glob = s.slice(iter, end).indexOf("*");
      const cmplen = glob >= 0 ? glob : Math.max(len, end - iter);
      if (strneq(name, s, iter, cmplen)) return flags | b.flags;
      if (end >= s.length || s[end] === ";") break;
      iter = end + 1;
    }
  }
  return flags | local;
}

/**
 * What SLUB's __setup() handlers set on one machine (the kernel's slub_debug, slub_debug_string,
 * slub_min_order, slub_max_order, slub_min_objects); slubModule keeps one per container and
 * lays it over the module options when the allocator is built.
 */
export interface SlubCmdline {
  slubDebugSetting?: SlubDebugSetting;
  slubMinOrder?: number;
  slubMaxOrder?: number;
  slubMinObjects?: number;
}

/** How many parameters slubKernelParams() returns. */
export const SLUB_KERNEL_PARAMS = 4;

/**
 * SLUB's command-line parameters, in mm/slub.c's order: `__setup("slub_debug", setup_slub_debug)`,
 * `__setup("slub_min_order=", …)`, `__setup("slub_max_order=", …)` (capped at MAX_ORDER - 1),
 * `__setup("slub_min_objects=", …)` (get_option(): a value without digits changes nothing; the
 * int is stored in an unsigned variable). Each returns 1 (handled).
 * @param cmd where the handlers write
 * @param initial slub_debug before the first `slub_debug` word (the module options')
 * @param boot the log, init_on_alloc and the stack depot, looked up when a handler runs
 */
export function slubKernelParams(cmd: SlubCmdline, initial: SlubDebugSetting, boot: () => SlubDebugBoot): KernelParam[] {
  const uint = (str: string, set: (v: number) => void): number => {
    const v = getOption(str);
    if (v !== undefined) set(v >>> 0);
    return 1;
  };
  return [
    setupParam("slub_debug", (str) => {
      cmd.slubDebugSetting = setupSlubDebug(cmd.slubDebugSetting ?? initial, str, boot());
      return 1;
    }),
    setupParam("slub_min_order=", (str) => uint(str, (v) => (cmd.slubMinOrder = v))),
    setupParam("slub_max_order=", (str) => uint(str, (v) => (cmd.slubMaxOrder = Math.min(v, MAX_ORDER - 1)))),
    setupParam("slub_min_objects=", (str) => uint(str, (v) => (cmd.slubMinObjects = v))),
  ];
}
