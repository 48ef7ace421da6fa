// mmsim: @mmsim/conformance public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { FIXTURES_DIR, captureFileName, findFixture, listFixtures } from "./fixtures.ts";
export type { CaptureInfo, Fixture } from "./fixtures.ts";
export {
  CLOSE, MISSING, conformanceChecks, realManaged, dmesgLines, parseMemoryLine, parseMeminfo, parseSysVm, parseZoneinfo, shapeOf, summarize,
} from "./checks.ts";
export type { Check, CheckKind, ManagedWhatIf, SimulatedBoard, ZoneinfoZone } from "./checks.ts";
export { bootLikeFixture, checkMachine, describeDifference, fixtureScenario, formatReport, runConformance, zoneinfoWithManaged } from "./report.ts";
