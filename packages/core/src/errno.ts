// Kernel: include/uapi/asm-generic/errno-base.h, errno.h (arm64 uses the generic numbers)
/*
 * Positive errno constants. A simulated call that fails returns the negated value (`-ENOMEM`),
 * as the kernel does; it never throws (STYLE C9).
 */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const EOVERFLOW = 75;
export const EHWPOISON = 133;

const NAMES: Readonly<Record<number, string>> = {
  [EPERM]: "EPERM", [ENOENT]: "ENOENT", [ESRCH]: "ESRCH", [EINTR]: "EINTR", [EIO]: "EIO",
  [ENXIO]: "ENXIO", [E2BIG]: "E2BIG", [ENOEXEC]: "ENOEXEC", [EBADF]: "EBADF", [ECHILD]: "ECHILD", [EAGAIN]: "EAGAIN", [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES", [EFAULT]: "EFAULT", [EBUSY]: "EBUSY", [EEXIST]: "EEXIST", [EXDEV]: "EXDEV", [ENODEV]: "ENODEV",
  [ENOTDIR]: "ENOTDIR", [EISDIR]: "EISDIR", [EINVAL]: "EINVAL", [ENFILE]: "ENFILE", [EMFILE]: "EMFILE", [ETXTBSY]: "ETXTBSY",
  [EFBIG]: "EFBIG", [ENOSPC]: "ENOSPC", [ESPIPE]: "ESPIPE", [EROFS]: "EROFS", [ERANGE]: "ERANGE", [ENAMETOOLONG]: "ENAMETOOLONG",
  [ENOSYS]: "ENOSYS", [ENOTEMPTY]: "ENOTEMPTY", [EOVERFLOW]: "EOVERFLOW", [EHWPOISON]: "EHWPOISON",
};

/**
 * The symbolic name of an errno, positive or negated: `errname(-12)` is `"-ENOMEM"`.
 * Kernel: `errname()` in lib/errname.c (which prints the sign the same way).
 */
export function errname(err: number): string {
  const name = NAMES[Math.abs(err)];
  if (name === undefined) return String(err);
  return err < 0 ? `-${name}` : name;
}
