// Kernel: include/linux/sysctl.h struct ctl_table, kernel/sysctl.c proc_dointvec_minmax (v6.1) — one knob of /proc/sys
/*
 * One table entry per knob, as the kernel's ctl_table: its name, what values it accepts, how it
 * reads back and the handler a write runs. The scenario loader (kernel.sysctl and the sysctl
 * step), `--set kernel.sysctl.<name>=…`, `mmsim run --help` and /proc/sys/<dir>/<name> all read
 * this one table; the package that owns the knob contributes it (its module's `sysctls`).
 * A definition is static data so that a scenario can be checked before any machine exists; its
 * handlers act on the service named by `service`, which the machine resolves.
 */
import type { Token } from "../di/token.ts";
import { describeValue } from "../errors.ts";

/** A sysctl value: one integer, or a vector of them (lowmem_reserve_ratio). */
export type SysctlValue = number | readonly number[];

/** Kernel: `struct ctl_table` with its proc_handler. */
export interface Sysctl<S = unknown> {
  /** The directory under /proc/sys: "vm", "kernel". */
  readonly dir: string;
  /** `procname`: the file's name, and the key in a scenario's kernel.sysctl. */
  readonly procname: string;
  /** What a write accepts, for help texts: "integer ≥ 0", "4 integers". */
  readonly type: string;
  /** One line for `mmsim run --help`. */
  readonly doc: string;
  /**
   * Checks a value as proc_dointvec_minmax's parse and range would (a scenario value: a number,
   * a list, or the text written to the file).
   * @returns the value, or what to write instead
   */
  parse(v: unknown): { readonly ok: SysctlValue } | string;
  /** The service the handlers act on (e.g. the page allocator). */
  readonly service: Token<S> | (abstract new (...args: never[]) => S);
  /** The kernel's proc_handler for a write. @returns 0, or a negative errno (-EINVAL) */
  write(service: S, value: SysctlValue): number;
  /** What a read of /proc/sys/<dir>/<procname> prints (with its newline). */
  read(service: S): string;
}

/** The path of a sysctl's file. */
export function sysctlPath(s: Sysctl): string {
  return `/proc/sys/${s.dir}/${s.procname}`;
}

/**
 * An integer knob with proc_dointvec_minmax's range check.
 * @param unit what the number counts, for messages ("kbytes")
 */
export function parseSysctlInt(v: unknown, min: number, max: number, unit: string): { ok: number } | string {
  if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer (${unit}), got ${describeValue(v)}`;
  if (v < min || v > max) return `${v} is out of range: the kernel accepts ${min}..${max} (${unit})`;
  return { ok: v };
}

/** A definition with its service type erased, as registries hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySysctl = Sysctl<any>;

/** Declares a sysctl with its service type checked. */
export function defineSysctl<S>(def: Sysctl<S>): Sysctl<S> {
  return def;
}
