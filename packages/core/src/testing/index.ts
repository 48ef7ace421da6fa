// mmsim: @mmsim/core/testing — test doubles and checkers, usable without a test runner (never imported from ".")
export { CollectingSink, expectValid } from "./collecting-sink.ts";
export type { Problem } from "./collecting-sink.ts";
export { RecordingBootPageSink } from "./recording-boot-page-sink.ts";
export { TraceRecorder } from "./trace-recorder.ts";
export type { RecordedEvent } from "./trace-recorder.ts";
export { FakePageAllocator } from "./fake-page-allocator.ts";
export { rate, time, parseTarget, median, verdict, si } from "./bench-targets.ts";
export type { RateTarget, TimeTarget } from "./bench-targets.ts";
