// mmsim: the ReclaimPolicy contract (core/contracts) run against MGLRU
import { describeReclaimPolicy } from "@mmsim/core/contracts";
import { MultiGenLru } from "./multi-gen-lru.ts";

describeReclaimPolicy("MultiGenLru (mglru)", () => new MultiGenLru());
