// mmsim: @mmsim/core/contracts — one contract suite per interface, run by every implementation (needs vitest)
export { describeContract } from "./contract.ts";
export type { ContractCase } from "./contract.ts";
export { describeBootPageSink } from "./boot-page-sink.contract.ts";
export type { BootPageSinkSubject } from "./boot-page-sink.contract.ts";
export { describeKmemCacheAllocator } from "./kmem-cache-allocator.contract.ts";
export type { KmemCacheAllocatorSubject } from "./kmem-cache-allocator.contract.ts";
export { describeReclaimPolicy, SmallReclaimHost } from "./reclaim-policy.contract.ts";
export type { ReclaimPolicySubject } from "./reclaim-policy.contract.ts";
export { describeOomPolicy, SmallOomHost } from "./oom.contract.ts";
export type { OomPolicySubject, FakeOomTask } from "./oom.contract.ts";
