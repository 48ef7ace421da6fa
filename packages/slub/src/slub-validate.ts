// Kernel: mm/slub.c (v6.1) validate_slab_cache(), validate_slab(), on_freelist(), count_partial() — mmsim's self-check
/*
 * validateSlub() walks every structure of the allocator and reports each broken invariant to
 * the sink; it never prints and never throws (the kernel-format checker of debug caches is
 * validateSlabCache() in slub-debug.ts). The invariants are listed in slub.ts's header. A test
 * calls it after every step; after a simulated double free or overrun without slub_debug it is
 * expected to report the damage (an object on two freelists, a count that does not match).
 */
import { PG_slab, SLAB_STORE_USER } from "@mmsim/core";
import type { ValidationSink } from "@mmsim/core";
import { FP_FAULT, getFreepointer, objIndex } from "./slab-freelist.ts";
import { objectBytesProblem } from "./slub-debug.ts";
import type { SlubAllocator } from "./slub.ts";
import { SLAB_HEAD } from "./struct-slab.ts";

const ON_NONE = 0;
const ON_PARTIAL = 1;
const ON_FULL = 2;

/** Checks every invariant of the allocator. */
export function validateSlub(sa: SlubAllocator, sink: ValidationSink): void {
  const caches = sa.caches;
  const slabs = sa.slabs;
  const top = slabs.top;
  const owner = new Int32Array(top).fill(-1);
  const isCpuSlab = new Uint8Array(top);
  const onList = new Uint8Array(top);
  const name = (s: number): string => `slub ${caches.name[s] ?? "?"}`;

  // kmem_cache_cpu: CPU slabs and partial chains.
  for (let s = 0; s < caches.count; s++) {
    if (caches.alive[s] !== 1) continue;
    for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
      const c = s * sa.nrCpus + cpu;
      const slab = caches.cpuSlab[c]!;
      const where = `${name(s)} cpu${cpu}`;
      if (slab >= 0) {
        if (slab >= top || slabs.cache[slab] !== s) sink.report(where, `cpu slab ${slab} belongs to cache ${slabs.cache[slab]}`);
        else {
          if (slabs.frozen[slab] !== 1) sink.report(where, `cpu slab ${slab} is not frozen`);
          if (owner[slab] !== -1) sink.report(where, `cpu slab ${slab} is also owned by cpu${owner[slab]}`);
          owner[slab] = cpu;
          isCpuSlab[slab] = 1;
        }
      } else if (caches.cpuFreelist[c] !== 0) {
        sink.report(where, `no cpu slab but cpu freelist ${caches.cpuFreelist[c]}`);
      }
      let len = 0;
      for (let p = caches.cpuPartialHead[c]!; p >= 0; p = slabs.next[p]!) len++;
      let remaining = len;
      let steps = 0;
      for (let p = caches.cpuPartialHead[c]!; p >= 0 && steps <= top; p = slabs.next[p]!, steps++) {
        if (p >= top || slabs.cache[p] !== s) {
          sink.report(where, `partial slab ${p} belongs to cache ${slabs.cache[p]}`);
          break;
        }
        if (slabs.frozen[p] !== 1) sink.report(where, `cpu partial slab ${p} is not frozen`);
        if (owner[p] !== -1) sink.report(where, `cpu partial slab ${p} is also owned by cpu${owner[p]}`);
        owner[p] = cpu;
        if (slabs.slabs[p] !== remaining) sink.report(where, `cpu partial slab ${p}: slabs ${slabs.slabs[p]} != ${remaining} on the chain from it`);
        remaining--;
      }
    }
  }

  // kmem_cache_node: partial and full lists.
  for (let s = 0; s < caches.count; s++) {
    if (caches.alive[s] !== 1) continue;
    for (let nid = 0; nid < sa.nrNodes; nid++) {
      const n = s * sa.nrNodes + nid;
      for (const [head, kind] of [[caches.nodePartial[n]!, ON_PARTIAL], [caches.nodeFull[n]!, ON_FULL]] as const) {
        const where = `${name(s)} node${nid} ${kind === ON_PARTIAL ? "partial" : "full"}`;
        if (slabs.cache[head] !== SLAB_HEAD) {
          sink.report(where, `head ${head} is not a list head`);
          continue;
        }
        let count = 0;
        let prev = head;
        let p = slabs.listNext[head]!;
        while (p !== head) {
          if (p < 0 || p >= top || count > top) {
            sink.report(where, `broken link after ${prev}: ${p}`);
            break;
          }
          if (slabs.listPrev[p] !== prev) sink.report(where, `slab ${p}: prev ${slabs.listPrev[p]} != ${prev}`);
          if (slabs.cache[p] !== s) sink.report(where, `slab ${p} belongs to cache ${slabs.cache[p]}`);
          if (slabs.nid[p] !== nid) sink.report(where, `slab ${p} is on node ${slabs.nid[p]}`);
          if (slabs.frozen[p] === 1) sink.report(where, `frozen slab ${p} is on a node list`);
          if (onList[p] !== ON_NONE) sink.report(where, `slab ${p} is on two lists`);
          onList[p] = kind;
          if (kind === ON_PARTIAL && slabs.inuse[p]! >= slabs.objects[p]!) sink.report(where, `slab ${p} has no free object (inuse ${slabs.inuse[p]} of ${slabs.objects[p]})`);
          if (kind === ON_FULL && slabs.inuse[p] !== slabs.objects[p]) sink.report(where, `slab ${p} is not full (inuse ${slabs.inuse[p]} of ${slabs.objects[p]})`);
          count++;
          prev = p;
          p = slabs.listNext[p]!;
        }
        if (kind === ON_PARTIAL && count !== caches.nrPartial[n]) sink.report(where, `nr_partial ${caches.nrPartial[n]} != ${count} on the list`);
        if (kind === ON_FULL && count > 0 && (caches.flags[s]! & SLAB_STORE_USER) === 0) sink.report(where, "full list used without SLAB_STORE_USER");
      }
    }
  }

  // Every slab.
  const nrSlabs = new Int32Array(caches.count * sa.nrNodes);
  const totalObjects = new Float64Array(caches.count * sa.nrNodes);
  const pages = new Float64Array(caches.count);
  const mem = sa.mem;
  for (let id = 0; id < top; id++) {
    const s = slabs.cache[id]!;
    if (s < 0) continue;
    const where = `${name(s)} slab ${id}`;
    if (caches.alive[s] !== 1) {
      sink.report(where, "slab of a destroyed cache");
      continue;
    }
    const objects = slabs.objects[id]!;
    const order = slabs.order[id]!;
    const nid = slabs.nid[id]!;
    nrSlabs[s * sa.nrNodes + nid]! += 1;
    totalObjects[s * sa.nrNodes + nid]! += objects;
    pages[s]! += 2 ** order;
    const page = slabs.pfn[id]! - mem.basePfn;
    for (let p = page; p < page + 2 ** order; p++) {
      if ((mem.flags[p]! & (1 << PG_slab)) === 0) sink.report(where, `page pfn ${p + mem.basePfn} is not PageSlab`);
      if (mem.private[p] !== id + 1) sink.report(where, `page pfn ${p + mem.basePfn} links to slab ${mem.private[p]! - 1}`);
    }
    if (slabs.frozen[id] === 1) {
      if (owner[id] === -1) sink.report(where, "frozen but owned by no CPU");
      if (onList[id] !== ON_NONE) sink.report(where, "frozen and on a node list");
    } else {
      if (owner[id] !== -1) sink.report(where, `owned by cpu${owner[id]} but not frozen`);
      if (slabs.inuse[id]! < objects && onList[id] !== ON_PARTIAL) {
        sink.report(where, `has ${objects - slabs.inuse[id]!} free objects but is on no partial list`);
      }
      if (slabs.inuse[id] === objects && (caches.flags[s]! & SLAB_STORE_USER) !== 0 && onList[id] !== ON_FULL) sink.report(where, "full but not on the full list (SLAB_STORE_USER)");
    }
    // Objects: each free at most once, all on this slab; inuse matches.
    const mark = new Uint8Array(objects);
    let nFree = 0;
    let p = slabs.freelist[id]!;
    for (let steps = 0; p !== 0; steps++) {
      if (steps > objects) {
        sink.report(where, "freelist loops (an object freed twice)");
        break;
      }
      const i = p > 0 ? objIndex(sa, s, id, p) : -1;
      if (i < 0) {
        sink.report(where, `freelist holds ${p < 0 ? "a wild pointer" : "0x" + p.toString(16) + ", not an object of this slab"}`);
        break;
      }
      if (mark[i] !== 0) {
        sink.report(where, `object ${i} is on the freelist twice`);
        break;
      }
      mark[i] = 1;
      nFree++;
      const next = getFreepointer(sa, s, p);
      if (next === FP_FAULT) break;
      p = next;
    }
    if (slabs.inuse[id] !== objects - nFree) sink.report(where, `inuse ${slabs.inuse[id]} != objects ${objects} - free ${nFree}`);
    if (caches.debug[s] === 1) {
      // Debug caches: the bytes SLUB wrote (red zones, poison, padding) are intact.
      const size = caches.size[s]!;
      for (let i = 0; i < objects; i++) {
        const bad = objectBytesProblem(sa, s, id, slabs.base[id]! + i * size, mark[i] === 1);
        if (bad !== undefined) sink.report(where, `object ${i} (${mark[i] === 1 ? "free" : "allocated"}): ${bad}`);
      }
    }
    if (isCpuSlab[id] === 1) {
      const c = s * sa.nrCpus + owner[id]!;
      let q = caches.cpuFreelist[c]!;
      for (let steps = 0; q !== 0; steps++) {
        if (steps > objects) {
          sink.report(where, `cpu${owner[id]} freelist loops (an object freed twice)`);
          break;
        }
        const i = q > 0 ? objIndex(sa, s, id, q) : -1;
        if (i < 0) {
          sink.report(where, `cpu${owner[id]} freelist holds ${q < 0 ? "a wild pointer" : "0x" + q.toString(16) + ", not an object of its cpu slab"}`);
          break;
        }
        if (mark[i] !== 0) {
          sink.report(where, `object ${i} is on two freelists (or twice on the cpu freelist)`);
          break;
        }
        mark[i] = 2;
        const next = getFreepointer(sa, s, q);
        if (next === FP_FAULT) break;
        q = next;
      }
    }
  }

  // Counters.
  for (let s = 0; s < caches.count; s++) {
    if (caches.alive[s] !== 1) continue;
    for (let nid = 0; nid < sa.nrNodes; nid++) {
      const n = s * sa.nrNodes + nid;
      if (caches.nrSlabs[n] !== nrSlabs[n]) sink.report(`${name(s)} node${nid}`, `nr_slabs ${caches.nrSlabs[n]} != ${nrSlabs[n]} slabs`);
      if (caches.totalObjects[n] !== totalObjects[n]) sink.report(`${name(s)} node${nid}`, `total_objects ${caches.totalObjects[n]} != ${totalObjects[n]}`);
    }
    if (caches.pages[s] !== pages[s]) sink.report(name(s), `NR_SLAB pages charged ${caches.pages[s]} != ${pages[s]} pages in slabs`);
    if (caches.droppedFrees[s] !== 0) sink.report(name(s), `${caches.droppedFrees[s]} free(s) of a pointer inside an object were dropped`);
  }
  if (slabs.live !== countLive(sa)) sink.report("slub slab table", `live count ${slabs.live} != ${countLive(sa)}`);
}

function countLive(sa: SlubAllocator): number {
  let n = 0;
  for (let id = 0; id < sa.slabs.top; id++) if (sa.slabs.cache[id]! >= 0) n++;
  return n;
}
