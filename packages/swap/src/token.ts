// mmsim: the machine's swap service (token SWAP): the Swap of mm/swapfile.c and the zram disks (no kernel counterpart as one object)
import { token } from "@mmsim/core";
import type { Swap } from "./swapfile.ts";
import type { SwapDisk } from "./swap-bdev.ts";
import type { Zram } from "./zram-drv.ts";

/** One machine's swap and its zram disks. */
export interface SwapService {
  readonly swap: Swap;
  /** zram0.. (num_devices=1: one disk). */
  readonly zram: readonly Zram[];
  /** Virtio disks added as swap devices (the swap_disk step), in order. */
  readonly disks: SwapDisk[];
  /** Adds a blank virtio disk of `sizeBytes` (the machine's next virtio-blk device) and makes it nameable by swapon. */
  addDisk(sizeBytes: number, rotational: boolean): SwapDisk;
}
export const SWAP = token<SwapService>("Swap");
