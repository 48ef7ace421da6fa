// Kernel: mm/slub.c (v6.1) CONFIG_SLUB_DEBUG: red zones, poisoning, owner tracking, consistency checks, and the reports (slab_bug, print_trailer, slab_fix)
/*
 * Cold code: everything SLUB prints, and the simulated memory of debug caches.
 *
 * Memory. A cache with any slub_debug flag (F Z P U T) keeps the real bytes of each slab
 * (`SlubSlabTable.bytes[slab]`, 2^order pages). The layout of one object, from 6.1's comment
 * above check_pad_bytes(), at `p` = slab address + red_left_pad + i × size:
 *
 *   p - red_left_pad   left red zone (Z)                 0xbb free / 0xcc allocated
 *   p                  object_size bytes                 0x6b…0x6b 0xa5 when poisoned (P)
 *   p + object_size    right red zone up to inuse (Z)    0xbb / 0xcc
 *   p + inuse          free pointer (P, ctor, RCU)        8 bytes, little endian
 *   then               2 × struct track (U)              addr, handle, cpu, pid, when
 *   then               orig_size (U on kmalloc caches)   4 bytes
 *   then               padding up to size                0x5a (P)
 *
 * The free pointer is the kernel's: the next free object's linear-map address XOR s->random
 * XOR swab(address of the pointer) (CONFIG_SLAB_FREELIST_HARDENED), so an overwrite decodes to
 * garbage as it does in the kernel. struct track's `addr` holds an index into the allocator's
 * caller-symbol table (0 = none) and `handle` is 0: mmsim records no stack traces, so each
 * track is followed by the kernel's "object allocation/free stack trace missing" line.
 *
 * Caches without slub_debug keep no bytes: debugWrite() on them changes only what SLUB keeps
 * in memory there, the free pointers of free objects (slab-freelist.ts), which is how a
 * buffer overrun corrupts a freelist without slub_debug.
 *
 * Printing. Addresses are arm64's: objects at their linear-map address
 * (0xffff000000000000 + phys - memstart_addr), a struct slab at its vmemmap address
 * (0xfffffc0000000000 + (pfn - memstart_pfn) × 64). %p prints them whole when slub_debug is
 * enabled (6.1 sets no_hash_pointers then), otherwise hashed to 32 bits with a per-machine key
 * (a deterministic stand-in for siphash). %pS prints a bare symbol: mmsim knows no offsets, so
 * `Allocated in kmem_cache_alloc` and call-trace frames carry none. dump_stack() prints the
 * task line, `Hardware name:` and the frames mmsim knows; no registers, no `Code:` line.
 * Taint (B, W, D), the die counter and `debug_locks` are kept per allocator; taints set by
 * other subsystems do not show in SLUB's reports.
 */
import {
  ArgumentError, describeValue, formatGfpFlags, formatPageFlags, GFP_SLAB_BUG_MASK, PAGE_SIZE, PG_head, PG_slab,
  Prandom, SLAB_CONSISTENCY_CHECKS, SLAB_KMALLOC, SLAB_POISON, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE,
  SLAB_TYPESAFE_BY_RCU, pageZonenum, __GFP_NOWARN, __GFP_ZERO,
} from "@mmsim/core";
import { getOrder, MAX_OBJS_PER_PAGE, orderObjects, SIZEOF_PTR, SIZEOF_TRACK } from "./kmem-cache.ts";
import { FP_FAULT, getFreepointer, objIndex, objToSlab, setFreepointer } from "./slab-freelist.ts";
import type { SlubAllocator } from "./slub.ts";
import { addFull, addPartial, DEACTIVATE_TO_HEAD, DEACTIVATE_TO_TAIL, decSlabsNode, freeSlab, incSlabsNode, removeFull, removePartial } from "./slub-alloc.ts";
import { NIL_SLAB } from "./struct-slab.ts";

/** Kernel: include/linux/poison.h. */
export const POISON_INUSE = 0x5a;
export const POISON_FREE = 0x6b;
export const POISON_END = 0xa5;
export const SLUB_RED_INACTIVE = 0xbb;
export const SLUB_RED_ACTIVE = 0xcc;

/** Kernel: taint bits (include/linux/panic.h) SLUB sets. */
export const TAINT_BAD_PAGE = 5;
export const TAINT_DIE = 7;
export const TAINT_WARN = 9;
/** Kernel: `taint_flags[]` (6.1: 19 flags): the letter when set, when clear. */
const TAINT_CHARS: readonly (readonly [string, string])[] = [
  ["P", "G"], ["F", " "], ["S", " "], ["R", " "], ["M", " "], ["B", " "], ["U", " "], ["D", " "], ["A", " "], ["W", " "],
  ["C", " "], ["I", " "], ["O", " "], ["E", " "], ["L", " "], ["K", " "], ["X", " "], ["T", " "], ["N", " "],
];

/** Where a `set_freepointer()` BUG_ON fired (mm/slub.c line 419 in 6.1.129). */
export const BUG_FREE_FAST = 0;
export const BUG_FREE_SLOW = 1;
export const BUG_DEACTIVATE = 2;
export const BUG_FREE_DEBUG = 3;
const BUG_FRAMES: readonly (readonly string[])[] = [
  ["do_slab_free", "kmem_cache_free"],
  ["__slab_free", "kmem_cache_free"],
  ["deactivate_slab", "___slab_alloc", "kmem_cache_alloc"],
  ["free_debug_processing", "__slab_free", "kmem_cache_free"],
];

const PAGE_OFFSET = 0xffff000000000000n;
const LINEAR_SPAN = 1n << 48n;
const VMEMMAP_START = 0xfffffc0000000000n;
const SIZEOF_STRUCT_PAGE = 64n;
const U64 = (1n << 64n) - 1n;
/** HZ of the reference build (CONFIG_HZ_250) and `INITIAL_JIFFIES` on 64-bit. */
const NS_PER_JIFFY = 4_000_000;
const INITIAL_JIFFIES = 4294892296;
/** The CUT_HERE and end-of-oops markers. */
const CUT_HERE = "------------[ cut here ]------------";
const END_TRACE = "---[ end trace 0000000000000000 ]---";

/** `[head, ...frames]`, built once per (head, frames) pair and allocator: the checks run on every debug alloc/free. */
function withFrame(sa: SlubAllocator, head: string, frames: readonly string[]): readonly string[] {
  let m = sa.frameCache.get(frames);
  if (m === undefined) {
    m = new Map();
    sa.frameCache.set(frames, m);
  }
  let r = m.get(head);
  if (r === undefined) {
    r = [head, ...frames];
    m.set(head, r);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Arguments, context
// ---------------------------------------------------------------------------------------------

/**
 * Checks a cache id and a CPU at an API edge.
 * @throws ArgumentError for a dead cache id or a CPU outside the Topology (caller bugs)
 */
export function checkArgs(sa: SlubAllocator, fn: string, s: number, cpu: number): void {
  sa.caches.check(fn, s);
  if (!(Number.isInteger(cpu) && cpu >= 0 && cpu < sa.nrCpus)) throw new ArgumentError(`slub.${fn}`, "cpu", `a CPU in 0..${sa.nrCpus - 1}`, describeValue(cpu));
}

/** The task and call site reports and struct track record (defaults: swapper/<cpu>, PID 0, the API function). */
export interface SlubContext {
  readonly pid?: number;
  readonly comm?: string;
  /** The symbol recorded as the caller in struct track and shown as the last call-trace frame. */
  readonly caller?: string;
}

/** Sets the current task and caller. Undefined fields go back to their defaults. */
export function setContext(sa: SlubAllocator, ctx: SlubContext): void {
  sa.ctxPid = ctx.pid ?? -1;
  sa.ctxComm = ctx.comm;
  sa.ctxCaller = ctx.caller;
}

function curPid(sa: SlubAllocator): number {
  return sa.ctxPid >= 0 ? sa.ctxPid : 0;
}
function curComm(sa: SlubAllocator): string {
  return sa.ctxComm ?? `swapper/${sa.curCpu}`;
}
function callerId(sa: SlubAllocator, sym: string): number {
  let id = sa.callerIds.get(sym);
  if (id === undefined) {
    id = sa.callers.length;
    sa.callers.push(sym);
    sa.callerIds.set(sym, id);
  }
  return id;
}
function jiffies(sa: SlubAllocator): number {
  return INITIAL_JIFFIES + Math.floor(sa.clock.now() / NS_PER_JIFFY);
}

// ---------------------------------------------------------------------------------------------
// Pointers and formatting
// ---------------------------------------------------------------------------------------------

/** A wild pointer for a 64-bit value (interned). */
export function wildPointer(sa: SlubAllocator, v: bigint): number {
  let id = sa.wildIds.get(v);
  if (id === undefined) {
    id = sa.wild.length;
    sa.wild.push(v);
    sa.wildIds.set(v, id);
  }
  return -(id + 1);
}

/** The kernel virtual address of a physical address (arm64 linear map, `__va()`). */
export function physToVirt(sa: SlubAllocator, phys: number): bigint {
  return PAGE_OFFSET + BigInt(phys - sa.memstart);
}

/** The 64-bit value of a pointer as mmsim keeps it (0 NULL, > 0 physical, < 0 wild). */
export function pointerValue(sa: SlubAllocator, p: number): bigint {
  if (p === 0) return 0n;
  if (p > 0) return physToVirt(sa, p);
  return sa.wild[-p - 1] ?? 0n;
}

/** A 64-bit value read from memory as a pointer: physical when it is a linear-map address of RAM, else wild. */
export function virtToPointer(sa: SlubAllocator, v: bigint): number {
  if (v === 0n) return 0;
  if (v >= PAGE_OFFSET && v < PAGE_OFFSET + LINEAR_SPAN) {
    const phys = Number(v - PAGE_OFFSET) + sa.memstart;
    if (sa.mem.pfnValid(Math.floor(phys / PAGE_SIZE))) return phys;
  }
  return wildPointer(sa, v);
}

function hashPointer(sa: SlubAllocator, v: bigint): bigint {
  if (sa.ptrKey === undefined) sa.ptrKey = (BigInt(sa.rng.nextU32()) << 32n) | BigInt(sa.rng.nextU32());
  let h = (v ^ sa.ptrKey) & U64;
  h = ((h ^ (h >> 30n)) * 0xbf58476d1ce4e5b9n) & U64;
  h = ((h ^ (h >> 27n)) * 0x94d049bb133111ebn) & U64;
  h ^= h >> 31n;
  return h & 0xffffffffn;
}

/** `%p` of a 64-bit value: whole with no_hash_pointers, else hashed (NULL is never hashed). */
export function fmtP(sa: SlubAllocator, v: bigint): string {
  if (sa.noHashPointers || v === 0n) return v.toString(16).padStart(16, "0");
  return hashPointer(sa, v).toString(16).padStart(16, "0");
}

/** `%p` of a pointer as mmsim keeps it. */
export function fmtPtr(sa: SlubAllocator, p: number): string {
  return fmtP(sa, pointerValue(sa, p));
}

/** `%p` of a struct slab (its struct page in the vmemmap). */
function fmtSlab(sa: SlubAllocator, slab: number): string {
  const pfn = sa.slabs.pfn[slab]!;
  return fmtP(sa, VMEMMAP_START + BigInt(pfn - Math.floor(sa.memstart / PAGE_SIZE)) * SIZEOF_STRUCT_PAGE);
}

/**
 * `%pGp` of a slab's head page: raw flags with the node, zone and last_cpupid fields of the
 * reference build (NODES_SHIFT 4, ZONES 2 bits, LAST_CPUPID 16 bits at bit 42, reset value
 * 0xffff), then the names. A slab of order > 0 shows PG_head as __GFP_COMP sets it.
 */
function fmtPageFlags(sa: SlubAllocator, slab: number): string {
  const page = sa.slabs.pfn[slab]! - sa.mem.basePfn;
  let flags = sa.mem.flags[page]! >>> 0;
  if (sa.slabs.order[slab]! > 0) flags = (flags | (1 << PG_head)) >>> 0;
  const nid = sa.slabs.nid[slab]!;
  const zone = pageZonenum(sa.mem, page);
  const raw = (BigInt(nid) << 60n) | (BigInt(zone) << 58n) | (0xffffn << 42n) | BigInt(flags);
  const names = formatPageFlags(flags);
  return `0x${raw.toString(16)}(${names === "" ? "" : names + "|"}node=${nid}|zone=${zone}|lastcpupid=0xffff)`;
}

/** Kernel: `print_tainted()`. */
export function printTainted(sa: SlubAllocator): string {
  if (sa.tainted === 0) return "Not tainted";
  let s = "Tainted: ";
  for (let i = 0; i < TAINT_CHARS.length; i++) s += (sa.tainted & (1 << i)) !== 0 ? TAINT_CHARS[i]![0] : TAINT_CHARS[i]![1];
  return s;
}

/** Kernel: `add_taint()`; the first taint that makes lockdep unreliable turns debug_locks off. */
export function addTaint(sa: SlubAllocator, flag: number, lockdepUnreliable: boolean): void {
  sa.tainted |= 1 << flag;
  if (lockdepUnreliable && sa.debugLocks) {
    sa.debugLocks = false;
    sa.log.prWarn("Disabling lock debugging due to kernel taint");
  }
}

/**
 * Kernel: `dump_stack()`: the task line, `Hardware name:`, and the call trace mmsim knows
 * (function names only, innermost first). With `regs` (a WARN or an oops: arm64's
 * show_regs()), the trace starts at the faulting function instead of dump_stack()'s own frames.
 */
export function dumpStack(sa: SlubAllocator, frames: readonly string[], regs = false): void {
  const o = sa.opts;
  sa.log.prWarn(`CPU: ${sa.curCpu} PID: ${curPid(sa)} Comm: ${curComm(sa).slice(0, 20)} ${printTainted(sa)} ${o.utsRelease} ${o.utsVersion} ${o.packageId}`);
  sa.log.prWarn(`Hardware name: ${o.hardwareName}`);
  sa.log.prWarn("Call trace:");
  const all = regs ? frames : ["dump_backtrace", "show_stack", "dump_stack_lvl", "dump_stack", ...frames];
  for (const f of all) sa.log.prWarn(` ${f}`);
  if (sa.ctxCaller !== undefined) sa.log.prWarn(` ${sa.ctxCaller}`);
}

/** A WARN() as arm64 6.1 prints it (without registers), then TAINT_WARN. */
function warn(sa: SlubAllocator, where: string, text: string, frames: readonly string[]): void {
  sa.log.prWarn(CUT_HERE);
  if (text !== "") sa.log.prWarn(text);
  sa.log.prWarn(`WARNING: CPU: ${sa.curCpu} PID: ${curPid(sa)} at ${where}`);
  sa.log.prWarn("Modules linked in:");
  dumpStack(sa, frames, true);
  sa.log.prWarn(END_TRACE);
  addTaint(sa, TAINT_WARN, false);
}

/** An oops (`die()`): the header lines, the task, the trace, then TAINT_DIE. */
function die(sa: SlubAllocator, first: readonly string[], str: string, esr: string, frames: readonly string[]): void {
  for (const l of first) sa.log.printk(0, l);
  sa.dieCounter++;
  sa.log.printk(0, `Internal error: ${str}: ${esr} [#${sa.dieCounter}] SMP`);
  sa.log.printk(0, "Modules linked in:");
  dumpStack(sa, frames, true);
  addTaint(sa, TAINT_DIE, true);
  sa.log.printk(0, END_TRACE);
}

/**
 * The `BUG_ON(object == fp)` of set_freepointer() with CONFIG_SLAB_FREELIST_HARDENED: the
 * simulated task dies and the operation is abandoned where it stood.
 */
export function reportKernelBug(sa: SlubAllocator, site: number): void {
  die(sa, [CUT_HERE, "kernel BUG at mm/slub.c:419!"], "Oops - BUG", "00000000f2000800", ["set_freepointer", ...BUG_FRAMES[site]!]);
}

/** Following a wild free pointer: arm64's `die_kernel_fault()` (without the abort decoding). */
export function oopsWildPointer(sa: SlubAllocator, s: number, ptr: number): void {
  const addr = (pointerValue(sa, ptr) + BigInt(sa.caches.offset[s]!)) & U64;
  const what = addr < BigInt(PAGE_SIZE) ? "NULL pointer dereference" : "paging request";
  die(sa, [`Unable to handle kernel ${what} at virtual address ${addr.toString(16).padStart(16, "0")}`], "Oops", "0000000096000004", ["get_freepointer", "___slab_alloc", "kmem_cache_alloc"]);
}

/** mmsim: a misaligned pointer freed without slub_debug (the kernel would write a free pointer inside another object). */
export function reportDroppedFree(sa: SlubAllocator, s: number, _obj: number): void {
  sa.caches.droppedFrees[s] += 1;
}

/** `virt_to_cache()`'s `WARN_ONCE(!slab, "%s: Object is not a Slab page!\n")`. */
export function warnNotSlabPage(sa: SlubAllocator, s: number, _obj: number, cpu: number): void {
  checkArgs(sa, "kmemCacheFree", s, cpu);
  sa.curCpu = cpu;
  if (sa.onceKeys.has("virt_to_cache")) return;
  sa.onceKeys.add("virt_to_cache");
  warn(sa, "mm/slab.h:625 kmem_cache_free", "virt_to_cache: Object is not a Slab page!", ["kmem_cache_free"]);
}

/**
 * `cache_from_obj()`'s `WARN(cachep && cachep != s, "%s: Wrong slab cache. %s but object is
 * from %s\n")` + print_tracking(), with CONFIG_SLAB_FREELIST_HARDENED or F on the cache given.
 * Without either the kernel does not check; mmsim still frees into the owning cache.
 */
export function warnWrongCache(sa: SlubAllocator, s: number, owner: number, obj: number, cpu: number): void {
  checkArgs(sa, "kmemCacheFree", s, cpu);
  sa.curCpu = cpu;
  if (!sa.hardened && (sa.caches.flags[s]! & SLAB_CONSISTENCY_CHECKS) === 0) return;
  warn(sa, "mm/slab.h:660 kmem_cache_free", `cache_from_obj: Wrong slab cache. ${sa.caches.name[s]} but object is from ${sa.caches.name[owner]}`, ["kmem_cache_free"]);
  printTracking(sa, owner, obj);
}

/** acquire_slab()'s `WARN_ON(!freelist)`: a partial slab without free objects (a broken count). */
export function warnAcquireNullFreelist(sa: SlubAllocator, _s: number): void {
  warn(sa, "mm/slub.c:2178 get_partial_node", "", ["acquire_slab", "get_partial_node", "___slab_alloc", "kmem_cache_alloc"]);
}

/** new_slab()'s `WARN_ON_ONCE(s->ctor && (flags & __GFP_ZERO))`. */
export function warnCtorZero(sa: SlubAllocator): void {
  if (sa.onceKeys.has("ctor_zero")) return;
  sa.onceKeys.add("ctor_zero");
  warn(sa, "mm/slub.c:1990 new_slab", "", ["new_slab", "___slab_alloc", "kmem_cache_alloc"]);
}

/** Kernel: `kmalloc_fix_flags()`. @returns the mask without the bad bits */
export function kmallocFixFlags(sa: SlubAllocator, flags: number): number {
  const invalid = (flags & GFP_SLAB_BUG_MASK) >>> 0;
  const fixed = (flags & ~GFP_SLAB_BUG_MASK) >>> 0;
  sa.log.prWarn(`Unexpected gfp: 0x${invalid.toString(16)} (${formatGfpFlags(invalid)}). Fixing up to gfp: 0x${fixed.toString(16)} (${formatGfpFlags(fixed)}). Fix your code!`);
  dumpStack(sa, ["kmalloc_fix_flags", "new_slab", "___slab_alloc", "kmem_cache_alloc"]);
  return fixed;
}

/** Kernel: `slab_out_of_memory()` (rate-limited to 10 per 5 s of simulated time; silent with __GFP_NOWARN). */
export function slabOutOfMemory(sa: SlubAllocator, s: number, gfp: number, node: number): void {
  if ((gfp & __GFP_NOWARN) !== 0) return;
  const now = sa.clock.now();
  if (sa.oomRatelimitBegin < 0 || now - sa.oomRatelimitBegin >= 5e9) {
    sa.oomRatelimitBegin = now;
    sa.oomRatelimitPrinted = 0;
  }
  if (sa.oomRatelimitPrinted >= 10) return;
  sa.oomRatelimitPrinted++;
  const c = sa.caches;
  sa.log.prWarn(`SLUB: Unable to allocate memory on node ${node}, gfp=0x${(gfp >>> 0).toString(16)}(${formatGfpFlags(gfp)})`);
  sa.log.prWarn(`  cache: ${c.name[s]}, object size: ${c.objectSize[s]}, buffer size: ${c.size[s]}, default order: ${c.order[s]}, min order: ${c.minOrder[s]}`);
  if (c.minOrder[s]! > getOrder(c.objectSize[s]!)) sa.log.prWarn(`  ${c.name[s]} debugging increased min order, use slub_debug=O to disable.`);
  for (let nid = 0; nid < sa.nrNodes; nid++) {
    const n = s * sa.nrNodes + nid;
    let free = 0;
    const head = c.nodePartial[n]!;
    for (let slab = sa.slabs.listNext[head]!; slab !== head && slab >= 0; slab = sa.slabs.listNext[slab]!) free += sa.slabs.objects[slab]! - sa.slabs.inuse[slab]!;
    sa.log.prWarn(`  node ${nid}: slabs: ${c.nrSlabs[n]}, objs: ${c.totalObjects[n]}, free: ${free}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/** Kernel: `slab_bug()`. */
function slabBug(sa: SlubAllocator, s: number, text: string): void {
  sa.log.prErr("=============================================================================");
  sa.log.prErr(`BUG ${sa.caches.name[s]} (${printTainted(sa)}): ${text}\n`);
  sa.log.prErr("-----------------------------------------------------------------------------\n\n");
}

/** Kernel: `slab_fix()`. */
function slabFix(sa: SlubAllocator, s: number, text: string): void {
  sa.log.prErr(`FIX ${sa.caches.name[s]}: ${text}`);
}

/** Kernel: `print_slab_info()`. */
function printSlabInfo(sa: SlubAllocator, slab: number): void {
  sa.log.prErr(`Slab 0x${fmtSlab(sa, slab)} objects=${sa.slabs.objects[slab]} used=${sa.slabs.inuse[slab]} fp=0x${fmtPtr(sa, sa.slabs.freelist[slab]!)} flags=${fmtPageFlags(sa, slab)}`);
}

/** A byte of a slab, or 0 outside its bytes. */
function byteAt(b: Uint8Array | undefined, off: number): number {
  return b !== undefined && off >= 0 && off < b.length ? b[off]! : 0;
}

/**
 * Kernel: `print_section()` → `print_hex_dump(level, text, DUMP_PREFIX_ADDRESS, 16, 1, addr, len, true)`.
 * @param addr physical address of the first byte (inside `slab`)
 */
function printSection(sa: SlubAllocator, level: 3 | 6, text: string, slab: number, addr: number, len: number): void {
  const b = sa.slabs.bytes[slab];
  const start = sa.slabs.pfn[slab]! * PAGE_SIZE;
  for (let i = 0; i < len; i += 16) {
    const n = Math.min(16, len - i);
    let hex = "";
    let ascii = "";
    for (let j = 0; j < n; j++) {
      const ch = byteAt(b, addr + i + j - start);
      hex += (j ? " " : "") + ch.toString(16).padStart(2, "0");
      ascii += ch >= 0x20 && ch < 0x7f ? String.fromCharCode(ch) : ".";
    }
    sa.log.printk(level, `${text}${fmtP(sa, physToVirt(sa, addr + i))}: ${hex.padEnd(49, " ")}${ascii}`);
  }
}

/** Kernel: `get_info_end()`: the end of object + red zone + (outside) free pointer, from the object's start. */
function infoEnd(sa: SlubAllocator, s: number): number {
  const c = sa.caches;
  return c.offset[s]! >= c.inuse[s]! ? c.inuse[s]! + SIZEOF_PTR : c.inuse[s]!;
}

/** Kernel: `size_from_object()`. */
function sizeFromObject(sa: SlubAllocator, s: number): number {
  const c = sa.caches;
  return (c.flags[s]! & SLAB_RED_ZONE) !== 0 ? c.size[s]! - c.redLeftPad[s]! : c.size[s]!;
}

/** The free pointer of a debug-cache object as a 64-bit value (for printing). */
function rawFreepointerValue(sa: SlubAllocator, s: number, slab: number, obj: number): bigint {
  return pointerValue(sa, debugGetFreepointer(sa, s, slab, obj));
}

/** Kernel: `print_trailer()`. */
function printTrailer(sa: SlubAllocator, s: number, slab: number, obj: number, frames: readonly string[]): void {
  const c = sa.caches;
  const addr = sa.slabs.pfn[slab]! * PAGE_SIZE;
  const flags = c.flags[s]!;
  printTracking(sa, s, obj);
  printSlabInfo(sa, slab);
  sa.log.prErr(`Object 0x${fmtPtr(sa, obj)} @offset=${obj - addr} fp=0x${fmtP(sa, rawFreepointerValue(sa, s, slab, obj))}\n\n`);
  if ((flags & SLAB_RED_ZONE) !== 0) printSection(sa, 3, "Redzone  ", slab, obj - c.redLeftPad[s]!, c.redLeftPad[s]!);
  else if (obj > addr + 16) printSection(sa, 3, "Bytes b4 ", slab, obj - 16, 16);
  printSection(sa, 3, "Object   ", slab, obj, Math.min(c.objectSize[s]!, PAGE_SIZE));
  if ((flags & SLAB_RED_ZONE) !== 0) printSection(sa, 3, "Redzone  ", slab, obj + c.objectSize[s]!, c.inuse[s]! - c.objectSize[s]!);
  let off = infoEnd(sa, s);
  if ((flags & SLAB_STORE_USER) !== 0) off += 2 * SIZEOF_TRACK;
  if ((flags & SLAB_STORE_USER) !== 0 && (flags & SLAB_KMALLOC) !== 0) off += 4;
  if (off !== sizeFromObject(sa, s)) printSection(sa, 3, "Padding  ", slab, obj + off, sizeFromObject(sa, s) - off);
  dumpStack(sa, withFrame(sa, "print_trailer", frames));
}

/** Kernel: `object_err()`. */
function objectErr(sa: SlubAllocator, s: number, slab: number, obj: number, reason: string, frames: readonly string[]): void {
  slabBug(sa, s, reason);
  printTrailer(sa, s, slab, obj, withFrame(sa, "object_err", frames));
  addTaint(sa, TAINT_BAD_PAGE, true);
}

/** Kernel: `slab_err()` (the kernel truncates the message to 99 characters). */
function slabErr(sa: SlubAllocator, s: number, slab: number, text: string, frames: readonly string[]): void {
  slabBug(sa, s, text.slice(0, 99));
  printSlabInfo(sa, slab);
  dumpStack(sa, withFrame(sa, "slab_err", frames));
  addTaint(sa, TAINT_BAD_PAGE, true);
}

// ---------------------------------------------------------------------------------------------
// Tracking (U)
// ---------------------------------------------------------------------------------------------

function trackOffset(sa: SlubAllocator, s: number, alloc: number): number {
  return infoEnd(sa, s) + alloc * SIZEOF_TRACK;
}

/** Kernel: `set_track()` / `set_track_update()`. @param alloc 0 = TRACK_ALLOC, 1 = TRACK_FREE */
function setTrack(sa: SlubAllocator, s: number, slab: number, obj: number, alloc: number, caller: string, cpu: number): void {
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return;
  const off = obj - sa.slabs.pfn[slab]! * PAGE_SIZE + trackOffset(sa, s, alloc);
  if (off < 0 || off + SIZEOF_TRACK > b.length) return;
  const dv = new DataView(b.buffer, b.byteOffset + off, SIZEOF_TRACK);
  dv.setBigUint64(0, BigInt(callerId(sa, caller)), true);
  dv.setUint32(8, 0, true);
  dv.setInt32(12, cpu, true);
  dv.setInt32(16, curPid(sa), true);
  dv.setBigUint64(24, BigInt(jiffies(sa)), true);
}

/** Records the allocation of `obj` (SLAB_STORE_USER). Kernel: `set_track(s, freelist, TRACK_ALLOC, addr)`. */
export function setTrackAlloc(sa: SlubAllocator, s: number, obj: number, cpu: number): void {
  if ((sa.caches.flags[s]! & SLAB_STORE_USER) === 0) return;
  const slab = objToSlab(sa, obj);
  if (slab === NIL_SLAB) return;
  setTrack(sa, s, slab, obj, 0, sa.ctxCaller ?? "kmem_cache_alloc", cpu);
}

/** Kernel: `init_tracking()`. */
function initTracking(sa: SlubAllocator, s: number, slab: number, obj: number): void {
  if ((sa.caches.flags[s]! & SLAB_STORE_USER) === 0) return;
  const b = sa.slabs.bytes[slab]!;
  const off = obj - sa.slabs.pfn[slab]! * PAGE_SIZE + trackOffset(sa, s, 0);
  b.fill(0, off, off + 2 * SIZEOF_TRACK);
}

/** Kernel: `print_track()`. */
function printTrack(sa: SlubAllocator, label: string, slab: number, off: number, now: number): void {
  const b = sa.slabs.bytes[slab];
  if (b === undefined || off < 0 || off + SIZEOF_TRACK > b.length) return;
  const dv = new DataView(b.buffer, b.byteOffset + off, SIZEOF_TRACK);
  const addr = dv.getBigUint64(0, true);
  if (addr === 0n) return;
  const sym = addr < BigInt(sa.callers.length) ? sa.callers[Number(addr)]! : `0x${addr.toString(16)}`;
  const when = Number(dv.getBigUint64(24, true));
  sa.log.prErr(`${label} in ${sym} age=${now - when} cpu=${dv.getUint32(12, true)} pid=${dv.getInt32(16, true)}`);
  if (dv.getUint32(8, true) === 0) sa.log.prErr("object allocation/free stack trace missing");
}

/** Kernel: `print_tracking()`. */
export function printTracking(sa: SlubAllocator, s: number, obj: number): void {
  if ((sa.caches.flags[s]! & SLAB_STORE_USER) === 0) return;
  const slab = objToSlab(sa, obj);
  if (slab === NIL_SLAB) return;
  const now = jiffies(sa);
  const base = obj - sa.slabs.pfn[slab]! * PAGE_SIZE;
  printTrack(sa, "Allocated", slab, base + trackOffset(sa, s, 0), now);
  printTrack(sa, "Freed", slab, base + trackOffset(sa, s, 1), now);
}

// ---------------------------------------------------------------------------------------------
// The byte model
// ---------------------------------------------------------------------------------------------

function swab64(v: bigint): bigint {
  let r = 0n;
  for (let i = 0; i < 8; i++) {
    r = (r << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  }
  return r;
}

/** Kernel: `freelist_ptr()`: the hardening obfuscation (its own inverse), on 64-bit values. */
function freelistPtr(sa: SlubAllocator, s: number, v: bigint, ptrAddr: bigint): bigint {
  if (!sa.hardened) return v;
  const random = (BigInt(sa.caches.randomHi[s]!) << 32n) | BigInt(sa.caches.randomLo[s]!);
  return (v ^ random ^ swab64(ptrAddr)) & U64;
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function readU32(b: Uint8Array, off: number): number {
  if (off >= 0 && off + 4 <= b.length) return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  return (byteAt(b, off) | (byteAt(b, off + 1) << 8) | (byteAt(b, off + 2) << 16) | (byteAt(b, off + 3) << 24)) >>> 0;
}

function writeU32(b: Uint8Array, off: number, v: number): void {
  for (let i = 0; i < 4; i++) {
    const k = off + i;
    if (k >= 0 && k < b.length) b[k] = (v >>> (8 * i)) & 0xff;
  }
}

/**
 * The free pointer in a debug cache's bytes: `freelist_dereference()` in 32-bit halves (the
 * value, s->random and the byte-swapped address of the pointer are XORed half by half).
 * Kernel: `get_freepointer()`.
 */
export function debugGetFreepointer(sa: SlubAllocator, s: number, slab: number, obj: number): number {
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return 0;
  const at = obj + sa.caches.offset[s]!;
  const o = at - sa.slabs.pfn[slab]! * PAGE_SIZE;
  let hi = readU32(b, o + 4);
  let lo = readU32(b, o);
  if (sa.hardened) {
    const aoff = at - sa.memstart;
    const ahi = (0xffff0000 + Math.floor(aoff / 0x100000000)) >>> 0;
    hi = (hi ^ sa.caches.randomHi[s]! ^ bswap32(aoff >>> 0)) >>> 0;
    lo = (lo ^ sa.caches.randomLo[s]! ^ bswap32(ahi)) >>> 0;
  }
  if (hi === 0 && lo === 0) return 0;
  if (hi >>> 16 === 0xffff) {
    const phys = (hi & 0xffff) * 0x100000000 + lo + sa.memstart;
    if (sa.mem.pfnValid(Math.floor(phys / PAGE_SIZE))) return phys;
  }
  return wildPointer(sa, (BigInt(hi) << 32n) | BigInt(lo));
}

/** Stores a free pointer in a debug cache's bytes. Kernel: `set_freepointer()`. */
export function debugSetFreepointer(sa: SlubAllocator, s: number, slab: number, obj: number, fp: number): void {
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return;
  const at = obj + sa.caches.offset[s]!;
  const o = at - sa.slabs.pfn[slab]! * PAGE_SIZE;
  let hi: number;
  let lo: number;
  if (fp === 0) {
    hi = 0;
    lo = 0;
  } else if (fp > 0) {
    const off = fp - sa.memstart;
    hi = (0xffff0000 + Math.floor(off / 0x100000000)) >>> 0;
    lo = off >>> 0;
  } else {
    const v = sa.wild[-fp - 1] ?? 0n;
    hi = Number(v >> 32n) >>> 0;
    lo = Number(v & 0xffffffffn) >>> 0;
  }
  if (sa.hardened) {
    const aoff = at - sa.memstart;
    const ahi = (0xffff0000 + Math.floor(aoff / 0x100000000)) >>> 0;
    hi = (hi ^ sa.caches.randomHi[s]! ^ bswap32(aoff >>> 0)) >>> 0;
    lo = (lo ^ sa.caches.randomLo[s]! ^ bswap32(ahi)) >>> 0;
  }
  writeU32(b, o, lo);
  writeU32(b, o + 4, hi);
}

/** Gives a debug slab its bytes; poisoned caches start as POISON_INUSE. Kernel: `setup_slab_debug()`. */
export function setupSlabDebug(sa: SlubAllocator, s: number, slab: number, nbytes: number): void {
  const b = new Uint8Array(nbytes);
  if ((sa.caches.flags[s]! & SLAB_POISON) !== 0) b.fill(POISON_INUSE);
  sa.slabs.bytes[slab] = b;
}

/** Kernel: `init_object()`. */
function initObject(sa: SlubAllocator, s: number, slab: number, obj: number, val: number): void {
  const c = sa.caches;
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return;
  const o = obj - sa.slabs.pfn[slab]! * PAGE_SIZE;
  const red = (c.flags[s]! & SLAB_RED_ZONE) !== 0;
  if (red) b.fill(val, Math.max(0, o - c.redLeftPad[s]!), o);
  if (c.objectPoison[s] === 1) {
    b.fill(POISON_FREE, o, o + c.objectSize[s]! - 1);
    b[o + c.objectSize[s]! - 1] = POISON_END;
  }
  if (red) b.fill(val, o + c.objectSize[s]!, o + c.inuse[s]!);
}

/** Kernel: `setup_object_debug()`. */
export function debugSetupObject(sa: SlubAllocator, s: number, slab: number, obj: number): void {
  if ((sa.caches.flags[s]! & (SLAB_STORE_USER | SLAB_RED_ZONE)) === 0 && sa.caches.objectPoison[s] !== 1) return;
  initObject(sa, s, slab, obj, SLUB_RED_INACTIVE);
  initTracking(sa, s, slab, obj);
}

/**
 * What `slab_post_alloc_hook()` does to a debug cache's object: zero object_size bytes when
 * init_on_alloc applies (not with a ctor; with poison or RCU only for __GFP_ZERO).
 */
export function debugPostAlloc(sa: SlubAllocator, s: number, obj: number, gfp: number): void {
  const c = sa.caches;
  let init: boolean;
  if (sa.opts.initOnAlloc) {
    if (c.ctor[s] !== undefined) init = false;
    else if ((c.flags[s]! & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) !== 0) init = (gfp & __GFP_ZERO) !== 0;
    else init = true;
  } else init = (gfp & __GFP_ZERO) !== 0;
  if (!init) return;
  const slab = objToSlab(sa, obj);
  const b = slab === NIL_SLAB ? undefined : sa.slabs.bytes[slab];
  if (b === undefined) return;
  const o = obj - sa.slabs.pfn[slab]! * PAGE_SIZE;
  b.fill(0, Math.max(0, o), Math.min(b.length, o + c.objectSize[s]!));
}

/**
 * Checks that `bytes` bytes from `start` all hold `value`; reports and restores them if not.
 * Kernel: `check_bytes_and_report()`.
 */
function checkBytesAndReport(sa: SlubAllocator, s: number, slab: number, obj: number, what: string, start: number, value: number, bytes: number, frames: readonly string[]): boolean {
  const b = sa.slabs.bytes[slab];
  if (b === undefined || bytes <= 0) return true;
  const addr = sa.slabs.pfn[slab]! * PAGE_SIZE;
  let fault = -1;
  for (let i = 0; i < bytes; i++) {
    if (byteAt(b, start - addr + i) !== value) {
      fault = start + i;
      break;
    }
  }
  if (fault < 0) return true;
  let end = start + bytes;
  while (end > fault && byteAt(b, end - 1 - addr) === value) end--;
  slabBug(sa, s, `${what} overwritten`);
  sa.log.prErr(`0x${fmtPtr(sa, fault)}-0x${fmtPtr(sa, end - 1)} @offset=${fault - addr}. First byte 0x${byteAt(b, fault - addr).toString(16)} instead of 0x${value.toString(16)}`);
  printTrailer(sa, s, slab, obj, withFrame(sa, "check_bytes_and_report", frames));
  addTaint(sa, TAINT_BAD_PAGE, true);
  slabFix(sa, s, `Restoring ${what} 0x${fmtPtr(sa, fault)}-0x${fmtPtr(sa, end - 1)}=0x${value.toString(16)}`);
  b.fill(value, Math.max(0, fault - addr), Math.min(b.length, end - addr));
  return false;
}

/** Kernel: `check_pad_bytes()`. */
function checkPadBytes(sa: SlubAllocator, s: number, slab: number, obj: number, frames: readonly string[]): boolean {
  const flags = sa.caches.flags[s]!;
  let off = infoEnd(sa, s);
  if ((flags & SLAB_STORE_USER) !== 0) {
    off += 2 * SIZEOF_TRACK;
    if ((flags & SLAB_KMALLOC) !== 0) off += 4;
  }
  const end = sizeFromObject(sa, s);
  if (end === off) return true;
  return checkBytesAndReport(sa, s, slab, obj, "Object padding", obj + off, POISON_INUSE, end - off, withFrame(sa, "check_pad_bytes", frames));
}

/** Kernel: `slab_pad_check()`: the bytes after the last object (P only). */
function slabPadCheck(sa: SlubAllocator, s: number, slab: number, frames: readonly string[]): void {
  if ((sa.caches.flags[s]! & SLAB_POISON) === 0) return;
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return;
  const length = b.length;
  const remainder = length % sa.caches.size[s]!;
  if (remainder === 0) return;
  const start = sa.slabs.pfn[slab]! * PAGE_SIZE;
  let fault = -1;
  for (let i = length - remainder; i < length; i++) {
    if (b[i] !== POISON_INUSE) {
      fault = i;
      break;
    }
  }
  if (fault < 0) return;
  let end = length;
  while (end > fault && b[end - 1] === POISON_INUSE) end--;
  slabErr(sa, s, slab, `Padding overwritten. 0x${fmtPtr(sa, start + fault)}-0x${fmtPtr(sa, start + end - 1)} @offset=${fault}`, withFrame(sa, "slab_pad_check", frames));
  printSection(sa, 3, "Padding ", slab, start + length - remainder, remainder);
  slabFix(sa, s, `Restoring slab padding 0x${fmtPtr(sa, start + fault)}-0x${fmtPtr(sa, start + end - 1)}=0x${POISON_INUSE.toString(16)}`);
  b.fill(POISON_INUSE, fault, end);
}

/** Kernel: `check_valid_pointer()`. */
function checkValidPointer(sa: SlubAllocator, s: number, slab: number, p: number): boolean {
  if (p === 0) return true;
  if (p < 0) return false;
  return objIndex(sa, s, slab, p) >= 0;
}

/**
 * Red zones, poison, padding and (for free objects) the free pointer of one object.
 * Kernel: `check_object()`.
 */
function checkObject(sa: SlubAllocator, s: number, slab: number, obj: number, val: number, frames: readonly string[]): boolean {
  const c = sa.caches;
  const flags = c.flags[s]!;
  const f = withFrame(sa, "check_object", frames);
  const endObject = obj + c.objectSize[s]!;
  if ((flags & SLAB_RED_ZONE) !== 0) {
    if (!checkBytesAndReport(sa, s, slab, obj, "Left Redzone", obj - c.redLeftPad[s]!, val, c.redLeftPad[s]!, f)) return false;
    if (!checkBytesAndReport(sa, s, slab, obj, "Right Redzone", endObject, val, c.inuse[s]! - c.objectSize[s]!, f)) return false;
  } else if ((flags & SLAB_POISON) !== 0 && c.objectSize[s]! < c.inuse[s]!) {
    checkBytesAndReport(sa, s, slab, obj, "Alignment padding", endObject, POISON_INUSE, c.inuse[s]! - c.objectSize[s]!, f);
  }
  if ((flags & SLAB_POISON) !== 0) {
    if (val !== SLUB_RED_ACTIVE && c.objectPoison[s] === 1 &&
      (!checkBytesAndReport(sa, s, slab, obj, "Poison", obj, POISON_FREE, c.objectSize[s]! - 1, f) ||
        !checkBytesAndReport(sa, s, slab, obj, "End Poison", endObject - 1, POISON_END, 1, f))) return false;
    checkPadBytes(sa, s, slab, obj, f);
  }
  if (c.offset[s]! < c.inuse[s]! && val === SLUB_RED_ACTIVE) return true;
  if (!checkValidPointer(sa, s, slab, debugGetFreepointer(sa, s, slab, obj))) {
    objectErr(sa, s, slab, obj, "Freepointer corrupt", f);
    debugSetFreepointer(sa, s, slab, obj, 0);
    return false;
  }
  return true;
}

/** Kernel: `check_slab()`. */
function checkSlab(sa: SlubAllocator, s: number, slab: number, frames: readonly string[]): boolean {
  const slabs = sa.slabs;
  const f = withFrame(sa, "check_slab", frames);
  const page = slabs.pfn[slab]! - sa.mem.basePfn;
  if ((sa.mem.flags[page]! & (1 << PG_slab)) === 0) {
    slabErr(sa, s, slab, "Not a valid slab page", f);
    return false;
  }
  const maxobj = orderObjects(slabs.order[slab]!, sa.caches.size[s]!);
  if (slabs.objects[slab]! > maxobj) {
    slabErr(sa, s, slab, `objects ${slabs.objects[slab]} > max ${maxobj}`, f);
    return false;
  }
  if (slabs.inuse[slab]! > slabs.objects[slab]!) {
    slabErr(sa, s, slab, `inuse ${slabs.inuse[slab]} > max ${slabs.objects[slab]}`, f);
    return false;
  }
  slabPadCheck(sa, s, slab, f);
  return true;
}

/**
 * Whether `search` is on the slab's freelist; also repairs a corrupt chain and wrong counts as
 * the kernel does. Kernel: `on_freelist()`.
 */
function onFreelist(sa: SlubAllocator, s: number, slab: number, search: number, frames: readonly string[]): boolean {
  const slabs = sa.slabs;
  const f = withFrame(sa, "on_freelist", frames);
  let nr = 0;
  let fp = slabs.freelist[slab]!;
  let object = 0;
  while (fp !== 0 && nr <= slabs.objects[slab]!) {
    if (fp === search) return true;
    if (!checkValidPointer(sa, s, slab, fp)) {
      if (object !== 0) {
        objectErr(sa, s, slab, object, "Freechain corrupt", f);
        debugSetFreepointer(sa, s, slab, object, 0);
      } else {
        slabErr(sa, s, slab, "Freepointer corrupt", f);
        slabs.freelist[slab] = 0;
        slabs.inuse[slab] = slabs.objects[slab]!;
        slabFix(sa, s, "Freelist cleared");
        return false;
      }
      break;
    }
    object = fp;
    fp = debugGetFreepointer(sa, s, slab, object);
    nr++;
  }
  const maxObjects = Math.min(orderObjects(slabs.order[slab]!, sa.caches.size[s]!), MAX_OBJS_PER_PAGE);
  if (slabs.objects[slab] !== maxObjects) {
    slabErr(sa, s, slab, `Wrong number of objects. Found ${slabs.objects[slab]} but should be ${maxObjects}`, f);
    slabs.objects[slab] = maxObjects;
    slabFix(sa, s, "Number of objects adjusted");
  }
  if (slabs.inuse[slab] !== slabs.objects[slab]! - nr) {
    slabErr(sa, s, slab, `Wrong object count. Counter is ${slabs.inuse[slab]} but counted were ${slabs.objects[slab]! - nr}`, f);
    slabs.inuse[slab] = slabs.objects[slab]! - nr;
    slabFix(sa, s, "Object count adjusted");
  }
  return search === 0;
}

/** Kernel: `trace()` (SLAB_TRACE). */
function trace(sa: SlubAllocator, s: number, slab: number, obj: number, alloc: boolean, frames: readonly string[]): void {
  if ((sa.caches.flags[s]! & SLAB_TRACE) === 0) return;
  sa.log.prInfo(`TRACE ${sa.caches.name[s]} ${alloc ? "alloc" : "free"} 0x${fmtPtr(sa, obj)} inuse=${sa.slabs.inuse[slab]} fp=0x${fmtPtr(sa, sa.slabs.freelist[slab]!)}`);
  if (!alloc) printSection(sa, 6, "Object ", slab, obj, sa.caches.objectSize[s]!);
  dumpStack(sa, withFrame(sa, "trace", frames));
}

const ALLOC_FRAMES = Object.freeze(["alloc_debug_processing", "___slab_alloc", "kmem_cache_alloc"]);
const FREE_SLAB_FRAMES = Object.freeze(["__free_slab", "discard_slab"]);
const VALIDATE_FRAMES = Object.freeze(["validate_slab", "validate_slab_node", "validate_slab_cache", "validate_store"]);
const FREE_FRAMES = Object.freeze(["free_debug_processing", "__slab_free", "kmem_cache_free"]);

/** Kernel: `alloc_debug_processing()`. @returns false when the checks failed (every object is then marked used) */
function allocDebugProcessing(sa: SlubAllocator, s: number, slab: number, obj: number): boolean {
  const c = sa.caches;
  if ((c.flags[s]! & SLAB_CONSISTENCY_CHECKS) !== 0) {
    let ok = checkSlab(sa, s, slab, ALLOC_FRAMES);
    if (ok && !checkValidPointer(sa, s, slab, obj)) {
      objectErr(sa, s, slab, obj, "Freelist Pointer check fails", withFrame(sa, "alloc_consistency_checks", ALLOC_FRAMES));
      ok = false;
    }
    if (ok) ok = checkObject(sa, s, slab, obj, SLUB_RED_INACTIVE, withFrame(sa, "alloc_consistency_checks", ALLOC_FRAMES));
    if (!ok) {
      const page = sa.slabs.pfn[slab]! - sa.mem.basePfn;
      if ((sa.mem.flags[page]! & (1 << PG_slab)) !== 0) {
        slabFix(sa, s, "Marking all objects used");
        sa.slabs.inuse[slab] = sa.slabs.objects[slab]!;
        sa.slabs.freelist[slab] = 0;
      }
      return false;
    }
  }
  trace(sa, s, slab, obj, true, ALLOC_FRAMES);
  if ((c.flags[s]! & SLAB_STORE_USER) !== 0 && (c.flags[s]! & SLAB_KMALLOC) !== 0) setOrigSize(sa, s, slab, obj, c.objectSize[s]!);
  initObject(sa, s, slab, obj, SLUB_RED_ACTIVE);
  return true;
}

/** Kernel: `set_orig_size()` (mmsim passes object_size: the interface carries no request size). */
function setOrigSize(sa: SlubAllocator, s: number, slab: number, obj: number, size: number): void {
  const b = sa.slabs.bytes[slab]!;
  const off = obj - sa.slabs.pfn[slab]! * PAGE_SIZE + infoEnd(sa, s) + 2 * SIZEOF_TRACK;
  if (off >= 0 && off + 4 <= b.length) new DataView(b.buffer, b.byteOffset + off, 4).setUint32(0, size, true);
}

/** Pops the first free object of a debug slab (a wild pointer cannot be read: the chain ends there). */
function popFreelist(sa: SlubAllocator, s: number, slab: number): number {
  const object = sa.slabs.freelist[slab]!;
  const next = getFreepointer(sa, s, object);
  sa.slabs.freelist[slab] = next === FP_FAULT ? 0 : next;
  return object;
}

/**
 * Allocates one object from a partial slab of a debug cache, leaving the slab on its list
 * (or moving it to the full list). Kernel: `alloc_single_from_partial()`.
 * @returns the object, or 0 when the debug checks failed
 */
export function allocSingleFromPartial(sa: SlubAllocator, s: number, n: number, slab: number): number {
  const object = popFreelist(sa, s, slab);
  sa.slabs.inuse[slab] += 1;
  if (!allocDebugProcessing(sa, s, slab, object)) {
    removePartial(sa, n, slab);
    return 0;
  }
  if (sa.slabs.inuse[slab] === sa.slabs.objects[slab]) {
    removePartial(sa, n, slab);
    addFull(sa, s, n, slab);
  }
  return object;
}

/**
 * Allocates one object from a new slab of a debug cache and puts the slab on the partial (or
 * full) list. Kernel: `alloc_single_from_new_slab()`.
 * @returns the object, or 0 when the debug checks failed
 */
export function allocSingleFromNewSlab(sa: SlubAllocator, s: number, slab: number): number {
  const nid = sa.slabs.nid[slab]!;
  const n = s * sa.nrNodes + nid;
  const object = popFreelist(sa, s, slab);
  sa.slabs.inuse[slab] = 1;
  if (!allocDebugProcessing(sa, s, slab, object)) return 0;
  sa.clock.advance(sa.costSlow);
  if (sa.slabs.inuse[slab] === sa.slabs.objects[slab]) addFull(sa, s, n, slab);
  else addPartial(sa, n, slab, DEACTIVATE_TO_HEAD);
  incSlabsNode(sa, s, nid, sa.slabs.objects[slab]!);
  return object;
}

/** Kernel: `free_consistency_checks()`. */
function freeConsistencyChecks(sa: SlubAllocator, s: number, slab: number, obj: number): boolean {
  const f = withFrame(sa, "free_consistency_checks", FREE_FRAMES);
  if (!checkValidPointer(sa, s, slab, obj)) {
    slabErr(sa, s, slab, `Invalid object pointer 0x${fmtPtr(sa, obj)}`, f);
    return false;
  }
  if (onFreelist(sa, s, slab, obj, f)) {
    objectErr(sa, s, slab, obj, "Object already free", f);
    return false;
  }
  if (!checkObject(sa, s, slab, obj, SLUB_RED_ACTIVE, f)) return false;
  return true;
}

/**
 * Frees one object of a debug cache under the node's list_lock, after the checks.
 * Kernel: `free_debug_processing()` (one object: head == tail, cnt 1).
 */
export function freeDebugProcessing(sa: SlubAllocator, s: number, slab: number, obj: number, cpu: number): void {
  const c = sa.caches;
  const slabs = sa.slabs;
  const flags = c.flags[s]!;
  const n = s * sa.nrNodes + slabs.nid[slab]!;
  let checksOk = false;
  let slabFree = NIL_SLAB;
  sa.clock.advance(sa.costSlow);
  check: {
    if ((flags & SLAB_CONSISTENCY_CHECKS) !== 0 && !checkSlab(sa, s, slab, FREE_FRAMES)) break check;
    if (slabs.inuse[slab]! < 1) {
      slabErr(sa, s, slab, `Slab has ${slabs.inuse[slab]} allocated objects but 1 are to be freed\n`, FREE_FRAMES);
      break check;
    }
    if ((flags & SLAB_CONSISTENCY_CHECKS) !== 0 && !freeConsistencyChecks(sa, s, slab, obj)) break check;
    if ((flags & SLAB_STORE_USER) !== 0) setTrack(sa, s, slab, obj, 1, sa.ctxCaller ?? "kmem_cache_free", cpu);
    trace(sa, s, slab, obj, false, FREE_FRAMES);
    initObject(sa, s, slab, obj, SLUB_RED_INACTIVE);
    checksOk = true;
  }
  if (checksOk) {
    const prior = slabs.freelist[slab]!;
    if (!setFreepointer(sa, s, obj, prior)) {
      reportKernelBug(sa, BUG_FREE_DEBUG);
      return;
    }
    slabs.inuse[slab] -= 1;
    slabs.freelist[slab] = obj;
    if (slabs.inuse[slab] === 0 && c.nrPartial[n]! >= c.minPartial[s]!) slabFree = slab;
    if (prior === 0) {
      removeFull(sa, s, slab);
      if (slabFree === NIL_SLAB) addPartial(sa, n, slab, DEACTIVATE_TO_TAIL);
    } else if (slabFree !== NIL_SLAB) {
      removePartial(sa, n, slab);
    }
  }
  if (slabFree !== NIL_SLAB) decSlabsNode(sa, s, slabs.nid[slabFree]!, slabs.objects[slabFree]!);
  if (!checksOk) slabFix(sa, s, `Object at 0x${fmtPtr(sa, obj)} not freed`);
  if (slabFree !== NIL_SLAB) freeSlab(sa, s, slabFree);
}

/** The checks `__free_slab()` runs on a debug slab with F. */
export function freeSlabChecks(sa: SlubAllocator, s: number, slab: number): void {
  if ((sa.caches.flags[s]! & SLAB_CONSISTENCY_CHECKS) === 0) return;
  const frames = FREE_SLAB_FRAMES;
  slabPadCheck(sa, s, slab, frames);
  const base = sa.slabs.base[slab]!;
  const size = sa.caches.size[s]!;
  for (let i = 0; i < sa.slabs.objects[slab]!; i++) checkObject(sa, s, slab, base + i * size, SLUB_RED_INACTIVE, frames);
}

/** The allocated objects of a slab (not on slab->freelist), in address order. */
function allocatedObjects(sa: SlubAllocator, s: number, slab: number): number[] {
  const free = new Set<number>();
  let p = sa.slabs.freelist[slab]!;
  for (let k = 0; p > 0 && k <= sa.slabs.objects[slab]!; k++) {
    free.add(p);
    const next = getFreepointer(sa, s, p);
    if (next === FP_FAULT) break;
    p = next;
  }
  const out: number[] = [];
  const base = sa.slabs.base[slab]!;
  for (let i = 0; i < sa.slabs.objects[slab]!; i++) {
    const o = base + i * sa.caches.size[s]!;
    if (!free.has(o)) out.push(o);
  }
  return out;
}

/** Kernel: `list_slab_objects()` (printed whatever the debug flags: CONFIG_SLUB_DEBUG=y). */
export function listSlabObjects(sa: SlubAllocator, s: number, slab: number): void {
  const name = sa.caches.name[s]!;
  slabErr(sa, s, slab, `Objects remaining in ${name} on __kmem_cache_shutdown()`, ["list_slab_objects", "__kmem_cache_shutdown", "kmem_cache_destroy"]);
  const addr = sa.slabs.pfn[slab]! * PAGE_SIZE;
  for (const o of allocatedObjects(sa, s, slab)) {
    sa.log.prErr(`Object 0x${fmtPtr(sa, o)} @offset=${o - addr}`);
    printTracking(sa, s, o);
  }
}

/**
 * The cache's pre-shuffled object order. Kernel: `init_cache_random_seq()` →
 * `cache_random_seq_create()`: a fresh prandom state seeded from get_random_long(), then
 * `freelist_randomize()` (Fisher–Yates). The 64-bit seed keeps 53 bits (mmsim's Prandom seed).
 */
export function makeRandomSeq(sa: SlubAllocator, count: number): Int32Array | undefined {
  if (count < 2) return undefined;
  const hi = sa.rng.nextU32() % 0x200000;
  const seed = hi * 0x100000000 + sa.rng.nextU32();
  const seq = new Int32Array(count);
  for (let i = 0; i < count; i++) seq[i] = i;
  new Prandom(seed).shuffle(seq);
  return seq;
}

// ---------------------------------------------------------------------------------------------
// Corrupting memory the way a buggy driver does
// ---------------------------------------------------------------------------------------------

/** Free objects (on slab->freelist or a CPU freelist) of a non-debug slab, by index. */
function freeIndices(sa: SlubAllocator, s: number, slab: number): Set<number> {
  const set = new Set<number>();
  const limit = sa.slabs.objects[slab]!;
  const walk = (head: number): void => {
    let p = head;
    for (let k = 0; p > 0 && k <= limit; k++) {
      const i = objIndex(sa, s, slab, p);
      if (i < 0) break;
      set.add(i);
      p = sa.slabs.fpw[sa.slabs.fpBase[slab]! + i]!;
    }
  };
  walk(sa.slabs.freelist[slab]!);
  for (let cpu = 0; cpu < sa.nrCpus; cpu++) {
    const c = s * sa.nrCpus + cpu;
    if (sa.caches.cpuSlab[c] === slab) walk(sa.caches.cpuFreelist[c]!);
  }
  return set;
}

/**
 * Writes `len` bytes of `value` at `obj + offset`, as a buggy driver would (an overrun past
 * the object, an underrun before it, a write after free). Debug caches get the bytes; other
 * caches only see it where it lands on the free pointer of a free object.
 */
export function debugWrite(sa: SlubAllocator, obj: number, offset: number, len: number, value: number): void {
  const v = value & 0xff;
  for (let i = 0; i < len; i++) {
    const a = obj + offset + i;
    const slab = objToSlab(sa, a);
    if (slab === NIL_SLAB) continue;
    const s = sa.slabs.cache[slab]!;
    const b = sa.slabs.bytes[slab];
    const start = sa.slabs.pfn[slab]! * PAGE_SIZE;
    if (b !== undefined) {
      b[a - start] = v;
      continue;
    }
    // Non-debug: does the byte land in the free-pointer word of a free object?
    const size = sa.caches.size[s]!;
    const rel = a - sa.slabs.base[slab]!;
    if (rel < 0) continue;
    const idx = Math.floor(rel / size);
    if (idx >= sa.slabs.objects[slab]!) continue;
    const within = rel - idx * size - sa.caches.offset[s]!;
    if (within < 0 || within >= SIZEOF_PTR) continue;
    if (!freeIndices(sa, s, slab).has(idx)) continue;
    const o = sa.slabs.base[slab]! + idx * size;
    const w = sa.slabs.fpBase[slab]! + idx;
    const at = physToVirt(sa, o + sa.caches.offset[s]!);
    let raw = freelistPtr(sa, s, pointerValue(sa, sa.slabs.fpw[w]!), at);
    raw = (raw & ~(0xffn << BigInt(8 * within))) | (BigInt(v) << BigInt(8 * within));
    sa.slabs.fpw[w] = virtToPointer(sa, freelistPtr(sa, s, raw, at));
  }
}

/**
 * The simulated bytes at `obj + offset` of a debug cache (copies), or undefined for a cache
 * that keeps no bytes.
 */
export function debugRead(sa: SlubAllocator, obj: number, offset: number, len: number): Uint8Array | undefined {
  const slab = objToSlab(sa, obj + offset);
  if (slab === NIL_SLAB) return undefined;
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return undefined;
  const start = obj + offset - sa.slabs.pfn[slab]! * PAGE_SIZE;
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = byteAt(b, start + i);
  return out;
}

/** Kernel: `validate_slab()`. */
function validateSlab(sa: SlubAllocator, s: number, slab: number): void {
  if (!checkSlab(sa, s, slab, VALIDATE_FRAMES) || !onFreelist(sa, s, slab, 0, VALIDATE_FRAMES)) return;
  const free = new Set<number>();
  let p = sa.slabs.freelist[slab]!;
  for (let k = 0; p > 0 && k <= sa.slabs.objects[slab]!; k++) {
    free.add(p);
    const next = getFreepointer(sa, s, p);
    if (next === FP_FAULT) break;
    p = next;
  }
  const base = sa.slabs.base[slab]!;
  for (let i = 0; i < sa.slabs.objects[slab]!; i++) {
    const o = base + i * sa.caches.size[s]!;
    if (!checkObject(sa, s, slab, o, free.has(o) ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE, VALIDATE_FRAMES)) break;
  }
}

/**
 * Checks the slabs on a cache's node lists (partial, and full with SLAB_STORE_USER) and reports
 * what it finds in the kernel's format. The caller flushes the CPU slabs first.
 * Kernel: `validate_slab_cache()` → `validate_slab_node()` → `validate_slab()`.
 * @returns the number of slabs checked
 */
export function validateSlabCache(sa: SlubAllocator, s: number): number {
  const c = sa.caches;
  const slabs = sa.slabs;
  let total = 0;
  for (let nid = 0; nid < sa.nrNodes; nid++) {
    const n = s * sa.nrNodes + nid;
    let count = 0;
    const partial = c.nodePartial[n]!;
    for (let slab = slabs.listNext[partial]!; slab !== partial && slab >= 0; slab = slabs.listNext[slab]!) {
      validateSlab(sa, s, slab);
      count++;
    }
    if (count !== c.nrPartial[n]) sa.log.prErr(`SLUB ${c.name[s]}: ${count} partial slabs counted but counter=${c.nrPartial[n]}`);
    if ((c.flags[s]! & SLAB_STORE_USER) !== 0) {
      const full = c.nodeFull[n]!;
      for (let slab = slabs.listNext[full]!; slab !== full && slab >= 0; slab = slabs.listNext[slab]!) {
        validateSlab(sa, s, slab);
        count++;
      }
      if (count !== c.nrSlabs[n]) sa.log.prErr(`SLUB: ${c.name[s]} ${count} slabs counted but counter=${c.nrSlabs[n]}`);
    }
    total += count;
  }
  return total;
}

/** The boot lines of kmem_cache_init(): no_hash_pointers' notice (slub_debug on), then the SLUB line. */
export function kmemCacheInitMessages(sa: SlubAllocator): void {
  for (const ch of sa.debugSetting.unknown) sa.log.prErr(`slub_debug option '${ch}' unknown. skipped`);
  if (sa.debugSetting.enabled) {
    for (const l of [
      "**********************************************************",
      "**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **",
      "**                                                      **",
      "** This system shows unhashed kernel memory addresses   **",
      "** via the console, logs, and other interfaces. This    **",
      "** might reduce the security of your system.            **",
      "**                                                      **",
      "** If you see this message and you are not debugging    **",
      "** the kernel, report this immediately to your system   **",
      "** administrator!                                       **",
      "**                                                      **",
      "**   NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE NOTICE   **",
      "**********************************************************",
    ]) sa.log.prWarn(l);
  }
  const o = sa.orderParams;
  sa.log.prInfo(`SLUB: HWalign=64, Order=${o.minOrder}-${o.maxOrder}, MinObjects=${o.minObjects}, CPUs=${sa.nrCpus}, Nodes=${sa.nrNodes}`);
}

/** The first byte of `[from, from + len)` (object-relative) that is not `value`, or -1. */
function firstMismatch(b: Uint8Array, base: number, from: number, len: number, value: number): number {
  for (let i = 0; i < len; i++) if (byteAt(b, base + from + i) !== value) return from + i;
  return -1;
}

/**
 * What is wrong with an object's debug bytes, silently (for validate()): red zones of the
 * object's state, poison of a free object, padding. Kernel: the tests of `check_object()`.
 * @returns a description, or undefined when the bytes are intact
 */
export function objectBytesProblem(sa: SlubAllocator, s: number, slab: number, obj: number, free: boolean): string | undefined {
  const c = sa.caches;
  const b = sa.slabs.bytes[slab];
  if (b === undefined) return undefined;
  const base = obj - sa.slabs.pfn[slab]! * PAGE_SIZE;
  const flags = c.flags[s]!;
  const red = free ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE;
  const hex = (v: number) => `0x${v.toString(16)}`;
  if ((flags & SLAB_RED_ZONE) !== 0) {
    let at = firstMismatch(b, base, -c.redLeftPad[s]!, c.redLeftPad[s]!, red);
    if (at >= 0) return `left red zone byte ${at} is ${hex(byteAt(b, base + at))}, not ${hex(red)}`;
    at = firstMismatch(b, base, c.objectSize[s]!, c.inuse[s]! - c.objectSize[s]!, red);
    if (at >= 0) return `right red zone byte ${at} is ${hex(byteAt(b, base + at))}, not ${hex(red)}`;
  }
  if (free && c.objectPoison[s] === 1) {
    const at = firstMismatch(b, base, 0, c.objectSize[s]! - 1, POISON_FREE);
    if (at >= 0) return `poison byte ${at} is ${hex(byteAt(b, base + at))}, not ${hex(POISON_FREE)}`;
    if (byteAt(b, base + c.objectSize[s]! - 1) !== POISON_END) return `end poison is ${hex(byteAt(b, base + c.objectSize[s]! - 1))}`;
  }
  if ((flags & SLAB_POISON) !== 0) {
    let off = infoEnd(sa, s);
    if ((flags & SLAB_STORE_USER) !== 0) off += 2 * SIZEOF_TRACK + ((flags & SLAB_KMALLOC) !== 0 ? 4 : 0);
    const at = firstMismatch(b, base, off, sizeFromObject(sa, s) - off, POISON_INUSE);
    if (at >= 0) return `padding byte ${at} is ${hex(byteAt(b, base + at))}, not ${hex(POISON_INUSE)}`;
  }
  return undefined;
}
