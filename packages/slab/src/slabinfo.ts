// Kernel: mm/slab.c (v6.1): enable_cpucache, do_tune_cpucache, setup_kmem_cache_node(s), init_cache_node, slabinfo_write, get_slabinfo
/*
 * The tunables /proc/slabinfo shows (`: tunables <limit> <batchcount> <sharedfactor>`) and
 * accepts (`echo 'name limit batchcount shared' > /proc/slabinfo`), and the counters it prints.
 *
 * Tuning replaces every per-CPU array (their objects go back to the slabs), recomputes each node's
 * free_limit, and replaces each node's shared array (its objects go back too); alien caches are
 * made once, with 12 entries (1 when limit is 1), and never resized, as in 6.1.
 *
 * Simplified: the array caches, shared arrays, alien caches and kmem_cache_node structures are
 * not allocated from kmalloc caches (the kernel kmallocs them; mmsim keeps them in its own
 * tables), but their size limits are the kernel's: a per-CPU array must fit __alloc_percpu's
 * PCPU_MIN_UNIT_SIZE (32 KiB: limit ≤ 4094) and a shared array kmalloc's KMALLOC_MAX_SIZE (4 MiB).
 */
import { EINVAL, ENOMEM, type KmemCacheStats, Prandom } from "@mmsim/core";
import { type SlabState } from "./kmem-cache.ts";
import { freeBlock, popTempList, pushTempList, slabsDestroy } from "./slab-alloc.ts";

/** HZ of the reference config (CONFIG_HZ_250). */
export const HZ = 250;
/** Nanoseconds per jiffy at HZ = 250. */
export const JIFFY_NS = 4_000_000;
/** Kernel: `REAPTIMEOUT_AC` = 2 * HZ: cache_reap runs on each CPU every 2 s. */
export const REAPTIMEOUT_AC = 2 * HZ;
/** Kernel: `REAPTIMEOUT_NODE` = 4 * HZ: a node's shared array and free slabs are reaped every 4 s. */
export const REAPTIMEOUT_NODE = 4 * HZ;
/** REAPTIMEOUT_AC in simulated ns: how often the machine should call cacheReap(cpu) on each CPU. */
export const REAPTIMEOUT_AC_NS = REAPTIMEOUT_AC * JIFFY_NS;
/** Kernel: `MAX_SLABINFO_WRITE`: longest write /proc/slabinfo accepts. */
export const MAX_SLABINFO_WRITE = 128;
/** Kernel: `PCPU_MIN_UNIT_SIZE` (32 KiB): the largest __alloc_percpu(). */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
/** Kernel: `KMALLOC_MAX_SIZE` = 1 << KMALLOC_SHIFT_MAX (4 MiB): the largest kmalloc(). */
export const KMALLOC_MAX_SIZE = 1 << 22;
/** sizeof(struct array_cache) without its entries: four unsigned ints. */
const SIZEOF_ARRAY_CACHE = 16;
/** The batchcount init_arraycache() gives shared and alien arrays (never used). */
export const BATCH_UNUSED = 0xbaadf00d;

/** The machine's jiffies from the simulated clock (HZ = 250). Kernel: `jiffies`. */
export function jiffies(s: SlabState): number {
  return Math.floor(s.clock.now() / JIFFY_NS);
}

/** Sets up one array cache. Kernel: `init_arraycache()` on a fresh allocation. */
function initArraycache(s: SlabState, ac: number, limit: number, batch: number): void {
  s.acAvail[ac] = 0;
  s.acLimit[ac] = limit;
  s.acBatch[ac] = batch;
  s.acTouched[ac] = 0;
  s.acEntry[ac] = new Float64Array(limit);
}

/** Recomputes a node's free_limit. Kernel: `init_cache_node()` on an existing node. */
export function initCacheNode(s: SlabState, c: number, node: number): void {
  s.nodeFreeLimit[c * s.nrNodes + node] = (1 + s.nrCpusNode[node]!) * s.cacheBatchcount[c]! + s.cacheNum[c]!;
}

/**
 * Gives a node its shared array (replacing the old one when forced) and its alien caches (once).
 * Kernel: `setup_kmem_cache_node()`.
 * @returns 0, or -ENOMEM when the shared array would be larger than kmalloc allows
 */
export function setupKmemCacheNode(s: SlabState, c: number, node: number, forceChange: boolean): number {
  const nn = s.nrNodes;
  const cn = c * nn + node;
  const base = s.cacheAcBase[c]!;
  const sharedEntries = s.cacheShared[c]! * s.cacheBatchcount[c]!;
  if (sharedEntries > 0 && 8 * sharedEntries + SIZEOF_ARRAY_CACHE > KMALLOC_MAX_SIZE) return -ENOMEM;
  initCacheNode(s, c, node);
  const list = pushTempList(s);
  const sh = base + s.nrCpus + node;
  if (s.nodeHasShared[cn] !== 0 && forceChange) {
    s.clock.advance(s.costSlowPath);
    freeBlock(s, c, s.acEntry[sh]!, s.acAvail[sh]!, node, list);
    s.acAvail[sh] = 0;
  }
  if (s.nodeHasShared[cn] === 0 || forceChange) {
    if (sharedEntries > 0) {
      initArraycache(s, sh, sharedEntries, BATCH_UNUSED);
      s.nodeHasShared[cn] = 1;
    } else {
      initArraycache(s, sh, 0, 0);
      s.nodeHasShared[cn] = 0;
    }
  }
  if (s.nodeHasAlien[cn] === 0 && s.useAlienCaches) {
    // alloc_alien_cache(): 12 entries when limit > 1
    const limit = s.cacheLimit[c]! > 1 ? 12 : s.cacheLimit[c]!;
    for (let r = 0; r < nn; r++) {
      if (r === node) continue;
      initArraycache(s, base + s.nrCpus + nn + node * nn + r, limit, BATCH_UNUSED);
    }
    s.nodeHasAlien[cn] = 1;
  }
  slabsDestroy(s, c, list, 0);
  popTempList(s);
  return 0;
}

/**
 * Installs new per-CPU arrays of `limit` entries (the old ones' objects go back to their slabs),
 * then sets up every node. Kernel: `do_tune_cpucache()` + `setup_kmem_cache_nodes()`.
 * @param first the cache is being created (no previous per-CPU arrays)
 * @returns 0, or -ENOMEM (a per-CPU array larger than __alloc_percpu allows, or a shared array larger than kmalloc's)
 */
export function doTuneCpucache(s: SlabState, c: number, limit: number, batchcount: number, shared: number, first = false): number {
  const size = 8 * limit + SIZEOF_ARRAY_CACHE;
  if (size > PCPU_MIN_UNIT_SIZE) {
    s.log.warn("mm/percpu.c:1758 pcpu_alloc", `illegal size (${size}) or align (8) for percpu allocation`);
    return -ENOMEM;
  }
  // mmsim checks the shared array's kmalloc here, before anything changes; 6.1 finds out in
  // setup_kmem_cache_node() after the per-CPU arrays were replaced.
  if (shared * batchcount > 0 && 8 * shared * batchcount + SIZEOF_ARRAY_CACHE > KMALLOC_MAX_SIZE) return -ENOMEM;
  const base = s.cacheAcBase[c]!;
  const nrCpus = s.nrCpus;
  const oldEntry: Float64Array[] = [];
  const oldAvail: number[] = [];
  for (let cpu = 0; cpu < nrCpus; cpu++) {
    oldEntry.push(s.acEntry[base + cpu]!);
    oldAvail.push(first ? 0 : s.acAvail[base + cpu]!);
    initArraycache(s, base + cpu, limit, batchcount);
  }
  s.cacheBatchcount[c] = batchcount;
  s.cacheLimit[c] = limit;
  s.cacheShared[c] = shared;
  if (!first) {
    for (let cpu = 0; cpu < nrCpus; cpu++) {
      const node = s.cpuToNode[cpu]!;
      const list = pushTempList(s);
      s.clock.advance(s.costSlowPath);
      freeBlock(s, c, oldEntry[cpu]!, oldAvail[cpu]!, node, list);
      slabsDestroy(s, c, list, cpu);
      popTempList(s);
    }
  }
  // setup_kmem_cache_nodes(cachep, gfp)
  for (let node = 0; node < s.nrNodes; node++) {
    const err = setupKmemCacheNode(s, c, node, true);
    if (err) return err;
  }
  return 0;
}

/**
 * Picks a new cache's array sizes and installs them; makes its random freelist sequence.
 * Kernel: `enable_cpucache()` (with `cache_random_seq_create()`).
 */
export function enableCpucache(s: SlabState, c: number, limit: number, batchcount: number, shared: number): number {
  const num = s.cacheNum[c]!;
  if (num >= 2 && s.cacheRandomSeq[c] === null) {
    // cache_random_seq_create(): prandom_seed_state(&state, get_random_long()); freelist_randomize()
    const list = new Int32Array(num);
    for (let i = 0; i < num; i++) list[i] = i;
    const seed = (s.rng.nextU32() % 0x200000) * 0x100000000 + s.rng.nextU32();
    new Prandom(seed).shuffle(list);
    s.cacheRandomSeq[c] = Uint8Array.from(list);
  }
  const err = doTuneCpucache(s, c, limit, batchcount, shared, true);
  if (err) s.log.prErr(`enable_cpucache failed for ${s.cacheName[c]}, error ${-err}`);
  return err;
}

/**
 * Tunes a cache by id, with slabinfo_write()'s range checks turned into an error.
 * @returns 0; -EINVAL for a cache that does not exist or values slabinfo_write() would ignore
 *   (limit < 1, batchcount < 1, batchcount > limit, shared < 0, or not integers); -ENOMEM as do_tune_cpucache
 */
export function setTunables(s: SlabState, c: number, limit: number, batchcount: number, shared: number): number {
  if (!(c >= 0 && c < s.nrCaches) || s.cacheAlive[c] !== 1) return -EINVAL;
  if (!Number.isInteger(limit) || !Number.isInteger(batchcount) || !Number.isInteger(shared)) return -EINVAL;
  if (limit < 1 || batchcount < 1 || batchcount > limit || shared < 0) return -EINVAL;
  return doTuneCpucache(s, c, limit, batchcount, shared);
}

/**
 * A write to /proc/slabinfo: `<name> <limit> <batchcount> <shared>`. Values out of range are
 * accepted and ignored, as 6.1 does (the write returns its length and nothing changes).
 * Kernel: `slabinfo_write()`.
 * @returns the byte count written, or -EINVAL (too long, no space, fewer than three numbers,
 *   no cache of that name), or -ENOMEM from do_tune_cpucache
 */
export function slabinfoWrite(s: SlabState, buffer: string): number {
  const count = new TextEncoder().encode(buffer).length;
  if (count > MAX_SLABINFO_WRITE) return -EINVAL;
  const sp = buffer.indexOf(" ");
  if (sp < 0) return -EINVAL;
  const name = buffer.slice(0, sp);
  const nums = sscanfInts(buffer.slice(sp + 1), 3);
  if (nums.length !== 3) return -EINVAL;
  const [limit, batchcount, shared] = nums as [number, number, number];
  // Find the cache in the chain of caches (slab_caches: newest first).
  let res = -EINVAL;
  for (let c = s.nrCaches - 1; c >= 0; c--) {
    if (s.cacheAlive[c] !== 1 || s.cacheName[c] !== name) continue;
    if (limit < 1 || batchcount < 1 || batchcount > limit || shared < 0) res = 0;
    else res = doTuneCpucache(s, c, limit, batchcount, shared);
    break;
  }
  if (res >= 0) res = count;
  return res;
}

/**
 * `sscanf(str, " %d %d %d")`: up to `n` decimal ints, each after optional white space, with an
 * optional sign; stops at the first that does not parse. Values wrap to 32 bits like C's int.
 */
function sscanfInts(str: string, n: number): number[] {
  const out: number[] = [];
  let i = 0;
  while (out.length < n) {
    while (i < str.length && /\s/.test(str[i]!)) i++;
    let j = i;
    if (str[j] === "+" || str[j] === "-") j++;
    const digitsStart = j;
    while (j < str.length && str[j]! >= "0" && str[j]! <= "9") j++;
    if (j === digitsStart) break;
    out.push(Number(BigInt.asIntN(32, BigInt(str.slice(i, j)))));
    i = j;
  }
  return out;
}

/**
 * The counters /proc/slabinfo prints for a cache, summed over its nodes. Kernel: `get_slabinfo()`.
 */
export function getSlabinfo(s: SlabState, c: number): KmemCacheStats {
  const nn = s.nrNodes;
  let totalSlabs = 0;
  let freeSlabs = 0;
  let freeObjs = 0;
  let sharedAvail = 0;
  let partial = 0;
  for (let node = 0; node < nn; node++) {
    const cn = c * nn + node;
    totalSlabs += s.nodeTotalSlabs[cn]!;
    freeSlabs += s.nodeFreeSlabs[cn]!;
    freeObjs += s.nodeFreeObjects[cn]!;
    if (s.nodeHasShared[cn] !== 0) sharedAvail += s.acAvail[s.cacheAcBase[c]! + s.nrCpus + node]!;
    const head = s.nodeHead[cn]!;
    for (let slot = s.slabNext[head]!; slot !== head && slot >= 0 && partial <= s.nrSlots; slot = s.slabNext[slot]!) partial++;
  }
  const numObjs = totalSlabs * s.cacheNum[c]!;
  return {
    activeObjs: numObjs - freeObjs,
    numObjs,
    activeSlabs: totalSlabs - freeSlabs,
    numSlabs: totalSlabs,
    partialSlabs: partial,
    limit: s.cacheLimit[c]!,
    batchcount: s.cacheBatchcount[c]!,
    sharedfactor: s.cacheShared[c]!,
    sharedAvail,
  };
}
