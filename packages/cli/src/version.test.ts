// mmsim: the bin's `--version` shortcut prints exactly what main()'s Commander program prints, and only for a version-only command line
import { describe, expect, it } from "vitest";
import { main } from "./main.ts";
import { packageVersion, versionOnlyOutput } from "./version.ts";

async function mainOutput(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
  return { code, stdout, stderr };
}

describe("versionOnlyOutput", () => {
  it("answers --version and -V as main() does", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await mainOutput([flag]);
      expect(r).toEqual({ code: 0, stdout: versionOnlyOutput([flag]), stderr: "" });
    }
    expect(versionOnlyOutput(["--version"])).toBe(`${packageVersion()}\n`);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("leaves every other command line to main()", () => {
    for (const argv of [[], ["--help"], ["run", "--version"], ["--version", "--json"], ["-V", "x"], ["--versions"]]) {
      expect(versionOnlyOutput(argv), argv.join(" ")).toBeNull();
    }
  });
});
