// mmsim: the flag words against include/linux/mm.h and mman-common.h (v6.1)
import { describe, expect, it } from "vitest";
import { VM_ACCOUNT, VM_GROWSDOWN, VM_HUGEPAGE, VM_LOCKED, VM_MERGEABLE, VM_READ, VM_WRITE, vmGetPageProtFlags } from "./index.ts";

describe("vm flags", () => {
  it("has the kernel's bit values", () => {
    expect([VM_READ, VM_WRITE, VM_GROWSDOWN, VM_LOCKED, VM_ACCOUNT, VM_HUGEPAGE]).toEqual([0x1, 0x2, 0x100, 0x2000, 0x100000, 0x20000000]);
    expect(VM_MERGEABLE >>> 0).toBe(0x80000000);
    expect((VM_MERGEABLE | VM_READ) & VM_MERGEABLE).not.toBe(0);
  });
  it("keeps only the access and shared bits for the protection map", () => {
    expect(vmGetPageProtFlags(VM_READ | VM_WRITE | VM_LOCKED | VM_MERGEABLE)).toBe(VM_READ | VM_WRITE);
  });
});
