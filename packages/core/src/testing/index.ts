// mmsim: @mmsim/core/testing — test doubles and contract-suite helpers (never imported from ".")
export { CollectingSink, expectValid } from "./collecting-sink.ts";
export type { Problem } from "./collecting-sink.ts";
export { describeContract } from "./contract.ts";
export type { ContractCase } from "./contract.ts";
export { describeBootPageSink } from "./boot-page-sink.contract.ts";
export type { BootPageSinkSubject } from "./boot-page-sink.contract.ts";
export { RecordingBootPageSink } from "./recording-boot-page-sink.ts";
export { TraceRecorder } from "./trace-recorder.ts";
export type { RecordedEvent } from "./trace-recorder.ts";
export { MAX_ORDER_BLOCK_PAGES } from "./constants.ts";
