#!/usr/bin/env bash
# mmsim: proves the published packages work alone from `pnpm pack`: builds and packs them,
# installs only what each needs with plain npm into scratch folders outside the workspace, and
# runs a script per package that uses it the way the reference board does.
#   app-memblock: @mmsim/core + @mmsim/memblock           (tools/pack-smoke/use-memblock.mjs)
#   app-buddy:    @mmsim/core + @mmsim/memblock + @mmsim/buddy (tools/pack-smoke/use-buddy.mjs)
#   app-hw-arm64: @mmsim/core + @mmsim/hw-arm64             (tools/pack-smoke/use-hw-arm64.mjs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pkgs=(@mmsim/core @mmsim/memblock @mmsim/buddy @mmsim/hw-arm64)
pnpm -s nx run-many -t build -p "${pkgs[@]}" --output-style=static >/dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mmsim-pack-smoke.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
filters=()
for p in "${pkgs[@]}"; do filters+=(--filter "$p"); done
pnpm -s "${filters[@]}" pack --pack-destination "$scratch" >/dev/null

app() { # app <name> <script> <tarball globs…>
  local name=$1 script=$2; shift 2
  mkdir "$scratch/$name"
  (
    cd "$scratch/$name"
    npm init -y >/dev/null 2>&1
    npm pkg set type=module >/dev/null 2>&1
    npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null 2>&1
    cp "$root/tools/pack-smoke/$script" .
    node "$script"
  )
}
app app-memblock use-memblock.mjs "$scratch"/mmsim-core-*.tgz "$scratch"/mmsim-memblock-*.tgz
app app-buddy use-buddy.mjs "$scratch"/mmsim-core-*.tgz "$scratch"/mmsim-memblock-*.tgz "$scratch"/mmsim-buddy-*.tgz
app app-hw-arm64 use-hw-arm64.mjs "$scratch"/mmsim-core-*.tgz "$scratch"/mmsim-hw-arm64-*.tgz
