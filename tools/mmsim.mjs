// mmsim: the root `pnpm mmsim …` script — builds the CLI with nx when something changed, saying so on stderr, then runs it
/*
 * nx decides what to rebuild (its cache in .nx/cache); this script only watches nx's stream
 * output: a task that starts without "[local cache]" or "[existing outputs match the cache…]"
 * is a real build, and the first one prints a line on stderr (a cold build of the 11 packages
 * takes about 2 minutes on a loaded 2-core machine, and printed nothing before). stdout carries
 * only mmsim's own output, so `pnpm -s mmsim cat /proc/buddyinfo | diff - real` keeps working.
 * When the build fails, nx's whole output goes to stderr and its exit status is returned.
 */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nxBin = join(root, "node_modules", ".bin", "nx");

/** Runs the nx build; resolves to its exit status. */
function build() {
  return new Promise((resolve) => {
    const child = spawn(nxBin, ["run", "@mmsim/cli:build", "--output-style=stream"], {
      cwd: root,
      env: { ...process.env, NX_TUI: "false", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = [];
    let announced = false;
    let pending = "";
    const onData = (chunk) => {
      output.push(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        // "> nx run @mmsim/core:build" starts a task; cached ones carry a bracketed note.
        const m = /^> nx run (\S+):build\s*(\[.*\])?\s*$/.exec(line);
        if (!m || m[2] !== undefined) continue;
        if (!announced) {
          process.stderr.write("mmsim: building the CLI and the packages it uses first (a cold build takes about 2 min; later runs rebuild only what changed)\n");
          announced = true;
        }
        process.stderr.write(`mmsim: building ${m[1]}\n`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (e) => {
      process.stderr.write(`mmsim: could not run nx (${e.message}); run \`pnpm install\` first\n`);
      resolve(1);
    });
    child.on("close", (code) => {
      if (code !== 0) {
        process.stderr.write(Buffer.concat(output));
        process.stderr.write(`mmsim: the build failed (nx exit status ${code}); its output is above\n`);
      } else if (announced) {
        process.stderr.write("mmsim: built\n");
      }
      resolve(code ?? 1);
    });
  });
}

const status = await build();
if (status !== 0) process.exitCode = status;
else {
  // The user's directory, for the relative paths they typed (pnpm runs this script from the root).
  if (process.env.INIT_CWD) process.env.MMSIM_CWD = process.env.INIT_CWD;
  await import(pathToFileURL(join(root, "packages", "cli", "bin", "mmsim.js")).href);
}
