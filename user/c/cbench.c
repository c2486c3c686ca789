/* cbench: the cost of the memory paths, the same binary on vmlab and on
 * Linux (`cargo xtask bench --linux` runs it on both, in turn).
 *
 * Each line `NAME CYCLES` is the time stamp counter's ticks per operation,
 * averaged over a run of them; each line `check NAME VALUE` is what the
 * operations computed, which must be the same on both kernels so that a
 * fast wrong answer cannot pass. Under QEMU's -icount the counter ticks
 * with instructions executed, so there it measures work done, not time. */

#define VMLAB_ARGV
#include "sys.h"

#define NR_brk 45
#define NR_mmap2 192
#define PAGE 4096
#define PAGES 256
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_SHARED 0x01
#define MAP_FIXED 0x10
#define REGIONS 2000
#define CALLS 2000

static inline unsigned long ticks(void)
{
	unsigned long lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo;
}

static void line(const char *name, unsigned long cycles)
{
	print_str(name);
	print_str(" ");
	print_dec((long)cycles);
	print_str("\n");
}

static void check(const char *name, long value)
{
	print_str("check ");
	print_str(name);
	print_str(" ");
	print_dec(value);
	print_str("\n");
}

static char *anon(unsigned long pages)
{
	return sys_mmap2(0, pages * PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Anonymous write faults, then read faults that map the zero page. */
static void anonymous_faults(void)
{
	char *mem = anon(PAGES);
	unsigned long start = ticks();
	for (int i = 0; i < PAGES; i++)
		mem[i * PAGE] = (char)i;
	line("anon_write_fault", (ticks() - start) / PAGES);
	long sum = 0;
	for (int i = 0; i < PAGES; i++)
		sum += mem[i * PAGE];
	check("anon_write_fault", sum);
	char *zero = anon(PAGES);
	start = ticks();
	for (int i = 0; i < PAGES; i++)
		sum += zero[i * PAGE];
	line("anon_read_fault", (ticks() - start) / PAGES);
	check("anon_read_fault", sum);
	sys_munmap(mem, PAGES * PAGE);
	sys_munmap(zero, PAGES * PAGE);
}

/* Read faults on a private mapping of a file both kernels have. */
static void file_faults(void)
{
	long fd = sys_open("/bin/ccow", 0);
	int pages = 16;
	volatile char *file = sys_mmap2(0, pages * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	long sum = 0;
	unsigned long start = ticks();
	for (int i = 0; i < pages; i++)
		sum += file[i * PAGE];
	line("file_read_fault", (ticks() - start) / pages);
	check("file_read_fault", sum);
	sys_munmap((void *)file, pages * PAGE);
	sys_close(fd);
}

/* Copy-on-write faults in a child, and fork + exit + wait itself. The
 * child's figure comes back through a shared page. */
static void fork_paths(void)
{
	char *mem = anon(PAGES);
	unsigned long *shared = sys_mmap2(0, PAGE, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < PAGES; i++)
		mem[i * PAGE] = 1;
	long pid = sys_fork();
	if (pid == 0) {
		unsigned long start = ticks();
		for (int i = 0; i < PAGES; i++)
			mem[i * PAGE] = 2;
		shared[0] = (ticks() - start) / PAGES;
		long sum = 0;
		for (int i = 0; i < PAGES; i++)
			sum += mem[i * PAGE];
		shared[1] = (unsigned long)sum;
		sys_exit(0);
	}
	int status;
	sys_waitpid(pid, &status, 0);
	line("cow_write_fault", shared[0]);
	check("cow_write_fault", (long)shared[1]);
	unsigned long start = ticks();
	for (int i = 0; i < 8; i++) {
		pid = sys_fork();
		if (pid == 0)
			sys_exit(0);
		sys_waitpid(pid, &status, 0);
	}
	line("fork_exit_per_page", (ticks() - start) / 8 / PAGES);
	check("fork_exit", status);
	sys_munmap(mem, PAGES * PAGE);
	sys_munmap(shared, PAGE);
}

/* The heap grown a page at a time, each page touched. */
static void brk_growth(void)
{
	char *base = (char *)syscall1(NR_brk, 0);
	unsigned long start = ticks();
	for (int i = 1; i <= PAGES; i++) {
		syscall1(NR_brk, (long)(base + i * PAGE));
		base[(i - 1) * PAGE] = (char)i;
	}
	line("brk_touch", (ticks() - start) / PAGES);
	check("brk_touch", (long)syscall1(NR_brk, 0) - (long)base);
	syscall1(NR_brk, (long)base);
}

/* mmap + munmap of one page; mprotect splitting a region and merging it
 * back. */
static void region_calls(void)
{
	unsigned long start = ticks();
	long ok = 0;
	for (int i = 0; i < CALLS; i++) {
		char *page = anon(1);
		ok += sys_munmap(page, PAGE) == 0;
	}
	line("mmap_munmap", (ticks() - start) / CALLS);
	check("mmap_munmap", ok);
	char *three = anon(3);
	start = ticks();
	ok = 0;
	for (int i = 0; i < CALLS; i++) {
		ok += sys_mprotect(three + PAGE, PAGE, PROT_READ) == 0;
		ok += sys_mprotect(three + PAGE, PAGE, PROT_RW) == 0;
	}
	line("mprotect_split_merge", (ticks() - start) / CALLS);
	check("mprotect_split_merge", ok);
	sys_munmap(three, 3 * PAGE);
}

/* REGIONS one-page regions that cannot merge, then CALLS mprotects that
 * change nothing, each a find_vma among them. */
static void many_regions(void)
{
	char *base = anon(2 * REGIONS);
	sys_munmap(base, 2 * REGIONS * PAGE);
	for (int i = 0; i < REGIONS; i++)
		sys_mmap2(base + 2 * i * PAGE, PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned long seed = 1, start = ticks();
	long ok = 0;
	for (int i = 0; i < CALLS; i++) {
		seed = seed * 1103515245 + 12345;
		ok += sys_mprotect(base + 2 * ((seed >> 8) % REGIONS) * PAGE, PAGE, PROT_RW) == 0;
	}
	line("find_vma_2000_regions", (ticks() - start) / CALLS);
	check("find_vma_2000_regions", ok);
	sys_munmap(base, 2 * REGIONS * PAGE);
}

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	(void)sp;
	anonymous_faults();
	file_faults();
	fork_paths();
	brk_growth();
	region_calls();
	many_regions();
	sys_exit(0);
}
