import { describe, it, expect, afterEach } from "vitest";
import { debugVm, MmBugError } from "./errors.ts";
import {
  ___GFP_ATOMIC, __GFP_ACCOUNT, __GFP_BITS_MASK, __GFP_BITS_SHIFT, __GFP_COMP, __GFP_DIRECT_RECLAIM, __GFP_DMA,
  __GFP_DMA32, __GFP_HIGHMEM, __GFP_IO, __GFP_KSWAPD_RECLAIM, __GFP_MOVABLE, __GFP_NOMEMALLOC, __GFP_NOWARN,
  __GFP_RECLAIM, __GFP_RECLAIMABLE, __GFP_SKIP_KASAN_POISON, __GFP_SKIP_KASAN_UNPOISON, __GFP_SKIP_ZERO,
  __GFP_NOLOCKDEP, __GFP_THISNODE, __GFP_ZERO, __GFP_ZEROTAGS, GFP_ATOMIC, GFP_BOOT_MASK, GFP_DMA, GFP_DMA32,
  GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_KERNEL_ACCOUNT, GFP_MOVABLE_MASK, GFP_MOVABLE_SHIFT,
  GFP_NOFS, GFP_NOIO, GFP_NOWAIT, GFP_SLAB_BUG_MASK, GFP_TRANSHUGE, GFP_TRANSHUGE_LIGHT, GFP_USER,
  GFP_ZONE_BAD, GFP_ZONE_TABLE, GFP_ZONEMASK, GFP_ZONES_SHIFT, formatGfpFlags, formatGfpMask,
  gfpCompactionAllowed, gfpflagNames, gfpflagsAllowBlocking, gfpHasFs, gfpHasIo, gfpMigratetype, gfpZone,
  gfpZoneBad, gfpZonelist,
} from "./gfp.ts";
import {
  MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, ZONE_DMA, ZONE_DMA32,
  ZONE_MOVABLE, ZONE_NORMAL, ZONELIST_FALLBACK, ZONELIST_NOFALLBACK,
} from "./mmzone.ts";

afterEach(() => {
  debugVm.on = false;
});

describe("GFP values (6.1, arm64 Debian: no KASAN_HW_TAGS, no LOCKDEP)", () => {
  it("has the 6.1 composites", () => {
    expect(GFP_KERNEL).toBe(0xcc0);
    expect(GFP_ATOMIC).toBe(0xa20); // 6.1 still has __GFP_ATOMIC (0x200); 0x820 from 6.3 on
    expect(___GFP_ATOMIC).toBe(0x200);
    expect(GFP_KERNEL_ACCOUNT).toBe(0x400cc0);
    expect(GFP_NOWAIT).toBe(0x800);
    expect(GFP_NOIO).toBe(0xc00);
    expect(GFP_NOFS).toBe(0xc40);
    expect(GFP_USER).toBe(0x100cc0);
    expect(GFP_DMA).toBe(0x1);
    expect(GFP_DMA32).toBe(0x4);
    expect(GFP_HIGHUSER).toBe(0x100cc2);
    expect(GFP_HIGHUSER_MOVABLE).toBe(0x100cca);
    expect(GFP_TRANSHUGE_LIGHT).toBe(0x1c20ca);
    expect(GFP_TRANSHUGE).toBe(0x1c24ca);
    expect(__GFP_RECLAIM).toBe(0xc00);
    expect(GFP_ZONEMASK).toBe(0xf);
    expect(GFP_MOVABLE_MASK).toBe(0x18);
    expect(GFP_MOVABLE_SHIFT).toBe(3);
  });

  it("has the config-dependent bits at 0 and 27 bits in all", () => {
    expect(__GFP_SKIP_ZERO).toBe(0);
    expect(__GFP_SKIP_KASAN_POISON).toBe(0);
    expect(__GFP_SKIP_KASAN_UNPOISON).toBe(0);
    expect(__GFP_NOLOCKDEP).toBe(0);
    expect(__GFP_BITS_SHIFT).toBe(27);
    expect(__GFP_BITS_MASK).toBe(0x7ffffff);
    expect(__GFP_ZEROTAGS).toBe(0x800000);
    expect(GFP_BOOT_MASK).toBe(0x7ffffff & ~0xcc0);
    expect(GFP_SLAB_BUG_MASK).toBe(0xf8000006);
  });
});

describe("gfpZone (GFP_ZONE_TABLE, GFP_ZONES_SHIFT 2)", () => {
  it("builds the kernel's table for DMA, DMA32, Normal, Movable without HIGHMEM", () => {
    expect(GFP_ZONES_SHIFT).toBe(2);
    expect(GFP_ZONE_TABLE).toBe(0x1320122);
    expect(GFP_ZONE_BAD).toBe(0xe8e8);
  });

  it("maps the composites to their zones", () => {
    expect(gfpZone(GFP_KERNEL)).toBe(ZONE_NORMAL);
    expect(gfpZone(GFP_ATOMIC)).toBe(ZONE_NORMAL);
    expect(gfpZone(GFP_USER)).toBe(ZONE_NORMAL);
    expect(gfpZone(GFP_HIGHUSER)).toBe(ZONE_NORMAL); // no ZONE_HIGHMEM: OPT_ZONE_HIGHMEM = NORMAL
    expect(gfpZone(GFP_HIGHUSER_MOVABLE)).toBe(ZONE_MOVABLE);
    expect(gfpZone(GFP_TRANSHUGE)).toBe(ZONE_MOVABLE);
    expect(gfpZone(GFP_TRANSHUGE_LIGHT)).toBe(ZONE_MOVABLE);
    expect(gfpZone(GFP_KERNEL | GFP_DMA)).toBe(ZONE_DMA);
    expect(gfpZone(GFP_KERNEL | GFP_DMA32)).toBe(ZONE_DMA32);
  });

  it("follows the 16-entry table of include/linux/gfp.h", () => {
    const BAD = -1;
    // index = MOVABLE(8) | DMA32(4) | HIGHMEM(2) | DMA(1)
    const want = [
      ZONE_NORMAL, ZONE_DMA, ZONE_NORMAL, BAD, ZONE_DMA32, BAD, BAD, BAD,
      ZONE_NORMAL, ZONE_DMA, ZONE_MOVABLE, BAD, ZONE_DMA32, BAD, BAD, BAD,
    ];
    for (let bits = 0; bits < 16; bits++) {
      expect(gfpZoneBad(bits), `bits 0x${bits.toString(16)}`).toBe(want[bits] === BAD);
      // A bad combination reads as ZONE_DMA (the kernel's table without CONFIG_DEBUG_VM).
      expect(gfpZone(GFP_KERNEL | bits), `bits 0x${bits.toString(16)}`).toBe(want[bits] === BAD ? ZONE_DMA : want[bits]);
    }
  });

  it("trips VM_BUG_ON on a bad combination when debugVm is on", () => {
    debugVm.on = true;
    expect(() => gfpZone(__GFP_DMA | __GFP_DMA32)).toThrow(MmBugError);
    expect(gfpZone(GFP_HIGHUSER_MOVABLE)).toBe(ZONE_MOVABLE);
  });
});

describe("gfpMigratetype and the other predicates", () => {
  it("groups by mobility", () => {
    // The BUILD_BUG_ONs of gfp_migratetype().
    expect(1 << GFP_MOVABLE_SHIFT).toBe(__GFP_MOVABLE);
    expect(__GFP_MOVABLE >> GFP_MOVABLE_SHIFT).toBe(MIGRATE_MOVABLE);
    expect(__GFP_RECLAIMABLE >> GFP_MOVABLE_SHIFT).toBe(MIGRATE_RECLAIMABLE);
    expect((__GFP_MOVABLE | __GFP_RECLAIMABLE) >> GFP_MOVABLE_SHIFT).toBe(MIGRATE_HIGHATOMIC);
    expect(gfpMigratetype(GFP_KERNEL)).toBe(MIGRATE_UNMOVABLE);
    expect(gfpMigratetype(GFP_ATOMIC)).toBe(MIGRATE_UNMOVABLE);
    expect(gfpMigratetype(GFP_HIGHUSER_MOVABLE)).toBe(MIGRATE_MOVABLE);
    expect(gfpMigratetype(GFP_TRANSHUGE)).toBe(MIGRATE_MOVABLE);
    expect(gfpMigratetype(GFP_KERNEL | __GFP_RECLAIMABLE)).toBe(MIGRATE_RECLAIMABLE);
    expect(gfpMigratetype(GFP_KERNEL | __GFP_RECLAIMABLE | __GFP_MOVABLE)).toBe(MIGRATE_HIGHATOMIC);
  });

  it("tells blocking, I/O, FS, compaction and zonelist", () => {
    expect(gfpflagsAllowBlocking(GFP_KERNEL)).toBe(true);
    expect(gfpflagsAllowBlocking(GFP_NOIO)).toBe(true);
    expect(gfpflagsAllowBlocking(GFP_ATOMIC)).toBe(false);
    expect(gfpflagsAllowBlocking(GFP_NOWAIT)).toBe(false);
    expect(gfpflagsAllowBlocking(GFP_TRANSHUGE_LIGHT)).toBe(false);
    expect(gfpHasIo(GFP_NOFS)).toBe(true);
    expect(gfpHasFs(GFP_NOFS)).toBe(false);
    expect(gfpHasIo(GFP_NOIO)).toBe(false);
    expect(gfpCompactionAllowed(GFP_KERNEL)).toBe(true);
    expect(gfpCompactionAllowed(GFP_NOIO)).toBe(false);
    expect(gfpZonelist(GFP_KERNEL)).toBe(ZONELIST_FALLBACK);
    expect(gfpZonelist(GFP_KERNEL | __GFP_THISNODE)).toBe(ZONELIST_NOFALLBACK);
  });
});

describe("formatGfpFlags (show_gfp_flags of 6.1)", () => {
  it("prints composites first, then single bits in table order", () => {
    expect(formatGfpFlags(0)).toBe("none");
    expect(formatGfpFlags(0xcc0)).toBe("GFP_KERNEL");
    expect(formatGfpFlags(GFP_KERNEL | __GFP_ZERO)).toBe("GFP_KERNEL|__GFP_ZERO");
    expect(formatGfpFlags(GFP_KERNEL | __GFP_ZERO | __GFP_COMP)).toBe("GFP_KERNEL|__GFP_COMP|__GFP_ZERO");
    expect(formatGfpFlags(0x100dca)).toBe("GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
    expect(formatGfpFlags(GFP_HIGHUSER_MOVABLE)).toBe("GFP_HIGHUSER_MOVABLE");
    expect(formatGfpFlags(GFP_KERNEL_ACCOUNT | __GFP_ZERO)).toBe("GFP_KERNEL_ACCOUNT|__GFP_ZERO");
    expect(formatGfpFlags(GFP_ATOMIC | __GFP_NOWARN | __GFP_COMP | __GFP_NOMEMALLOC)).toBe(
      "GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP|__GFP_NOMEMALLOC",
    );
    expect(formatGfpFlags(GFP_TRANSHUGE_LIGHT | __GFP_THISNODE)).toBe("GFP_TRANSHUGE_LIGHT|__GFP_THISNODE");
    expect(formatGfpFlags(GFP_TRANSHUGE)).toBe("GFP_TRANSHUGE");
    expect(formatGfpFlags(GFP_NOWAIT | __GFP_NOWARN)).toBe("GFP_NOWAIT|__GFP_NOWARN");
    expect(formatGfpFlags(GFP_NOIO)).toBe("GFP_NOIO");
    expect(formatGfpFlags(__GFP_DIRECT_RECLAIM)).toBe("__GFP_DIRECT_RECLAIM");
    expect(formatGfpFlags(__GFP_HIGHMEM | __GFP_MOVABLE)).toBe("__GFP_HIGHMEM|__GFP_MOVABLE");
    expect(formatGfpFlags(GFP_USER | __GFP_ACCOUNT)).toBe("GFP_USER|__GFP_ACCOUNT");
    expect(formatGfpFlags(GFP_KERNEL | __GFP_DMA)).toBe("GFP_KERNEL|GFP_DMA");
  });

  it("prints leftover bits as one hex number", () => {
    expect(formatGfpFlags(0x1000cc0)).toBe("GFP_KERNEL|0x1000000");
    expect(formatGfpFlags(0x1000000)).toBe("0x1000000");
    expect(formatGfpFlags(0x80000000 | __GFP_IO)).toBe("__GFP_IO|0x80000000");
  });

  it("names every bit below __GFP_BITS_SHIFT that exists in this config", () => {
    for (let b = 0; b < 24; b++) expect(formatGfpFlags(1 << b)).not.toMatch(/0x/);
    for (const [mask, name] of gfpflagNames) {
      expect(mask, name).toBeGreaterThan(0);
      // Same mask twice (GFP_NOWAIT = __GFP_KSWAPD_RECLAIM, GFP_NOIO = __GFP_RECLAIM): the first wins.
      const first = gfpflagNames.find((e) => e[0] === mask);
      expect(formatGfpFlags(mask)).toBe(first?.[1]);
    }
    expect(formatGfpFlags(__GFP_KSWAPD_RECLAIM)).toBe("GFP_NOWAIT");
  });

  it("prints %#x(%pGg) for allocation-failure reports", () => {
    expect(formatGfpMask(GFP_KERNEL)).toBe("0xcc0(GFP_KERNEL)");
    expect(formatGfpMask(GFP_ATOMIC | __GFP_NOWARN)).toBe("0x2a20(GFP_ATOMIC|__GFP_NOWARN)");
    expect(formatGfpMask(0)).toBe("0x0()");
    expect(formatGfpMask(__GFP_KSWAPD_RECLAIM | __GFP_IO | 0x4000000)).toBe("0x4000840(GFP_NOWAIT|__GFP_IO|0x4000000)");
  });
});
