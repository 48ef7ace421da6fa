// mmsim: tests of the vm sysctls of @mmsim/vma: parse ranges, handlers (ratio and kbytes clear each other), reads
import { describe, expect, it } from "vitest";
import { maxMapCountSysctl, overcommitKbytesSysctl, overcommitMemorySysctl, overcommitRatioSysctl } from "./sysctls.ts";
import { setup } from "./vma.test-helpers.ts";

describe("vm sysctls", () => {
  it("read the kernel's defaults and apply writes with the kernel's handlers", () => {
    const { ctx } = setup();
    expect(maxMapCountSysctl.read(ctx)).toBe("65530\n");
    expect(overcommitMemorySysctl.read(ctx)).toBe("0\n");
    expect(overcommitRatioSysctl.read(ctx)).toBe("50\n");
    expect(overcommitKbytesSysctl.read(ctx)).toBe("0\n");
    expect(overcommitMemorySysctl.parse(3)).toMatch(/out of range/);
    expect(overcommitMemorySysctl.parse(2)).toEqual({ ok: 2 });
    expect(overcommitKbytesSysctl.write(ctx, 1024)).toBe(0);
    expect(overcommitRatioSysctl.read(ctx)).toBe("0\n");
    expect(ctx.overcommit.vmCommitLimit()).toBe(256);
    expect(overcommitRatioSysctl.write(ctx, 25)).toBe(0);
    expect(overcommitKbytesSysctl.read(ctx)).toBe("0\n");
    expect(ctx.overcommit.vmCommitLimit()).toBe(65536);
    expect(maxMapCountSysctl.write(ctx, 100)).toBe(0);
    expect(ctx.maxMapCount).toBe(100);
  });

  it("init_user_reserve / init_admin_reserve take free / 32 capped at 128 MiB / 8 MiB (the capture's 14723 kB on 512 MiB)", () => {
    const { ctx, info } = setup();
    info.free = 117784; // 471136 kB free at boot: 471136 / 32 = 14723
    ctx.overcommit.initUserReserve();
    ctx.overcommit.initAdminReserve();
    expect(ctx.overcommit.userReserveKbytes).toBe(14723);
    expect(ctx.overcommit.adminReserveKbytes).toBe(8192);
  });
});
