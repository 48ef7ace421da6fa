// mmsim: this package's vitest configuration: the shared one, with a test time limit stated for tests that boot boards
import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/**
 * Every test here boots at least one simulated board in-process (0.1–1 s each on an idle core),
 * and some boot several or run workloads: on CI's loaded 2-core machine that is 5–20× slower,
 * past vitest's 5 s default. The limit is generous on purpose; speed lives in `pnpm bench`.
 */
export default mergeConfig(shared, { test: { testTimeout: 60_000 } });
