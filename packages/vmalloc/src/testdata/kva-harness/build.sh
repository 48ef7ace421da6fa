#!/bin/sh
# mmsim: rebuilds ../kva-6.1-seed*.txt from a Linux 6.1 source tree (no kernel code is kept here)
#
# Usage: sh build.sh <path to a linux-6.1.y tree>
# Compiles the "Global kva allocator" section of the tree's mm/vmalloc.c, its
# vmap_init_free_space() and lib/rbtree.c in user space, with the stubs of mini.h/stubs.h
# (locks, atomics, a malloc-backed kmem_cache that poisons new objects, one CPU's per-CPU
# variables, num_online_cpus() = 2) and driver.c's xorshift32 op generator, the same as
# kva.differential.test.ts. Checked with 6.1.166 (and its vmalloc.c equals 6.1.129's).
set -e
K=$1
test -f "$K/mm/vmalloc.c" || { echo "usage: sh build.sh <linux-6.1 tree>" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
mkdir -p "$D/linux"
cp "$K/include/linux/rbtree.h" "$K/include/linux/rbtree_augmented.h" "$K/include/linux/rbtree_types.h" "$D/linux/"
cp "$K/lib/rbtree.c" "$D/"
cp "$here/stubs.h" "$D/linux/stubs.h"
for h in container_of stddef rcupdate compiler export; do echo '#include "stubs.h"' > "$D/linux/$h.h"; done
cp "$here/mini.h" "$here/driver.c" "$D/"
V="$K/mm/vmalloc.c"
start=$(grep -n '^/\*\*\* Global kva allocator \*\*\*/' "$V" | cut -d: -f1)
end=$(grep -n '^/\*\*\* Per cpu kva allocator \*\*\*/' "$V" | cut -d: -f1)
fs=$(grep -n '^static void vmap_init_free_space(void)' "$V" | cut -d: -f1)
fe=$(awk -v s="$fs" 'NR > s && /^}/ { print NR; exit }' "$V")
{
  echo '#include "mini.h"'
  sed -n "${start},$((end - 1))p" "$V"
  echo 'static void purge_fragmented_blocks_allcpus(void) {}'
  sed -n "${fs},${fe}p" "$V"
  echo '#include "driver.c"'
} > "$D/kva.c"
gcc -O1 -I"$D" -o "$D/kvah" "$D/kva.c" "$D/rbtree.c" 2>/dev/null
for spec in "99 6000" "12345 3000"; do
  set -- $spec
  out="$here/../kva-6.1-seed$1-ops$2.txt"
  {
    echo "# Output of mm/vmalloc.c's global kva allocator (6.1.166, lines 741-1870 and vmap_init_free_space),"
    echo "# compiled in user space with lib/rbtree.c and stub locks/slab/percpu, driven by xorshift32 seed $1 for $2 ops"
    echo "# (the op generator of kva.differential.test.ts). A = alloc_vmap_area() result (offset from VMALLOC_START or E<errno>),"
    echo "# F = flush_tlb_kernel_range(), P = explicit purge, L = free list, U = purge list, Z = vmap_lazy_nr at the end."
    "$D/kvah" "$1" "$2"
  } > "$out"
done
rm -rf "$D"
