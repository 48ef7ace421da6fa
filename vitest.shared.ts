// mmsim: the one vitest configuration every package re-exports (TOOLCHAIN.md §2, §3).
import { defaultServerConditions } from "vite";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** When set (by .ci/run), each package also writes a JSON report there, for the CI totals line. */
const reportDir = process.env.MMSIM_TEST_REPORT_DIR;
const reportName = (process.env.npm_package_name ?? "package").replace(/[@/]/g, "_");

export default defineConfig({
  // Legacy (experimentalDecorators) transform for every file, whatever tsconfig includes it.
  oxc: { decorator: { legacy: true } },
  // Sibling packages resolve to their src through the @mmsim/source export condition.
  ssr: { resolve: { conditions: ["@mmsim/source", ...defaultServerConditions] } },
  test: {
    include: ["src/**/*.test.ts"],
    // tsyringe needs the Reflect polyfill loaded before it (TOOLCHAIN §3.5).
    setupFiles: [fileURLToPath(new URL("./tools/vitest-setup.ts", import.meta.url))],
    reporters: reportDir ? ["default", ["json", { outputFile: `${reportDir}/${reportName}.json` }]] : ["default"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
