/* cmremap: mremap grows a mapping in place, moves it with MREMAP_MAYMOVE
 * or to a chosen place with MREMAP_FIXED, shrinks it, and refuses bad
 * arguments, compared with Linux.
 *
 * Whether a page is mapped is asked with msync(MS_ASYNC), which is 0 on
 * mapped memory and -ENOMEM on a hole; the program prints values, error
 * numbers and comparisons of addresses, never the addresses. */

#define VMLAB_ARGV
#include "sys.h"

#define NR_msync 144
#define NR_mremap 163
#define PAGE 4096
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_SHARED 0x01
#define MAP_FIXED 0x10
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4
#define MS_ASYNC 1

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static long mremap(void *addr, unsigned long old_len, unsigned long new_len, int flags, void *new_addr)
{
	return syscall6(NR_mremap, (long)addr, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
}

/* Whether a result is -errno rather than an address. */
static int is_error(long ret)
{
	return (unsigned long)ret > -4096UL;
}

static int mapped(char *addr)
{
	return syscall3(NR_msync, (long)addr, PAGE, MS_ASYNC) == 0;
}

static char *anon(void *at, unsigned long len, int flags)
{
	return sys_mmap2(at, len, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

static void touch_past_end(char *shared)
{
	int status = 0;
	long pid = sys_fork();
	if (pid == 0) {
		shared[PAGE] = 1;
		sys_exit(0);
	}
	sys_waitpid(pid, &status, 0);
	report("a child touching the grown page ends with signal", status & 0x7f);
}

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	(void)sp;
	/* 16 pages, the top 12 unmapped again: room to grow in place. */
	char *a = anon(0, 16 * PAGE, 0);
	sys_munmap(a + 4 * PAGE, 12 * PAGE);
	for (int i = 0; i < 4; i++)
		a[i * PAGE] = 'a' + i;
	long r = mremap(a, 4 * PAGE, 8 * PAGE, 0, 0);
	report("grow 4 to 8 pages in place: same address", r == (long)a);
	report("the bytes are kept", a[3 * PAGE] == 'd');
	report("the new pages read zero", a[7 * PAGE]);

	/* A region right after it: in place is impossible. */
	char *wall = anon(a + 8 * PAGE, PAGE, MAP_FIXED);
	report("the wall is where it was asked", wall == a + 8 * PAGE);
	report("grow to 32 pages without MREMAP_MAYMOVE", mremap(a, 8 * PAGE, 32 * PAGE, 0, 0));
	char *b = (char *)mremap(a, 8 * PAGE, 32 * PAGE, MREMAP_MAYMOVE, 0);
	report("with MREMAP_MAYMOVE it moves", b != a && !is_error((long)b));
	report("the moved pages keep their bytes", b[0] == 'a' && b[3 * PAGE] == 'd');
	report("the old address is unmapped", !mapped(a));
	report("the wall stays", mapped(wall));
	b[31 * PAGE] = 'z';

	report("shrink 32 to 2 pages: same address", mremap(b, 32 * PAGE, 2 * PAGE, 0, 0) == (long)b);
	report("the tail is unmapped", !mapped(b + 2 * PAGE));
	report("the head keeps its bytes", b[PAGE] == 'b');

	char *target = anon(0, 4 * PAGE, 0);
	target[0] = 'T';
	long c = mremap(b, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + PAGE);
	report("MREMAP_FIXED lands where asked", c == (long)(target + PAGE));
	report("and replaces what was there", target[PAGE] == 'a' && target[2 * PAGE] == 'b');
	report("the page before it is untouched", target[0] == 'T');
	report("the old place is unmapped", !mapped(b));

	char *d = (char *)mremap(target, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	report("MREMAP_DONTUNMAP moves", d != target && !is_error((long)d));
	report("the page went along", d[0] == 'T');
	report("the old page is still mapped", mapped(target));
	report("and reads zero", target[0]);

	char *shared = sys_mmap2(0, PAGE, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = 's';
	char *grown = (char *)mremap(shared, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0);
	report("shared memory grows", !is_error((long)grown) && grown[0] == 's');
	touch_past_end(grown);

	char *e = anon(0, 2 * PAGE, 0);
	report("unaligned address", mremap(e + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0));
	report("new length 0", mremap(e, PAGE, 0, MREMAP_MAYMOVE, 0));
	report("unknown flag", mremap(e, PAGE, 2 * PAGE, 8, 0));
	report("MREMAP_FIXED without MREMAP_MAYMOVE", mremap(e, PAGE, PAGE, MREMAP_FIXED, target));
	report("MREMAP_DONTUNMAP with a new length", mremap(e, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
	report("MREMAP_FIXED onto itself", mremap(e, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, e + PAGE));
	report("MREMAP_FIXED to an unaligned address", mremap(e, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target + 1));
	report("MREMAP_FIXED past the top", mremap(e, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)0xbffff000));
	sys_munmap(e + PAGE, PAGE);
	char *f = anon(e + PAGE, PAGE, MAP_FIXED);
	sys_mprotect(f, PAGE, PROT_READ);
	report("growing across two regions", mremap(e, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE, 0));
	char *hole = anon(0, PAGE, 0);
	sys_munmap(hole, PAGE);
	report("growing where nothing is mapped", mremap(hole, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0));
	report("same length where nothing is mapped", mremap(hole, PAGE, PAGE, 0, 0));
	report("same length on a mapping returns it", mremap(e, PAGE, PAGE, 0, 0) == (long)e);
	report("old length 0 of private memory", mremap(e, 0, PAGE, MREMAP_MAYMOVE, 0));
	char *twin = (char *)mremap(grown, 0, PAGE, MREMAP_MAYMOVE, 0);
	report("old length 0 of shared memory makes a second mapping", !is_error((long)twin) && twin != grown);
	twin[1] = 't';
	report("both see the same page", grown[1] == 't' && twin[0] == 's');
	sys_exit(0);
}
