/* clayout: where brk and mmap put memory, in both of Linux's i386 layouts.
 *
 * The program runs twice. First in the layout execve gave it (2.6.9's
 * top-down one: mappings go down from mmap_base, 128 MiB below the top of
 * user space), then, after personality(ADDR_COMPAT_LAYOUT) and an execve
 * of itself with the argument "legacy", in the legacy layout (mappings go
 * up from TASK_UNMAPPED_BASE, 1 GiB). Each run:
 *   - maps three anonymous regions without a hint: where each one lands;
 *   - unmaps the middle one and maps the same size again: the hole is found
 *     again (free_area_cache follows the unmap);
 *   - moves the break up by three pages, then by half a page, then back
 *     down, and asks for a break that would run into a mapping placed just
 *     above the heap: brk answers the old break;
 *   - prints its /proc/self/maps.
 * Addresses are printed as they are: on vmlab they do not vary from run to
 * run, as Linux's do when it randomises the layout. */

#define VMLAB_ARGV
#include "sys.h"

#define NR_execve 11
#define NR_brk 45
#define NR_personality 136
#define ADDR_COMPAT_LAYOUT 0x0200000
#define PAGE 4096
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_PRIVATE_ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define MAP_FIXED 0x10

static char maps[8192];


static void print_hex(unsigned long n)
{
	char digits[11] = "0x";
	for (int i = 0; i < 8; i++)
		digits[2 + i] = "0123456789abcdef"[(n >> (28 - 4 * i)) & 0xf];
	digits[10] = 0;
	print_str(digits);
}

static void show(const char *what, unsigned long addr)
{
	print_str(what);
	print_str(": ");
	print_hex(addr);
	print_str("\n");
}

static unsigned long map(unsigned long pages)
{
	return (unsigned long)sys_mmap2(0, pages * PAGE, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
}

static unsigned long brk(unsigned long addr)
{
	return syscall1(NR_brk, addr);
}

static void print_maps(void)
{
	long fd = sys_open("/proc/self/maps", 0), n, len = 0;
	while (fd >= 0 && (n = sys_read(fd, maps + len, sizeof maps - 1 - len)) > 0)
		len += n;
	sys_write(1, maps, len);
	sys_close(fd);
}

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	int legacy = sp[0] > 1;
	print_str(legacy ? "== legacy layout (ADDR_COMPAT_LAYOUT)\n" : "== default layout\n");
	unsigned long one = map(1), two = map(2), four = map(4);
	show("mmap 1 page", one);
	show("mmap 2 pages", two);
	show("mmap 4 pages", four);
	sys_munmap((void *)two, 2 * PAGE);
	show("munmap the 2 pages, mmap 2 pages again", map(2));

	unsigned long start = brk(0);
	show("brk(0)", start);
	show("brk(start + 3 pages)", brk(start + 3 * PAGE));
	show("brk(start + 3.5 pages)", brk(start + 3 * PAGE + PAGE / 2));
	show("brk(start + 1 page)", brk(start + PAGE));
	sys_mmap2((void *)(start + 4 * PAGE), PAGE, PROT_RW, MAP_PRIVATE_ANON | MAP_FIXED, -1, 0);
	show("a page mapped at start + 4 pages; brk(start + 4 pages)", brk(start + 4 * PAGE));
	show("brk(start + 2 pages)", brk(start + 2 * PAGE));
	print_maps();
	if (!legacy) {
		char *argv[] = {(char *)sp[1], "legacy", 0}, *envp[] = {0};
		print_str("personality(ADDR_COMPAT_LAYOUT), execve(argv[0], legacy)\n");
		syscall1(NR_personality, ADDR_COMPAT_LAYOUT);
		syscall3(NR_execve, sp[1], (long)argv, (long)envp);
		print_str("execve failed\n");
	}
	sys_exit(0);
}
