// Kernel: include/linux/mmzone.h (struct lru_gen_folio, MAX_NR_GENS, MIN_NR_GENS, MAX_NR_TIERS, MIN_LRU_BATCH), include/linux/mm_inline.h (lru_gen_from_seq, lru_tier_from_refs, folio_lru_refs, folio_lru_gen, lru_gen_is_active) (v6.1; read from 6.1.166, unifreq/linux-6.1.y) — one lruvec's generations
/*
 * The multi-generational LRU keeps each lruvec's evictable pages in generations: max_seq is the
 * youngest, min_seq[type] the oldest of each type (anon 0, file 1), and a page's generation is
 * `seq % MAX_NR_GENS`, stored as gen + 1 in the LRU_GEN field of its flags (page-flags.ts). The
 * lists are lists[gen][type][zone] and are sorted lazily: the aging only raises a page's
 * generation in its flags (folio_update_gen) and the eviction moves it when it reaches the page
 * (sort_folio). nr_pages[gen][type][zone] follows the flags, not the lists.
 *
 * Tiers: within a generation, pages accessed through file descriptors N times are in tier
 * order_base_2(N) (N = 0 and 1 are tier 0); folio_lru_refs() counts N - 1 from PG_referenced,
 * PG_workingset and the LRU_REFS field. The PID controller compares refaulted/(evicted+protected)
 * of each tier with tier 0 to decide which tiers to protect (the refault feedback loop).
 *
 * This board's kernel is built without CONFIG_LRU_GEN_STATS (NR_HIST_GENS = 1) and with
 * CONFIG_MEMCG (memcg LRU: MEMCG_NR_GENS = 2). mmsim simulates the root memcg's lruvec of each
 * node (no memcg hierarchy yet).
 */
import { LRU_GEN_MASK, LRU_GEN_PGOFF, LRU_REFS_MASK, LRU_REFS_PGOFF, LRU_REFS_WIDTH, MAX_NR_ZONES, PG_workingset } from "@mmsim/core";

/** Kernel: `MAX_NR_GENS`. */
export const MAX_NR_GENS = 4;
/** The fewest generations: the eviction stops and the aging must run at MIN_NR_GENS. Kernel: `MIN_NR_GENS`. */
export const MIN_NR_GENS = 2;
/** Kernel: `MAX_NR_TIERS`. */
export const MAX_NR_TIERS = 4;
/** CONFIG_LRU_GEN_STATS is not set. Kernel: `NR_HIST_GENS`. */
export const NR_HIST_GENS = 1;
/** Kernel: `MIN_LRU_BATCH` (BITS_PER_LONG). */
export const MIN_LRU_BATCH = 64;
/** Kernel: `MAX_LRU_BATCH` (MIN_LRU_BATCH * 64). */
export const MAX_LRU_BATCH = MIN_LRU_BATCH * 64;
/** Kernel: `LRU_GEN_ANON`, `LRU_GEN_FILE`, `ANON_AND_FILE`. */
export const LRU_GEN_ANON = 0;
export const LRU_GEN_FILE = 1;
export const ANON_AND_FILE = 2;
/** Memcg generations of the per-node memcg LRU with CONFIG_MEMCG. Kernel: `MEMCG_NR_GENS`. */
export const MEMCG_NR_GENS = 2;
/** Kernel: the `enum { MM_LEAF_TOTAL, …, NR_MM_STATS }` of the page-table walker's statistics. */
export const NR_MM_STATS = 6;

/** Scratch list heads after the generation lists: isolated pages, clean retries, skipped pages. */
const NR_GEN_LISTS = MAX_NR_GENS * ANON_AND_FILE * MAX_NR_ZONES;
export const LIST_ISOLATED = NR_GEN_LISTS;
export const LIST_CLEAN = NR_GEN_LISTS + 1;
export const LIST_MOVED = NR_GEN_LISTS + 2;
/** List heads one lruvec needs (≤ LRUVEC_LIST_HEADS). */
export const LRU_GEN_LIST_HEADS = NR_GEN_LISTS + 3;

/** Kernel: `lru_gen_from_seq()`. */
export function lruGenFromSeq(seq: number): number {
  return seq % MAX_NR_GENS;
}

/** Kernel: `lru_hist_from_seq()`. */
export function lruHistFromSeq(seq: number): number {
  return seq % NR_HIST_GENS;
}

/** Tier of a page with `refs` accesses beyond the first: order_base_2(refs + 1). Kernel: `lru_tier_from_refs()`. */
export function lruTierFromRefs(refs: number): number {
  return refs === 0 ? 0 : 32 - Math.clz32(refs); // ceil(log2(refs + 1))
}

/** Accesses through file descriptors beyond the first: LRU_REFS + PG_workingset. Kernel: `folio_lru_refs()`. */
export function folioLruRefs(flags: Uint32Array, page: number): number {
  const f = flags[page]!;
  return ((f & LRU_REFS_MASK) >>> LRU_REFS_PGOFF) + ((f >>> PG_workingset) & 1);
}

/** The page's generation, -1 when it is on no MGLRU list. Kernel: `folio_lru_gen()`. */
export function folioLruGen(flags: Uint32Array, page: number): number {
  return ((flags[page]! & LRU_GEN_MASK) >>> LRU_GEN_PGOFF) - 1;
}

/** Index into [MAX_NR_GENS][ANON_AND_FILE][MAX_NR_ZONES] arrays. */
export function genTypeZone(gen: number, type: number, zone: number): number {
  return (gen * ANON_AND_FILE + type) * MAX_NR_ZONES + zone;
}

/** Index into [NR_HIST_GENS][ANON_AND_FILE][MAX_NR_TIERS] arrays. */
export function histTypeTier(hist: number, type: number, tier: number): number {
  return (hist * ANON_AND_FILE + type) * MAX_NR_TIERS + tier;
}

/** Largest refs value (all LRU_REFS bits set + PG_workingset): BIT(LRU_REFS_WIDTH). */
export const MAX_REFS = 1 << LRU_REFS_WIDTH;

/**
 * One node's lruvec under MGLRU: the generations, their lists and sizes, the PID controller's
 * counters and the no-walk aging's mm_state. Kernel: `struct lru_gen_folio` (with the
 * `lru_gen_mm_state` and the kswapd `lru_gen_mm_walk` batch of its lruvec and node).
 */
export class LruGenFolio {
  /** The node. */
  readonly nid: number;
  /** First of this lruvec's list heads; lists[gen][type][zone] is `heads + genTypeZone(…)`. */
  readonly heads: number;
  /** The youngest generation (the aging increments it). */
  maxSeq = MIN_NR_GENS + 1;
  /** The oldest generation of each type (the eviction increments them). */
  readonly minSeq = new Float64Array(ANON_AND_FILE);
  /** Birth of each generation, in jiffies. */
  readonly timestamps = new Float64Array(MAX_NR_GENS);
  /** Pages per generation, type and zone; eventually consistent with the flags. */
  readonly nrPages = new Float64Array(MAX_NR_GENS * ANON_AND_FILE * MAX_NR_ZONES);
  /** Exponential moving averages of refaulted and of evicted+protected, per type and tier. */
  readonly avgRefaulted = new Float64Array(ANON_AND_FILE * MAX_NR_TIERS);
  readonly avgTotal = new Float64Array(ANON_AND_FILE * MAX_NR_TIERS);
  /** Pages sort_folio protected, per [hist][type][tier - 1] (tier 0 is never protected). */
  readonly protected = new Float64Array(NR_HIST_GENS * ANON_AND_FILE * (MAX_NR_TIERS - 1));
  /** Pages evicted and refaulted, per [hist][type][tier]. */
  readonly evicted = new Float64Array(NR_HIST_GENS * ANON_AND_FILE * MAX_NR_TIERS);
  readonly refaulted = new Float64Array(NR_HIST_GENS * ANON_AND_FILE * MAX_NR_TIERS);
  /** Whether MGLRU owns this lruvec's pages. Kernel: `lrugen->enabled`. */
  enabled = true;
  /** The mm list iteration's sequence (no walks here: iterate_mm_list_nowalk only). Kernel: `lruvec->mm_state.seq`. */
  mmStateSeq = MIN_NR_GENS;
  /** The walker's statistics per [hist][stat] (always 0 without page-table walks). Kernel: `mm_state.stats`. */
  readonly mmStats = new Float64Array(NR_HIST_GENS * NR_MM_STATS);
  /** kswapd's walk batch: generation moves made by lru_gen_look_around, applied by reset_batch_size. Kernel: `pgdat->mm_walk.nr_pages`, `batched`. */
  readonly walkNrPages = new Float64Array(MAX_NR_GENS * ANON_AND_FILE * MAX_NR_ZONES);
  walkBatched = 0;
  /** Pages on the (listless) unevictable LRU of this node, for validate. */
  nrUnevictable = 0;

  constructor(nid: number, heads: number, jiffies: number) {
    this.nid = nid;
    this.heads = heads;
    // lru_gen_init_lruvec: timestamps of the generations max_seq and below
    for (let i = 0; i <= MIN_NR_GENS + 1; i++) this.timestamps[i] = jiffies;
  }

  /** List head of lists[gen][type][zone]. */
  listHead(gen: number, type: number, zone: number): number {
    return this.heads + genTypeZone(gen, type, zone);
  }

  /** Kernel: `get_nr_gens()`. */
  getNrGens(type: number): number {
    return this.maxSeq - this.minSeq[type]! + 1;
  }

  /** The two youngest generations count as active (NR_ACTIVE_*). Kernel: `lru_gen_is_active()`. */
  isActive(gen: number): boolean {
    return gen === lruGenFromSeq(this.maxSeq) || gen === lruGenFromSeq(this.maxSeq - 1);
  }

  /** Kernel: `seq_is_valid()`. */
  seqIsValid(): boolean {
    const f = this.getNrGens(LRU_GEN_FILE);
    const a = this.getNrGens(LRU_GEN_ANON);
    return f >= MIN_NR_GENS && f <= a && a <= MAX_NR_GENS;
  }
}
