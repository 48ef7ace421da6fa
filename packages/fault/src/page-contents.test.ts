// mmsim: content identities (equal content ⇔ equal identity, compressed sizes) and the side table; access patterns from a seeded Prandom
import { Prandom } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { AccessPattern } from "./access-patterns.ts";
import {
  CONTENT_FILL, CONTENT_RANDOM, CONTENT_TEXT, CONTENT_ZERO_ID, PageContents, contentCompressedBytes, contentFill, contentKind,
  contentText, formatContent,
} from "./page-contents.ts";

describe("page contents", () => {
  it("identities: equal content is equal, random never is; compressed sizes as zram would store them", () => {
    const pc = new PageContents(4);
    expect(contentFill(0)).toBe(CONTENT_ZERO_ID);
    expect(contentFill(42)).toBe(contentFill(42));
    expect(contentFill(42)).not.toBe(contentFill(43));
    expect(contentKind(contentFill(42))).toBe(CONTENT_FILL);
    expect(contentCompressedBytes(contentFill(42))).toBe(0);
    const r1 = pc.contentRandom();
    const r2 = pc.contentRandom();
    expect(r1).not.toBe(r2);
    expect(contentKind(r1)).toBe(CONTENT_RANDOM);
    expect(contentCompressedBytes(r1)).toBe(4096);
    const t = contentText(7, 0.5);
    expect(contentKind(t)).toBe(CONTENT_TEXT);
    expect(contentCompressedBytes(t)).toBe(2048);
    expect(t).toBe(contentText(7, 0.5));
    expect(t).not.toBe(contentText(7, 0.25));
    expect(formatContent(t)).toBe("text#7@0.50");
    expect(() => contentText(1, 0)).toThrow(/compressibility/);
  });

  it("the side table: set, overwrite, clear with backward shift, growth; zeros take no entry", () => {
    const pc = new PageContents(4);
    const ref = new Map<number, number>();
    const rng = new Prandom(3);
    for (let i = 0; i < 5000; i++) {
      const pfn = 0x40000 + rng.below(3000);
      const op = rng.below(3);
      if (op === 0) {
        pc.clear(pfn);
        ref.delete(pfn);
      } else {
        const id = op === 1 ? contentFill(1 + rng.below(5)) : CONTENT_ZERO_ID;
        pc.set(pfn, id);
        if (id === CONTENT_ZERO_ID) ref.delete(pfn);
        else ref.set(pfn, id);
      }
    }
    expect(pc.size).toBe(ref.size);
    for (let pfn = 0x40000; pfn < 0x40000 + 3000; pfn++) expect(pc.get(pfn)).toBe(ref.get(pfn) ?? CONTENT_ZERO_ID);
    expect(pc.entries().length).toBe(ref.size);
  });
});

describe("access patterns", () => {
  const S = 0x10000000;
  it("sequential wraps, strided visits every page once per round, random and zipfian stay in the region", () => {
    const seq = new AccessPattern("sequential", S, 4 * 4096, new Prandom(1));
    expect([0, 1, 2, 3, 4].map(() => seq.next())).toEqual([S, S + 4096, S + 8192, S + 12288, S]);
    const st = new AccessPattern("strided", S, 8 * 4096, new Prandom(1), { stride: 4 * 4096 });
    expect(Array.from({ length: 8 }, () => (st.next() - S) / 4096)).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
    const rnd = new AccessPattern("random", S, 100 * 4096, new Prandom(1));
    for (let i = 0; i < 1000; i++) {
      const a = rnd.next();
      expect(a >= S && a < S + 100 * 4096 && a % 4096 === 0).toBe(true);
    }
  });

  it("zipfian is skewed toward page 0 (theta 0.99) and deterministic for a seed", () => {
    const draw = (seed: number) => {
      const z = new AccessPattern("zipfian", S, 1000 * 4096, new Prandom(seed));
      return Array.from({ length: 20000 }, () => z.nextPage());
    };
    const a = draw(5);
    expect(draw(5)).toEqual(a);
    const hot = a.filter((p) => p === 0).length / a.length;
    // P(0) = 1/zeta(1000, 0.99) ≈ 0.13
    expect(hot).toBeGreaterThan(0.1);
    expect(hot).toBeLessThan(0.17);
    expect(a.filter((p) => p < 10).length).toBeGreaterThan(a.filter((p) => p >= 500).length);
    expect(Math.max(...a)).toBeLessThan(1000);
    expect(() => new AccessPattern("zipfian", S, 4096, new Prandom(1), { theta: 1 })).toThrow(/theta/);
  });
});
