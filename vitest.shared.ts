// mmsim: the one vitest configuration every package re-exports (TOOLCHAIN.md §2, §3).
import { fileURLToPath } from "node:url";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";
import { TargetReporter } from "./tools/bench/reporter.ts";

/** When set (by .ci/run), each package also writes a JSON report there, for the CI totals line. */
const reportDir = process.env.MMSIM_TEST_REPORT_DIR;
const reportName = (process.env.npm_package_name ?? "package").replace(/[@/]/g, "_");

/**
 * `vitest bench` measures the built packages as Node runs them: `@mmsim/*` resolves to `dist/`
 * (no @mmsim/source condition) and is loaded natively, not through vite's SSR transform, whose
 * per-import getters cost more than the simulated operations themselves (1.7 µs vs 0.1 µs per
 * page alloc+free pair, measured). Bench files import the package under test by its own name.
 */
const benchMode = process.argv.includes("bench");

export default defineConfig({
  // Legacy (experimentalDecorators) transform for every file, whatever tsconfig includes it.
  oxc: { decorator: { legacy: true } },
  // Tests: sibling packages resolve to their src through the @mmsim/source export condition.
  ssr: { resolve: { conditions: benchMode ? [...defaultServerConditions] : ["@mmsim/source", ...defaultServerConditions] } },
  test: {
    include: ["src/**/*.test.ts"],
    // tsyringe needs the Reflect polyfill loaded before it (TOOLCHAIN §3.5).
    setupFiles: [fileURLToPath(new URL("./tools/vitest-setup.ts", import.meta.url))],
    reporters: reportDir ? ["default", ["json", { outputFile: `${reportDir}/${reportName}.json` }]] : ["default"],
    // The samples are kept so that the target reporter can print medians (tools/bench/targets.ts).
    benchmark: { include: ["bench/**/*.bench.ts"], includeSamples: true, reporters: ["default", new TargetReporter()] },
    server: { deps: { external: benchMode ? [/\/packages\/[^/]+\/dist\//] : [] } },
  },
});
