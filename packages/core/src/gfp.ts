// Kernel: include/linux/gfp_types.h, include/linux/gfp.h (v6.1; read from 6.1.129), GFP masks of mm/internal.h, show_gfp_flags() of include/trace/events/mmflags.h
/*
 * GFP ("get free pages") flags of the reference kernel, as plain numbers (`GfpFlags`), and the
 * helpers that decode them: zone (gfp_zone via GFP_ZONE_TABLE), migratetype, may-block, and
 * the trace printer.
 *
 * 6.1 values, not newer ones: 6.1 still has ___GFP_ATOMIC at 0x200 (removed in 6.3, when
 * GFP_ATOMIC became 0x820), and the KASAN bits are ___GFP_SKIP_ZERO /
 * ___GFP_SKIP_KASAN_UNPOISON / ___GFP_SKIP_KASAN_POISON (merged into __GFP_SKIP_KASAN in 6.2).
 *
 * Config (Debian 6.1.0-56-arm64): CONFIG_KASAN is not set (so no KASAN_HW_TAGS, although
 * ARM64_MTE=y) -> the three SKIP bits are 0; CONFIG_LOCKDEP is not set -> ___GFP_NOLOCKDEP is
 * 0 and __GFP_BITS_SHIFT is 27. Hence GFP_HIGHUSER_MOVABLE carries no SKIP bits (0x100cca) and
 * the tracepoint table has no KASAN names.
 *
 * Zones: ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE; no ZONE_HIGHMEM, so __GFP_HIGHMEM
 * alone selects ZONE_NORMAL (OPT_ZONE_HIGHMEM), and only __GFP_MOVABLE|__GFP_HIGHMEM (as in
 * GFP_HIGHUSER_MOVABLE) reaches ZONE_MOVABLE. GFP_ZONES_SHIFT = ZONES_SHIFT = 2 (no ZONE_DEVICE).
 *
 * All values are below 2^27, so JS bitwise operators keep them positive.
 */
import { debugVm, MmBugError } from "./errors.ts";
import {
  ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL,
  ZONELIST_FALLBACK, ZONELIST_NOFALLBACK,
} from "./mmzone.ts";
import { ZONES_SHIFT } from "./page-flags.ts";

/** A gfp_t: an OR of __GFP_* bits. Kernel: `gfp_t` (unsigned int). */
export type GfpFlags = number;

// ---------------------------------------------------------------------------------------------
// Plain bits (___GFP_*)
// ---------------------------------------------------------------------------------------------

/** Kernel: `___GFP_DMA`. */
export const ___GFP_DMA = 0x01;
/** Kernel: `___GFP_HIGHMEM`. */
export const ___GFP_HIGHMEM = 0x02;
/** Kernel: `___GFP_DMA32`. */
export const ___GFP_DMA32 = 0x04;
/** Kernel: `___GFP_MOVABLE`. */
export const ___GFP_MOVABLE = 0x08;
/** Kernel: `___GFP_RECLAIMABLE`. */
export const ___GFP_RECLAIMABLE = 0x10;
/** Kernel: `___GFP_HIGH`. */
export const ___GFP_HIGH = 0x20;
/** Kernel: `___GFP_IO`. */
export const ___GFP_IO = 0x40;
/** Kernel: `___GFP_FS`. */
export const ___GFP_FS = 0x80;
/** Kernel: `___GFP_ZERO`. */
export const ___GFP_ZERO = 0x100;
/** Kernel: `___GFP_ATOMIC` (6.1 only; removed in 6.3). */
export const ___GFP_ATOMIC = 0x200;
/** Kernel: `___GFP_DIRECT_RECLAIM`. */
export const ___GFP_DIRECT_RECLAIM = 0x400;
/** Kernel: `___GFP_KSWAPD_RECLAIM`. */
export const ___GFP_KSWAPD_RECLAIM = 0x800;
/** Kernel: `___GFP_WRITE`. */
export const ___GFP_WRITE = 0x1000;
/** Kernel: `___GFP_NOWARN`. */
export const ___GFP_NOWARN = 0x2000;
/** Kernel: `___GFP_RETRY_MAYFAIL`. */
export const ___GFP_RETRY_MAYFAIL = 0x4000;
/** Kernel: `___GFP_NOFAIL`. */
export const ___GFP_NOFAIL = 0x8000;
/** Kernel: `___GFP_NORETRY`. */
export const ___GFP_NORETRY = 0x10000;
/** Kernel: `___GFP_MEMALLOC`. */
export const ___GFP_MEMALLOC = 0x20000;
/** Kernel: `___GFP_COMP`. */
export const ___GFP_COMP = 0x40000;
/** Kernel: `___GFP_NOMEMALLOC`. */
export const ___GFP_NOMEMALLOC = 0x80000;
/** Kernel: `___GFP_HARDWALL`. */
export const ___GFP_HARDWALL = 0x100000;
/** Kernel: `___GFP_THISNODE`. */
export const ___GFP_THISNODE = 0x200000;
/** Kernel: `___GFP_ACCOUNT`. */
export const ___GFP_ACCOUNT = 0x400000;
/** Kernel: `___GFP_ZEROTAGS`. */
export const ___GFP_ZEROTAGS = 0x800000;
/** 0: CONFIG_KASAN_HW_TAGS not set (would be 0x1000000). Kernel: `___GFP_SKIP_ZERO`. */
export const ___GFP_SKIP_ZERO = 0;
/** 0: CONFIG_KASAN_HW_TAGS not set (would be 0x2000000). Kernel: `___GFP_SKIP_KASAN_UNPOISON`. */
export const ___GFP_SKIP_KASAN_UNPOISON = 0;
/** 0: CONFIG_KASAN_HW_TAGS not set (would be 0x4000000). Kernel: `___GFP_SKIP_KASAN_POISON`. */
export const ___GFP_SKIP_KASAN_POISON = 0;
/** 0: CONFIG_LOCKDEP not set (would be 0x8000000). Kernel: `___GFP_NOLOCKDEP`. */
export const ___GFP_NOLOCKDEP = 0;

// ---------------------------------------------------------------------------------------------
// Modifiers (__GFP_*)
// ---------------------------------------------------------------------------------------------

/** Zone modifier: ZONE_DMA. Kernel: `__GFP_DMA`. */
export const __GFP_DMA = ___GFP_DMA;
/** Zone modifier: highmem allowed (ZONE_NORMAL here; with __GFP_MOVABLE, ZONE_MOVABLE). Kernel: `__GFP_HIGHMEM`. */
export const __GFP_HIGHMEM = ___GFP_HIGHMEM;
/** Zone modifier: ZONE_DMA32. Kernel: `__GFP_DMA32`. */
export const __GFP_DMA32 = ___GFP_DMA32;
/** Movable page (zone modifier and mobility hint). Kernel: `__GFP_MOVABLE`. */
export const __GFP_MOVABLE = ___GFP_MOVABLE;
/** The four zone-modifier bits. Kernel: `GFP_ZONEMASK`. */
export const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;

/** Mobility hint: reclaimable (SLAB_RECLAIM_ACCOUNT slabs). Kernel: `__GFP_RECLAIMABLE`. */
export const __GFP_RECLAIMABLE = ___GFP_RECLAIMABLE;
/** Caller will dirty the page (spread dirty pages over zones). Kernel: `__GFP_WRITE`. */
export const __GFP_WRITE = ___GFP_WRITE;
/** Enforce the cpuset memory policy. Kernel: `__GFP_HARDWALL`. */
export const __GFP_HARDWALL = ___GFP_HARDWALL;
/** Only the requested node, no fallback. Kernel: `__GFP_THISNODE`. */
export const __GFP_THISNODE = ___GFP_THISNODE;
/** Charge to the memory cgroup (kmemcg). Kernel: `__GFP_ACCOUNT`. */
export const __GFP_ACCOUNT = ___GFP_ACCOUNT;

/** Caller cannot reclaim or sleep and is high priority (6.1). Kernel: `__GFP_ATOMIC`. */
export const __GFP_ATOMIC = ___GFP_ATOMIC;
/** High priority: may dip below the min watermark. Kernel: `__GFP_HIGH`. */
export const __GFP_HIGH = ___GFP_HIGH;
/** Access to all memory reserves. Kernel: `__GFP_MEMALLOC`. */
export const __GFP_MEMALLOC = ___GFP_MEMALLOC;
/** Forbid access to reserves (beats __GFP_MEMALLOC). Kernel: `__GFP_NOMEMALLOC`. */
export const __GFP_NOMEMALLOC = ___GFP_NOMEMALLOC;

/** May start physical I/O. Kernel: `__GFP_IO`. */
export const __GFP_IO = ___GFP_IO;
/** May call into the filesystem. Kernel: `__GFP_FS`. */
export const __GFP_FS = ___GFP_FS;
/** May enter direct reclaim (and so block). Kernel: `__GFP_DIRECT_RECLAIM`. */
export const __GFP_DIRECT_RECLAIM = ___GFP_DIRECT_RECLAIM;
/** Wake kswapd at the low watermark. Kernel: `__GFP_KSWAPD_RECLAIM`. */
export const __GFP_KSWAPD_RECLAIM = ___GFP_KSWAPD_RECLAIM;
/** Both reclaim bits. Kernel: `__GFP_RECLAIM`. */
export const __GFP_RECLAIM = ___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM;
/** Retry reclaim while there is progress; may fail; no OOM kill. Kernel: `__GFP_RETRY_MAYFAIL`. */
export const __GFP_RETRY_MAYFAIL = ___GFP_RETRY_MAYFAIL;
/** Never fail; retry forever. Kernel: `__GFP_NOFAIL`. */
export const __GFP_NOFAIL = ___GFP_NOFAIL;
/** Light reclaim only, fail early, no OOM kill. Kernel: `__GFP_NORETRY`. */
export const __GFP_NORETRY = ___GFP_NORETRY;

/** No allocation-failure report. Kernel: `__GFP_NOWARN`. */
export const __GFP_NOWARN = ___GFP_NOWARN;
/** Set up compound-page metadata. Kernel: `__GFP_COMP`. */
export const __GFP_COMP = ___GFP_COMP;
/** Return zeroed memory. Kernel: `__GFP_ZERO`. */
export const __GFP_ZERO = ___GFP_ZERO;
/** Zero memory tags together with the memory (MTE). Kernel: `__GFP_ZEROTAGS`. */
export const __GFP_ZEROTAGS = ___GFP_ZEROTAGS;
/** 0 in this config. Kernel: `__GFP_SKIP_ZERO`. */
export const __GFP_SKIP_ZERO = ___GFP_SKIP_ZERO;
/** 0 in this config. Kernel: `__GFP_SKIP_KASAN_UNPOISON`. */
export const __GFP_SKIP_KASAN_UNPOISON = ___GFP_SKIP_KASAN_UNPOISON;
/** 0 in this config. Kernel: `__GFP_SKIP_KASAN_POISON`. */
export const __GFP_SKIP_KASAN_POISON = ___GFP_SKIP_KASAN_POISON;
/** 0 in this config. Kernel: `__GFP_NOLOCKDEP`. */
export const __GFP_NOLOCKDEP = ___GFP_NOLOCKDEP;

/** Bits a gfp_t may use: 27 + IS_ENABLED(CONFIG_LOCKDEP) = 27. Kernel: `__GFP_BITS_SHIFT`. */
export const __GFP_BITS_SHIFT = 27;
/** Kernel: `__GFP_BITS_MASK` (0x7ffffff). */
export const __GFP_BITS_MASK = (1 << __GFP_BITS_SHIFT) - 1;

// ---------------------------------------------------------------------------------------------
// Composites
// ---------------------------------------------------------------------------------------------

/** Cannot sleep, must succeed; may use atomic reserves (0xa20 in 6.1). Kernel: `GFP_ATOMIC`. */
export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
/** Typical kernel allocation (0xcc0). Kernel: `GFP_KERNEL`. */
export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
/** GFP_KERNEL charged to kmemcg (0x400cc0). Kernel: `GFP_KERNEL_ACCOUNT`. */
export const GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
/** No direct reclaim, no I/O, no FS (0x800). Kernel: `GFP_NOWAIT`. */
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
/** May reclaim, no I/O (0xc00). Kernel: `GFP_NOIO`. */
export const GFP_NOIO = __GFP_RECLAIM;
/** May reclaim and do I/O, no FS (0xc40). Kernel: `GFP_NOFS`. */
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
/** User-space allocation the kernel also accesses (0x100cc0). Kernel: `GFP_USER`. */
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
/** Kernel: `GFP_DMA` (= __GFP_DMA). */
export const GFP_DMA = __GFP_DMA;
/** Kernel: `GFP_DMA32` (= __GFP_DMA32). */
export const GFP_DMA32 = __GFP_DMA32;
/** User pages, may be highmem, not movable (0x100cc2). Kernel: `GFP_HIGHUSER`. */
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
/**
 * User pages the kernel need not map, movable (0x100cca here; the KASAN SKIP bits are 0).
 * Kernel: `GFP_HIGHUSER_MOVABLE`.
 */
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN_POISON | __GFP_SKIP_KASAN_UNPOISON;
/** THP on fault: compound, no reserves, quiet, no reclaim (0x1c20ca). Kernel: `GFP_TRANSHUGE_LIGHT`. */
export const GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
/** THP for khugepaged: GFP_TRANSHUGE_LIGHT plus direct reclaim (0x1c24ca). Kernel: `GFP_TRANSHUGE`. */
export const GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

/** The mobility bits. Kernel: `GFP_MOVABLE_MASK` in include/linux/gfp.h. */
export const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;
/** Shift that turns the mobility bits into a migratetype. Kernel: `GFP_MOVABLE_SHIFT`. */
export const GFP_MOVABLE_SHIFT = 3;

/** Flags that reclaim honours, kept when a caller's gfp is narrowed. Kernel: `GFP_RECLAIM_MASK` in mm/internal.h. */
export const GFP_RECLAIM_MASK =
  __GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_NOFAIL |
  __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_ATOMIC | __GFP_NOLOCKDEP;
/** gfp_allowed_mask before interrupts are on: no reclaim, I/O or FS. Kernel: `GFP_BOOT_MASK` in mm/internal.h. */
export const GFP_BOOT_MASK = __GFP_BITS_MASK & ~(__GFP_RECLAIM | __GFP_IO | __GFP_FS);
/** cpuset and node placement constraints. Kernel: `GFP_CONSTRAINT_MASK` in mm/internal.h. */
export const GFP_CONSTRAINT_MASK = __GFP_HARDWALL | __GFP_THISNODE;
/** Flags a slab allocation must not carry (unsigned 32-bit). Kernel: `GFP_SLAB_BUG_MASK` in mm/internal.h. */
export const GFP_SLAB_BUG_MASK = (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK) >>> 0;

// ---------------------------------------------------------------------------------------------
// Zone selection
// ---------------------------------------------------------------------------------------------

/** Bits per GFP_ZONE_TABLE entry: ZONES_SHIFT (2), as CONFIG_ZONE_DEVICE is off. Kernel: `GFP_ZONES_SHIFT`. */
export const GFP_ZONES_SHIFT = ZONES_SHIFT;

/** ZONE_HIGHMEM if configured, else ZONE_NORMAL. Kernel: `OPT_ZONE_HIGHMEM`. */
const OPT_ZONE_HIGHMEM = ZONE_NORMAL;
/** Kernel: `OPT_ZONE_DMA` (CONFIG_ZONE_DMA=y). */
const OPT_ZONE_DMA = ZONE_DMA;
/** Kernel: `OPT_ZONE_DMA32` (CONFIG_ZONE_DMA32=y). */
const OPT_ZONE_DMA32 = ZONE_DMA32;

/**
 * 16 entries of GFP_ZONES_SHIFT bits, indexed by flags & GFP_ZONEMASK: the zone each valid
 * combination of __GFP_DMA, __GFP_HIGHMEM, __GFP_DMA32 and __GFP_MOVABLE selects (0x1320122
 * here). The invalid combinations (GFP_ZONE_BAD) have no entry, so they read as 0 = ZONE_DMA.
 * Kernel: `GFP_ZONE_TABLE` in include/linux/gfp.h.
 */
export const GFP_ZONE_TABLE =
  (ZONE_NORMAL << (0 * GFP_ZONES_SHIFT)) |
  (OPT_ZONE_DMA << (___GFP_DMA * GFP_ZONES_SHIFT)) |
  (OPT_ZONE_HIGHMEM << (___GFP_HIGHMEM * GFP_ZONES_SHIFT)) |
  (OPT_ZONE_DMA32 << (___GFP_DMA32 * GFP_ZONES_SHIFT)) |
  (ZONE_NORMAL << (___GFP_MOVABLE * GFP_ZONES_SHIFT)) |
  (OPT_ZONE_DMA << ((___GFP_MOVABLE | ___GFP_DMA) * GFP_ZONES_SHIFT)) |
  (ZONE_MOVABLE << ((___GFP_MOVABLE | ___GFP_HIGHMEM) * GFP_ZONES_SHIFT)) |
  (OPT_ZONE_DMA32 << ((___GFP_MOVABLE | ___GFP_DMA32) * GFP_ZONES_SHIFT));

/**
 * One bit per zone-modifier combination that is not allowed (two zone bits at once, or
 * MOVABLE with two of them): 0xe8e8. Kernel: `GFP_ZONE_BAD` in include/linux/gfp.h.
 */
export const GFP_ZONE_BAD =
  (1 << (___GFP_DMA | ___GFP_HIGHMEM)) |
  (1 << (___GFP_DMA | ___GFP_DMA32)) |
  (1 << (___GFP_DMA32 | ___GFP_HIGHMEM)) |
  (1 << (___GFP_DMA | ___GFP_DMA32 | ___GFP_HIGHMEM)) |
  (1 << (___GFP_MOVABLE | ___GFP_HIGHMEM | ___GFP_DMA)) |
  (1 << (___GFP_MOVABLE | ___GFP_DMA32 | ___GFP_DMA)) |
  (1 << (___GFP_MOVABLE | ___GFP_DMA32 | ___GFP_HIGHMEM)) |
  (1 << (___GFP_MOVABLE | ___GFP_DMA32 | ___GFP_DMA | ___GFP_HIGHMEM));

/**
 * The highest zone an allocation with these flags may use (its zonelist is walked from there
 * down). GFP_KERNEL -> ZONE_NORMAL, GFP_HIGHUSER_MOVABLE -> ZONE_MOVABLE, GFP_DMA -> ZONE_DMA,
 * GFP_DMA32 -> ZONE_DMA32, __GFP_HIGHMEM alone -> ZONE_NORMAL.
 * A bad combination (GFP_ZONE_BAD, e.g. __GFP_DMA|__GFP_DMA32) returns ZONE_DMA, what the
 * kernel's table yields without CONFIG_DEBUG_VM (the reference config); with debugVm on it
 * trips the kernel's VM_BUG_ON instead.
 * Kernel: `gfp_zone()` in include/linux/gfp.h.
 * @returns a ZoneType (ZONE_DMA..ZONE_MOVABLE)
 * @throws MmBugError when debugVm is on and the zone modifiers are a GFP_ZONE_BAD combination
 */
export function gfpZone(flags: GfpFlags): number {
  const bit = flags & GFP_ZONEMASK;
  if (debugVm.on && ((GFP_ZONE_BAD >> bit) & 1) !== 0) gfpZoneBug(flags);
  return (GFP_ZONE_TABLE >> (bit * GFP_ZONES_SHIFT)) & ((1 << GFP_ZONES_SHIFT) - 1);
}

/** gfp_zone's VM_BUG_ON, out of line so that gfpZone stays small enough for V8 to inline into the allocator (issue 22). */
function gfpZoneBug(flags: GfpFlags): never {
  throw new MmBugError("core.gfpZone", "bad zone modifiers 0x" + (flags & GFP_ZONEMASK).toString(16) + " in gfp 0x" + (flags >>> 0).toString(16));
}

/**
 * True when the zone modifiers are one of the GFP_ZONE_BAD combinations.
 * Kernel: the `(GFP_ZONE_BAD >> bit) & 1` test of `gfp_zone()`.
 */
export function gfpZoneBad(flags: GfpFlags): boolean {
  return ((GFP_ZONE_BAD >> (flags & GFP_ZONEMASK)) & 1) !== 0;
}

/**
 * Migratetype of an allocation, with grouping by mobility on (it is off only when the machine
 * has fewer than pageblock_nr_pages * MIGRATE_TYPES pages; the caller checks
 * page_group_by_mobility_disabled): 0 UNMOVABLE, __GFP_MOVABLE -> MIGRATE_MOVABLE,
 * __GFP_RECLAIMABLE -> MIGRATE_RECLAIMABLE. Both bits together give 3 (MIGRATE_HIGHATOMIC),
 * which the kernel only warns about (VM_WARN_ON). Relies on ___GFP_MOVABLE >> 3 == MIGRATE_MOVABLE
 * and ___GFP_RECLAIMABLE >> 3 == MIGRATE_RECLAIMABLE (the kernel's BUILD_BUG_ONs; gfp.test.ts).
 * Kernel: `gfp_migratetype()` in include/linux/gfp.h.
 * @returns MIGRATE_UNMOVABLE, MIGRATE_MOVABLE or MIGRATE_RECLAIMABLE (3 for the invalid mix)
 */
export function gfpMigratetype(flags: GfpFlags): number {
  return (flags & GFP_MOVABLE_MASK) >>> GFP_MOVABLE_SHIFT;
}

/** True when the caller may sleep in direct reclaim. Kernel: `gfpflags_allow_blocking()`. */
export function gfpflagsAllowBlocking(flags: GfpFlags): boolean {
  return (flags & __GFP_DIRECT_RECLAIM) !== 0;
}

/**
 * True when compaction may run for this allocation: it needs __GFP_IO, because migration may
 * do I/O (CONFIG_COMPACTION=y). Kernel: `gfp_compaction_allowed()` (6.1.y stable, include/linux/gfp.h).
 */
export function gfpCompactionAllowed(flags: GfpFlags): boolean {
  return (flags & __GFP_IO) !== 0;
}

/** True when reclaim may start I/O. Kernel: the `gfp_mask & __GFP_IO` test (6.1 has no named helper). */
export function gfpHasIo(flags: GfpFlags): boolean {
  return (flags & __GFP_IO) !== 0;
}

/** True when reclaim may enter the filesystem. Kernel: the `gfp_mask & __GFP_FS` test (6.1 has no named helper). */
export function gfpHasFs(flags: GfpFlags): boolean {
  return (flags & __GFP_FS) !== 0;
}

/** Zonelist to use: the node-local one for __GFP_THISNODE (CONFIG_NUMA=y). Kernel: `gfp_zonelist()`. */
export function gfpZonelist(flags: GfpFlags): number {
  return (flags & __GFP_THISNODE) !== 0 ? ZONELIST_NOFALLBACK : ZONELIST_FALLBACK;
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

/**
 * GFP names in the order they print, as [mask, name]: composites first, most bits first, so
 * that matching masks are taken before single bits. No KASAN names (CONFIG_KASAN_HW_TAGS off).
 * Kernel: `__def_gfpflag_names` in include/trace/events/mmflags.h (`gfpflag_names[]` in mm/debug.c).
 */
export const gfpflagNames: readonly (readonly [mask: number, name: string])[] = Object.freeze([
  [GFP_TRANSHUGE, "GFP_TRANSHUGE"],
  [GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"],
  [GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"],
  [GFP_HIGHUSER, "GFP_HIGHUSER"],
  [GFP_USER, "GFP_USER"],
  [GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"],
  [GFP_KERNEL, "GFP_KERNEL"],
  [GFP_NOFS, "GFP_NOFS"],
  [GFP_ATOMIC, "GFP_ATOMIC"],
  [GFP_NOIO, "GFP_NOIO"],
  [GFP_NOWAIT, "GFP_NOWAIT"],
  [GFP_DMA, "GFP_DMA"],
  [__GFP_HIGHMEM, "__GFP_HIGHMEM"],
  [GFP_DMA32, "GFP_DMA32"],
  [__GFP_HIGH, "__GFP_HIGH"],
  [__GFP_ATOMIC, "__GFP_ATOMIC"],
  [__GFP_IO, "__GFP_IO"],
  [__GFP_FS, "__GFP_FS"],
  [__GFP_NOWARN, "__GFP_NOWARN"],
  [__GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"],
  [__GFP_NOFAIL, "__GFP_NOFAIL"],
  [__GFP_NORETRY, "__GFP_NORETRY"],
  [__GFP_COMP, "__GFP_COMP"],
  [__GFP_ZERO, "__GFP_ZERO"],
  [__GFP_NOMEMALLOC, "__GFP_NOMEMALLOC"],
  [__GFP_MEMALLOC, "__GFP_MEMALLOC"],
  [__GFP_HARDWALL, "__GFP_HARDWALL"],
  [__GFP_THISNODE, "__GFP_THISNODE"],
  [__GFP_RECLAIMABLE, "__GFP_RECLAIMABLE"],
  [__GFP_MOVABLE, "__GFP_MOVABLE"],
  [__GFP_ACCOUNT, "__GFP_ACCOUNT"],
  [__GFP_WRITE, "__GFP_WRITE"],
  [__GFP_RECLAIM, "__GFP_RECLAIM"],
  [__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"],
  [__GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"],
  [__GFP_ZEROTAGS, "__GFP_ZEROTAGS"],
] as const);

/**
 * Renders flags as a trace line's `gfp_flags=` field: names from gfpflagNames joined by "|"
 * (a name is taken when all its bits are still set, and its bits are then removed), then any
 * leftover bits as one "0x…" (lowercase hex); 0 prints "none".
 * E.g. 0xcc0 -> "GFP_KERNEL", 0x100dca -> "GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
 * 0x1000cc0 -> "GFP_KERNEL|0x1000000".
 * Kernel: `show_gfp_flags()` in include/trace/events/mmflags.h via `trace_print_flags_seq()`
 * in kernel/trace/trace_output.c.
 */
export function formatGfpFlags(flags: GfpFlags): string {
  const s = formatGfpNames(flags);
  return s === "" ? "none" : s;
}

/**
 * Renders flags as printk's `%#x(%pGg)` does in allocation-failure and OOM reports, e.g.
 * "0xcc0(GFP_KERNEL)"; 0 prints "0x0()" (the kernel's %#x prints the 0x prefix for 0 too).
 * Kernel: `format_flags()` with `gfpflag_names` in lib/vsprintf.c, as used by warn_alloc()
 * ("mode:%#x(%pGg)") and dump_header() ("gfp_mask=%#x(%pGg)").
 */
export function formatGfpMask(flags: GfpFlags): string {
  return "0x" + (flags >>> 0).toString(16) + "(" + formatGfpNames(flags) + ")";
}

/** The names part shared by both printers: "" for 0. */
function formatGfpNames(flags: GfpFlags): string {
  let rest = flags >>> 0;
  let out = "";
  for (let i = 0; i < gfpflagNames.length && rest !== 0; i++) {
    const m = gfpflagNames[i][0];
    if ((rest & m) !== m) continue;
    rest = (rest & ~m) >>> 0;
    out += out === "" ? gfpflagNames[i][1] : "|" + gfpflagNames[i][1];
  }
  if (rest !== 0) out += (out === "" ? "0x" : "|0x") + rest.toString(16);
  return out;
}
