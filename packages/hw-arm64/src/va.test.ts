// mmsim: tests of the signed-number representation of 64-bit virtual addresses
import { describe, expect, it } from "vitest";
import { formatVa, formatVa0x, parseVa, vaFromBigInt, vaToBigInt } from "./va.ts";

describe("Va", () => {
  it("holds PAGE_OFFSET of VA_BITS 48 as −2^48 and prints it back", () => {
    const po = parseVa("0xffff000000000000");
    expect(po).toBe(-(2 ** 48));
    expect(formatVa(po)).toBe("ffff000000000000");
    expect(formatVa0x(po + 0x40000000)).toBe("0xffff000040000000");
  });
  it("keeps user addresses positive", () => {
    expect(parseVa("0x0000aaaaaaab0000")).toBe(0xaaaaaaab0000);
    expect(vaToBigInt(0x1000)).toBe(0x1000n);
  });
  it("reads table indices with two's-complement arithmetic", () => {
    const va = vaFromBigInt(0xffff_8000_0800_0000n);
    expect(Math.floor(va / 2 ** 39) & 511).toBe(256);
    expect(Math.floor(va / 2 ** 30) & 511).toBe(0);
    expect(Math.floor(va / 2 ** 21) & 511).toBe(64);
  });
  it("rejects what is not an exact 64-bit address", () => {
    expect(() => parseVa("0x1ffff000000000000")).toThrow(/64 bits/);
    expect(() => parseVa("0x8000000000000001")).toThrow(/canonical/);
    expect(() => parseVa("zz")).toThrow(/not an address/);
  });
});
