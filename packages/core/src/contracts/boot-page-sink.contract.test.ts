import { describeBootPageSink } from "./boot-page-sink.contract.ts";
import { RecordingBootPageSink } from "../testing/recording-boot-page-sink.ts";

// The fake runs the same contract the buddy allocator will: the contract itself is tested here.
describeBootPageSink("RecordingBootPageSink", () => {
  const sink = new RecordingBootPageSink();
  return { sink, basePfn: 0x40000, endPfn: 0x40000 + 4096, freePages: () => sink.freedPages };
});
