/* mmsim: user-space stubs for compiling lib/rbtree.c (see build.sh) */
#ifndef STUBS_H
#define STUBS_H
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
typedef unsigned long long u64;
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define WRITE_ONCE(x, v) ((x) = (v))
#define READ_ONCE(x) (x)
#define __always_inline inline __attribute__((always_inline))
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define rcu_assign_pointer(p, v) ((p) = (v))
#define max3(a,b,c) ((a) > (b) ? ((a) > (c) ? (a) : (c)) : ((b) > (c) ? (b) : (c)))
#endif
