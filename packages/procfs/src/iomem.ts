// Kernel: kernel/resource.c (v6.1) — struct resource trees: __request_resource, __insert_resource, reserve_region_with_split, r_show (/proc/iomem)
/*
 * A resource tree as the kernel keeps iomem_resource: each node covers [start, end] (inclusive),
 * its children are disjoint, sorted by start and inside it. The kernel links siblings through
 * `sibling` pointers; here a node holds its children in an array, in the same order.
 *
 * /proc/iomem (r_show over a pre-order walk, for_each_resource): one line per resource,
 *   "%*s%0*llx-%0*llx : %s\n"  with  indent = 2 × depth (depth capped at MAX_IORES_LEVEL = 5)
 *                                    width = 4 if the root ends below 0x10000, else 8
 * Addresses wider than the width print whole ("4010000000-401fffffff"). A reader without
 * CAP_SYS_ADMIN sees every address as 0.
 *
 * Building (the kernel's semantics, kept because the shape of /proc/iomem depends on them):
 *   requestResource   insert as a new child of `root` if nothing overlaps; else the conflict
 *   insertResource    descend into a resource that contains the new one; adopt the siblings the
 *                     new one contains; fail on a partial overlap
 *   reserveRegionWithSplit  insert [start, end] under `root`, split around existing children
 *                     (how arm64 marks memblock.reserved inside "System RAM")
 *
 * Addresses are JS numbers (exact below 2^53, mmsim's PHYS_ADDR_MAX); the root's end is
 * PHYS_ADDR_MAX instead of the kernel's ~0, which gives the same width.
 */
import { PHYS_ADDR_MAX } from "@mmsim/memblock";
import { hexPad } from "./seq-file.ts";

/** The /proc/iomem path. */
export const PROC_IOMEM = "/proc/iomem";

/** Deepest level r_show indents to. Kernel: `MAX_IORES_LEVEL`. */
export const MAX_IORES_LEVEL = 5;

/** A node of a resource tree. Kernel: `struct resource` (start, end, name; child/sibling as `children`). */
export interface Resource {
  /** First byte. */
  start: number;
  /** Last byte (inclusive). */
  end: number;
  /** What /proc/iomem prints after " : ". */
  name: string;
  /** Sub-resources, disjoint, sorted by start, each inside [start, end]. */
  children: Resource[];
}

/** Options of rShow(). */
export interface IomemShowOptions {
  /** The reader has CAP_SYS_ADMIN (default true): without it every address prints as 0. */
  readonly capSysAdmin?: boolean;
}

/** A resource with no children. */
export function resource(start: number, end: number, name: string, children: Resource[] = []): Resource {
  return { start, end, name, children };
}

/**
 * The root of the physical address space: [0, PHYS_ADDR_MAX], named "PCI mem".
 * Kernel: `iomem_resource`.
 */
export function iomemResource(): Resource {
  return resource(0, PHYS_ADDR_MAX, "PCI mem");
}

/**
 * Adds `res` as a child of `root` unless it overlaps a child or leaves `root`.
 * Kernel: `__request_resource()`.
 * @returns undefined when inserted; else the conflict (`root` itself when out of range)
 */
export function requestResource(root: Resource, res: Resource): Resource | undefined {
  if (res.end < res.start || res.start < root.start || res.end > root.end) return root;
  const kids = root.children;
  for (let i = 0; i < kids.length; i++) {
    const tmp = kids[i]!;
    if (tmp.start > res.end) {
      kids.splice(i, 0, res);
      return undefined;
    }
    if (tmp.end < res.start) continue;
    return tmp;
  }
  kids.push(res);
  return undefined;
}

/**
 * Inserts `res` into the tree under `parent`: inside the deepest resource that contains it, and
 * above the siblings it contains. `res` must have no children.
 * Kernel: `__insert_resource()` (insert_resource_conflict()).
 * @returns undefined when inserted; else the resource that overlaps it partially (or `parent`)
 */
export function insertResource(parent: Resource, res: Resource): Resource | undefined {
  let first: Resource | undefined;
  for (;;) {
    first = requestResource(parent, res);
    if (!first) return undefined;
    if (first === parent) return first;
    if (first === res) return first; // duplicated insertion
    if (first.start > res.start || first.end < res.end) break;
    if (first.start === res.start && first.end === res.end) break;
    parent = first;
  }
  const kids = parent.children;
  const from = kids.indexOf(first);
  let to = from;
  for (;;) {
    const next = kids[to]!;
    // Partial overlap? Bad, and unfixable.
    if (next.start < res.start || next.end > res.end) return next;
    if (to + 1 === kids.length) break;
    if (kids[to + 1]!.start > res.end) break;
    to++;
  }
  res.children = kids.splice(from, to - from + 1, res);
  return undefined;
}

/**
 * Inserts `tree` (a resource with its sub-resources) under `parent`, node by node.
 * @returns the first conflict, or undefined
 */
export function insertResourceTree(parent: Resource, tree: Resource): Resource | undefined {
  const node = resource(tree.start, tree.end, tree.name);
  const conflict = insertResource(parent, node);
  if (conflict) return conflict;
  for (const child of tree.children) {
    const c = insertResourceTree(node, child);
    if (c) return c;
  }
  return undefined;
}

/**
 * Marks [start, end] as `name` under `root`, as several resources around the children already
 * there; parts already covered are skipped.
 * Kernel: `reserve_region_with_split()` / `__reserve_region_with_split()`.
 */
export function reserveRegionWithSplit(root: Resource, start: number, end: number, name: string): void {
  if (root.start > start || root.end < end) {
    // The kernel logs "requested range … not in root" and clips, or aborts when disjoint.
    if (start > root.end || end < root.start) return;
    if (end > root.end) end = root.end;
    if (start < root.start) start = root.start;
  }
  let res: Resource = resource(start, end, name);
  let nextRes: Resource | undefined;
  for (;;) {
    const conflict = requestResource(root, res);
    if (!conflict) {
      if (!nextRes) break;
      res = nextRes;
      nextRes = undefined;
      continue;
    }
    // conflict covered whole area (the kernel WARNs if a split part is still pending, and drops it)
    if (conflict.start <= res.start && conflict.end >= res.end) break;
    // failed, split and try again
    if (conflict.start > res.start) {
      const oldEnd = res.end;
      res.end = conflict.start - 1;
      if (conflict.end < oldEnd) nextRes = resource(conflict.end + 1, oldEnd, name);
    } else {
      res.start = conflict.end + 1;
    }
  }
}

/**
 * The text of /proc/iomem (or /proc/ioports) for the tree under `root`: every resource in
 * pre-order, indented by depth.
 * Kernel: `r_show()` over `resource_op` (r_start/r_next: for_each_resource).
 */
export function rShow(root: Resource, opts: IomemShowOptions = {}): string {
  const width = root.end < 0x10000 ? 4 : 8;
  const cap = opts.capSysAdmin ?? true;
  let s = "";
  const walk = (list: readonly Resource[], depth: number): void => {
    for (const r of list) {
      const d = Math.min(depth, MAX_IORES_LEVEL);
      s += `${" ".repeat(d * 2)}${hexPad(cap ? r.start : 0, width)}-${hexPad(cap ? r.end : 0, width)} : ${r.name}\n`;
      walk(r.children, depth + 1);
    }
  };
  walk(root.children, 0);
  return s;
}
