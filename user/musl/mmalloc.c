/* mmalloc: musl's malloc on vmlab's brk and mmap, compared with Linux.
 *
 * A static program linked with musl (Debian's musl-dev:i386): its start-up
 * code sets up thread-local storage (set_thread_area), its printf writes
 * with writev, and its malloc (mallocng) takes small blocks from groups it
 * maps and keeps its bookkeeping on the break, while a large block gets a
 * mapping of its own that free() gives back with munmap. The program
 * allocates and frees blocks of every size in a fixed pseudo-random order,
 * checks that none overlaps another or loses its contents, and prints what
 * it saw; the results, never addresses, are the same on Linux. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOTS 256
#define ROUNDS 4000

static unsigned char *block[SLOTS];
static size_t size[SLOTS];

/* A small deterministic generator (xorshift32). */
static uint32_t next(void)
{
	static uint32_t x = 2463534242u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* A size: mostly small, sometimes a page or two, now and then 200 KiB+. */
static size_t random_size(void)
{
	uint32_t r = next() % 100;
	if (r < 80)
		return 1 + next() % 256;
	if (r < 97)
		return 256 + next() % 8192;
	return 200000 + next() % 300000;
}

/* Whether the block in `slot` still holds its own byte pattern. */
static int intact(int slot)
{
	for (size_t i = 0; i < size[slot]; i += 61)
		if (block[slot][i] != (unsigned char)(slot + i))
			return 0;
	return 1;
}

static void fill(int slot)
{
	for (size_t i = 0; i < size[slot]; i += 61)
		block[slot][i] = (unsigned char)(slot + i);
}

/* Whether some region of /proc/self/maps holds address `p`. */
static int mapped(uintptr_t p)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[256];
	int found = 0;
	while (maps && fgets(line, sizeof line, maps)) {
		unsigned long start, end;
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start <= p && p < end)
			found = 1;
	}
	if (maps)
		fclose(maps);
	return found;
}

int main(void)
{
	/* Linux's initramfs has no /proc; on vmlab these calls fail harmlessly. */
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, 0);
	void *brk_before = sbrk(0);
	long allocs = 0, frees = 0, large = 0, broken = 0;
	for (int round = 0; round < ROUNDS; round++) {
		int slot = next() % SLOTS;
		if (block[slot]) {
			broken += !intact(slot);
			free(block[slot]);
			block[slot] = 0;
			frees++;
			continue;
		}
		size[slot] = random_size();
		block[slot] = malloc(size[slot]);
		if (!block[slot]) {
			printf("malloc(%zu) failed\n", size[slot]);
			return 1;
		}
		large += size[slot] >= 200000;
		fill(slot);
		allocs++;
	}
	for (int slot = 0; slot < SLOTS; slot++)
		broken += block[slot] && !intact(slot);
	printf("%ld mallocs (%ld of 200 KiB or more), %ld frees, %ld blocks damaged\n", allocs, large, frees, broken);
	printf("the break moved: %s\n", sbrk(0) != brk_before ? "yes" : "no");

	void *big = malloc(1 << 20);
	memset(big, 0x5a, 1 << 20);
	uintptr_t at = (uintptr_t)big;
	printf("a 1 MiB block is mapped: %s\n", mapped(at) ? "yes" : "no");
	free(big);
	printf("free unmaps it: %s\n", mapped(at) ? "no" : "yes");

	char *grown = malloc(100);
	strcpy(grown, "realloc keeps the bytes");
	grown = realloc(grown, 300000);
	printf("%s\n", grown);
	free(grown);
	for (int slot = 0; slot < SLOTS; slot++)
		free(block[slot]);
	printf("calloc gives zeroes: %s\n", ((char *)calloc(4096, 4))[16383] == 0 ? "yes" : "no");
	printf("printf formats: %d %5.2f %llu %s %c %x\n", -42, 3.14159, 1234567890123ULL, "str", 'c', 0xbeef);
	return 0;
}
