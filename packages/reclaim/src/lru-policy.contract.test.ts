// mmsim: the ReclaimPolicy contract (core/contracts) run against the classic LRU
import { describeReclaimPolicy } from "@mmsim/core/contracts";
import { TwoListLru } from "./lru-policy.ts";

describeReclaimPolicy("TwoListLru (lru)", () => new TwoListLru());
