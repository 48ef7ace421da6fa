// mmsim: @mmsim/conformance public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { FIXTURES_DIR, REQUIRED_CAPTURE_FILES, captureFileName, findFixture, listFixtures, readFixture, resolveFixture } from "./fixtures.ts";
export type { CaptureInfo, Fixture } from "./fixtures.ts";
export {
  CLOSE, MISSING, UNNAMED_LATER_BOOT_KB, conformanceChecks, laterBootUse, loggedLaterAllocations, memAvailableEstimates, pcpListKb, realManaged, dmesgLines, parseMemoryLine, parseMeminfo, parseSysVm, parseZoneinfo, shapeOf, summarize,
} from "./checks.ts";
export type { Check, CheckKind, LaterBootUse, ManagedWhatIf, SimulatedBoard, ZoneinfoZone } from "./checks.ts";
export {
  REPORT_WIDTH, bootLikeFixture, bootWithManaged, checkMachine, describeDifference, differingSpan, fixtureScenario, formatReport, runConformance, wrapText, zoneinfoWithManaged,
} from "./report.ts";
export type { ReportOptions } from "./report.ts";
export { CONFORMANCE_FAILED, CONFORMANCE_OK, conformanceCommand, describeFixture, scenarioForFixture } from "./command.ts";
export type { ConformanceCommandOptions, ConformanceOutput } from "./command.ts";
