// mmsim: content identities of user pages — the pure functions of the page-contents model (issue 14 part 4), shared by @mmsim/fault (which keeps the per-frame table), @mmsim/swap (zram's stored sizes) and the machine; no kernel counterpart (the kernel has the bytes)
/*
 * The simulator has no page data. A frame written with something keeps a *content identity*: a
 * safe integer with equal identity ⇔ equal bytes, which also carries how well the bytes compress:
 *
 *   identity = (id × 512 + ratio) × 8 + kind
 *
 *   kind   CONTENT_ZERO (0)   all zeros; identity 0 exactly (id 0, ratio 0)
 *          CONTENT_FILL (1)   one 64-bit word repeated (a memset); id = the value
 *          CONTENT_RANDOM (2) incompressible bytes (ratio 256)
 *          CONTENT_TEXT (3)   data of a given compressibility
 *   ratio  compressed size in 16-byte units, 0..256 (256 = 4096 bytes: does not compress);
 *          zram's same-filled pages (zeros, fills) store no data: ratio 0
 *
 * These functions moved here from @mmsim/fault's page-contents.ts (which re-exports them) so that
 * @mmsim/swap, which comes before fault in the order of mechanisms, can read the sizes.
 */
import { ArgumentError, describeValue } from "./errors.ts";

export const CONTENT_ZERO = 0;
export const CONTENT_FILL = 1;
export const CONTENT_RANDOM = 2;
export const CONTENT_TEXT = 3;
export const NR_CONTENT_KINDS = 4;

/** Compressed-size units per page (16-byte units). */
export const CONTENT_RATIO_UNITS = 256;

/** The identity of an all-zero page. */
export const CONTENT_ZERO_ID = 0;

/*
 * Identities pass 2^31, so `%` on them is a floating-point remainder (a call to fmod per use, on
 * zram's write path); x − trunc(x / 2^k) · 2^k is the same value for every safe integer (the
 * division by a power of two is exact) at the cost of a few instructions.
 */

/** Kind of an identity (CONTENT_*). */
export function contentKind(identity: number): number {
  return identity - Math.trunc(identity / 8) * 8;
}

/** Compressed size in bytes zram would store for this content (0 for same-filled pages). */
export function contentCompressedBytes(identity: number): number {
  const units = Math.floor(identity / 8);
  return (units - Math.trunc(units / 512) * 512) * 16;
}

/** True when every 64-bit word of the page is the same (zeros or a fill). Kernel: what zram's `page_same_filled()` finds. */
export function contentSameFilled(identity: number): boolean {
  const kind = identity - Math.trunc(identity / 8) * 8;
  return kind === CONTENT_ZERO || kind === CONTENT_FILL;
}

/** The identity of a page filled with `value` (a u32 pattern). */
export function contentFill(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new ArgumentError("core.contentFill", "value", "an integer in [0, 2^32)", describeValue(value));
  if (value === 0) return CONTENT_ZERO_ID;
  return (value * 512 + 0) * 8 + CONTENT_FILL;
}

/**
 * The identity of text `textId` that compresses to `compressibility` of its size (0 < c ≤ 1:
 * compressed bytes / 4096; 1 = incompressible).
 */
export function contentText(textId: number, compressibility: number): number {
  if (!Number.isInteger(textId) || textId < 0 || textId >= 2 ** 40) throw new ArgumentError("core.contentText", "textId", "an integer in [0, 2^40)", describeValue(textId));
  if (!(compressibility > 0 && compressibility <= 1)) throw new ArgumentError("core.contentText", "compressibility", "a ratio in (0, 1] (compressed size / page size)", describeValue(compressibility));
  const ratio = Math.max(1, Math.min(CONTENT_RATIO_UNITS, Math.round(compressibility * CONTENT_RATIO_UNITS)));
  return (textId * 512 + ratio) * 8 + CONTENT_TEXT;
}
