// Tests of the content-identity functions: the remainder-free arithmetic gives what `%` gives, for every safe integer kind of identity
import { describe, expect, it } from "vitest";
import { CONTENT_FILL, CONTENT_RANDOM, CONTENT_TEXT, CONTENT_ZERO, contentCompressedBytes, contentFill, contentKind, contentSameFilled, contentText } from "./page-content.ts";
import { Prandom } from "./rng.ts";

describe("page content identities", () => {
  it("kind, compressed size and same-filled agree with the % definitions over seeded safe integers", () => {
    const rng = new Prandom(16);
    const samples = [0, 1, 7, 8, 4095, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 3, Number.MAX_SAFE_INTEGER, -1, -9, -(2 ** 40) - 5];
    for (let i = 0; i < 2000; i++) samples.push(rng.below(2 ** 30) * 2 ** 23 + rng.below(2 ** 23));
    const wrong: number[] = [];
    for (const id of samples) {
      const k = id % 8;
      if (contentKind(id) !== k || contentCompressedBytes(id) !== (Math.floor(id / 8) % 512) * 16 || contentSameFilled(id) !== (k === CONTENT_ZERO || k === CONTENT_FILL)) wrong.push(id);
    }
    expect(wrong).toEqual([]);
  });

  it("reads back what the constructors encode", () => {
    expect(contentKind(contentFill(0xdeadbeef))).toBe(CONTENT_FILL);
    expect(contentSameFilled(contentFill(7))).toBe(true);
    const t = contentText(2 ** 39 + 11, 0.25);
    expect(contentKind(t)).toBe(CONTENT_TEXT);
    expect(contentCompressedBytes(t)).toBe(1024);
    expect(contentSameFilled(t)).toBe(false);
    expect(contentKind(0)).toBe(CONTENT_ZERO);
    expect(CONTENT_RANDOM).toBe(2);
  });
});
