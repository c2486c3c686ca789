/* cfault: page faults as a process sees them, the same binary on vmlab and
 * on Linux (`cargo xtask oracle cfault`).
 *
 * Each case that may fault runs in a forked child, so only the child dies;
 * the parent prints how it ended, decoded from the wait status ("exited N"
 * or "killed by signal N"), or a system call's return value:
 *
 *   (a) reading NULL: nothing is mapped there, SIGSEGV;
 *   (b) writing the program's own text: mapped, but not writable, SIGSEGV;
 *   (c) calling a `ret` in a PROT_READ page: i386 page tables without PAE
 *       have no NX bit, so a readable page is executable and the call
 *       returns; a limit of the hardware, not a kernel bug;
 *   (d) an access 8 MiB + 64 KiB below the stack pointer: SIGSEGV, the
 *       stack may not grow there (Linux 2.6 and vmlab: more than 64 KiB
 *       below esp; Linux today: beyond RLIMIT_STACK, 8 MiB);
 *   (e) recursion through 1 MiB of stack, well below the 8 MiB limit: the
 *       stack grows on demand and every frame keeps its values;
 *   (f) read() and write() with an unmapped buffer: no fault, -EFAULT (-14),
 *       and the failed read leaves the file position where it was;
 *   (g) writing a PROT_READ mapping: SIGSEGV; after mprotect(PROT_READ |
 *       PROT_WRITE) the same write works;
 *   (h) touching memory after munmap: SIGSEGV;
 *   (i) reading a file mapping at a page past the end of the file, 4 MiB
 *       in, and at one 4 GiB in (an offset that needs more than 32 bits):
 *       SIGBUS;
 *   (j) int3: SIGTRAP, the debugger's breakpoint;
 *   (k) recursion without end: the stack grows to its 8 MiB limit, and the
 *       next page is refused, SIGSEGV.
 *
 * Nothing printed depends on the kernel: no addresses, no pids. */

#define VMLAB_ARGV
#include "sys.h"

#define PAGE 4096
#define UNMAPPED ((void *)0x1000) /* below the program, never mapped */


/* Prints "what: how the child ended" from its wait status. */
static void report_status(const char *what, int status)
{
	print_str(what);
	if ((status & 0x7f) == 0) {
		print_str(": exited ");
		print_dec((status >> 8) & 0xff);
	} else {
		print_str(": killed by signal ");
		print_dec(status & 0x7f);
	}
	print_str("\n");
}

/* Prints "what = value". */
static void report_value(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

/* Runs fn in a child, waits for it and reports how it ended. */
static void in_child(const char *what, void (*fn)(void))
{
	int status = 0;
	long pid = sys_fork();

	if (pid == 0) {
		fn();
		sys_exit(0);
	}
	if (sys_waitpid(pid, &status, 0) != pid)
		print_str("waitpid failed\n");
	report_status(what, status);
}

/* An anonymous private mapping of one page, or exit(99) if none. */
static volatile unsigned char *map_page(int prot)
{
	void *p = sys_mmap2(0, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if ((unsigned long)p > -4096UL)
		sys_exit(99);
	return p;
}

static void read_null(void)
{
	sys_exit(*(volatile int *)0);
}

static void write_text(void)
{
	*(volatile unsigned char *)(void *)write_text = 0x90;
}

static void exec_readonly(void)
{
	volatile unsigned char *p = map_page(PROT_READ | PROT_WRITE);

	p[0] = 0xc3; /* ret */
	sys_mprotect((void *)p, PAGE, PROT_READ);
	((void (*)(void))p)();
	sys_exit(7); /* it returned */
}

static void far_below_stack(void)
{
	volatile char here = 0;
	volatile char *far = &here - (8 << 20) - (64 << 10);

	sys_exit(*far + 5);
}

/* 256 frames of 4 KiB each: fill the frame with a pattern of its own, recurse,
 * then add it up and count the bytes that lost their pattern meanwhile. */
static int damaged;

static unsigned long recurse(int depth)
{
	volatile unsigned char frame[PAGE];
	unsigned long sum = 0;
	int i;

	for (i = 0; i < PAGE; i++)
		frame[i] = (unsigned char)(depth * 7 + i);
	if (depth > 0)
		sum = recurse(depth - 1);
	for (i = 0; i < PAGE; i++) {
		sum += frame[i];
		damaged += frame[i] != (unsigned char)(depth * 7 + i);
	}
	return sum;
}

static void deep_recursion(void)
{
	report_value("(e) checksum of 256 frames of 4 KiB", recurse(255));
	report_value("(e) bytes damaged", damaged);
}

static void bad_buffers(const char *self)
{
	unsigned char buf[4] = { 0 };
	long fd = sys_open(self, 0);

	report_value("(f) open(argv[0]) succeeded", fd >= 0);
	report_value("(f) read(fd, 0x1000, 16)", sys_read(fd, UNMAPPED, 16));
	report_value("(f) write(1, 0x1000, 4)", sys_write(1, UNMAPPED, 4));
	report_value("(f) then read(fd, buf, 4)", sys_read(fd, buf, 4));
	report_value("(f) and buf is the ELF magic (offset still 0)",
		     buf[0] == 0x7f && buf[1] == 'E' && buf[2] == 'L' && buf[3] == 'F');
	sys_close(fd);
}

static void write_readonly(void)
{
	volatile unsigned char *p = map_page(PROT_READ);

	p[0] = 1;
}

static void write_after_mprotect(void)
{
	volatile unsigned char *p = map_page(PROT_READ);

	if (p[0] != 0)
		sys_exit(98);
	if (sys_mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE) != 0)
		sys_exit(97);
	p[0] = 42;
	sys_exit(p[0]);
}

static void touch_after_munmap(void)
{
	volatile unsigned char *p = map_page(PROT_READ | PROT_WRITE);

	p[0] = 1;
	if (sys_munmap((void *)p, PAGE) != 0)
		sys_exit(96);
	sys_exit(p[0] + 10);
}

/* The program's own file, argv[0], for the file mappings of (i). */
static const char *self_path;

/* Reads the first byte of a one-page private mapping of the program's file
 * at page `pgoff`. */
static void read_file_page(long pgoff)
{
	long fd = sys_open(self_path, 0);
	volatile unsigned char *p = sys_mmap2(0, PAGE, PROT_READ, MAP_PRIVATE, fd, pgoff);

	sys_exit(p[0]);
}

static void read_past_end(void)
{
	read_file_page(1024);
}

static void read_4g_in(void)
{
	read_file_page(0x100000);
}

static void breakpoint(void)
{
	__asm__ volatile("int3");
	sys_exit(0);
}

/* Recursion without end: the stack grows a page at a time to its 8 MiB
 * limit, and the next page faults for good. (`forever` is never cleared;
 * testing it keeps gcc from warning about a recursion it can see has no
 * end.) */
static volatile int forever = 1;

static unsigned long endless(unsigned long depth)
{
	volatile unsigned char frame[PAGE];

	frame[0] = (unsigned char)depth;
	if (!forever)
		return 0;
	return endless(depth + 1) + frame[0];
}

static void stack_overflow(void)
{
	sys_exit((int)endless(0));
}

__attribute__((noreturn, used)) void start_c(long *sp)
{
	const char *self = ((const char **)(sp + 1))[0];

	self_path = self;

	in_child("(a) read of NULL", read_null);
	in_child("(b) write into own text", write_text);
	in_child("(c) call a ret in a PROT_READ page (i386: no NX)", exec_readonly);
	in_child("(d) access 8 MiB + 64 KiB below esp", far_below_stack);
	in_child("(e) 1 MiB of recursion", deep_recursion);
	bad_buffers(self);
	in_child("(g) write to a PROT_READ mapping", write_readonly);
	in_child("(g) same after mprotect(READ|WRITE), exit with the byte", write_after_mprotect);
	in_child("(h) touch after munmap", touch_after_munmap);
	in_child("(i) read a file page 4 MiB in, past the end", read_past_end);
	in_child("(i) read a file page 4 GiB in", read_4g_in);
	in_child("(j) int3", breakpoint);
	in_child("(k) recursion without end, past the 8 MiB stack limit", stack_overflow);
	sys_exit(0);
}
