#!/usr/bin/env node
// mmsim: the layer rules of STYLE C12, checked from every packages/*/package.json (TOOLCHAIN §0, §11)
/*
 * Each package declares one layer tag in package.json `nx.tags`. A package may depend (in
 * package.json, and by import in its src/) only on the layers its own layer allows:
 *
 *   type:core       → nothing in the repository
 *   type:arch       → core
 *   type:mechanism  → core, arch, mechanism
 *   type:policy     → core                     (a policy reaches subsystems through core tokens;
 *                                                no policy imports another policy)
 *   type:fs         → core, arch, mechanism    (procfs: the kernel's text files, rendered from
 *                                                the mechanisms' state; policies via core only)
 *   type:analysis   → core                     (host-side tools that model no kernel code: the
 *                                                cache-algorithm baselines and trace formats of
 *                                                @mmsim/cachesim; nothing in the kernel may use them)
 *   type:root       → core, arch, mechanism, policy, fs, analysis
 *   type:app        → core, arch, mechanism, policy, fs, analysis, root, app
 *
 * Only root and app may depend on policies, and on analysis packages. Every `@mmsim/*` import in src/ must also be a
 * declared dependency, so the published package works alone.
 *
 * Among mechanisms the layers give no order, so MECHANISM_ORDER does: a mechanism may depend
 * only on mechanisms before it. The list names the planned packages too, so that each knows
 * its place before it exists; where the kernel has a cycle (fault → reclaim → rmap → vma,
 * reclaim ↔ swap, compaction → migrate → rmap, memcg → reclaim), the later package reaches the
 * earlier one through an interface in core (docs/architecture.md §1 lists them). A mechanism
 * package not in the list is a problem: give it its place first.
 */
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const LAYERS = ["type:core", "type:arch", "type:mechanism", "type:policy", "type:fs", "type:analysis", "type:root", "type:app"];

/** Which layers each layer may depend on. */
export const ALLOWED = {
  "type:core": [],
  "type:arch": ["type:core"],
  "type:mechanism": ["type:core", "type:arch", "type:mechanism"],
  "type:policy": ["type:core"],
  "type:fs": ["type:core", "type:arch", "type:mechanism"],
  "type:analysis": ["type:core"],
  "type:root": ["type:core", "type:arch", "type:mechanism", "type:policy", "type:fs", "type:analysis"],
  "type:app": ["type:core", "type:arch", "type:mechanism", "type:policy", "type:fs", "type:analysis", "type:root", "type:app"],
};

/** The mechanisms in dependency order (planned packages included; see docs/architecture.md §1). */
export const MECHANISM_ORDER = [
  "@mmsim/memblock",
  "@mmsim/buddy",
  "@mmsim/vmalloc",
  "@mmsim/vma",
  "@mmsim/rmap",
  "@mmsim/memcg-psi",
  "@mmsim/block",
  "@mmsim/filemap",
  "@mmsim/swap",
  "@mmsim/migrate",
  "@mmsim/fault",
  "@mmsim/reclaim",
  "@mmsim/compaction",
  "@mmsim/ksm",
];

/**
 * Checks a set of packages against the layer table.
 * @param {{name: string, dir: string, tags: string[], deps: string[], imports: string[]}[]} pkgs
 *   deps: @mmsim/* names in dependencies/peerDependencies; imports: @mmsim/* names imported by src/
 * @returns {string[]} one message per violation
 */
export function checkLayers(pkgs) {
  const problems = [];
  const layerOf = new Map();
  for (const p of pkgs) {
    const layers = p.tags.filter((t) => LAYERS.includes(t));
    if (layers.length !== 1) {
      problems.push(`${p.name} (${p.dir}/package.json): needs exactly one layer tag in nx.tags (one of ${LAYERS.join(", ")}), has ${JSON.stringify(layers)}`);
      continue;
    }
    layerOf.set(p.name, layers[0]);
  }
  for (const p of pkgs) {
    const mine = layerOf.get(p.name);
    if (!mine) continue;
    if (mine === "type:mechanism" && !MECHANISM_ORDER.includes(p.name)) {
      problems.push(`${p.name} (type:mechanism) has no place in MECHANISM_ORDER (tools/check-layers.mjs): add it where its dependencies allow`);
    }
    for (const dep of new Set(p.deps)) {
      const theirs = layerOf.get(dep);
      if (!theirs) {
        problems.push(`${p.name}: depends on ${dep}, which is not a package of this workspace with a layer tag`);
        continue;
      }
      if (!ALLOWED[mine].includes(theirs)) {
        problems.push(`${p.name} (${mine}) must not depend on ${dep} (${theirs}); ${mine} may depend on: ${ALLOWED[mine].join(", ") || "nothing in the repository"}`);
      } else if (mine === "type:mechanism" && theirs === "type:mechanism") {
        const a = MECHANISM_ORDER.indexOf(p.name);
        const b = MECHANISM_ORDER.indexOf(dep);
        if (a >= 0 && b >= 0 && b >= a) {
          problems.push(`${p.name} must not depend on ${dep}: ${dep} comes after it in MECHANISM_ORDER (${MECHANISM_ORDER.join(" < ")}); reach it through an interface in core`);
        }
      }
    }
    for (const imp of new Set(p.imports)) {
      if (imp !== p.name && !p.deps.includes(imp)) {
        problems.push(`${p.name}: src/ imports ${imp} but package.json does not declare it (add it to dependencies)`);
      }
    }
  }
  return problems;
}

function walkTs(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walkTs(full, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

/**
 * Reads every published package of the workspace at `root`: packages/*, and the `@mmsim/*`
 * packages under tests/ (the conformance suite ships its fixtures and report).
 */
export function readWorkspacePackages(root) {
  const dirs = [];
  for (const top of ["packages", "tests"]) {
    const base = join(root, top);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base).sort()) {
      const pjFile = join(base, d, "package.json");
      if (!existsSync(pjFile)) continue;
      const name = JSON.parse(readFileSync(pjFile, "utf8")).name ?? "";
      if (top === "packages" || name.startsWith("@mmsim/")) dirs.push(join(base, d));
    }
  }
  return dirs
    .map((dir) => {
      const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const deps = [...Object.keys(pj.dependencies ?? {}), ...Object.keys(pj.peerDependencies ?? {})].filter((n) => n.startsWith("@mmsim/"));
      const imports = [];
      for (const f of walkTs(join(dir, "src"))) {
        const text = readFileSync(f, "utf8");
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](@mmsim\/[a-z0-9-]+)/g)) imports.push(m[1]);
      }
      return { name: pj.name, dir: relative(root, dir), tags: pj.nx?.tags ?? [], deps, imports };
    });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
  const pkgs = readWorkspacePackages(root);
  const problems = checkLayers(pkgs);
  if (problems.length) {
    console.error(`Layer rules (STYLE C12) broken:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log(`layers ok: ${pkgs.map((p) => `${p.name} [${p.tags.join(",")}]`).join(", ")}`);
}
