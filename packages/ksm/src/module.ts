// mmsim: DI wiring of KSM (cf. CONFIG_KSM=y): ksmd on the simulated clock, madvise's KsmMadvise, rmap's rmap_walk_ksm hook, /sys/kernel/mm/ksm and the validator
import { KernelFile, KernelThread, type MmsimModule, SIM_CLOCK, Validator, type ValidationSink, resolveToken, token } from "@mmsim/core";
import { MM_MEMORY } from "@mmsim/fault";
import { KsmMadvise, type MmStruct, type VmAreaStruct } from "@mmsim/vma";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { JIFFY_NS, Ksm } from "./ksm.ts";
import { KSM_DIR, ksmFileNames, ksmRead, ksmWrite } from "./sysfs.ts";

/** The machine's KSM. */
export const KSM = token<Ksm>("Ksm");

export const ksmModule: MmsimModule = {
  slot: "ksm",
  name: "ksm",
  description: "Kernel Samepage Merging of Linux 6.1 (mm/ksm.c): ksmd, the stable and unstable trees, chains of dups, COW unmerge, /sys/kernel/mm/ksm",
  register(container: DependencyContainer): void {
    container.register(KSM, {
      useFactory: instanceCachingFactory((c) => {
        const ksm = new Ksm({ mm: () => resolveToken(c, MM_MEMORY), now: () => resolveToken(c, SIM_CLOCK).now() });
        return ksm;
      }),
    });
    // madvise(MADV_MERGEABLE / MADV_UNMERGEABLE); the first call also gives rmap its rmap_walk_ksm
    container.register(KsmMadvise, {
      useFactory: (c) => {
        const get = () => {
          const ksm = resolveToken(c, KSM);
          const rmap = resolveToken(c, MM_MEMORY).rmap;
          rmap.ksmWalk ??= (page, v) => ksm.rmapWalkKsm(page, v);
          return ksm;
        };
        return {
          ksmEnter: (mm: MmStruct) => get().ksmEnter(mm),
          unmergeKsmPages: (vma: VmAreaStruct, start: number, end: number) => get().unmergeKsmPages(vma, start, end),
        };
      },
    });
    // ksmd: checked every jiffy; it scans when its sleep is over (ksm_scan_thread)
    container.register(KernelThread, {
      useFactory: (c) => ({
        name: "ksmd",
        periodNs: JIFFY_NS,
        perCpu: false,
        run: () => resolveToken(c, KSM).tick(),
      }),
    });
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: KSM_DIR,
        list: () => ksmFileNames.map((n) => KSM_DIR + n),
        read: (path: string) => ksmRead(resolveToken(c, KSM), path),
        write: (path: string, value: string) => ksmWrite(resolveToken(c, KSM), path, value),
      }),
    });
    // mmsim's view of ksmd's work: what it cost on the simulated clock against what it saved
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: "/sys/kernel/debug/mmsim/ksmd",
        read: () => {
          const k = resolveToken(c, KSM);
          return `batches ${k.batches}\npages_scanned ${k.pagesScanned}\nbusy_ms ${(k.busyNs / 1e6).toFixed(3)}\nsaved_kB ${k.pagesSharing * 4}\n`;
        },
      }),
    });
    container.register(Validator, {
      useFactory: (c) => ({
        name: "ksm",
        validate: (sink: ValidationSink) => resolveToken(c, KSM).validate((msg) => sink.report("ksm", msg)),
      }),
    });
  },
};
