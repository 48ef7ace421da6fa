#!/usr/bin/env bash
# mmsim: proves every published package works alone from its npm tarball: builds and packs each
# workspace package that is not private (pnpm rewrites workspace:/catalog: ranges as on publish),
# then tools/pack-smoke/run.mjs inspects every tarball, installs each alone with plain npm into a
# scratch app outside the workspace, runs the example of its README and compares what it prints
# with the README, and boots a Machine in an app that pins its own tsyringe 4.8.0.
# PACK_SMOKE_KEEP=1 keeps the scratch folder; PACK_SMOKE_JOBS=n sets how many apps install at once;
# PACK_SMOKE_TMP=dir puts the scratch folder there (default: /dev/shm if writable, else $TMPDIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$SECONDS
pkgs=()   # the names of the published packages
libs=()   # their tsconfig.lib.json
while read -r name dir; do pkgs+=("$name"); libs+=("$dir/tsconfig.lib.json"); done < <(node -e '
  const fs = require("fs"), path = require("path");
  for (const group of ["packages", "tests", "examples"]) {
    for (const d of fs.readdirSync(group).sort()) {
      const f = path.join(group, d, "package.json");
      if (!fs.existsSync(f)) continue;
      const pj = JSON.parse(fs.readFileSync(f, "utf8"));
      if (!pj.private) console.log(pj.name, path.join(group, d));
    }
  }')
# The apps are ~100 MB of small files: on tmpfs when there is one (on this project's loaded CI
# disk, writing and deleting them took longer than everything else together).
base=${PACK_SMOKE_TMP:-${TMPDIR:-/tmp}}
if [ -z "${PACK_SMOKE_TMP:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
scratch=$(mktemp -d "$base/mmsim-pack-smoke.XXXXXX")
if [ "${PACK_SMOKE_KEEP:-}" = 1 ]; then echo "pack-smoke: scratch folder $scratch"; else trap 'rm -rf "$scratch"' EXIT; fi

# Each package's build script is `tsc -b tsconfig.lib.json`: one incremental tsc over all of
# them does the same work without nx's per-task start-up (nearly nothing after `pnpm typecheck`).
if ! out=$(pnpm -s exec tsc -b "${libs[@]}" 2>&1); then
  echo "$out" >&2
  echo "pack-smoke: the build failed" >&2
  exit 1
fi
filters=()
for p in "${pkgs[@]}"; do filters+=(--filter "$p"); done
pnpm -s "${filters[@]}" pack --pack-destination "$scratch/tgz" >/dev/null
echo "pack-smoke: built and packed ${#pkgs[@]} packages in $((SECONDS - start)) s"
node tools/pack-smoke/run.mjs "$scratch"
echo "pack-smoke: total $((SECONDS - start)) s"
