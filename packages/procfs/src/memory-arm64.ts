// Kernel: arch/arm64/include/asm/memory.h, arch/arm64/include/asm/pgtable.h, include/linux/vmalloc.h (v6.1) — the kernel VA layout behind VMALLOC_TOTAL
/*
 * /proc/meminfo's VmallocTotal is `(VMALLOC_END - VMALLOC_START) >> 10` (VMALLOC_TOTAL). Both ends
 * come from the arch layer's one computation of 6.1's layout (@mmsim/hw-arm64 `arm64Layout()`:
 * 4 KiB pages, no KASAN); procfs keeps only what meminfo needs. VA_BITS = 48 (the reference
 * config): 0xffff800008000000 .. 0xfffffbffefffffff, 136339039191040 bytes = 133143592960 kB,
 * the capture's VmallocTotal. The functions below return u64 bigints (kernel addresses exceed
 * 2^53 unsigned); hw-arm64 keeps them as signed `Va` numbers.
 */
import { type Arm64Layout, arm64Layout, vaToBigInt } from "@mmsim/hw-arm64";

export { STRUCT_PAGE_MAX_SHIFT } from "@mmsim/hw-arm64";
/** The reference config's CONFIG_ARM64_VA_BITS. */
export const ARM64_VA_BITS = 48;

/** The layout of a VA size, or the layout itself. */
function layoutOf(vaBitsOrLayout: number | Arm64Layout): Arm64Layout {
  return typeof vaBitsOrLayout === "number" ? arm64Layout({ vaBits: vaBitsOrLayout }) : vaBitsOrLayout;
}

/**
 * Kernel: `VA_BITS_MIN`.
 * @throws ConfigError for a VA_BITS 6.1 does not offer with 4 KiB pages
 */
export function vaBitsMin(vaBits: number): number {
  return arm64Layout({ vaBits }).vaBitsMin;
}

/** First byte of the vmalloc area, as a u64. Kernel: `VMALLOC_START` (= MODULES_END). */
export function vmallocStart(vaBitsOrLayout: number | Arm64Layout = ARM64_VA_BITS): bigint {
  return vaToBigInt(layoutOf(vaBitsOrLayout).VMALLOC_START);
}

/** One past the last byte of the vmalloc area, as a u64. Kernel: `VMALLOC_END` (= VMEMMAP_START - SZ_256M). */
export function vmallocEnd(vaBitsOrLayout: number | Arm64Layout = ARM64_VA_BITS): bigint {
  return vaToBigInt(layoutOf(vaBitsOrLayout).VMALLOC_END);
}

/** Size of the vmalloc area in bytes. Kernel: `VMALLOC_TOTAL` (include/linux/vmalloc.h). */
export function vmallocTotal(vaBitsOrLayout: number | Arm64Layout = ARM64_VA_BITS): bigint {
  const l = layoutOf(vaBitsOrLayout);
  return BigInt(l.VMALLOC_END - l.VMALLOC_START);
}
