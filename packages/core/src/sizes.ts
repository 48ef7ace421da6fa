// Kernel: include/linux/sizes.h, include/linux/align.h, include/linux/pfn.h, arch/arm64/include/asm/page-def.h
/*
 * Physical addresses and sizes are JS numbers: exact integers up to 2^53 (8 PiB), beyond
 * arm64's 48-bit (or 52-bit) physical address space. Alignment helpers therefore divide by
 * powers of two instead of using 32-bit bitwise operators; PFNs stay below 2^31 and may use them.
 */

export const SZ_1K = 0x400;
export const SZ_2K = 0x800;
export const SZ_4K = 0x1000;
export const SZ_8K = 0x2000;
export const SZ_16K = 0x4000;
export const SZ_32K = 0x8000;
export const SZ_64K = 0x10000;
export const SZ_128K = 0x20000;
export const SZ_256K = 0x40000;
export const SZ_512K = 0x80000;
export const SZ_1M = 0x100000;
export const SZ_2M = 0x200000;
export const SZ_4M = 0x400000;
export const SZ_8M = 0x800000;
export const SZ_16M = 0x1000000;
export const SZ_32M = 0x2000000;
export const SZ_64M = 0x4000000;
export const SZ_128M = 0x8000000;
export const SZ_256M = 0x10000000;
export const SZ_512M = 0x20000000;
export const SZ_1G = 0x40000000;
export const SZ_2G = 0x80000000;
export const SZ_4G = 0x100000000;
export const SZ_8G = 0x200000000;
export const SZ_16G = 0x400000000;
export const SZ_32G = 0x800000000;
export const SZ_64G = 0x1000000000;

/**
 * Largest physical address (`phys_addr_t` is u64 in the kernel: 2^64 - 1). mmsim's addresses are
 * JS numbers, exact below 2^53, so its PHYS_ADDR_MAX is 2^53 - 1 (arm64's physical space is 48 or
 * 52 bits). Kernel: `PHYS_ADDR_MAX` in include/linux/types.h.
 */
export const PHYS_ADDR_MAX = Number.MAX_SAFE_INTEGER;

/** CONFIG_ARM64_4K_PAGES: PAGE_SHIFT 12. */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** Rounds `x` down to a multiple of `a` (a power of two). Kernel: `ALIGN_DOWN()` / `round_down()`. */
export function alignDown(x: number, a: number): number {
  return Math.floor(x / a) * a;
}

/** Rounds `x` up to a multiple of `a` (a power of two). Kernel: `ALIGN()` / `round_up()`. */
export function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** True when `x` is a multiple of `a` (a power of two). Kernel: `IS_ALIGNED()`. */
export function isAligned(x: number, a: number): boolean {
  return x % a === 0;
}

/** True when `x` is a power of two (0 is not). Kernel: `is_power_of_2()`. */
export function isPowerOf2(x: number): boolean {
  if (!Number.isSafeInteger(x) || x <= 0) return false;
  while (x > 0x40000000) {
    if (x % 2 !== 0) return false;
    x /= 2;
  }
  return (x & (x - 1)) === 0;
}

/** First PFN at or above a physical address. Kernel: `PFN_UP()`. */
export function pfnUp(addr: number): number {
  return Math.ceil(addr / PAGE_SIZE);
}

/** PFN of the page holding a physical address. Kernel: `PFN_DOWN()` / `__phys_to_pfn()`. */
export function pfnDown(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

/** Physical address of a PFN. Kernel: `PFN_PHYS()` / `__pfn_to_phys()`. */
export function pfnPhys(pfn: number): number {
  return pfn * PAGE_SIZE;
}

/**
 * Index of the lowest set bit of a 31-bit value (`x` > 0). Kernel: `__ffs()`.
 * @returns 0..30, or 32 for x === 0 (the kernel leaves that undefined)
 */
export function ffs32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Index of the highest set bit of a value below 2^31 (`x` > 0). Kernel: `__fls()` / `ilog2()`. */
export function fls32(x: number): number {
  return 31 - Math.clz32(x);
}

/** 0x-prefixed lower-case hex, zero-padded to `digits`. Kernel: `%pa` prints 16 digits on 64-bit. */
export function hex(x: number, digits = 16): string {
  return `0x${x.toString(16).padStart(digits, "0")}`;
}
