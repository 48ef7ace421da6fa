import { ConfigError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { diskSpecField, parseDiskSpec } from "./disk-spec.ts";

describe("parseDiskSpec", () => {
  it("reads sizes with units, contents in their four forms, and defaults contents to zero", () => {
    const s = parseDiskSpec({
      size: "64M",
      files: [
        { path: "/a", size: "8K" },
        { path: "/b/c", size: 100, contents: "random" },
        { path: "/b/d", size: "1.5K", contents: { fill: 0x2a } },
        { path: "/e", size: 0, contents: { text: "motd", compressibility: 0.25 } },
        { path: "/f", size: 1, contents: { text: "x" } },
      ],
    });
    expect(s.size).toBe(64 << 20);
    expect(s.files.map((f) => [f.path, f.size, f.contents])).toEqual([
      ["/a", 8192, { kind: "zero" }],
      ["/b/c", 100, { kind: "random" }],
      ["/b/d", 1536, { kind: "fill", value: 42 }],
      ["/e", 0, { kind: "text", text: "motd", compressibility: 0.25 }],
      ["/f", 1, { kind: "text", text: "x", compressibility: 0.5 }],
    ]);
    expect(parseDiskSpec({ size: "1M" }).files).toEqual([]);
  });

  const bad: [string, unknown, string][] = [
    ["not an object", 5, "disk: expected a disk: { size: 64M, files: [ { path: /data/f, size: 1M } ] }, got 5"],
    ["an unknown field", { size: "1M", sise: 1 }, 'disk.sise: expected one of the fields size, files, got an unknown field "sise"'],
    ["no size", { files: [] }, "disk.size: expected the disk's size, a multiple of 512 bytes from 1M to 64G (e.g. 64M), got nothing (the field is required)"],
    ["a size too small", { size: "512K" }, "disk.size: expected a multiple of 512 bytes from 1M to 64G, got 524288 (512K)"],
    ["a size not in sectors", { size: 1048577 }, "disk.size: expected a multiple of 512 bytes from 1M to 64G, got 1048577 (1048577)"],
    ["files not a list", { size: "1M", files: { path: "/a" } }, "disk.files: expected a list of { path, size, contents }"],
    ["a relative path", { size: "1M", files: [{ path: "a", size: 1 }] }, 'disk.files[0].path: expected an absolute path like /data/file.bin'],
    ["a .. component", { size: "1M", files: [{ path: "/a/../b", size: 1 }] }, 'disk.files[0].path: expected an absolute path like /data/file.bin (components of 1–255 bytes, no empty, . or .. component), got "/a/../b" (component "..")'],
    ["a long name", { size: "1M", files: [{ path: `/${"n".repeat(256)}`, size: 1 }] }, "disk.files[0].path: expected components of at most 255 bytes (EXT2_NAME_LEN), got a component of 256 bytes"],
    ["a bad file size", { size: "1M", files: [{ path: "/a", size: "big" }] }, 'disk.files[0].size: expected the file\'s size in bytes (or 4K, 1M, …), got "big" is not a size'],
    ["a bad contents", { size: "1M", files: [{ path: "/a", size: 1, contents: "hello" }] }, 'disk.files[0].contents: expected what the bytes are: write zero, random, { fill: 0x2a } or { text: name, compressibility: 0.5 }, got "hello"'],
    ["a bad ratio", { size: "1M", files: [{ path: "/a", size: 1, contents: { text: "t", compressibility: 2 } }] }, "disk.files[0].contents.compressibility: expected a ratio in (0, 1]"],
    ["a path twice", { size: "1M", files: [{ path: "/a", size: 1 }, { path: "/a", size: 2 }] }, "disk.files[1].path: expected a path no other entry uses, got /a, already files[0]"],
    ["a file used as a directory", { size: "1M", files: [{ path: "/a", size: 1 }, { path: "/a/b", size: 2 }] }, "disk.files[1].path: expected a path whose directories are not files, got /a/b: /a is files[0]"],
    ["a directory used as a file", { size: "1M", files: [{ path: "/a/b", size: 1 }, { path: "/a", size: 2 }] }, "disk.files[1].path: expected a path no other entry uses, got /a, a directory of files[0]"],
  ];
  for (const [what, v, msg] of bad) {
    it(`rejects ${what} with a message naming the field`, () => {
      let err: unknown;
      try {
        parseDiskSpec(v, "s.yaml");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`block.parseDiskSpec: s.yaml: ${msg}`);
    });
  }

  it("as a scenario field schema, the message names the sub-field", () => {
    const r = diskSpecField.safeParse({ size: "1M", files: [{ path: "/a", size: -1 }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/^disk\.files\[0\]\.size: expected the file's size/);
    expect(diskSpecField.parse({ size: "1M" })).toEqual({ size: 1 << 20, files: [] });
  });
});
