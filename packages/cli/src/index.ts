// mmsim: @mmsim/cli public API (named re-exports only, STYLE C11): the command, callable in-process, and its JSON schema
export { main, MEMORY_LINE, EXIT_OK, EXIT_EXPECT_FAILED, EXIT_BAD_INPUT, EXIT_PANIC, EXIT_INTERNAL } from "./main.ts";
export type { CliIo, CliStream } from "./main.ts";
export { PROGRESS_MIN_STEPS, PROGRESS_MIN_BOOT_BYTES } from "./progress.ts";
export { JSON_SCHEMA_VERSION } from "./json.ts";
export type {
  JsonDocument, JsonDocumentHead, RunJson, CatJson, DmesgJson, LayoutJson, PtWalkJson, WalkLevelJson, CompareJson, ErrorJson,
  DmesgRecord, FileJson, FileContent, MachineJson, FailedExpectJson, PanicJson, ReplayJson, ReplayConvertJson,
} from "./json.ts";
export type { CompareRow, CompareRun, Comparison } from "./compare.ts";

