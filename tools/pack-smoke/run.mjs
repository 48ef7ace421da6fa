// mmsim: the pack smoke test's checks — every published tarball inspected, installed alone with plain npm, its README example run
/*
 * Run by tools/pack-smoke.sh after it has built and packed every published package into
 * <scratch>/tgz. For each tarball:
 *   1. what is in it: package.json fields npm users expect (license, repository, homepage, bugs,
 *      main/types, exports and bin targets that exist, no workspace:/catalog: ranges, tsyringe and
 *      reflect-metadata as peer dependencies), LICENSE and README, no tests or build info, every
 *      source map's sources shipped, README links absolute and free of the project's internal
 *      vocabulary;
 *   2. a scratch app outside the workspace that installs only that tarball (and the tarballs of
 *      the @mmsim packages it depends on, which are not on the registry) with plain npm;
 *   3. the README's example, taken from the README itself: the first fenced block after the
 *      marker line `<!-- pack-smoke: example -->` (```js runs as an ES module, ```sh with bash),
 *      and the next fenced block is what it must print (compared line by line, trailing spaces
 *      ignored, so an editor that strips them does not break the check).
 * An ```sh example runs with the app's node_modules/.bin first on PATH, as after a global
 * install. @mmsim/machine's app is a host app that pins its own tsyringe (4.8.0, the bottom of
 * the peer range) and reflect-metadata (0.1.14): there the README example runs too, and
 * host-app.mjs boots a Machine beside the app's own use of tsyringe. Every app must hold one
 * copy of each peer. The CLI app also checks that `--chart` without vega says what to install.
 *
 * Apps are installed and run PACK_SMOKE_JOBS at a time (default 3: npm mostly waits on disk and
 * network). npm uses its cache first (--prefer-offline) and the registry for what is missing.
 * Prints one line per app and a table of tarball sizes; exit status 1 on any problem.
 */
import { execFile as execFileCb } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { delimiter, dirname, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFile = promisify(execFileCb);
const here = dirname(fileURLToPath(import.meta.url));
const scratch = process.argv[2];
if (!scratch || !existsSync(join(scratch, "tgz"))) {
  console.error("usage: node tools/pack-smoke/run.mjs <scratch dir holding tgz/*.tgz> (run tools/pack-smoke.sh)");
  process.exit(2);
}
const JOBS = Number(process.env.PACK_SMOKE_JOBS ?? 3);
const MARKER = "<!-- pack-smoke: example -->";
/** The host app's own pins: the bottom of the peer ranges the packages declare. */
const HOST_PINS = { tsyringe: "4.8.0", "reflect-metadata": "0.1.14" };
const PEERS = ["tsyringe", "reflect-metadata"];
/** Words of the project's own process that mean nothing to a user of a package. */
const JARGON = [/SEEDS?[- ]CHECKLIST/i, /\bSTYLE(\.md)? C\d/, /KERNEL-FACTS/, /TOOLCHAIN/, /\.\.\/shared\b/, /\bshared\/(reference|seeds)/, /\bthe brief\b/i];

const problems = [];
const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1);

// ---- 1. the tarballs ------------------------------------------------------------------------

/** Every file under dir, as posix paths relative to it. */
function walkFiles(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p, base));
    else out.push(relative(base, p).split("\\").join("/"));
  }
  return out;
}

/** The file paths an exports map points at (every condition). */
function exportTargets(node) {
  if (typeof node === "string") return [node];
  if (node === null || typeof node !== "object") return [];
  return Object.values(node).flatMap(exportTargets);
}

const tgzDir = join(scratch, "tgz");
const pkgs = new Map(); // name → { name, tgz, dir, pj, files, packed, unpacked }
for (const f of readdirSync(tgzDir).filter((f) => f.endsWith(".tgz")).sort()) {
  const tgz = join(tgzDir, f);
  const dir = join(scratch, "unpacked", f.replace(/\.tgz$/, ""));
  mkdirSync(dir, { recursive: true });
  await execFile("tar", ["-xzf", tgz, "-C", dir]);
  const root = join(dir, "package");
  const pj = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const files = walkFiles(root);
  const unpacked = files.reduce((n, p) => n + statSync(join(root, p)).size, 0);
  pkgs.set(pj.name, { name: pj.name, tgz, dir: root, pj, files, packed: statSync(tgz).size, unpacked });
}
if (pkgs.size === 0) problems.push("no tarballs were packed");

const repoUrls = new Set();
for (const p of pkgs.values()) {
  const bad = (what) => problems.push(`${p.name}: ${what}`);
  const { pj, files } = p;
  const has = (rel) => files.includes(posix.normalize(rel.replace(/^\.\//, "")));
  if (pj.license !== "MIT") bad(`license is ${JSON.stringify(pj.license)}, expected "MIT"`);
  if (!has("LICENSE") || !readFileSync(join(p.dir, "LICENSE"), "utf8").startsWith("MIT License")) bad("no MIT LICENSE file in the tarball");
  if (!has("README.md")) bad("no README.md in the tarball");
  if (typeof pj.repository?.url !== "string" || typeof pj.repository?.directory !== "string") bad("repository.url and repository.directory are missing");
  else repoUrls.add(pj.repository.url);
  if (typeof pj.homepage !== "string") bad("homepage is missing");
  if (typeof pj.bugs?.url !== "string") bad("bugs.url is missing");
  for (const field of ["main", "types"]) if (typeof pj[field] !== "string" || !has(pj[field])) bad(`${field} ${JSON.stringify(pj[field])} is not a file in the tarball`);
  for (const t of exportTargets(pj.exports)) if (!has(t)) bad(`exports target ${t} is not in the tarball`);
  if (JSON.stringify(pj.exports ?? {}).includes("@mmsim/source")) bad("exports still carry the @mmsim/source condition (publishConfig.exports should replace them)");
  for (const t of Object.values(typeof pj.bin === "string" ? { bin: pj.bin } : (pj.bin ?? {}))) if (!has(t)) bad(`bin ${t} is not in the tarball`);
  if (Array.isArray(pj.sideEffects)) for (const t of pj.sideEffects) if (!has(t)) bad(`sideEffects names ${t}, which is not in the tarball`);
  for (const kind of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(pj[kind] ?? {})) if (/^(workspace|catalog):/.test(range)) bad(`${kind}.${dep} is ${range} (pnpm did not rewrite it)`);
  }
  for (const peer of PEERS) {
    if (pj.dependencies?.[peer] !== undefined) bad(`${peer} is a dependency; it must be a peer dependency (one copy shared with the app)`);
    if (pj.peerDependencies?.[peer] === undefined) bad(`${peer} is not a peer dependency`);
  }
  for (const f of files) {
    if (/\.test(-helpers)?\.|\.tsbuildinfo$/.test(f)) bad(`ships ${f} (tests and build info stay in the repository)`);
    if (!f.endsWith(".map")) continue;
    const map = JSON.parse(readFileSync(join(p.dir, f), "utf8"));
    for (const s of map.sources ?? []) {
      const target = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? "", s));
      if (!has(target)) bad(`${f} points at ${s}, which is not in the tarball`);
    }
  }
  const readme = has("README.md") ? readFileSync(join(p.dir, "README.md"), "utf8") : "";
  for (const m of readme.matchAll(/\]\(([^)\s]+)[^)]*\)/g)) {
    if (!/^(https?:|mailto:|#)/.test(m[1])) bad(`README links to ${m[1]}, which is not an absolute URL (npm shows the README without the repository around it)`);
  }
  for (const re of JARGON) {
    const m = re.exec(readme);
    if (m) bad(`README uses the project's internal "${m[0]}" (line ${readme.slice(0, m.index).split("\n").length})`);
  }
  if (!readme.includes(MARKER)) bad(`README has no example marked ${MARKER}`);
}
if (repoUrls.size > 1) problems.push(`packages name different repositories: ${[...repoUrls].join(", ")}`);

// ---- 2. apps --------------------------------------------------------------------------------

/** The @mmsim packages `name` needs (itself included), from the packed package.json files. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  const p = pkgs.get(name);
  if (!p) throw new Error(`${name} is needed but was not packed`);
  seen.add(name);
  for (const dep of Object.keys({ ...p.pj.dependencies, ...p.pj.peerDependencies })) if (dep.startsWith("@mmsim/")) closure(dep, seen);
  return seen;
}

/** The README's example block and the output block after it. */
function readmeExample(p) {
  const text = readFileSync(join(p.dir, "README.md"), "utf8");
  const at = text.indexOf(MARKER);
  if (at < 0) return undefined;
  const fences = [...text.slice(at).matchAll(/^```([a-z]*)[^\n]*\n([\s\S]*?)^```\s*$/gm)];
  if (fences.length < 2 || !["js", "sh"].includes(fences[0][1])) throw new Error(`${p.name}: README: after ${MARKER} expected a \`\`\`js or \`\`\`sh block and then its output block`);
  return { lang: fences[0][1], code: fences[0][2], expected: fences[1][2] };
}

const normalize = (s) => s.replace(/\r/g, "").split("\n").map((l) => l.trimEnd()).join("\n").replace(/\n+$/, "");

/** The first line where two texts differ, for the report. */
function firstDifference(got, want) {
  const g = got.split("\n"), w = want.split("\n");
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) return `line ${i + 1}: got ${JSON.stringify(g[i] ?? "(end)")}, README says ${JSON.stringify(w[i] ?? "(end)")}`;
  }
  return "";
}

async function run(cmd, args, cwd, timeout = 180_000) {
  // the app's own bins first, as for a user who installed the package globally
  const PATH = `${join(cwd, "node_modules", ".bin")}${delimiter}${process.env.PATH}`;
  try {
    const { stdout, stderr } = await execFile(cmd, args, { cwd, timeout, maxBuffer: 64 << 20, env: { ...process.env, PATH, NO_COLOR: "1", npm_config_update_notifier: "false" } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: (e.stderr ?? "") + (typeof e.code === "number" ? "" : String(e.message)) };
  }
}

/** Every copy of `name` under the app's node_modules (path → version). */
function copiesOf(app, name) {
  const out = [];
  const visit = (nm) => {
    if (!existsSync(nm)) return;
    for (const e of readdirSync(nm)) {
      if (e.startsWith(".")) continue;
      const entries = e.startsWith("@") ? readdirSync(join(nm, e)).map((s) => `${e}/${s}`) : [e];
      for (const n of entries) {
        const dir = join(nm, n);
        if (n === name && existsSync(join(dir, "package.json"))) out.push(`${relative(app, dir)}@${JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version}`);
        visit(join(dir, "node_modules"));
      }
    }
  };
  visit(join(app, "node_modules"));
  return out;
}

/** Creates the app, installs the tarballs, runs its checks; returns a one-line result. */
async function app({ id, pkg, pins = {}, extra }) {
  const dir = join(scratch, "apps", id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: id, version: "0.0.0", private: true, type: "module", dependencies: pins }, null, 2));
  const tgzs = [...closure(pkg)].map((n) => pkgs.get(n).tgz);
  const ti = Date.now();
  const inst = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...tgzs], dir);
  const installMs = Date.now() - ti;
  const fail = (what) => ({ ok: false, line: `${id}: ${what}` });
  if (inst.code !== 0) return fail(`npm install failed:\n${inst.stderr}`);
  for (const peer of PEERS) {
    const copies = copiesOf(dir, peer);
    if (copies.length !== 1) return fail(`expected one ${peer}, found ${copies.length}: ${copies.join(", ") || "none"}`);
    if (pins[peer] && !copies[0].endsWith(`@${pins[peer]}`)) return fail(`the app pins ${peer} ${pins[peer]} but got ${copies[0]}`);
  }
  const tr = Date.now();
  const ex = readmeExample(pkgs.get(pkg));
  if (!ex) return fail("no README example");
  const file = ex.lang === "js" ? "readme-example.mjs" : "readme-example.sh";
  writeFileSync(join(dir, file), ex.code);
  const r = ex.lang === "js" ? await run(process.execPath, [file], dir) : await run("bash", ["-euo", "pipefail", file], dir);
  if (r.code !== 0) return fail(`the README example exited ${r.code}:\n${r.stderr}`);
  const got = normalize(r.stdout), want = normalize(ex.expected);
  if (got !== want) return fail(`the README example printed something else than the README says (${firstDifference(got, want)}); it printed:\n${r.stdout}`);
  const notes = [];
  if (extra) {
    const e = await extra(dir);
    if (!e.ok) return fail(e.line);
    notes.push(e.line);
  }
  return { ok: true, line: `${id}: ok (npm install ${secs(installMs)} s, README example ${secs(Date.now() - tr)} s${notes.length ? `; ${notes.join("; ")}` : ""})` };
}

const apps = [...pkgs.keys()].map((pkg) => ({ id: `app-${pkg.replace("@mmsim/", "")}`, pkg }));

// @mmsim/machine goes into the host app: its own tsyringe and reflect-metadata, pinned.
const machineApp = apps.find((a) => a.pkg === "@mmsim/machine");
if (machineApp) {
  Object.assign(machineApp, {
    id: "app-machine-host-tsyringe-4.8.0",
    pins: HOST_PINS,
    extra: async (dir) => {
      copyFileSync(join(here, "host-app.mjs"), join(dir, "host-app.mjs"));
      const r = await run(process.execPath, ["host-app.mjs"], dir);
      return r.code === 0 ? { ok: true, line: r.stdout.trim() } : { ok: false, line: `host-app.mjs exited ${r.code}:\n${r.stdout}${r.stderr}` };
    },
  });
}

// The CLI without the optional chart libraries: --chart must say what to install.
const cliApp = apps.find((a) => a.pkg === "@mmsim/cli");
if (cliApp) {
  cliApp.extra = async (dir) => {
    if (existsSync(join(dir, "node_modules", "vega"))) return { ok: false, line: "vega was installed with @mmsim/cli; it should be an optional peer dependency" };
    writeFileSync(join(dir, "tiny.yaml"), "workload:\n  - kmem_cache_create: { name: dentry }\n");
    const r = await run(join(dir, "node_modules", ".bin", "mmsim"), ["compare", "tiny.yaml", "--vary", "slab=slab,slub", "--mem", "256M", "--chart", "c.svg"], dir);
    const ok = r.code === 2 && r.stderr.includes("npm install vega@5 vega-lite@5") && !existsSync(join(dir, "c.svg"));
    return ok ? { ok: true, line: "--chart without vega: exit 2, says what to install" } : { ok: false, line: `mmsim compare --chart without vega: exit ${r.code}, stderr:\n${r.stderr}` };
  };
}

let next = 0;
const results = new Array(apps.length);
await Promise.all(Array.from({ length: Math.max(1, JOBS) }, async () => {
  while (next < apps.length) {
    const i = next++;
    try {
      results[i] = await app(apps[i]);
    } catch (e) {
      results[i] = { ok: false, line: `${apps[i].id}: ${e.stack ?? e}` };
    }
    console.log(`pack-smoke: ${results[i].line}`);
  }
}));
for (const r of results) if (!r.ok) problems.push(r.line);

// ---- 3. report ------------------------------------------------------------------------------
const rows = [...pkgs.values()].map((p) => [p.name, `${(p.packed / 1024).toFixed(0)} kB`, `${(p.unpacked / 1024).toFixed(0)} kB`, String(p.files.length)]);
const head = ["package", "tarball", "unpacked", "files"];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(`pack-smoke:   ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ")}`);
if (problems.length > 0) {
  console.error(`pack-smoke: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exitCode = 1;
} else {
  console.log(`pack-smoke: ${pkgs.size} packages and ${apps.length} apps ok in ${secs(Date.now() - t0)} s`);
}
