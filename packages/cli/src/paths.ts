// mmsim: relative paths on the command line are the user's — resolved against the directory the command was typed in (no kernel counterpart)
/*
 * `pnpm mmsim …` runs the CLI from the workspace root whatever directory the user is in; pnpm
 * (like npm) says where the user was in INIT_CWD; the wrapper (tools/mmsim.mjs) hands it to the
 * bin as MMSIM_CWD, which passes it as CliIo.cwd (else process.cwd()), and every path the user gives — a scenario file, the
 * --chart file, a policy module in `--set kernel.policies.<slot>=./x.mjs` or `--vary` — is
 * resolved against it. A path is shown as typed when the user's directory is the process's
 * own (so messages name `my.yaml`, not /home/…/my.yaml), and absolute otherwise.
 */
import { isAbsolute, resolve } from "node:path";

/** The user's directory: `cwd` when given, else the process's. */
export function userCwd(cwd: string | undefined): string {
  return cwd ?? process.cwd();
}

/** A path the user typed, made usable from the process's directory. */
export function userPath(cwd: string | undefined, path: string): string {
  if (isAbsolute(path)) return path;
  const dir = userCwd(cwd);
  return resolve(dir) === resolve(process.cwd()) ? path : resolve(dir, path);
}

/**
 * Whether a policy value names a module file rather than a built-in implementation: the rule
 * @mmsim/machine applies (Machine.createAsync's isModulePath): it starts with "." or "/" or ends in .js/.mjs.
 */
export function isModulePath(value: string): boolean {
  return value.startsWith(".") || value.startsWith("/") || /\.(m?js)$/.test(value);
}

/** A policy choice: a module path is resolved against the user's directory (as userPath); a name stays. */
export function userPolicy(cwd: string | undefined, value: string): string {
  return isModulePath(value) ? userPath(cwd, value) : value;
}

/** `--set` assignments with module paths in `kernel.policies.<slot>=<path>` resolved against the user's directory. */
export function userSets(cwd: string | undefined, sets: readonly string[]): string[] {
  return sets.map((s) => {
    const m = /^(\s*kernel\.policies\.[^=\s]+\s*=\s*)(.+?)\s*$/.exec(s);
    return m ? `${m[1]}${userPolicy(cwd, m[2]!)}` : s;
  });
}
