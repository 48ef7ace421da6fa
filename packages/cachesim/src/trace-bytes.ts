// mmsim: a trace file's bytes, streamed and zstd-decompressed when it is compressed (no kernel counterpart; libCacheSim's zstdReader.c)
/*
 * A file is zstd-compressed when it starts with the zstd frame magic (28 B5 2F FD) — whatever
 * its name — as libCacheSim decides (it also names such files `.zst`). Decompression is fzstd's
 * streaming decoder (pure JavaScript: Node 20's zlib has no zstd). Memory stays bounded: one
 * read buffer, the decoder's window, and the blocks not yet consumed.
 */
import { open } from "node:fs/promises";
import { Decompress } from "fzstd";
import { TraceFormatError } from "@mmsim/core";

/** Bytes read from the file at a time. */
const READ_BYTES = 1 << 20;

/** The zstd frame magic number, little-endian (RFC 8878 §3.1.1). */
const ZSTD_MAGIC = 0xfd2fb528;

/** Whether `head` (the first bytes of a file) starts a zstd frame. */
export function isZstd(head: Uint8Array): boolean {
  return head.length >= 4 && (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0 === ZSTD_MAGIC;
}

/**
 * Yields the decompressed bytes of `path` in chunks. A chunk is valid until the next one is
 * asked for (the uncompressed path reuses its read buffer).
 * @throws TraceFormatError when the file cannot be opened or a zstd stream is corrupt or truncated
 */
export async function* traceBytes(path: string): AsyncGenerator<Uint8Array> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TraceFormatError("cachesim.readTrace", path, 0, `cannot open the trace: ${err.code ?? ""} ${err.message}`.trim());
  }
  try {
    if ((await fh.stat()).isDirectory()) throw new TraceFormatError("cachesim.readTrace", path, 0, "is a directory, not a trace file");
    const first = Buffer.allocUnsafe(READ_BYTES);
    const { bytesRead } = await fh.read(first, 0, READ_BYTES, null);
    if (!isZstd(first.subarray(0, bytesRead))) {
      const buf = first;
      let n = bytesRead;
      while (n > 0) {
        yield buf.subarray(0, n);
        ({ bytesRead: n } = await fh.read(buf, 0, READ_BYTES, null));
      }
      return;
    }
    const out: Uint8Array[] = [];
    let compressedAt = 0;
    const z = new Decompress((data) => {
      // fzstd may hand out views of its window, which later blocks overwrite: keep a copy
      if (data.length > 0) out.push(data.slice());
    });
    let chunk: Uint8Array = first.subarray(0, bytesRead);
    for (;;) {
      const next = Buffer.allocUnsafe(READ_BYTES);
      const { bytesRead: m } = await fh.read(next, 0, READ_BYTES, null);
      try {
        z.push(chunk, m === 0);
      } catch (e) {
        throw new TraceFormatError(
          "cachesim.readTrace", path, 0,
          `the zstd stream is corrupt or truncated near compressed byte ${compressedAt + chunk.length}: ${(e as Error).message} (check the file with \`zstd -t\`)`,
        );
      }
      compressedAt += chunk.length;
      for (const d of out) yield d;
      out.length = 0;
      if (m === 0) return;
      // fzstd keeps references to pushed chunks it has not decoded yet: every chunk is a fresh buffer
      chunk = next.subarray(0, m);
    }
  } finally {
    await fh.close();
  }
}
