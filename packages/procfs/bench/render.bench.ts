// mmsim: rendering the /proc files a workload's show and expect steps read (fs/proc, mm/vmstat.c show functions)
/*
 * A scenario's `expect` step renders /proc/meminfo (or zoneinfo, vmstat) every time it runs, and
 * `mmsim cat` renders one file after boot: these are the renderers' costs on the 1 GiB reference
 * board and on a 16 GiB, 4-CPU, 2-node board. Each board first takes 2000 order-0 and 200 order-3
 * pages, freeing every other one, so the free lists are mixed as after a workload.
 */
import { GFP_KERNEL, SZ_1G, SZ_16G, pfnDown } from "@mmsim/core";
import { createBuddyAllocator, type BuddyAllocator } from "@mmsim/buddy";
import { fragShow, meminfoProcShow, pagetypeinfoShow, vmstatShow, zoneinfoShow } from "@mmsim/procfs";
import { bench, describe } from "vitest";

const RAM = 0x40000000;
/** free_area_init's zone limits for RAM at 0x40000000 on QEMU virt (arm64 zone_sizes_init: DMA, DMA32 up to 4 GiB, Normal, Movable). */
const maxZonePfn = (bytes: number): number[] => [Math.min(RAM + bytes, 2 ** 32) / 4096, Math.min(RAM + bytes, 2 ** 32) / 4096, (RAM + bytes) / 4096, 0];

function board(bytes: number, cpus: number, nodes: number): BuddyAllocator {
  const step = pfnDown(bytes) / nodes;
  const b = createBuddyAllocator({
    nrCpus: cpus,
    nodes: Array.from({ length: nodes }, (_, nid) => ({ nid, ranges: [[pfnDown(RAM) + nid * step, pfnDown(RAM) + (nid + 1) * step]] as [number, number][] })),
    maxZonePfn: maxZonePfn(bytes),
    reserved: [[0x40210000, 0x4220b000]],
  });
  for (const order of [0, 3]) {
    const got: number[] = [];
    for (let i = 0; i < (order === 0 ? 2000 : 200); i++) got.push(b.allocPages(GFP_KERNEL, order, i % cpus));
    for (let i = 0; i < got.length; i += 2) b.freePages(got[i]!, order, 0);
  }
  return b;
}

for (const [name, b] of [["1 GiB, 2 CPUs", board(SZ_1G, 2, 1)], ["16 GiB, 4 CPUs, 2 nodes", board(SZ_16G, 4, 2)]] as const) {
  const pa = b.state;
  console.log(`procfs (${name}): meminfo ${meminfoProcShow(pa, pa.vmstat).length} B, zoneinfo ${zoneinfoShow(pa, pa.vmstat).length} B, vmstat ${vmstatShow(pa, pa.vmstat).length} B, pagetypeinfo ${pagetypeinfoShow(pa).length} B`);
  describe(`render one file (${name}; files/s = hz)`, () => {
    bench("/proc/meminfo (meminfo_proc_show)", () => {
      meminfoProcShow(pa, pa.vmstat);
    });
    bench("/proc/zoneinfo (zoneinfo_show)", () => {
      zoneinfoShow(pa, pa.vmstat);
    });
    bench("/proc/vmstat (vmstat_show)", () => {
      vmstatShow(pa, pa.vmstat);
    });
    bench("/proc/buddyinfo (frag_show)", () => {
      fragShow(pa);
    });
    bench("/proc/pagetypeinfo (pagetypeinfo_show: walks every free list)", () => {
      pagetypeinfoShow(pa);
    });
  });
}
