/* cmadvise: madvise(MADV_DONTNEED) drops pages, MADV_FREE is accepted, and
 * msync checks its arguments, compared with Linux.
 *
 * After MADV_DONTNEED an anonymous page reads back as zero, and a page of a
 * private file mapping that was written reads the file's own bytes again:
 * the next touch faults a fresh page in. Every result printed is a value
 * or -errno, never an address. */

#define VMLAB_ARGV
#include "sys.h"

#define NR_msync 144
#define NR_madvise 219
#define PAGE 4096
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_PRIVATE_ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define MAP_LOCKED 0x2000
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static long madvise(void *addr, unsigned long len, int advice)
{
	return syscall3(NR_madvise, (long)addr, (long)len, advice);
}

static long msync(void *addr, unsigned long len, int flags)
{
	return syscall3(NR_msync, (long)addr, (long)len, flags);
}

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	char *anon = sys_mmap2(0, 4 * PAGE, PROT_RW, MAP_PRIVATE_ANON, -1, 0);
	for (int i = 0; i < 4; i++)
		anon[i * PAGE] = 10 + i;
	report("MADV_DONTNEED pages 1 and 2", madvise(anon + PAGE, 2 * PAGE, MADV_DONTNEED));
	report("page 0 keeps its byte", anon[0]);
	report("page 1 reads zero", anon[PAGE]);
	report("page 2 reads zero", anon[2 * PAGE]);
	report("page 3 keeps its byte", anon[3 * PAGE]);
	anon[PAGE] = 7;
	report("page 1 written again", anon[PAGE]);
	report("MADV_FREE all four", madvise(anon, 4 * PAGE, MADV_FREE));
	report("MADV_DONTNEED unaligned", madvise(anon + 1, PAGE, MADV_DONTNEED));
	report("MADV_DONTNEED length 0", madvise(anon, 0, MADV_DONTNEED));
	sys_munmap(anon + 2 * PAGE, PAGE);
	report("MADV_DONTNEED across a hole", madvise(anon, 4 * PAGE, MADV_DONTNEED));
	report("msync across the hole", msync(anon, 4 * PAGE, MS_SYNC));
	report("msync MS_ASYNC across the hole", msync(anon, 4 * PAGE, MS_ASYNC));
	report("madvise unknown advice", madvise(anon, PAGE, 12345));

	long fd = sys_open((const char *)sp[1], 0);
	char *file = sys_mmap2(0, PAGE, PROT_RW, MAP_PRIVATE, fd, 0);
	file[1] = 'X';
	report("a private file page written: byte 1 is X", file[1] == 'X');
	report("MADV_DONTNEED the file page", madvise(file, PAGE, MADV_DONTNEED));
	report("byte 1 is the file's 'E' again", file[1] == 'E');
	report("MADV_FREE a file page", madvise(file, PAGE, MADV_FREE));
	char *locked = sys_mmap2(0, PAGE, PROT_RW, MAP_PRIVATE_ANON | MAP_LOCKED, -1, 0);
	report("MADV_DONTNEED a locked page", madvise(locked, PAGE, MADV_DONTNEED));

	report("msync MS_SYNC", msync(file, PAGE, MS_SYNC));
	report("msync MS_ASYNC|MS_INVALIDATE", msync(anon, PAGE, MS_ASYNC | MS_INVALIDATE));
	report("msync MS_ASYNC|MS_SYNC", msync(file, PAGE, MS_ASYNC | MS_SYNC));
	report("msync an unknown flag", msync(file, PAGE, 8));
	report("msync unaligned", msync(file + 1, PAGE, MS_SYNC));
	report("msync length 0", msync(file, 0, MS_SYNC));
	report("msync MS_INVALIDATE of a locked page", msync(locked, PAGE, MS_INVALIDATE));
	sys_exit(0);
}
