// mmsim: how a 64-bit virtual address is held in a JS number (no kernel counterpart; cf. arch/arm64/include/asm/memory.h)
/*
 * A `Va` is the address read as a **signed 64-bit integer**: user addresses (TTBR0, bit 55 clear)
 * are 0 … 2^VA_BITS − 1, kernel addresses (TTBR1, bit 55 set) are −2^VA_BITS … −1. For every
 * VA_BITS arm64 supports (≤ 52) both halves are exact integers in a double, so hot paths add,
 * compare and index addresses as plain numbers: PAGE_OFFSET (0xffff000000000000 with 48 bits)
 * is −2^48, and `va + size`, `va < VMALLOC_END` work as in C. A table index is
 * `Math.floor(va / 2^shift) & 511`, which is right for negative addresses too (two's complement).
 * Full 64-bit hex appears only at the edges (`formatVa`, `parseVa`).
 */

/** A virtual address as a signed 64-bit integer (kernel addresses are negative). */
export type Va = number;

const TWO64 = 1n << 64n;

/** `0xffff000000000000` → −2^48. Accepts a bigint, a hex/decimal string (with or without 0x), or a number already a `Va`. */
export function vaFromBigInt(x: bigint): Va {
  const v = BigInt.asIntN(64, x);
  return Number(v);
}

/** The unsigned 64-bit value of a `Va`. */
export function vaToBigInt(va: Va): bigint {
  if (!Number.isSafeInteger(va)) throw new RangeError(`not an exact virtual address: ${va}`);
  return BigInt.asUintN(64, BigInt(va));
}

/** `%016lx`: 16 hex digits, no prefix (ptdump, vmallocinfo print `0x` + this). */
export function formatVa(va: Va): string {
  return vaToBigInt(va).toString(16).padStart(16, "0");
}

/** `0x` + 16 hex digits. */
export function formatVa0x(va: Va): string {
  return `0x${formatVa(va)}`;
}

/**
 * Parses a 64-bit address written in hex (`0xffff000040000000`, `ffff0000_40000000`) or decimal.
 * Throws a RangeError naming the input when it is not a 64-bit number, or does not survive the
 * conversion exactly (a non-canonical value with more than 53 significant bits).
 */
export function parseVa(text: string): Va {
  const t = text.trim().replace(/_/g, "");
  let big: bigint;
  try {
    big = /^0x/i.test(t) ? BigInt(t) : /^[0-9a-f]+$/i.test(t) && /[a-f]/i.test(t) ? BigInt(`0x${t}`) : BigInt(t);
  } catch {
    throw new RangeError(`"${text}" is not an address: write it in hex (0xffff000040000000) or decimal`);
  }
  if (big < -(1n << 63n) || big >= TWO64) throw new RangeError(`"${text}" does not fit in 64 bits`);
  const va = vaFromBigInt(big);
  if (!Number.isSafeInteger(va) || vaToBigInt(va) !== BigInt.asUintN(64, big)) {
    throw new RangeError(`"${text}" is not a canonical address for any VA_BITS ≤ 52 (bits 63…52 must all equal bit 55)`);
  }
  return va;
}
