// Kernel: fs/seq_file.c, lib/vsprintf.c (v6.1) — the seq_printf conversions and seq_put_decimal_ull_width() the renderers use
/*
 * The procfs files are built with seq_printf(); these helpers give the few conversions they
 * use, with vsprintf's rules: a width pads with spaces (right-aligned, or left-aligned with
 * '-'), never truncates; `%lu`/`%llu` print an unsigned 64-bit value, so a negative number held
 * in a JS double prints as its u64 wrap (2^64 + x), as the C cast would.
 *
 * Every helper returns a string; a renderer concatenates them in the kernel's order.
 */

const U64 = 18446744073709551616n;

/** `%lu` / `%llu` / `%u` of a counter: decimal, with negatives wrapped to u64. */
export function ulong(x: number): string {
  return x < 0 ? (U64 + BigInt(x)).toString() : String(x);
}

/** `%*lu` / `%*s`: right-aligned in `width` columns (longer values are printed whole). */
export function padLeft(s: string | number, width: number): string {
  return (typeof s === "number" ? ulong(s) : s).padStart(width, " ");
}

/** `%-*s`: left-aligned in `width` columns. */
export function padRight(s: string, width: number): string {
  return s.padEnd(width, " ");
}

/** `%0*llx`: lower-case hex, zero-padded to at least `width` digits. */
export function hexPad(x: number, width: number): string {
  return x.toString(16).padStart(width, "0");
}

/**
 * The delimiter, then `num` right-aligned in `width` columns (a width of 0 means 1).
 * Kernel: `seq_put_decimal_ull_width()` (num_to_str pads with spaces).
 */
export function seqPutDecimalUllWidth(delimiter: string, num: number, width: number): string {
  return delimiter + padLeft(num, width === 0 ? 1 : width);
}
