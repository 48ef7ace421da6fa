// Kernel: drivers/char/mem.c (null_fops, zero_fops: read_iter_null, write_iter_null, read_iter_zero), drivers/tty/tty_io.c (the console's write as a sink), fs/char_dev.c (chrdev_open's dispatch by i_rdev) (v6.1) — the character devices a task may open: /dev/null, /dev/zero, /dev/console
/*
 * A character-device inode's f_op dispatches on its device number, as chrdev_open replaces
 * f_op with the driver's: 1:3 null (reads end at once, writes vanish), 1:5 zero (reads give
 * zeros), 5:1 console (no input: reads end at once; writes go to the serial line, which the
 * simulator does not keep). Any other number is -ENXIO at open, as for a device with no driver.
 *
 * Simplified: mmap of a character device is -ENODEV here (6.1 maps /dev/zero: shared through
 * shmem_zero_setup, private as anonymous memory; use MAP_ANONYMOUS for those).
 */
import { ENODEV, ENXIO } from "@mmsim/core";
import type { FileOperations, Inode } from "./fs.ts";
import { copyPageToIter } from "./iov-iter.ts";
import type { Vfs } from "./vfs.ts";

/** The character devices of the board, by "major:minor". */
export const CHAR_DEVICES: Readonly<Record<string, string>> = Object.freeze({ "1:3": "null", "1:5": "zero", "5:1": "console" });

/** Which driver an inode's device number names, or undefined. */
function driverOf(inode: Inode): string | undefined {
  return CHAR_DEVICES[`${inode.iRdev[0]}:${inode.iRdev[1]}`];
}

/** The f_op of a character-device inode (one table per machine). Kernel: `def_chr_fops` + the drivers'. */
export function chrdevFileOperations(vfs: Vfs): FileOperations {
  return vfs.chrdevFops ??= {
    name: "def_chr_fops",
    open: (inode): number => (driverOf(inode) === undefined ? -ENXIO : 0),
    readIter: (iocb, to): number => {
      if (driverOf(iocb.filp!.fInode) !== "zero") return 0;
      // read_iter_zero: the user buffer gets zeros, a page at a time
      let n = 0;
      while (to.count > 0) n += copyPageToIter(vfs, -1, 0, Math.min(4096, to.count), to);
      iocb.pos += n;
      return n;
    },
    writeIter: (iocb, from): number => {
      const n = from.count;
      from.advance(n);
      iocb.pos += n;
      return n;
    },
    mmap: (): number => -ENODEV,
  };
}
