// mmsim: mmsim's version, and the `mmsim --version` command line answered without loading the simulator (issue 22: start-up < 150 ms)
import { readFileSync } from "node:fs";

/** The version of @mmsim/cli (its package.json), "0.0.0" when that cannot be read. */
export function packageVersion(): string {
  try {
    const pj = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pj.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/**
 * The output of a command line that only asks for the version (`mmsim --version` or `mmsim -V`,
 * nothing else), or null for any other command line. The bin answers it before importing the
 * simulator's ~360 modules (which take ~0.3–0.6 s to load); the text is what main()'s Commander
 * program prints for the same line (a test compares the two).
 */
export function versionOnlyOutput(argv: readonly string[]): string | null {
  return argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V") ? `${packageVersion()}\n` : null;
}
