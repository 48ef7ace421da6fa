#!/usr/bin/env bash
# mmsim: proves @mmsim/memblock works alone from `pnpm pack`: builds and packs core and memblock,
# installs the two tarballs with plain npm into a scratch folder outside the workspace, and runs a
# script that boots memblock the way the reference board does and checks what it prints.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pnpm -s nx run-many -t build -p @mmsim/core @mmsim/memblock --output-style=static >/dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mmsim-pack-smoke.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
pnpm -s --filter @mmsim/core --filter @mmsim/memblock pack --pack-destination "$scratch" >/dev/null
mkdir "$scratch/app"
cd "$scratch/app"
npm init -y >/dev/null 2>&1
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --loglevel=error "$scratch"/mmsim-core-*.tgz "$scratch"/mmsim-memblock-*.tgz >/dev/null 2>&1
cp "$root/tools/pack-smoke/use-memblock.mjs" .
node use-memblock.mjs
