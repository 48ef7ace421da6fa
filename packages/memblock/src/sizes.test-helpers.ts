// Kernel: include/linux/sizes.h (v6.1) — the small SZ_* constants the kernel tests use and @mmsim/core does not export
export const SZ_8 = 0x8;
export const SZ_16 = 0x10;
export const SZ_32 = 0x20;
export const SZ_64 = 0x40;
export const SZ_128 = 0x80;
export const SZ_256 = 0x100;
export const SZ_512 = 0x200;
export const SZ_1K = 0x400;
