// mmsim: @mmsim/cli public API (named re-exports only, STYLE C11): the command, callable in-process
export { main, MEMORY_LINE, PROGRESS_MIN_STEPS, EXIT_OK, EXIT_EXPECT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL } from "./main.ts";
export type { CliIo, CliStream } from "./main.ts";
