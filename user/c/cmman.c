/* cmman: bad arguments to the memory system calls, and the error each
 * gets, compared with Linux: every line is a call and its result. Only
 * results that do not depend on where the kernel places things are
 * printed. Linux's initramfs has no /proc, so the program mounts one (on
 * vmlab those two calls fail harmlessly). */

#include "sys.h"

#define NR_mount 21
#define NR_mkdir 39
#define NR_brk 45
#define NR_madvise 219
#define MADV_WILLNEED 3
#define MAP_SHARED 0x01
#define MAP_FIXED 0x10
#define MAP_GROWSDOWN 0x100
#define PAGE 4096

static void show(const char *what, long result)
{
	print_str(what);
	print_str(" = ");
	print_dec(result);
	print_str("\n");
}

/* An anonymous private mapping of `pages` pages, anywhere. */
static char *anon(int pages, int prot)
{
	return sys_mmap2(0, pages * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void bad_mmap(void)
{
	long fd = sys_open("/proc/self/status", 0);
	long self = sys_open("/init", 0);
	if (self < 0)
		self = sys_open("/bin/cmman", 0);
	show("mmap length 0", (long)sys_mmap2(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	show("mmap neither shared nor private", (long)sys_mmap2(0, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0));
	show("mmap MAP_FIXED at an unaligned address",
	     (long)sys_mmap2((void *)0x50000001, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	show("mmap a closed descriptor", (long)sys_mmap2(0, PAGE, PROT_READ, MAP_PRIVATE, 7, 0));
	show("mmap a file at a page offset that wraps",
	     (long)sys_mmap2(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, self, 0xffffffff));
	show("mmap a /proc file", (long)sys_mmap2(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
	show("mmap a read-only file shared and writable",
	     (long)sys_mmap2(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self, 0));
	char *shared = sys_mmap2(0, PAGE, PROT_READ, MAP_SHARED, self, 0);
	show("mmap it shared, read-only: ELF magic", shared[1] == 'E' && shared[2] == 'L');
	show("mprotect that mapping writable", sys_mprotect(shared, PAGE, PROT_READ | PROT_WRITE));
	char *private = sys_mmap2(0, PAGE, PROT_READ, MAP_PRIVATE, self, 0);
	show("mprotect a private file mapping writable", sys_mprotect(private, PAGE, PROT_READ | PROT_WRITE));
	private[0] = 'X';
	show("write it: the file's own bytes are untouched", shared[0] == 0x7f);
}

static void bad_munmap_and_mprotect(void)
{
	char *p = anon(3, PROT_READ | PROT_WRITE);
	show("munmap an unaligned address", sys_munmap(p + 1, PAGE));
	show("munmap length 0", sys_munmap(p, 0));
	show("munmap the kernel's half", sys_munmap((void *)0xc0000000, PAGE));
	show("munmap the middle page", sys_munmap(p + PAGE, PAGE));
	show("munmap it again (nothing there)", sys_munmap(p + PAGE, PAGE));
	show("mprotect an unaligned address", sys_mprotect(p + 1, PAGE, PROT_READ));
	show("mprotect with an unknown bit", sys_mprotect(p, PAGE, 0x40));
	show("mprotect across the hole", sys_mprotect(p, 3 * PAGE, PROT_READ));
	show("mprotect length 0", sys_mprotect(p, 0, PROT_READ));
	show("mprotect one side", sys_mprotect(p, PAGE, PROT_READ));
	show("madvise MADV_WILLNEED across the hole", syscall3(NR_madvise, (long)p, 3 * PAGE, MADV_WILLNEED));
	show("madvise MADV_WILLNEED at an unaligned address", syscall3(NR_madvise, (long)p + 1, PAGE, MADV_WILLNEED));
}

static void brk_limits(void)
{
	long start = syscall1(NR_brk, 0);
	show("brk below the heap's start leaves it", syscall1(NR_brk, 4096) == start);
	show("brk into the kernel's half leaves it", syscall1(NR_brk, 0xc0001000) == start);
	show("brk up 3 pages", syscall1(NR_brk, start + 3 * PAGE) - start);
	char *heap = (char *)start;
	heap[3 * PAGE - 1] = 1;
	show("brk back down", syscall1(NR_brk, start) - start);
}

/* Two cases the system-call fuzzer found. A PROT_NONE page that fork
 * copies first into a new page table must not make its neighbours
 * unreachable (vmlab's child looped on a fault); a region both executable
 * and GROWSDOWN must count once in /proc/PID/status (vmlab's VmData went
 * below zero and the kernel panicked). */
static void fuzzer_finds(void)
{
	char *p = sys_mmap2((void *)0x50000000, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	p[0] = 1;
	p[PAGE] = 7;
	sys_mprotect(p, PAGE, PROT_NONE);
	long pid = sys_fork();
	if (pid == 0)
		sys_exit(p[PAGE]);
	int status = 0;
	sys_waitpid(pid, &status, 0);
	show("fork after mprotect PROT_NONE: the child reads the next page", (status >> 8) & 0xff);
	/* Larger than the rest of the address space, so that counting it twice
	 * is more than VmSize. */
	sys_mmap2(0, 16384 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	long fd = sys_open("/proc/self/status", 0);
	char text[64];
	show("read /proc/self/status with an executable GROWSDOWN region", sys_read(fd, text, sizeof text) > 0);
	sys_close(fd);
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	syscall3(NR_mkdir, (long)"/proc", 0755, 0);
	syscall6(NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	bad_mmap();
	bad_munmap_and_mprotect();
	brk_limits();
	fuzzer_finds();
	sys_exit(0);
}
