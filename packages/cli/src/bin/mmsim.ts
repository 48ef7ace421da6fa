// mmsim: entry point of the `mmsim` command — process streams, the user's directory and exit status around main()
/*
 * Run as `node packages/cli/dist/bin/mmsim.js …` (or through `bin/mmsim.js`, the npm bin with
 * the shebang). The exit status is set with process.exitCode, never process.exit(), so stdout
 * is flushed first. A closed pipe (`mmsim dmesg | head -1`) ends the process quietly.
 * `pnpm mmsim …` runs this from the workspace root (tools/mmsim.mjs); that wrapper passes the
 * directory the user typed the command in (pnpm's INIT_CWD) as MMSIM_CWD, and relative paths on
 * the command line resolve against it. Run any other way — the npm bin, or from another
 * package's script where INIT_CWD names that script's caller — paths are the process's own.
 */
import { versionOnlyOutput } from "../version.ts";

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const argv = process.argv.slice(2);
// `mmsim --version` needs none of the simulator: answered before main.ts (and its ~360 modules) is loaded.
const version = versionOnlyOutput(argv);
if (version !== null) {
  process.stdout.write(version);
} else {
  const { main } = await import("../main.ts");
  process.exitCode = await main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.env.MMSIM_CWD || process.cwd(),
  });
}
