// mmsim: entry point of the `mmsim` command — process streams and exit status around main()
/*
 * Run as `node packages/cli/dist/bin/mmsim.js …` (or through `bin/mmsim.js`, the npm bin with
 * the shebang). The exit status is set with process.exitCode, never process.exit(), so stdout
 * is flushed first. A closed pipe (`mmsim dmesg | head -1`) ends the process quietly.
 */
import { main } from "../main.ts";

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY),
});
