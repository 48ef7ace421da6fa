// Kernel: arch/arm64/include/asm/memory.h, arch/arm64/include/asm/pgtable.h (v6.1) — the kernel VA layout behind VMALLOC_TOTAL
/*
 * /proc/meminfo's VmallocTotal is `(VMALLOC_END - VMALLOC_START) >> 10`. On arm64 (4 KiB pages,
 * no KASAN) both ends follow from CONFIG_ARM64_VA_BITS alone:
 *
 *   VA_BITS_MIN     = min(VA_BITS, 48)
 *   _PAGE_END(va)   = -(1 << (va - 1))                  end of the linear map
 *   MODULES_VADDR   = _PAGE_END(VA_BITS_MIN);  MODULES_END = MODULES_VADDR + 128 MiB
 *   VMALLOC_START   = MODULES_END
 *   VMEMMAP_SHIFT   = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT (12 - 6: struct page is 64 bytes)
 *   VMEMMAP_START   = -(1 << (VA_BITS - VMEMMAP_SHIFT))
 *   VMALLOC_END     = VMEMMAP_START - 256 MiB
 *
 * VA_BITS = 48 (the reference config): 0xffff800008000000 .. 0xfffffbffefffffff,
 * 136339039191040 bytes = 133143592960 kB, the capture's VmallocTotal. Addresses are u64, kept
 * as bigint here (they exceed 2^53). The planned arch package (hw-arm64) should own these
 * constants; procfs keeps only what meminfo needs.
 */
import { PAGE_SHIFT, SZ_128M, SZ_256M } from "@mmsim/core";

const U64 = 1n << 64n;

/** log2(sizeof(struct page)) rounded up: 6 (64-byte struct page). Kernel: `STRUCT_PAGE_MAX_SHIFT`. */
export const STRUCT_PAGE_MAX_SHIFT = 6;
/** The reference config's CONFIG_ARM64_VA_BITS. */
export const ARM64_VA_BITS = 48;

/** -(1 << bits) as a u64. */
function negPow2(bits: number): bigint {
  return (U64 - (1n << BigInt(bits))) % U64;
}

/** Kernel: `VA_BITS_MIN`. */
export function vaBitsMin(vaBits: number): number {
  return vaBits > 48 ? 48 : vaBits;
}

/** First byte of the vmalloc area. Kernel: `VMALLOC_START` (= MODULES_END). */
export function vmallocStart(vaBits: number = ARM64_VA_BITS): bigint {
  const modulesVaddr = negPow2(vaBitsMin(vaBits) - 1); // _PAGE_END(VA_BITS_MIN)
  return (modulesVaddr + BigInt(SZ_128M)) % U64;
}

/** One past the last byte of the vmalloc area. Kernel: `VMALLOC_END` (= VMEMMAP_START - SZ_256M). */
export function vmallocEnd(vaBits: number = ARM64_VA_BITS): bigint {
  const vmemmapShift = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT;
  const vmemmapStart = negPow2(vaBits - vmemmapShift);
  return (vmemmapStart - BigInt(SZ_256M) + U64) % U64;
}

/** Size of the vmalloc area in bytes. Kernel: `VMALLOC_TOTAL` (include/linux/vmalloc.h). */
export function vmallocTotal(vaBits: number = ARM64_VA_BITS): bigint {
  return vmallocEnd(vaBits) - vmallocStart(vaBits);
}
