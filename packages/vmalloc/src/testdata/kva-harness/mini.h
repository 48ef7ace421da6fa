/* mmsim: user-space stand-ins for what mm/vmalloc.c's kva allocator uses (see build.sh) */
#ifndef MINI_H
#define MINI_H
#include "linux/stubs.h"
#include "linux/rbtree_augmented.h"
#include <string.h>
typedef unsigned int gfp_t;
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *p, struct list_head *nx) { nx->prev = n; n->next = nx; n->prev = p; p->next = n; }
static inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static inline void __list_del(struct list_head *p, struct list_head *n) { n->prev = p; p->next = n; }
static inline void list_del_init(struct list_head *e) { __list_del(e->prev, e->next); INIT_LIST_HEAD(e); }
static inline int list_empty(const struct list_head *h) { return h->next == h; }
static inline void list_replace_init(struct list_head *old, struct list_head *new) {
	new->next = old->next; new->next->prev = new; new->prev = old->prev; new->prev->next = new; INIT_LIST_HEAD(old); }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, typeof(*(pos)), member)
#define list_for_each_entry(pos, head, member) for (pos = list_first_entry(head, typeof(*pos), member); &pos->member != (head); pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member) for (pos = list_first_entry(head, typeof(*pos), member), n = list_next_entry(pos, member); &pos->member != (head); pos = n, n = list_next_entry(n, member))

typedef int spinlock_t;
#define DEFINE_SPINLOCK(x) int x
#include <errno.h>
#define spin_lock(x) do {} while (0)
#define spin_unlock(x) do {} while (0)
#define DEFINE_MUTEX(x) int x
#define mutex_lock(x) do {} while (0)
#define mutex_unlock(x) do {} while (0)
#define lockdep_assert_held(x) do {} while (0)
#define cond_resched_lock(x) do {} while (0)
#define might_sleep() do {} while (0)
#define __read_mostly
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_LONG_INIT(i) { (i) }
#define atomic_long_read(v) ((v)->counter)
#define atomic_long_add_return(i, v) ((v)->counter += (i))
#define atomic_long_sub(i, v) ((v)->counter -= (i))
struct kmem_cache { int dummy; };
static void *kmem_cache_alloc_node(struct kmem_cache *c, gfp_t g, int n) { void *p = malloc(64); memset(p, 0x5a, 64); return p; }
#define kmem_cache_alloc(c, g) kmem_cache_alloc_node(c, g, -1)
static void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t g) { return calloc(1, 64); }
static void kmem_cache_free(struct kmem_cache *c, void *p) { memset(p, 0x6b, 64); free(p); }
#define DEFINE_PER_CPU(type, name) type name
#define this_cpu_read(x) (x)
#define __this_cpu_xchg(x, v) ({ typeof(x) __o = (x); (x) = (v); __o; })
#define __this_cpu_cmpxchg(x, old, nw) ({ typeof(x) __o = (x); if (__o == (old)) (x) = (nw); __o; })
#define kasan_reset_tag(x) (x)
#define kasan_populate_vmalloc(a, s) 0
#define kasan_release_vmalloc(a, b, c, d) do {} while (0)
#define kmemleak_scan_area(a, b, c) do {} while (0)
struct notifier_block;
#define BLOCKING_NOTIFIER_HEAD(x) int x
#define blocking_notifier_call_chain(a, b, c) 0
#define blocking_notifier_chain_register(a, b) 0
#define blocking_notifier_chain_unregister(a, b) 0
struct work_struct { void (*func)(struct work_struct *); };
#define DECLARE_WORK(n, f) struct work_struct n = { f }
#define schedule_work(w) ((w)->func(w), 1)
#define GFP_RECLAIM_MASK 0x3fffffu
#define __GFP_NOWARN 0x2000u
#define GFP_KERNEL 0xcc0u
#define GFP_NOWAIT 0x800u
#define NUMA_NO_NODE (-1)
#define printk_ratelimit() 1
#define pr_warn(...) do {} while (0)
#define pr_emerg(...) printf("EMERG\n")
#define ERR_PTR(e) ((void *)(long)(e))
#define IS_ERR(p) ((unsigned long)(p) >= (unsigned long)-4095)
#define BUG_ON(c) do { if (c) { printf("BUG %s:%d\n", __FILE__, __LINE__); exit(2); } } while (0)
#define WARN(c, ...) ({ int __c = !!(c); if (__c) printf("WARN %d\n", __LINE__); __c; })
#define WARN_ON(c) WARN(c, "")
#define WARN_ON_ONCE(c) WARN(c, "")
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))
#define ALIGN(x, a) (((x) + ((typeof(x))(a) - 1)) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((typeof(x))(a) - 1)) == 0)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
#define num_online_cpus() 2
#define VMALLOC_START 0xffff800008000000UL
#define VMALLOC_END 0xfffffbfff0000000UL
static int is_vmalloc_or_module_addr(const void *x) { return 1; }
static void flush_tlb_kernel_range(unsigned long s, unsigned long e) { printf("F %ld %ld\n", (long)(s - VMALLOC_START), (long)(e - VMALLOC_START)); }
#define flush_cache_vunmap(s, e) do {} while (0)
#define vunmap_range_noflush(s, e) do {} while (0)
#define debug_pagealloc_enabled_static() 0
struct vm_struct { int dummy; };
struct vmap_area {
	unsigned long va_start;
	unsigned long va_end;
	struct rb_node rb_node;
	struct list_head list;
	union { unsigned long subtree_max_size; struct vm_struct *vm; };
};
#endif
