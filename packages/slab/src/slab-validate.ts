// mmsim: validate() for SLAB — walks every cache, node list, slab and array cache (cf. slub's validate_slab_cache(); SLAB has no such walker)
/*
 * Invariants reported (never thrown):
 *   - every object of every slab is exactly one of: free in its slab (its index in
 *     freeIdx[active..num), once), in exactly one array cache of its own cache, or allocated;
 *     Σ active over a cache's slabs = objects with callers (cacheInuse) + objects in its arrays;
 *   - a slab is on slabs_full iff active == num, on slabs_free iff active == 0, else on
 *     slabs_partial; it is on a list of its own cache and node; every slab of a cache is on one list;
 *   - total_slabs, free_slabs and free_objects match the lists; free_limit is
 *     (1 + nr_cpus_node) * batchcount + num;
 *   - array caches: avail ≤ limit; per-CPU arrays have the cache's limit and batchcount, shared
 *     arrays shared × batchcount entries; entries are object addresses (not free in their slab) of
 *     this cache, from the CPU's node (per-CPU, shared) or the alien cache's node;
 *   - slab pages: PG_slab and page->private = the slab on every page; s_mem is a
 *     colour step into the slab and aligned; the freelist pointer is where the cache's placement
 *     puts it (end of slab, inside the last free object, or a live kmalloc object);
 *   - debug caches: the emulated red zones say RED_ACTIVE exactly for allocated objects.
 */
import { PAGE_SIZE, PG_slab, type ValidationSink, hex, listCheck } from "@mmsim/core";
import { CFLGS_OBJFREELIST_SLAB, CFLGS_OFF_SLAB } from "./cache-geometry.ts";
import { FREEIDX_STRIDE, LIST_FREE, LIST_FULL, LIST_PARTIAL, OBJ_RED_ACTIVE, OBJ_RED_INACTIVE, type SlabState } from "./kmem-cache.ts";
import { alienAc, sharedAc } from "./cache-reap.ts";
import { virtToSlab } from "./slab-alloc.ts";

const LIST_NAMES = ["slabs_partial", "slabs_full", "slabs_free"] as const;

/** Checks the whole SLAB state; reports each broken invariant to `sink`. */
export function validateSlab(s: SlabState, sink: ValidationSink): void {
  if (s.tempDepth !== 0) sink.report("slab", `${s.tempDepth} temporary list heads still taken between operations`);
  const slotsOf = new Float64Array(s.nrCaches);
  for (let slot = 0; slot < s.nrSlots; slot++) {
    const c = s.slabCache[slot]!;
    if (c < 0) continue;
    if (c >= s.nrCaches || s.cacheAlive[c] !== 1) {
      sink.report(`slab slot ${slot}`, `belongs to cache ${c}, which does not exist`);
      continue;
    }
    slotsOf[c]!++;
  }
  const seen = new Map<number, string>();
  for (let c = 0; c < s.nrCaches; c++) {
    if (s.cacheAlive[c] !== 1) continue;
    validateCache(s, c, slotsOf[c]!, seen, sink);
  }
}

function validateCache(s: SlabState, c: number, slots: number, seen: Map<number, string>, sink: ValidationSink): void {
  const nn = s.nrNodes;
  const name = s.cacheName[c]!;
  const num = s.cacheNum[c]!;
  const where = `slab cache ${name}`;
  if (num < 1 || num > 255) sink.report(where, `num ${num} outside 1..255`);

  // 1. array caches: per-CPU, shared, alien
  const inAc = new Map<number, string>();
  let acTotal = 0;
  const checkAc = (ac: number, what: string, expectNode: number): void => {
    const avail = s.acAvail[ac]!;
    const limit = s.acLimit[ac]!;
    if (avail < 0 || avail > limit) sink.report(`${where} ${what}`, `avail ${avail} outside 0..limit ${limit}`);
    const entry = s.acEntry[ac]!;
    for (let i = 0; i < Math.min(avail, limit); i++) {
      const e = entry[i]!;
      const at = `${where} ${what} entry[${i}] ${hex(e, 0)}`;
      const prev = seen.get(e);
      if (prev !== undefined) sink.report(at, `also in ${prev}`);
      seen.set(e, `${where} ${what}`);
      inAc.set(e, what);
      acTotal++;
      const slot = virtToSlab(s, e);
      if (slot < 0) {
        sink.report(at, "is in no slab");
        continue;
      }
      if (s.slabCache[slot] !== c) {
        sink.report(at, `is an object of cache ${s.cacheName[s.slabCache[slot]!]}`);
        continue;
      }
      const off = e - s.slabSMem[slot]!;
      const idx = off / s.cacheSize[c]!;
      if (!Number.isInteger(idx) || idx < 0 || idx >= num) {
        sink.report(at, `is not an object boundary (offset ${off} from s_mem, size ${s.cacheSize[c]})`);
        continue;
      }
      for (let k = s.slabActive[slot]!; k < num; k++) {
        if (s.slabFreeIdx[slot * FREEIDX_STRIDE + k] === idx) sink.report(at, "is also free in its slab's freelist");
      }
      if (expectNode >= 0 && s.slabNode[slot] !== expectNode) sink.report(at, `is from node ${s.slabNode[slot]}, expected node ${expectNode}`);
    }
  };
  const base = s.cacheAcBase[c]!;
  for (let cpu = 0; cpu < s.nrCpus; cpu++) {
    const ac = base + cpu;
    if (s.acLimit[ac] !== s.cacheLimit[c]) sink.report(`${where} cpu${cpu} array_cache`, `limit ${s.acLimit[ac]} != cache limit ${s.cacheLimit[c]}`);
    if (s.acBatch[ac] !== s.cacheBatchcount[c]) sink.report(`${where} cpu${cpu} array_cache`, `batchcount ${s.acBatch[ac]} != cache batchcount ${s.cacheBatchcount[c]}`);
    checkAc(ac, `cpu${cpu} array_cache`, nn > 1 && s.useAlienCaches ? s.cpuToNode[cpu]! : -1);
  }
  for (let node = 0; node < nn; node++) {
    const cn = c * nn + node;
    const wantShared = s.cacheShared[c]! * s.cacheBatchcount[c]!;
    if ((s.nodeHasShared[cn] !== 0) !== wantShared > 0) sink.report(`${where} node ${node}`, `shared array ${s.nodeHasShared[cn] ? "present" : "absent"} with shared ${s.cacheShared[c]}`);
    if (s.nodeHasShared[cn] !== 0) {
      const sh = sharedAc(s, c, node);
      if (s.acLimit[sh] !== wantShared) sink.report(`${where} node ${node} shared`, `limit ${s.acLimit[sh]} != shared × batchcount = ${wantShared}`);
      checkAc(sh, `node ${node} shared`, node);
    }
    if (s.nodeHasAlien[cn] !== 0) {
      for (let r = 0; r < nn; r++) if (r !== node) checkAc(alienAc(s, c, node, r), `node ${node} alien[${r}]`, r);
    } else if (s.useAlienCaches) {
      sink.report(`${where} node ${node}`, "has no alien caches although use_alien_caches is on");
    }
  }

  // 2. node lists and slabs
  let sumActive = 0;
  let onLists = 0;
  const mark = new Uint8Array(FREEIDX_STRIDE);
  for (let node = 0; node < nn; node++) {
    const cn = c * nn + node;
    const head = s.nodeHead[cn]!;
    const count = [0, 0, 0];
    let freeObjs = 0;
    for (let l = LIST_PARTIAL; l <= LIST_FREE; l++) {
      const lh = head + l;
      const lw = `${where} node ${node} ${LIST_NAMES[l]}`;
      const err = listCheck(s.slabNext, s.slabPrev, lh, s.nrSlots);
      if (err !== null) {
        sink.report(lw, err);
        continue;
      }
      for (let slot = s.slabNext[lh]!; slot !== lh; slot = s.slabNext[slot]!) {
        count[l]!++;
        onLists++;
        const sw = `${lw} slab@${hex(s.slabPfn[slot]! * PAGE_SIZE, 0)}`;
        if (s.slabCache[slot] !== c) {
          sink.report(sw, `belongs to cache ${s.slabCache[slot]}`);
          continue;
        }
        if (s.slabNode[slot] !== node) sink.report(sw, `is a slab of node ${s.slabNode[slot]}`);
        const active = s.slabActive[slot]!;
        sumActive += active;
        freeObjs += num - active;
        const state = active === num ? LIST_FULL : active === 0 ? LIST_FREE : LIST_PARTIAL;
        if (state !== l) sink.report(sw, `active ${active} of ${num} belongs on ${LIST_NAMES[state]}`);
        validateSlabSlot(s, c, slot, sw, inAc, mark, sink);
      }
    }
    const nw = `${where} node ${node}`;
    const total = count[0]! + count[1]! + count[2]!;
    if (s.nodeTotalSlabs[cn] !== total) sink.report(nw, `total_slabs ${s.nodeTotalSlabs[cn]} != ${total} slabs on the lists`);
    if (s.nodeFreeSlabs[cn] !== count[LIST_FREE]) sink.report(nw, `free_slabs ${s.nodeFreeSlabs[cn]} != ${count[LIST_FREE]} on slabs_free`);
    if (s.nodeFreeObjects[cn] !== freeObjs) sink.report(nw, `free_objects ${s.nodeFreeObjects[cn]} != ${freeObjs} free in the slabs`);
    const limit = (1 + s.nrCpusNode[node]!) * s.cacheBatchcount[c]! + num;
    if (s.nodeFreeLimit[cn] !== limit) sink.report(nw, `free_limit ${s.nodeFreeLimit[cn]} != (1 + ${s.nrCpusNode[node]}) * ${s.cacheBatchcount[c]} + ${num}`);
  }
  if (onLists !== slots) sink.report(where, `${slots} slabs exist but ${onLists} are on the node lists`);
  if (sumActive !== s.cacheInuse[c]! + acTotal) {
    sink.report(where, `Σ active ${sumActive} != ${s.cacheInuse[c]} objects allocated + ${acTotal} in array caches`);
  }
}

function validateSlabSlot(s: SlabState, c: number, slot: number, sw: string, inAc: Map<number, string>, mark: Uint8Array, sink: ValidationSink): void {
  const mem = s.mem;
  const num = s.cacheNum[c]!;
  const size = s.cacheSize[c]!;
  const order = s.cacheOrder[c]!;
  const flags = s.cacheFlags[c]!;
  const active = s.slabActive[slot]!;
  const pfn = s.slabPfn[slot]!;
  const addr = pfn * PAGE_SIZE;
  const slabBytes = PAGE_SIZE * 2 ** order;
  const sMem = s.slabSMem[slot]!;
  if (active < 0 || active > num) {
    sink.report(sw, `active ${active} outside 0..${num}`);
    return;
  }
  // freelist_idx_t freelist[active..num): distinct object indices
  mark.fill(0);
  for (let i = active; i < num; i++) {
    const idx = s.slabFreeIdx[slot * FREEIDX_STRIDE + i]!;
    if (idx >= num) sink.report(sw, `freelist[${i}] = ${idx} ≥ num ${num}`);
    else if (mark[idx]) sink.report(sw, `object ${idx} is twice in the freelist`);
    mark[idx] = 1;
  }
  // pages
  if (!mem.pfnValid(pfn) || !mem.pfnValid(pfn + (1 << order) - 1)) {
    sink.report(sw, "pages outside mem_map");
    return;
  }
  const page = pfn - mem.basePfn;
  for (let p = 0; p < 1 << order; p++) {
    if ((mem.flags[page + p]! & (1 << PG_slab)) === 0) sink.report(sw, `page ${p} is not PageSlab`);
    if (mem.private[page + p] !== slot) sink.report(sw, `page ${p}: private ${mem.private[page + p]} != slab ${slot}`);
  }
  // colour and alignment
  const colourOff = s.cacheColourOff[c]!;
  const off = sMem - addr;
  if (off % colourOff !== 0 || off / colourOff >= Math.max(1, s.cacheColour[c]!)) {
    sink.report(sw, `s_mem offset ${off} is not a colour (colour ${s.cacheColour[c]}, colour_off ${colourOff})`);
  }
  if (sMem % s.cacheAlign[c]! !== 0) sink.report(sw, `s_mem ${hex(sMem, 0)} not aligned to ${s.cacheAlign[c]}`);
  if (sMem + num * size > addr + slabBytes) sink.report(sw, `objects end at ${hex(sMem + num * size, 0)}, past the slab`);
  // freelist placement
  const freelist = s.slabFreelist[slot]!;
  const objOffset = s.cacheObjOffset[c]!;
  if ((flags & CFLGS_OBJFREELIST_SLAB) !== 0) {
    const want = active === num ? 0 : sMem + size * s.slabFreeIdx[slot * FREEIDX_STRIDE + num - 1]! + objOffset;
    if (freelist !== want) sink.report(sw, `OBJFREELIST freelist ${hex(freelist, 0)} != ${hex(want, 0)}`);
  } else if ((flags & CFLGS_OFF_SLAB) !== 0) {
    const fs = virtToSlab(s, freelist);
    if (fs < 0 || s.slabCache[fs] !== s.cacheFreelistCache[c]) sink.report(sw, `OFF_SLAB freelist ${hex(freelist, 0)} is not an object of the kmalloc cache`);
  } else {
    const want = addr + slabBytes - s.cacheFreelistSize[c]!;
    if (freelist !== want) sink.report(sw, `on-slab freelist ${hex(freelist, 0)} != end of slab - freelist_size = ${hex(want, 0)}`);
    if (sMem + num * size > freelist) sink.report(sw, "objects overlap the on-slab freelist");
  }
  // emulated red zones
  const st = s.objState;
  if (s.cacheDebug[c] !== 0 && st) {
    for (let i = 0; i < num; i++) {
      const free = mark[i] === 1 || inAc.has(sMem + size * i);
      const want = free ? OBJ_RED_INACTIVE : OBJ_RED_ACTIVE;
      if (st[slot * FREEIDX_STRIDE + i] !== want) sink.report(sw, `object ${i}: red zone state ${st[slot * FREEIDX_STRIDE + i]}, expected ${want}`);
    }
  }
}
