// mmsim: the real-kernel captures kept in the project (fixtures/), found and read by board
/*
 * A fixture is one directory under fixtures/<kernel>/<board>/ with one file per captured path
 * (`/` → `_`, as tools/real-kernel/capture writes them) and a `capture.json` that says which
 * kernel, QEMU command and options produced it. The directory layout is the capture tool's, so
 * a user's own capture becomes a fixture by adding capture.json beside it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
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

function readInfo(dir: string): CaptureInfo {
  const file = join(dir, "capture.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as Partial<CaptureInfo>;
  for (const key of ["kernel", "qemu", "cmdline", "mem", "how"] as const) {
    if (typeof raw[key] !== "string") throw new ArgumentError("conformance.readInfo", `${file}: ${key}`, "a string", JSON.stringify(raw[key]));
  }
  if (typeof raw.smp !== "number" || !Number.isInteger(raw.smp) || raw.smp < 1) {
    throw new ArgumentError("conformance.readInfo", `${file}: smp`, "a positive integer", JSON.stringify(raw.smp));
  }
  return raw as CaptureInfo;
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
      const info = readInfo(dir);
      const memBytes = parseSize(info.mem);
      if (typeof memBytes === "string") throw new ArgumentError("conformance.listFixtures", `${dir}/capture.json: mem`, "a size like 4G", memBytes);
      out.push({
        name: `${kernel}/${board}`,
        dir,
        info,
        memBytes,
        file(path: string) {
          const f = join(dir, captureFileName(path));
          return existsSync(f) ? readFileSync(f, "utf8") : undefined;
        },
      });
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
