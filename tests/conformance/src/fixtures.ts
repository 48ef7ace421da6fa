// mmsim: the real-kernel captures kept in the project (fixtures/), found and read by board
/*
 * A fixture is one directory under fixtures/<kernel>/<board>/ with one file per captured path
 * (`/` → `_`, as tools/real-kernel/capture writes them) and a `capture.json` that says which
 * kernel, QEMU command and options produced it. The directory layout is the capture tool's, so
 * a user's own capture becomes a fixture by adding capture.json beside it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "@mmsim/core";
import { parseSize } from "@mmsim/machine";

/** Where the fixtures live, from src/ and from dist/ alike. */
export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** capture.json of one fixture. */
export interface CaptureInfo {
  /** The kernel package and version. */
  readonly kernel: string;
  /** The QEMU command line (board, CPU, RAM). */
  readonly qemu: string;
  /** The kernel command line. */
  readonly cmdline: string;
  /** RAM as given to QEMU (`-m`), e.g. "4G". */
  readonly mem: string;
  /** CPUs (`-smp`). */
  readonly smp: number;
  /** How it was produced (the capture command, or where it was copied from). */
  readonly how: string;
}

/** One real capture. */
export interface Fixture {
  /** `<kernel>/<board>`, e.g. `linux-6.1-arm64/virt-4g-4cpu`. */
  readonly name: string;
  readonly dir: string;
  readonly info: CaptureInfo;
  /** RAM in bytes. */
  readonly memBytes: number;
  /** A captured file by its path (`/proc/zoneinfo`, `dmesg`), or undefined if not captured. */
  file(path: string): string | undefined;
}

/** The file name the capture tool gives a path: leading `/` dropped, `/` → `_`. */
export function captureFileName(path: string): string {
  return path.replace(/^\//, "").replace(/\//g, "_");
}

/** The files a capture must have to be compared: capture.json (the board) and the three files most figures come from. */
export const REQUIRED_CAPTURE_FILES = ["capture.json", "dmesg", captureFileName("/proc/zoneinfo"), captureFileName("/proc/meminfo")] as const;

const CAPTURE_JSON_KEYS = `{"kernel", "qemu", "cmdline", "mem" (e.g. "512M"), "smp" (a number), "how"}`;

function readInfo(dir: string): CaptureInfo {
  const file = join(dir, "capture.json");
  let raw: Partial<CaptureInfo>;
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as Partial<CaptureInfo>;
  } catch (e) {
    throw new ArgumentError("conformance.readInfo", file, `a JSON object ${CAPTURE_JSON_KEYS}`, `text that is not JSON (${(e as Error).message})`);
  }
  for (const key of ["kernel", "qemu", "cmdline", "mem", "how"] as const) {
    if (typeof raw[key] !== "string") throw new ArgumentError("conformance.readInfo", `${file}: ${key}`, "a string", JSON.stringify(raw[key]));
  }
  if (typeof raw.smp !== "number" || !Number.isInteger(raw.smp) || raw.smp < 1) {
    throw new ArgumentError("conformance.readInfo", `${file}: smp`, "a positive integer", JSON.stringify(raw.smp));
  }
  return raw as CaptureInfo;
}

/**
 * One capture directory as a Fixture (the layout tools/real-kernel/capture writes, plus capture.json).
 * @param name what the report calls it (default: the directory path)
 * @throws ArgumentError naming the first missing file of REQUIRED_CAPTURE_FILES, or a bad capture.json
 */
export function readFixture(dir: string, name: string = dir): Fixture {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ArgumentError("conformance.readFixture", "--fixture", "a directory holding a real capture", `${dir} (${existsSync(dir) ? "not a directory" : "no such directory"})`);
  }
  for (const f of REQUIRED_CAPTURE_FILES) {
    if (existsSync(join(dir, f))) continue;
    const how = f === "capture.json"
      ? `a capture.json ${CAPTURE_JSON_KEYS} beside the captured files (see tests/conformance/README.md)`
      : `the file ${f}, as tools/real-kernel/capture writes it`;
    throw new ArgumentError("conformance.readFixture", `--fixture ${dir}`, `a capture directory with ${REQUIRED_CAPTURE_FILES.join(", ")}`, `no ${f} in it: add ${how}`);
  }
  const info = readInfo(dir);
  const memBytes = parseSize(info.mem);
  if (typeof memBytes === "string") throw new ArgumentError("conformance.readFixture", `${join(dir, "capture.json")}: mem`, "a size like 4G", memBytes);
  return {
    name,
    dir,
    info,
    memBytes,
    file(path: string) {
      const f = join(dir, captureFileName(path));
      return existsSync(f) ? readFileSync(f, "utf8") : undefined;
    },
  };
}

/** Every fixture, sorted by kernel, then RAM, then CPUs. */
export function listFixtures(root: string = FIXTURES_DIR): Fixture[] {
  const out: Fixture[] = [];
  for (const kernel of readdirSync(root).sort()) {
    const kdir = join(root, kernel);
    if (!statSync(kdir).isDirectory()) continue;
    for (const board of readdirSync(kdir).sort()) {
      const dir = join(kdir, board);
      if (!statSync(dir).isDirectory() || !existsSync(join(dir, "capture.json"))) continue;
      out.push(readFixture(dir, `${kernel}/${board}`));
    }
  }
  return out.sort((a, b) => a.name.split("/")[0]!.localeCompare(b.name.split("/")[0]!) || a.memBytes - b.memBytes || a.info.smp - b.info.smp);
}

/**
 * The fixture for a board: by name (`virt-4g-4cpu` or `linux-6.1-arm64/virt-4g-4cpu`), or by RAM
 * and CPUs. Throws an ArgumentError listing the fixtures when none matches.
 */
export function findFixture(want: { name?: string; memBytes?: number; smp?: number }, root: string = FIXTURES_DIR): Fixture {
  const all = listFixtures(root);
  const hit = all.find((f) =>
    want.name !== undefined
      ? f.name === want.name || f.name.endsWith(`/${want.name}`)
      : (want.memBytes === undefined || f.memBytes === want.memBytes) && (want.smp === undefined || f.info.smp === want.smp),
  );
  if (hit) return hit;
  const what = want.name !== undefined ? `named ${want.name}` : `with ${want.memBytes === undefined ? "any RAM" : `${want.memBytes / 2 ** 20} MiB`} and ${want.smp ?? "any number of"} CPUs`;
  throw new ArgumentError(
    "conformance.findFixture",
    want.name !== undefined ? "--fixture" : "--mem/--smp",
    `a board with a real capture: ${all.map((f) => `${f.name} (--mem ${f.info.mem} --smp ${f.info.smp})`).join(", ")} ` +
      "(make more with tools/real-kernel/capture, see tests/conformance/README.md)",
    `a board ${what}`,
  );
}

/**
 * What `--fixture` names: a fixture of the project (`virt-4g-4cpu`, `linux-6.1-arm64/virt-4g-4cpu`)
 * or, failing that, a directory holding a capture of one's own (relative to `cwd`).
 * @throws ArgumentError listing the fixtures when it is neither, or naming what a directory lacks
 */
export function resolveFixture(nameOrDir: string, cwd: string = process.cwd(), root: string = FIXTURES_DIR): Fixture {
  const all = listFixtures(root);
  const hit = all.find((f) => f.name === nameOrDir || f.name.endsWith(`/${nameOrDir}`));
  if (hit) return hit;
  const dir = resolve(cwd, nameOrDir);
  if (existsSync(dir)) return readFixture(dir, nameOrDir);
  throw new ArgumentError(
    "conformance.resolveFixture",
    "--fixture",
    `the name of a real capture (${all.map((f) => f.name.replace(/^.*\//, "")).join(", ")}) or a directory holding one`,
    `${nameOrDir} (no such capture or directory)`,
  );
}
