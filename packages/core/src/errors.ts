// mmsim: tagged host and usage errors (no kernel counterpart), and VM_BUG_ON (include/linux/mmdebug.h)
/*
 * Two ways to fail, kept apart (STYLE C9, C10):
 *  - an expected simulated failure is a return value (NIL_PFN, -ENOMEM), never a throw;
 *  - a host or usage error (bad scenario, unknown policy, an API called with a non-integer
 *    address) throws one of the tagged classes below, whose message starts with
 *    "<package>.<function>:" and says what was wrong, where, and how to fix it;
 *  - a broken simulator invariant throws MmBugError, through vmBugOn() when debugVm is on.
 */

/** Where an error came from: `"<package>.<function>"`, e.g. `"memblock.memblockAdd"`. */
export type ErrorSite = string;

abstract class TaggedError extends Error {
  abstract readonly _tag: string;
  constructor(
    readonly site: ErrorSite,
    description: string,
  ) {
    super(`${site}: ${description}`);
  }
}

/** A configuration value (scenario field, sysctl, option) is wrong. */
export class ConfigError extends TaggedError {
  readonly _tag = "ConfigError" as const;
  constructor(
    site: ErrorSite,
    /** The file it came from, or `"<command line>"`, or `"<api>"`. */
    readonly file: string,
    /** The field path, e.g. `"machine.memory"`. */
    readonly path: string,
    readonly expected: string,
    readonly got: string,
    /** 1-based line in `file`, when known. */
    readonly line?: number,
  ) {
    super(site, `${file}${line !== undefined ? `:${line}` : ""}: ${path}: expected ${expected}, got ${got}`);
  }
}

/** A scenario names a policy implementation that no loaded module provides. */
export class UnknownPolicyError extends TaggedError {
  readonly _tag = "UnknownPolicyError" as const;
  constructor(
    site: ErrorSite,
    readonly slot: string,
    readonly requested: string,
    readonly available: readonly string[],
  ) {
    super(site, `no implementation "${requested}" for slot "${slot}"; available: ${available.join(", ") || "(none)"}`);
  }
}

/** A scenario file cannot be run as written. */
export class ScenarioError extends TaggedError {
  readonly _tag = "ScenarioError" as const;
  constructor(
    site: ErrorSite,
    readonly file: string,
    readonly field: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(site, `${file}${line !== undefined ? `:${line}` : ""}: ${field}: ${problem}`);
  }
}

/** A trace file has a record mmsim cannot read. */
export class TraceFormatError extends TaggedError {
  readonly _tag = "TraceFormatError" as const;
  constructor(
    site: ErrorSite,
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(site, `${file}:${line}: ${problem}`);
  }
}

/**
 * A function was called with an argument outside its domain (a non-integer address, a negative
 * size, an unknown node): a bug in the caller, reported at the API edge, never in hot code.
 */
export class ArgumentError extends TaggedError {
  readonly _tag = "ArgumentError" as const;
  constructor(
    site: ErrorSite,
    readonly argument: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(site, `${argument}: expected ${expected}, got ${got}`);
  }
}

/** A simulator invariant is broken: the counterpart of the kernel's BUG(). */
export class MmBugError extends TaggedError {
  readonly _tag = "MmBugError" as const;
  constructor(
    site: ErrorSite,
    readonly what: string,
  ) {
    super(site, `BUG: ${what}`);
  }
}

/** Every error mmsim throws on purpose. */
export type MmsimError = ConfigError | UnknownPolicyError | ScenarioError | TraceFormatError | ArgumentError | MmBugError;

/** True for any error of the union above. */
export function isMmsimError(e: unknown): e is MmsimError {
  return e instanceof TaggedError;
}

/**
 * CONFIG_DEBUG_VM: when on, vmBugOn() checks its condition. A process-wide switch, like the
 * kernel's compile-time option; tests turn it on, benchmarks leave it off.
 */
export const debugVm = { on: false };

/**
 * Throws MmBugError when `cond` holds and debugVm is on; one boolean test otherwise.
 * Kernel: `VM_BUG_ON()` in include/linux/mmdebug.h.
 * @throws MmBugError
 */
export function vmBugOn(cond: boolean, site: ErrorSite, what: string): void {
  if (debugVm.on && cond) throw new MmBugError(site, what);
}

/** Longest rendering of a value in a message, in characters (the rest is cut, saying how much). */
export const MAX_VALUE_TEXT = 200;

/**
 * Renders a value for an error message: JSON-like, every invisible or control character escaped
 * (`\u200b`), and cut to MAX_VALUE_TEXT characters with the length of the whole — so a message
 * stays one short line whatever the input (a 580 KB string, a terminal escape).
 */
export function describeValue(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : `${v} (not an integer)`;
  if (v === undefined) return "undefined";
  let text: string;
  if (typeof v === "string") text = JSON.stringify(v);
  else if (typeof v === "object") {
    try {
      text = JSON.stringify(v) ?? String(v);
    } catch {
      text = Object.prototype.toString.call(v);
    }
  } else text = String(v);
  return cutText(escapeInvisible(text));
}

/** Escapes characters a terminal would not show as themselves: controls, format characters (bidi, zero-width), separators other than space. */
export function escapeInvisible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);
}

/** `text` cut to `max` characters, saying how long it was. */
export function cutText(text: string, max = MAX_VALUE_TEXT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}

/**
 * Checks that `v` is an integer in [0, 2^53): a physical address, size or PFN at an API edge.
 * @throws ArgumentError
 */
export function checkUint(site: ErrorSite, argument: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new ArgumentError(site, argument, "an integer in [0, 2^53)", describeValue(v));
  }
}
