// mmsim: helpers for the tables that are not per page and may grow (slab tables, per-cache arrays)
/*
 * MemMap's per-page arrays never grow (STYLE C6). Tables indexed by slab or cache id do: their
 * owners double them by copying, with this one helper.
 */

/** The typed arrays mmsim's tables use. */
export type GrowableArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/**
 * A copy of `a` with length `n` (≥ a.length), new slots set to `fill`.
 * @returns a new array of the same type
 */
export function growTypedArray<T extends GrowableArray>(a: T, n: number, fill = 0): T {
  const b = new (a.constructor as new (length: number) => T)(n);
  if (fill !== 0) b.fill(fill);
  b.set(a as never);
  return b;
}
