// mmsim: the value schemas of scenario files and workload steps (zod 4), shared by every package that contributes a step or a sysctl (no kernel counterpart)
/*
 * Each schema checks one value and, when it is wrong, says what to write instead. The scenario
 * loader (@mmsim/machine) maps a failed check to file:line:field. A package that contributes a
 * workload step builds its step body from these (int, str, size, gfp, ...), so every step reads
 * and reports values the same way.
 */
import { z } from "zod";
import { describeValue } from "../errors.ts";
import * as gfpConsts from "../gfp.ts";
import { __GFP_BITS_MASK, formatGfpFlags, gfpZoneBad } from "../gfp.ts";
import {
  SLAB_ACCOUNT, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_CONSISTENCY_CHECKS, SLAB_HWCACHE_ALIGN, SLAB_MEM_SPREAD, SLAB_NOLEAKTRACE,
  SLAB_PANIC, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE, SLAB_TYPESAFE_BY_RCU,
} from "../policies/kmem-cache-allocator.ts";
import { SZ_1G, SZ_1K, SZ_1M, hex } from "../sizes.ts";

/** Largest CPU count and node count a scenario may ask for. */
export const MAX_CPUS = 256;
export const MAX_NODES = 16;
/** Largest repeat count. */
export const MAX_REPEAT = 1_000_000;
export const INT_MAX = 0x7fffffff;

/** The result of checking one value: the value, or what to write instead. */
export type Checked<T> = { readonly ok: T } | string;


const SIZE_UNITS: Readonly<Record<string, number>> = { "": 1, K: SZ_1K, M: SZ_1M, G: SZ_1G, T: SZ_1G * 1024, P: SZ_1G * 1024 * 1024 };

/**
 * Parses a size: a non-negative integer, or a string `4K`, `64M`, `1G`, `1.5G` (binary units,
 * like the kernel's memparse()), or a hex/decimal string.
 * @returns bytes, or a message saying what to write instead
 */
export function parseSize(v: unknown): number | string {
  const hint = "write bytes (1073741824) or a size with a binary unit (4K, 64M, 1G, 1.5G)";
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    if (Number.isInteger(v) && v > 0) return `${describeValue(v)} is beyond 2^53 − 1 (9007199254740991), the largest size mmsim holds exactly; no board has sizes that large`;
    return `${describeValue(v)} is not a whole number of bytes; ${hint}`;
  }
  if (typeof v !== "string") return `expected a size, got ${describeValue(v)}; ${hint}`;
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) {
    const n = Number.parseInt(s.slice(2), 16);
    if (!Number.isSafeInteger(n)) return `${describeValue(v)} is beyond 2^53 − 1 (9007199254740991), the largest size mmsim holds exactly; no board has sizes that large`;
    return n;
  }
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(s);
  if (!m) return `${describeValue(v)} is not a size; ${hint}`;
  const bytes = Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(bytes)) return `${describeValue(v)} is not a whole number of bytes (${bytes}); ${hint}`;
  return bytes;
}

/** `1073741824` → `1G`, `1610612736` → `1536M`, `4097` → `4097`: the largest exact binary unit. */
export function formatSize(bytes: number): string {
  for (const u of ["P", "T", "G", "M", "K"]) {
    const unit = SIZE_UNITS[u]!;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${u}`;
  }
  return String(bytes);
}

/**
 * GFP names a scenario may use: core's exported `GFP_*` and `__GFP_*` constants (composites and
 * modifiers of 6.1), without the masks, shifts and tables that are not allocation flags.
 */
const GFP_NAMES: ReadonlyMap<string, number> = new Map(
  Object.entries(gfpConsts).filter(
    (e): e is [string, number] => typeof e[1] === "number" && /^(__)?GFP_[A-Z0-9_]+$/.test(e[0]) && !/(MASK|SHIFT|TABLE|BAD)$/.test(e[0]),
  ),
);

/** The GFP flag names a scenario accepts, in core's export order. */
export function gfpFlagNames(): readonly string[] {
  return [...GFP_NAMES.keys()];
}

/**
 * Parses gfp flags: a number, or names joined by `|` (`"GFP_KERNEL | __GFP_ZERO"`); a term may
 * also be a number (`0x100`).
 * @returns the flags and their text, or a message saying what to write instead
 */
/** SLAB_* flag names a scenario may use in kmem_cache_create. */
const SLAB_FLAG_NAMES: ReadonlyMap<string, number> = new Map([
  ["SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN], ["SLAB_RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT], ["SLAB_ACCOUNT", SLAB_ACCOUNT],
  ["SLAB_PANIC", SLAB_PANIC], ["SLAB_CACHE_DMA", SLAB_CACHE_DMA], ["SLAB_CACHE_DMA32", SLAB_CACHE_DMA32],
  ["SLAB_TYPESAFE_BY_RCU", SLAB_TYPESAFE_BY_RCU], ["SLAB_MEM_SPREAD", SLAB_MEM_SPREAD], ["SLAB_RED_ZONE", SLAB_RED_ZONE],
  ["SLAB_POISON", SLAB_POISON], ["SLAB_STORE_USER", SLAB_STORE_USER], ["SLAB_CONSISTENCY_CHECKS", SLAB_CONSISTENCY_CHECKS],
  ["SLAB_TRACE", SLAB_TRACE], ["SLAB_NOLEAKTRACE", SLAB_NOLEAKTRACE],
]);

/** Parses `"SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT"` or a number. @returns the flags, or a message */
export function parseSlabFlags(v: unknown): number | string {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v !== "string") return `expected SLAB_* flags like "SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT", got ${describeValue(v)}`;
  let flags = 0;
  for (const t of v.split("|").map((x) => x.trim())) {
    const f = SLAB_FLAG_NAMES.get(t);
    if (f === undefined) return `unknown slab flag "${t}"; the closest are ${nearest(t, [...SLAB_FLAG_NAMES.keys()], 3, true).join(", ")}`;
    flags |= f;
  }
  return flags;
}

export function parseGfp(v: unknown): { readonly value: number; readonly text: string } | string {
  const hint = 'write a name like GFP_KERNEL, an expression like "GFP_KERNEL | __GFP_ZERO", or a number';
  let value = 0;
  let text: string;
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > __GFP_BITS_MASK) return `${describeValue(v)} is not a gfp mask (0..${hex(__GFP_BITS_MASK, 0)}); ${hint}`;
    value = v;
    text = formatGfpFlags(v);
  } else if (typeof v === "string") {
    const terms = v.split("|").map((t) => t.trim());
    if (terms.some((t) => t === "")) return `empty term in ${describeValue(v)}; ${hint}`;
    for (const t of terms) {
      if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) {
        const n = Number(t);
        if (n > __GFP_BITS_MASK) return `${t} is not a gfp mask (0..${hex(__GFP_BITS_MASK, 0)})`;
        value |= n;
        continue;
      }
      const n = GFP_NAMES.get(t);
      if (n === undefined) {
        return `unknown GFP flag "${t}"; the closest are ${nearest(t, gfpFlagNames(), 3, true).join(", ")}`;
      }
      value |= n;
    }
    text = terms.join(" | ");
  } else {
    return `expected gfp flags, got ${describeValue(v)}; ${hint}`;
  }
  value >>>= 0;
  if (gfpZoneBad(value)) {
    return `${text} combines zone modifiers that select no zone (__GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM and __GFP_MOVABLE allow one zone); use one of them`;
  }
  return { value, text };
}

/** Edit distance between two strings (Levenshtein). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidates nearest to `name` (case, `_` and `-` ignored), best first; ties keep the
 * candidates' order. Unless `always`, only those within a third of the name's length (at least 2).
 */
export function nearest(name: string, candidates: readonly string[], max: number, always = false): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");
  const n = norm(name);
  const limit = Math.max(2, Math.ceil(n.length / 3));
  return candidates
    .map((c, i) => ({ c, i, d: editDistance(n, norm(c)) }))
    .filter((x) => always || x.d <= limit)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, max)
    .map((x) => x.c);
}

/** "unknown field "x"; did you mean "y"? Valid fields of machine: a, b". */
export function unknownFieldProblem(key: string, valid: readonly string[], where: string): string {
  const near = nearest(key, valid, 3);
  const did = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ";";
  return `unknown field "${key}"${did} valid ${where}: ${valid.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------
// Value schemas (zod 4): each one says what to write instead
// ---------------------------------------------------------------------------------------------

/** A zod schema that checks `v` with `check` (a value or a message) and reports the message. */
export function checked<T>(check: (v: unknown) => { ok: T } | string) {
  return z.unknown().transform((v, ctx): T => {
    const r = check(v);
    if (typeof r === "string") {
      ctx.addIssue({ code: "custom", message: r, input: v });
      return z.NEVER;
    }
    return r.ok;
  });
}

export const MISSING = "is required";

export function int(min: number, max: number, what = "an integer") {
  return checked<number>((v) => {
    if (v === undefined || v === null) return `${MISSING}: ${what} from ${min} to ${max}`;
    if (typeof v !== "number" || !Number.isInteger(v)) return `expected ${what} from ${min} to ${max}, got ${describeValue(v)}`;
    if (v < min || v > max) return `${v} is out of range: expected ${what} from ${min} to ${max}`;
    return { ok: v };
  });
}

export function str(what: string, re?: RegExp, reHint?: string) {
  return checked<string>((v) => {
    if (v === undefined || v === null) return `${MISSING}: ${what}`;
    if (typeof v !== "string" || v === "") return `expected ${what}, got ${describeValue(v)}`;
    if (re && !re.test(v)) return `${describeValue(v)} is not ${what}${reHint ? `; ${reHint}` : ""}`;
    return { ok: v };
  });
}

export const bool = checked<boolean>((v) => (typeof v === "boolean" ? { ok: v } : `expected true or false, got ${describeValue(v)}`));

export const size = checked<number>((v) => {
  if (v === undefined || v === null) return `${MISSING}: a size (bytes, or 4K, 64M, 1G)`;
  const r = parseSize(v);
  return typeof r === "string" ? r : { ok: r };
});

export const gfp = checked<{ readonly value: number; readonly text: string }>((v) => {
  if (v === undefined || v === null) return `${MISSING}: gfp flags, e.g. GFP_KERNEL`;
  const r = parseGfp(v);
  return typeof r === "string" ? r : { ok: r };
});

export const absPath = str("an absolute path like /proc/buddyinfo", /^\//, "it must start with /");

/** A CPU number of the machine (the loader's cross-field pass checks it against machine.cpus). */
/** A CPU number: any integer ≥ 0 here; the loader's cross-field pass (checkCpu) bounds it by the board's machine.cpus, so the message names the board's CPUs, not the schema's 256. */
export const cpuField = () => int(0, INT_MAX, "a CPU number");

/** `count` of a free step: a count ≥ 1 or "all". */
export const countOrAll = checked<number | "all">((v) =>
  v === "all" || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= INT_MAX) ? { ok: v } : `expected a count ≥ 1 or "all", got ${describeValue(v)}`,
);
