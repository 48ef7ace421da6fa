// Kernel: mm/slub.c (v6.1) — the /sys/kernel/slab/<cache>/ attributes (SLAB_ATTR / SLAB_ATTR_RO, show_slab_objects)
/*
 * sysfsShow() renders one attribute file as 6.1 prints it, with CONFIG_NUMA (node breakdown
 * ` N<nid>=<count>` for non-zero nodes), CONFIG_SLUB_DEBUG, CONFIG_SLUB_CPU_PARTIAL and
 * CONFIG_ZONE_DMA (all set on the reference build). The alias count and `usersize` belong to
 * slab_common (core), which passes them in. sysfsStore() handles the writable attributes.
 */
import { EINVAL, SLAB_CACHE_DMA, SLAB_CONSISTENCY_CHECKS, SLAB_FAILSLAB, SLAB_HWCACHE_ALIGN, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE, SLAB_TYPESAFE_BY_RCU } from "@mmsim/core";
import { cpuPartialSlabsFor } from "./kmem-cache.ts";
import type { SlubAllocator } from "./slub.ts";

/** Every attribute sysfsShow() knows, in the kernel's `slab_attrs[]` order. */
export const SLUB_SYSFS_ATTRS = Object.freeze([
  "slab_size", "object_size", "objs_per_slab", "order", "min_partial", "cpu_partial", "objects", "objects_partial",
  "partial", "cpu_slabs", "ctor", "aliases", "align", "hwcache_align", "reclaim_account", "destroy_by_rcu", "shrink",
  "slabs_cpu_partial", "total_objects", "slabs", "sanity_checks", "trace", "red_zone", "poison", "store_user",
  "validate", "cache_dma", "remote_node_defrag_ratio", "failslab", "usersize",
] as const);
export type SlubSysfsAttr = (typeof SLUB_SYSFS_ATTRS)[number];

const SO_ALL = 1;
const SO_PARTIAL = 2;
const SO_CPU = 4;
const SO_OBJECTS = 8;
const SO_TOTAL = 16;

/** Kernel: `show_slab_objects()`. */
function showSlabObjects(sa: SlubAllocator, s: number, flags: number): string {
  const c = sa.caches;
  const slabs = sa.slabs;
  const nodes = new Array<number>(sa.nrNodes).fill(0);
  let total = 0;
  if ((flags & SO_CPU) !== 0) {
    for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
      const k = s * sa.nrCpus + cpu;
      const slab = c.cpuSlab[k]!;
      if (slab < 0) continue;
      const x = (flags & SO_TOTAL) !== 0 ? slabs.objects[slab]! : (flags & SO_OBJECTS) !== 0 ? slabs.inuse[slab]! : 1;
      total += x;
      nodes[slabs.nid[slab]!]! += x;
      const p = c.cpuPartialHead[k]!;
      if (p >= 0 && (flags & (SO_TOTAL | SO_OBJECTS)) === 0) {
        total += slabs.slabs[p]!;
        nodes[slabs.nid[p]!]! += slabs.slabs[p]!;
      }
    }
  }
  if ((flags & SO_ALL) !== 0) {
    for (let nid = 0; nid < sa.nrNodes; nid++) {
      const n = s * sa.nrNodes + nid;
      let x: number;
      if ((flags & SO_TOTAL) !== 0) x = c.totalObjects[n]!;
      else if ((flags & SO_OBJECTS) !== 0) x = c.totalObjects[n]! - countPartial(sa, n, 0);
      else x = c.nrSlabs[n]!;
      total += x;
      nodes[nid]! += x;
    }
  } else if ((flags & SO_PARTIAL) !== 0) {
    for (let nid = 0; nid < sa.nrNodes; nid++) {
      const n = s * sa.nrNodes + nid;
      let x: number;
      if ((flags & SO_TOTAL) !== 0) x = countPartial(sa, n, 2);
      else if ((flags & SO_OBJECTS) !== 0) x = countPartial(sa, n, 1);
      else x = c.nrPartial[n]!;
      total += x;
      nodes[nid]! += x;
    }
  }
  let out = String(total);
  for (let nid = 0; nid < sa.nrNodes; nid++) if (nodes[nid]) out += ` N${nid}=${nodes[nid]}`;
  return out + "\n";
}

/** Kernel: `count_partial()` with count_free (0), count_inuse (1) or count_total (2). */
function countPartial(sa: SlubAllocator, n: number, what: number): number {
  const slabs = sa.slabs;
  const head = sa.caches.nodePartial[n]!;
  let x = 0;
  for (let slab = slabs.listNext[head]!; slab !== head && slab >= 0; slab = slabs.listNext[slab]!) {
    x += what === 0 ? slabs.objects[slab]! - slabs.inuse[slab]! : what === 1 ? slabs.inuse[slab]! : slabs.objects[slab]!;
  }
  return x;
}

/** Kernel: `slabs_cpu_partial_show()`. */
function slabsCpuPartial(sa: SlubAllocator, s: number): string {
  const c = sa.caches;
  let slabsTotal = 0;
  for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
    const p = c.cpuPartialHead[s * sa.nrCpus + cpu]!;
    if (p >= 0) slabsTotal += sa.slabs.slabs[p]!;
  }
  let out = `${Math.floor((slabsTotal * c.objects[s]!) / 2)}(${slabsTotal})`;
  for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
    const p = c.cpuPartialHead[s * sa.nrCpus + cpu]!;
    if (p >= 0) {
      const n = sa.slabs.slabs[p]!;
      out += ` C${cpu}=${Math.floor((n * c.objects[s]!) / 2)}(${n})`;
    }
  }
  return out + "\n";
}

const flag = (sa: SlubAllocator, s: number, f: number): string => `${(sa.caches.flags[s]! & f) !== 0 ? 1 : 0}\n`;

/**
 * The content of /sys/kernel/slab/<cache>/<attr>.
 * Kernel: the `<attr>_show()` functions of mm/slub.c.
 * @param aliases caches merged into this one (slab_common's refcount - 1; 0 for an unmergeable cache)
 * @param usersize the cache's hardened-usercopy size (slab_common's)
 * @returns the text, or undefined for an attribute 6.1 does not have
 */
export function sysfsShow(sa: SlubAllocator, cacheId: number, attr: string, aliases = 0, usersize = 0): string | undefined {
  sa.caches.check("sysfsShow", cacheId);
  const c = sa.caches;
  const s = cacheId;
  switch (attr) {
    case "slab_size": return `${c.size[s]}\n`;
    case "object_size": return `${c.objectSize[s]}\n`;
    case "objs_per_slab": return `${c.objects[s]}\n`;
    case "order": return `${c.order[s]}\n`;
    case "min_partial": return `${c.minPartial[s]}\n`;
    case "cpu_partial": return `${c.cpuPartial[s]}\n`;
    case "objects": return showSlabObjects(sa, s, SO_ALL | SO_OBJECTS);
    case "objects_partial": return showSlabObjects(sa, s, SO_PARTIAL | SO_OBJECTS);
    case "partial": return showSlabObjects(sa, s, SO_PARTIAL);
    case "cpu_slabs": return showSlabObjects(sa, s, SO_CPU);
    case "slabs": return showSlabObjects(sa, s, SO_ALL);
    case "total_objects": return showSlabObjects(sa, s, SO_ALL | SO_TOTAL);
    case "slabs_cpu_partial": return slabsCpuPartial(sa, s);
    case "ctor": {
      const f = c.ctor[s];
      return f === undefined ? "" : `${f.name || "0x0"}\n`;
    }
    case "aliases": return `${aliases}\n`;
    case "align": return `${c.align[s]}\n`;
    case "hwcache_align": return flag(sa, s, SLAB_HWCACHE_ALIGN);
    case "reclaim_account": return flag(sa, s, SLAB_RECLAIM_ACCOUNT);
    case "destroy_by_rcu": return flag(sa, s, SLAB_TYPESAFE_BY_RCU);
    case "cache_dma": return flag(sa, s, SLAB_CACHE_DMA);
    case "sanity_checks": return flag(sa, s, SLAB_CONSISTENCY_CHECKS);
    case "trace": return flag(sa, s, SLAB_TRACE);
    case "red_zone": return flag(sa, s, SLAB_RED_ZONE);
    case "poison": return flag(sa, s, SLAB_POISON);
    case "store_user": return flag(sa, s, SLAB_STORE_USER);
    case "failslab": return flag(sa, s, SLAB_FAILSLAB);
    case "usersize": return `${usersize}\n`;
    case "remote_node_defrag_ratio": return `${Math.floor(c.remoteNodeDefragRatio[s]! / 10)}\n`;
    case "shrink":
    case "validate":
      return "";
    default:
      return undefined;
  }
}

/**
 * Writes an attribute. Kernel: `min_partial_store()`, `cpu_partial_store()`, `shrink_store()`,
 * `validate_store()`, `remote_node_defrag_ratio_store()`.
 * @returns the bytes consumed (value.length), or a negative errno (-EINVAL)
 */
export function sysfsStore(sa: SlubAllocator, cacheId: number, attr: string, value: string): number {
  sa.caches.check("sysfsStore", cacheId);
  const c = sa.caches;
  const s = cacheId;
  const num = /^\s*(\d+)\s*$/.exec(value);
  switch (attr) {
    case "min_partial":
      if (!num) return -EINVAL;
      c.minPartial[s] = Number(num[1]);
      return value.length;
    case "cpu_partial": {
      if (!num) return -EINVAL;
      const objects = Number(num[1]);
      if (objects && c.hasCpuPartial[s] !== 1) return -EINVAL;
      c.cpuPartial[s] = objects;
      c.cpuPartialSlabs[s] = cpuPartialSlabsFor(objects, c.objects[s]!);
      sa.flushAll(s);
      return value.length;
    }
    case "shrink":
      if (value[0] !== "1") return -EINVAL;
      sa.kmemCacheShrink(s);
      return value.length;
    case "validate": {
      if (value[0] !== "1") return -EINVAL;
      const r = sa.validateSlabCache(s);
      return r < 0 ? r : value.length;
    }
    case "remote_node_defrag_ratio": {
      if (!num) return -EINVAL;
      const ratio = Number(num[1]);
      if (ratio <= 100) c.remoteNodeDefragRatio[s] = ratio * 10;
      return value.length;
    }
    default:
      return -EINVAL;
  }
}
