// mmsim: tests of the glibc malloc model: brk below the mmap threshold, mmap above, free munmaps, trim past the trim threshold, the dynamic threshold
import { EINVAL } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { CHUNK_HEADER, GlibcMalloc } from "./malloc.ts";
import { MMAP_BASE, expectMmValid, layout, setup } from "./vma.test-helpers.ts";

const K = 1024;

describe("GlibcMalloc", () => {
  it("serves small requests from the brk heap (grown by request + 128 KiB top pad) and large ones with mmap", () => {
    const t = setup();
    const m = new GlibcMalloc(t.ctx, t.mm);
    const a = m.malloc(100);
    expect(a).toBe(0x420000 + CHUNK_HEADER);
    expect(t.mm.brk).toBe(0x420000 + 0x21000); // 112 + 128 KiB, page aligned
    const b = m.malloc(100);
    expect(b).toBe(a + 112); // request2size(100) = (100 + 8 + 15) & ~15 = 112
    const big = m.malloc(200 * K);
    expect(big).toBe(MMAP_BASE - 204 * K + CHUNK_HEADER); // 200 KiB + 16 rounded to 51 pages
    expect(layout(t.mm)).toEqual([`420000-441000 100073`, `${(MMAP_BASE - 204 * K).toString(16)}-${MMAP_BASE.toString(16)} 100073`]);
    expect(m.freePtr(big)).toBe(0);
    expect(t.mm.mapCount).toBe(1);
    expectMmValid(t.mm);
  });

  it("raises the mmap threshold when an mmapped chunk is freed (glibc's dynamic threshold)", () => {
    const t = setup();
    const m = new GlibcMalloc(t.ctx, t.mm);
    m.freePtr(m.malloc(200 * K));
    expect(m.mmapThreshold).toBe(204 * K);
    expect(m.trimThreshold).toBe(408 * K);
    const again = m.malloc(200 * K); // now below the threshold: from the heap
    expect(again).toBeLessThan(0x1000000);
    expectMmValid(t.mm);
  });

  it("reuses and coalesces freed chunks, and trims the heap past M_TRIM_THRESHOLD", () => {
    const t = setup();
    const m = new GlibcMalloc(t.ctx, t.mm);
    const ps = Array.from({ length: 10 }, () => m.malloc(60 * K));
    const brkHigh = t.mm.brk;
    expect(brkHigh).toBeGreaterThan(0x420000 + 600 * K);
    m.freePtr(ps[3]!);
    expect(m.malloc(60 * K)).toBe(ps[3]); // first fit
    for (const p of ps.slice(1)) m.freePtr(p);
    expect(t.mm.brk).toBeLessThan(brkHigh);
    expect(m.stats().topFree).toBeLessThanOrEqual(128 * K + 4 * K);
    expect(m.freePtr(ps[0]!)).toBe(0);
    expect(m.freePtr(ps[0]!)).toBe(-EINVAL); // double free
    expect(m.freePtr(12345)).toBe(-EINVAL);
    expectMmValid(t.mm);
  });
});
