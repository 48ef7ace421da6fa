// mmsim: @mmsim/hw-arm64 public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export type { Va } from "./va.ts";
export { formatVa, formatVa0x, parseVa, vaFromBigInt, vaToBigInt } from "./va.ts";
