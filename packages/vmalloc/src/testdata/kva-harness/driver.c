/* mmsim: the op generator of kva.differential.test.ts, in C, for 6.1's kva allocator (see build.sh) */
static unsigned int rs;
static unsigned int rnd(void) { rs ^= rs << 13; rs ^= rs >> 17; rs ^= rs << 5; return rs; }
#define MAXLIVE 200000
static unsigned long live[MAXLIVE];
static int nlive;
int main(int argc, char **argv)
{
	int nops, i;
	rs = (unsigned)atoi(argv[1]);
	nops = atoi(argv[2]);
	static const unsigned long segs[5][2] = {
		{ 0x10000UL, 0xcf0000UL }, { 0xd00000UL, 0x960000UL }, { 0x1660000UL, 0xe0000UL },
		{ 0x1740000UL, 0x570000UL }, { 0x1cb0000UL, 0x361000UL },
	};
	for (i = 0; i < 5; i++) {
		struct vmap_area *va = kmem_cache_zalloc(vmap_area_cachep, GFP_NOWAIT);
		va->va_start = VMALLOC_START + segs[i][0];
		va->va_end = va->va_start + segs[i][1];
		va->vm = (void *)1;
		insert_vmap_area(va, &vmap_area_root, &vmap_area_list);
	}
	vmap_init_free_space();
	vmap_initialized = true;
	for (i = 0; i < nops; i++) {
		unsigned r = rnd() % 100;
		if (r < 55 || nlive == 0) {
			unsigned sc = rnd() % 100;
			unsigned long pages;
			if (sc < 60) pages = 1 + rnd() % 4;
			else if (sc < 85) pages = 1 + rnd() % 32;
			else if (sc < 97) pages = 1 + rnd() % 512;
			else pages = 1 + rnd() % 8192;
			unsigned long size = (pages + 1) * PAGE_SIZE;
			static const unsigned long aligns[9] = { 4096, 4096, 4096, 4096, 16384, 32768, 65536, 131072, 2097152 };
			unsigned long align = aligns[rnd() % 9];
			unsigned w = rnd() % 10;
			unsigned long vstart, vend;
			if (w < 7) { vstart = VMALLOC_START; vend = VMALLOC_END; }
			else if (w < 9) { vstart = VMALLOC_START + 0x40000000UL; vend = vstart + 0x4000000UL; }
			else { vstart = VMALLOC_START + 0x1000UL * (rnd() % 4096); vend = VMALLOC_END; }
			struct vmap_area *va = alloc_vmap_area(size, align, vstart, vend, NUMA_NO_NODE, GFP_KERNEL | __GFP_NOWARN);
			if (IS_ERR(va)) printf("A E%ld\n", -(long)va);
			else {
				printf("A %ld\n", (long)(va->va_start - VMALLOC_START));
				if (nlive >= MAXLIVE) exit(4);
				live[nlive++] = va->va_start;
			}
		} else if (r < 97) {
			unsigned k = rnd() % nlive;
			unsigned long a = live[k];
			live[k] = live[--nlive];
			struct vmap_area *va = find_vmap_area(a);
			if (!va) { printf("MISSING\n"); exit(3); }
			free_unmap_vmap_area(va);
		} else {
			purge_vmap_area_lazy();
			printf("P\n");
		}
	}
	struct vmap_area *va;
	list_for_each_entry(va, &free_vmap_area_list, list) {
		if (va->va_start < VMALLOC_START) printf("L low %ld\n", (long)(va->va_end - VMALLOC_START));
		else printf("L %ld %ld\n", (long)(va->va_start - VMALLOC_START), (long)(va->va_end - VMALLOC_START));
	}
	list_for_each_entry(va, &purge_vmap_area_list, list)
		printf("U %ld %ld\n", (long)(va->va_start - VMALLOC_START), (long)(va->va_end - VMALLOC_START));
	printf("Z %ld\n", atomic_long_read(&vmap_lazy_nr));
	return 0;
}
