// mmsim: cache layout and tunables of SLAB, checked by hand against 6.1's formulas
import { E2BIG, SLAB_HWCACHE_ALIGN, SLAB_KMALLOC, SLAB_NOLEAKTRACE, SLAB_NO_USER_FLAGS, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, __GFP_COMP, __GFP_RECLAIMABLE } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { CFLGS_OBJFREELIST_SLAB, CFLGS_OFF_SLAB, cacheEstimate, enableCpucacheTunables } from "./cache-geometry.ts";
import { makeSlab } from "./slab.test-helpers.ts";
import type { SlabAllocator } from "./slab.ts";

const KMALLOC_FLAGS = SLAB_KMALLOC | SLAB_NO_USER_FLAGS;

/**
 * The kmalloc caches of arm64 6.1 as slab_common creates them (create_kmalloc_caches →
 * create_boot_cache): kmalloc-128 … kmalloc-8k, align = calculate_alignment(flags,
 * max(ARCH_KMALLOC_MINALIGN = 128, size), size) = size (power-of-two sizes are naturally aligned).
 */
function createKmalloc(slab: SlabAllocator): Map<number, number> {
  const ids = new Map<number, number>();
  for (let shift = 7; shift <= 13; shift++) {
    const size = 2 ** shift;
    const name = size >= 1024 ? `kmalloc-${size / 1024}k` : `kmalloc-${size}`;
    const id = slab.kmemCacheCreate(name, size, Math.max(128, size), KMALLOC_FLAGS);
    expect(id).toBeGreaterThanOrEqual(0);
    ids.set(size, id);
  }
  return ids;
}

describe("kmalloc caches on a 2-CPU arm64 machine (golden, worked by hand)", () => {
  const { slab } = makeSlab();
  const ids = createKmalloc(slab);
  const row = (size: number) => {
    const g = slab.slabGeometry(ids.get(size)!);
    const st = slab.stats(ids.get(size)!);
    return [g.size, g.align, g.order, g.objsPerSlab, g.colour, g.colourOff, g.freelistPlacement, st.limit, st.batchcount, st.sharedfactor];
  };

  /*
   * Common to all: size = ALIGN(size, BYTES_PER_WORD 8) = size; ralign = max(8, align) = align > 8,
   * so no debug words; colour_off = max(cache_line_size() 64, align) = align; size = ALIGN(size, align).
   * set_objfreelist_slab_cache() is tried first (no ctor, not TYPESAFE_BY_RCU, init_on_free off):
   * calculate_slab_order(size, CFLGS_OBJFREELIST_SLAB) with cache_estimate() = (PAGE_SIZE << order) / size,
   * stopping at the first order where left_over * 8 <= slab bytes, or at slab_max_order = 1 (RAM > 32 MiB).
   * It is kept when num * sizeof(freelist_idx_t) (1) <= object_size, always true here.
   * enable_cpucache(): limit by size (> 131072: 1, > PAGE_SIZE: 8, > 1024: 24, > 256: 54, else 120);
   * shared = 8 when size <= PAGE_SIZE and num_possible_cpus() = 2 > 1; batchcount = (limit + 1) / 2.
   */
  it("kmalloc-128: 4096/128 = 32 objects, 0 left, order 0; limit 120 (size <= 256), batch (120+1)/2 = 60, shared 8", () => {
    expect(row(128)).toEqual([128, 128, 0, 32, 0, 128, "objfreelist", 120, 60, 8]);
  });
  it("kmalloc-256: 4096/256 = 16, 0 left; limit 120 (256 is not > 256), batch 60, shared 8", () => {
    expect(row(256)).toEqual([256, 256, 0, 16, 0, 256, "objfreelist", 120, 60, 8]);
  });
  it("kmalloc-512: 4096/512 = 8; limit 54 (> 256), batch (54+1)/2 = 27, shared 8", () => {
    expect(row(512)).toEqual([512, 512, 0, 8, 0, 512, "objfreelist", 54, 27, 8]);
  });
  it("kmalloc-1k: 4096/1024 = 4; limit 54 (1024 is not > 1024), batch 27, shared 8", () => {
    expect(row(1024)).toEqual([1024, 1024, 0, 4, 0, 1024, "objfreelist", 54, 27, 8]);
  });
  it("kmalloc-2k: 4096/2048 = 2; limit 24 (> 1024), batch (24+1)/2 = 12, shared 8", () => {
    expect(row(2048)).toEqual([2048, 2048, 0, 2, 0, 2048, "objfreelist", 24, 12, 8]);
  });
  it("kmalloc-4k: 4096/4096 = 1 at order 0 (left 0: accepted); limit 24 (4096 is not > PAGE_SIZE), batch 12, shared 8 (size <= PAGE_SIZE)", () => {
    expect(row(4096)).toEqual([4096, 4096, 0, 1, 0, 4096, "objfreelist", 24, 12, 8]);
  });
  it("kmalloc-8k: 0 objects at order 0, 8192/8192 = 1 at order 1; limit 8 (> PAGE_SIZE), batch (8+1)/2 = 4, shared 0 (size > PAGE_SIZE)", () => {
    expect(row(8192)).toEqual([8192, 8192, 1, 1, 0, 8192, "objfreelist", 8, 4, 0]);
  });
  it("every kmalloc cache carries CFLGS_OBJFREELIST_SLAB and allocates with __GFP_COMP; free_limit = (1 + 2 CPUs) * batchcount + num", () => {
    for (const [size, id] of ids) {
      expect((slab.geometry(id).flags & CFLGS_OBJFREELIST_SLAB) !== 0, `kmalloc-${size}`).toBe(true);
      expect(slab.slabGeometry(id).allocflags).toBe(__GFP_COMP);
      const g = slab.slabGeometry(id);
      expect(slab.nodeInfo(id, 0).freeLimit).toBe(3 * slab.stats(id).batchcount + g.objsPerSlab);
    }
    // kmalloc-128: 3 * 60 + 32 = 212
    expect(slab.nodeInfo(ids.get(128)!, 0).freeLimit).toBe(212);
    expectValid(slab);
  });
  it("the shared array holds shared * batchcount entries: 8 * 60 = 480 for kmalloc-128, none for kmalloc-8k", () => {
    expect(slab.sharedArray(ids.get(128)!, 0)!.limit).toBe(480);
    expect(slab.sharedArray(ids.get(4096)!, 0)!.limit).toBe(8 * 12);
    expect(slab.sharedArray(ids.get(8192)!, 0)).toBeUndefined();
  });
});

describe("freelist placement", () => {
  it("a 64-byte, 64-aligned cache (the benchmark's): OBJFREELIST, 4096/64 = 64 per slab, 0 colours", () => {
    const { slab } = makeSlab();
    const c = slab.kmemCacheCreate("obj-64", 64, 64, SLAB_HWCACHE_ALIGN);
    const g = slab.slabGeometry(c);
    expect([g.size, g.objsPerSlab, g.order, g.colour, g.colourOff, g.freelistPlacement]).toEqual([64, 64, 0, 0, 64, "objfreelist"]);
    expect([slab.stats(c).limit, slab.stats(c).batchcount, slab.stats(c).sharedfactor]).toEqual([120, 60, 8]);
  });

  it("a constructor forbids OBJFREELIST; with no kmalloc caches OFF_SLAB has no freelist cache, so 128 B goes on-slab: 4096/(128+1) = 31, left 4096-3999 = 97, colour 97/64 = 1", () => {
    const { slab } = makeSlab();
    const c = slab.kmemCacheCreate("ctor-128", 128, 8, 0, () => {});
    const g = slab.slabGeometry(c);
    expect([g.size, g.objsPerSlab, g.order, g.colour, g.freelistSize, g.freelistPlacement]).toEqual([128, 31, 0, 1, 31, "on-slab"]);
    expect(cacheEstimate(0, 128, 0)).toEqual({ num: 31, leftOver: 97 });
  });

  it("with a constructor, 1024 B and kmalloc caches: OFF_SLAB (4 objects, 0 left < 4 bytes of freelist; kmalloc-128's 128 <= 1024/2)", () => {
    const { slab } = makeSlab();
    const ids = createKmalloc(slab);
    const c = slab.kmemCacheCreate("ctor-1k", 1024, 8, 0, () => {});
    const g = slab.slabGeometry(c);
    expect([g.objsPerSlab, g.order, g.colour, g.freelistSize, g.freelistPlacement, g.freelistCache]).toEqual([4, 0, 0, 4, "off-slab", ids.get(128)]);
    expect((g.flags & CFLGS_OFF_SLAB) !== 0).toBe(true);
  });

  it("with a constructor, 1000 B: OFF_SLAB would leave 4096 - 4*1000 = 96 >= 4 bytes, so the freelist moves on-slab: 4096/1001 = 4, left 92, colour 1", () => {
    const { slab } = makeSlab();
    createKmalloc(slab);
    const g = slab.slabGeometry(slab.kmemCacheCreate("ctor-1000", 1000, 8, 0, () => {}));
    expect([g.objsPerSlab, g.order, g.colour, g.freelistPlacement]).toEqual([4, 0, 1, "on-slab"]);
  });

  it("with a constructor, 128 B: kmalloc-128 (128) > 128/2 at every order, so never OFF_SLAB", () => {
    const { slab } = makeSlab();
    createKmalloc(slab);
    expect(slab.slabGeometry(slab.kmemCacheCreate("ctor-128", 128, 8, 0, () => {})).freelistPlacement).toBe("on-slab");
  });

  it("SLAB_NOLEAKTRACE keeps the freelist on-slab", () => {
    const { slab } = makeSlab();
    createKmalloc(slab);
    expect(slab.slabGeometry(slab.kmemCacheCreate("nolt", 1024, 8, SLAB_NOLEAKTRACE, () => {})).freelistPlacement).toBe("on-slab");
  });

  it("tiny objects are raised to SLAB_OBJ_MIN_SIZE 16; 4096/16 = 256 > 255 objects rules out OBJFREELIST and OFF_SLAB; on-slab 4096/17 = 240, left 16", () => {
    const { slab } = makeSlab();
    const g = slab.slabGeometry(slab.kmemCacheCreate("tiny", 8, 8, 0));
    expect([g.size, g.objsPerSlab, g.order, g.colour, g.freelistPlacement]).toEqual([16, 240, 0, 0, "on-slab"]);
  });
});

describe("slab order", () => {
  it("1024 B with a constructor and no kmalloc caches: order 0 leaves 4096 - 3*1025 = 1021 (1021*8 > 4096), so order 1: 8192/1025 = 7, left 1017, colour 1017/64 = 15", () => {
    const { slab } = makeSlab();
    const g = slab.slabGeometry(slab.kmemCacheCreate("big-left", 1024, 8, 0, () => {}));
    expect([g.order, g.objsPerSlab, g.colour]).toEqual([1, 7, 15]);
  });

  it("SLAB_RECLAIM_ACCOUNT stops at the first order that fits (3 objects at order 0) and allocates __GFP_RECLAIMABLE", () => {
    const { slab } = makeSlab();
    const g = slab.slabGeometry(slab.kmemCacheCreate("recl", 1024, 8, SLAB_RECLAIM_ACCOUNT, () => {}));
    expect([g.order, g.objsPerSlab]).toEqual([0, 3]);
    expect(g.allocflags).toBe(__GFP_COMP | __GFP_RECLAIMABLE);
  });

  it("slab_max_order 0 (32 MiB of RAM or less, or slab_max_order=0) stops at order 0", () => {
    const small = makeSlab({ nrPages: 8192 }).slab; // 32 MiB: not more than 32 MiB → SLAB_MAX_ORDER_LO
    expect(small.slabGeometry(small.kmemCacheCreate("lo", 1024, 8, 0, () => {})).order).toBe(0);
    const { slab } = makeSlab();
    slab.setSlabMaxOrder(0);
    expect(slab.slabGeometry(slab.kmemCacheCreate("lo", 1024, 8, 0, () => {})).order).toBe(0);
    // 3000 B on-slab: order 0: 1 object, left 4096-3001 = 1095 (8760 > 4096); order 1: 8192/3001 = 2, left 2190
    // (17520 > 8192) but order 1 >= slab_max_order 1 stops there; with slab_max_order=3, order 2:
    // 16384/3001 = 5, left 1379 (11032 <= 16384) is accepted.
    const big = makeSlab().slab;
    const g1 = big.slabGeometry(big.kmemCacheCreate("o1", 3000, 8, 0, () => {}));
    expect([g1.order, g1.objsPerSlab]).toEqual([1, 2]);
    big.setSlabMaxOrder(3);
    const g2 = big.slabGeometry(big.kmemCacheCreate("o2", 3000, 8, 0, () => {}));
    expect([g2.order, g2.objsPerSlab]).toEqual([2, 5]);
  });

  it("4 MiB with a constructor fits no slab of order <= 10 with an on-slab freelist: -E2BIG", () => {
    const { slab } = makeSlab();
    expect(slab.kmemCacheCreate("huge", 4 << 20, 8, 0, () => {})).toBe(-E2BIG);
    expect(slab.kmemCacheCreate("huge-ok", 4 << 20, 8, 0)).toBeGreaterThanOrEqual(0); // OBJFREELIST: 1 object at order 10
  });
});

describe("colouring", () => {
  it("350 B → size 352: 11 per slab, left 4096 - 11*352 = 224, colour 224/64 = 3; new slabs take colour_next after ++: offsets 64, 128, 0, 64, 128, 0", () => {
    const { slab } = makeSlab();
    const c = slab.kmemCacheCreate("col", 350, 8, 0);
    const g = slab.slabGeometry(c);
    expect([g.size, g.objsPerSlab, g.colour, g.colourOff, g.freelistPlacement]).toEqual([352, 11, 3, 64, "objfreelist"]);
    // Every refill of an empty array grows one slab of 11 objects (batchcount 16, then 27, both >= 11).
    const offsets: number[] = [];
    const pages = new Set<number>();
    for (let i = 0; i < 6 * 11; i++) {
      const o = slab.kmemCacheAlloc(c, 0, 1);
      const page = Math.floor(o / 4096);
      // objects sit at s_mem + k * 352 with the colour offset < 352: s_mem's offset is (o mod 4096) mod 352
      if (!pages.has(page)) offsets.push((o % 4096) % 352);
      pages.add(page);
      expectValid(slab);
    }
    expect(offsets).toEqual([64, 128, 0, 64, 128, 0]);
    expect(slab.nodeInfo(c, 0).colourNext).toBe(0);
  });
});

describe("SLAB debug layout (CONFIG_DEBUG_SLAB for caches with SLAB_RED_ZONE / SLAB_POISON / SLAB_STORE_USER)", () => {
  it("red zones and the user word: 100 → 104, + 2×8 red zone words = 120, + REDZONE_ALIGN 8 for the user word = 128; obj_offset 8; limit capped at 32", () => {
    const { slab } = makeSlab();
    const c = slab.kmemCacheCreate("dbg", 100, 8, SLAB_RED_ZONE | SLAB_STORE_USER);
    const g = slab.slabGeometry(c);
    expect([g.size, g.objOffset, g.debug, g.objsPerSlab]).toEqual([128, 8, true, 32]);
    expect([slab.stats(c).limit, slab.stats(c).batchcount]).toEqual([32, 16]);
  });

  it("an alignment above 8 drops SLAB_RED_ZONE and SLAB_STORE_USER; SLAB_POISON stays", () => {
    const { slab } = makeSlab();
    const a = slab.slabGeometry(slab.kmemCacheCreate("dbg64", 100, 64, SLAB_RED_ZONE | SLAB_STORE_USER));
    expect([a.size, a.objOffset, a.debug, a.flags & (SLAB_RED_ZONE | SLAB_STORE_USER)]).toEqual([128, 0, false, 0]);
    const b = slab.slabGeometry(slab.kmemCacheCreate("poison64", 100, 64, SLAB_POISON | SLAB_RED_ZONE));
    expect([b.debug, b.flags & SLAB_RED_ZONE, b.flags & SLAB_POISON]).toEqual([true, 0, SLAB_POISON]);
  });
});

describe("enable_cpucache's table", () => {
  it.each([
    [131073, 2, 1, 1, 0],
    [131072, 2, 8, 4, 0],
    [4097, 2, 8, 4, 0],
    [4096, 2, 24, 12, 8],
    [1025, 2, 24, 12, 8],
    [1024, 2, 54, 27, 8],
    [257, 2, 54, 27, 8],
    [256, 2, 120, 60, 8],
    [64, 1, 120, 60, 0],
  ])("size %i on %i CPUs → limit %i, batchcount %i, shared %i", (size, cpus, limit, batch, shared) => {
    expect(enableCpucacheTunables(size, cpus, false)).toEqual({ limit, batchcount: batch, shared });
  });
  it("DEBUG caps limit at 32", () => {
    expect(enableCpucacheTunables(64, 2, true)).toEqual({ limit: 32, batchcount: 16, shared: 8 });
  });
});
