// mmsim: the board presets a machine can boot (cf. the kernel's machine descriptors / DT compatibles; no single kernel counterpart)
import { ScenarioError } from "@mmsim/core";
import { arm64PlatformDescription } from "./arm64/platform.ts";
import type { PlatformDescription } from "./platform.ts";
import { QEMU_VIRT_ARM64_BOARD } from "./qemu-virt-arm64.ts";

/** Every board preset, by its `machine.board` name. */
export const PLATFORMS: readonly PlatformDescription[] = Object.freeze([arm64PlatformDescription(QEMU_VIRT_ARM64_BOARD)]);

/**
 * The preset a scenario's `machine.board` names.
 * @throws ScenarioError naming the boards there are
 */
export function platformFor(board: string, file: string): PlatformDescription {
  const p = PLATFORMS.find((x) => x.board === board);
  if (!p) throw new ScenarioError("machine.Machine", file, "machine.board", `unknown board "${board}"; ${PLATFORMS.length === 1 ? `the only board is ${PLATFORMS[0]!.board}` : `boards: ${PLATFORMS.map((x) => x.board).join(", ")}`}`);
  return p;
}
