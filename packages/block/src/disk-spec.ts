// mmsim: the `disk:` declaration of a scenario — the disk's size and the files its filesystem holds — and its checks (no kernel counterpart: on a real machine this is the image file QEMU is given)
/*
 * A scenario declares
 *
 *     disk:
 *       size: 64M
 *       files:
 *         - path: /data/big.bin
 *           size: 8M
 *           contents: random
 *         - path: /etc/motd
 *           size: 100
 *           contents: { text: motd, compressibility: 0.3 }
 *
 * and the machine builds an ext2 image holding those files (ext2-fs.ts). `contents` says what
 * the file's bytes are, in the terms of @mmsim/fault's page contents (the simulator keeps no
 * bytes): "zero" (the default), "random" (incompressible, every page different),
 * `{ fill: n }` (a u32 pattern repeated) or `{ text: name, compressibility: c }` (pages of one
 * text that compress to c of their size; equal names are equal bytes). Directories are implied by
 * the paths. Every problem is a message naming the field (`disk.files[2].size`), what was
 * expected and what to write instead.
 */
import { ConfigError, SZ_1G, SZ_1M, checked, describeValue, formatSize, parseSize } from "@mmsim/core";

/** What a file's bytes are (see the header). */
export type DiskContents =
  | { readonly kind: "zero" }
  | { readonly kind: "random" }
  | { readonly kind: "fill"; readonly value: number }
  | { readonly kind: "text"; readonly text: string; readonly compressibility: number };

/** One file of the image. */
export interface DiskFileSpec {
  /** Absolute path; its directories are created as needed. */
  readonly path: string;
  /** i_size in bytes. */
  readonly size: number;
  readonly contents: DiskContents;
}

/** A disk and the files of its filesystem. */
export interface DiskSpec {
  /** Bytes; the disk has size / 512 sectors and the filesystem floor(size / 4096) blocks. */
  readonly size: number;
  readonly files: readonly DiskFileSpec[];
}

/** Smallest and largest disk mmsim builds. */
export const DISK_MIN_SIZE = SZ_1M;
export const DISK_MAX_SIZE = 64 * SZ_1G;
/** Longest name of one path component. Kernel: `EXT2_NAME_LEN`. */
export const EXT2_NAME_LEN = 255;
/** Longest path. Kernel: `PATH_MAX` (include/uapi/linux/limits.h). */
export const PATH_MAX = 4096;

const ZERO: DiskContents = Object.freeze({ kind: "zero" });
const RANDOM: DiskContents = Object.freeze({ kind: "random" });
const CONTENTS_HINT = 'write zero, random, { fill: 0x2a } or { text: name, compressibility: 0.5 }';
const PATH_HINT = "an absolute path like /data/file.bin (components of 1–255 bytes, no empty, . or .. component)";

/** A problem at `where`: thrown by parseDiskSpec as a ConfigError, returned by checkDiskSpec as text. */
class SpecProblem {
  constructor(
    readonly where: string,
    readonly expected: string,
    readonly got: string,
  ) {}
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new SpecProblem(`${where}.${k}`, `one of the fields ${allowed.join(", ")}`, `an unknown field ${JSON.stringify(k)}`);
  }
}

function parseContents(v: unknown, where: string): DiskContents {
  if (v === undefined || v === "zero") return ZERO;
  if (v === "random") return RANDOM;
  if (isPlainObject(v)) {
    if ("fill" in v) {
      checkKeys(v, ["fill"], where);
      const n = v.fill;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new SpecProblem(`${where}.fill`, "a u32 pattern (0 to 0xffffffff)", describeValue(n));
      return n === 0 ? ZERO : Object.freeze({ kind: "fill", value: n });
    }
    if ("text" in v) {
      checkKeys(v, ["text", "compressibility"], where);
      const t = v.text;
      if (typeof t !== "string" || t === "") throw new SpecProblem(`${where}.text`, "a name for the text (equal names are equal bytes)", describeValue(t));
      const c = v.compressibility ?? 0.5;
      if (typeof c !== "number" || !(c > 0 && c <= 1)) throw new SpecProblem(`${where}.compressibility`, "a ratio in (0, 1]: compressed size / page size (1 = does not compress)", describeValue(c));
      return Object.freeze({ kind: "text", text: t, compressibility: c });
    }
  }
  throw new SpecProblem(where, `what the bytes are: ${CONTENTS_HINT}`, describeValue(v));
}

function parsePath(v: unknown, where: string): string {
  if (typeof v !== "string" || !v.startsWith("/")) throw new SpecProblem(where, PATH_HINT, describeValue(v));
  if (v.length > PATH_MAX - 1) throw new SpecProblem(where, `a path shorter than PATH_MAX (${PATH_MAX} bytes)`, `${v.length} bytes`);
  const parts = v.split("/").slice(1);
  for (const p of parts) {
    if (p === "" || p === "." || p === "..") throw new SpecProblem(where, PATH_HINT, `${describeValue(v)} (component ${describeValue(p)})`);
    if (Buffer.byteLength(p, "utf8") > EXT2_NAME_LEN) throw new SpecProblem(where, `components of at most ${EXT2_NAME_LEN} bytes (EXT2_NAME_LEN)`, `a component of ${Buffer.byteLength(p, "utf8")} bytes`);
    if (p.includes("\0")) throw new SpecProblem(where, PATH_HINT, "a component with a NUL byte");
  }
  return v;
}

function parseSizeAt(v: unknown, where: string, what: string): number {
  if (v === undefined || v === null) throw new SpecProblem(where, what, "nothing (the field is required)");
  const r = parseSize(v);
  if (typeof r === "string") throw new SpecProblem(where, what, r);
  return r;
}

function parse(v: unknown, root: string): DiskSpec {
  if (!isPlainObject(v)) throw new SpecProblem(root, "a disk: { size: 64M, files: [ { path: /data/f, size: 1M } ] }", describeValue(v));
  checkKeys(v, ["size", "files"], root);
  const size = parseSizeAt(v.size, `${root}.size`, `the disk's size, a multiple of 512 bytes from ${formatSize(DISK_MIN_SIZE)} to ${formatSize(DISK_MAX_SIZE)} (e.g. 64M)`);
  if (size < DISK_MIN_SIZE || size > DISK_MAX_SIZE || size % 512 !== 0) {
    throw new SpecProblem(`${root}.size`, `a multiple of 512 bytes from ${formatSize(DISK_MIN_SIZE)} to ${formatSize(DISK_MAX_SIZE)}`, `${size} (${formatSize(size)})`);
  }
  const filesIn = v.files ?? [];
  if (!Array.isArray(filesIn)) throw new SpecProblem(`${root}.files`, "a list of { path, size, contents }", describeValue(filesIn));
  const files: DiskFileSpec[] = [];
  const kinds = new Map<string, { kind: "file" | "dir"; index: number }>();
  for (let i = 0; i < filesIn.length; i++) {
    const where = `${root}.files[${i}]`;
    const f: unknown = filesIn[i];
    if (!isPlainObject(f)) throw new SpecProblem(where, "{ path: /data/f, size: 1M, contents: random }", describeValue(f));
    checkKeys(f, ["path", "size", "contents"], where);
    const path = parsePath(f.path, `${where}.path`);
    const fsize = parseSizeAt(f.size, `${where}.size`, "the file's size in bytes (or 4K, 1M, …)");
    const contents = parseContents(f.contents, `${where}.contents`);
    // The same path twice, or a file where another entry needs a directory (and the reverse).
    const prev = kinds.get(path);
    if (prev) {
      throw new SpecProblem(`${where}.path`, "a path no other entry uses", prev.kind === "file" ? `${path}, already files[${prev.index}]` : `${path}, a directory of files[${prev.index}]`);
    }
    const parts = path.split("/");
    for (let k = 2; k < parts.length; k++) {
      const dir = parts.slice(0, k).join("/");
      const d = kinds.get(dir);
      if (d?.kind === "file") throw new SpecProblem(`${where}.path`, `a path whose directories are not files`, `${path}: ${dir} is files[${d.index}]`);
      if (!d) kinds.set(dir, { kind: "dir", index: i });
    }
    kinds.set(path, { kind: "file", index: i });
    files.push(Object.freeze({ path, size: fsize, contents }));
  }
  return Object.freeze({ size, files: Object.freeze(files) });
}

/**
 * Reads a `disk:` declaration.
 * @param file where it came from, for the error message
 * @param root the field's name in that file
 * @throws ConfigError naming the field (`disk.files[2].size`), what was expected and what was there
 */
export function parseDiskSpec(v: unknown, file = "<api>", root = "disk"): DiskSpec {
  try {
    return parse(v, root);
  } catch (e) {
    if (e instanceof SpecProblem) throw new ConfigError("block.parseDiskSpec", file, e.where, e.expected, e.got);
    throw e;
  }
}

/** The same check as a scenario field schema (zod, through core's `checked`): the message names the sub-field. */
export const diskSpecField = checked<DiskSpec>((v) => {
  try {
    return { ok: parse(v, "disk") };
  } catch (e) {
    if (e instanceof SpecProblem) return `${e.where}: expected ${e.expected}, got ${e.got}`;
    throw e;
  }
});
