/* clibc: the calls a C library makes at start-up and in stdio, with good
 * and bad arguments, compared with Linux: set_thread_area, set_tid_address,
 * readv, writev, ioctl(TIOCGWINSZ), uname and getuid. Every result printed
 * is a value or -errno, never an address. */

#define VMLAB_ARGV
#include "sys.h"

#define NR_getuid32 199
#define NR_ioctl 54
#define NR_readv 145
#define NR_writev 146
#define NR_uname 122
#define NR_set_thread_area 243
#define NR_set_tid_address 258
#define TIOCGWINSZ 0x5413
#define NR_mount 21
#define NR_mkdir 39

struct iovec {
	const void *base;
	unsigned long len;
};

struct user_desc {
	unsigned entry_number, base_addr, limit, flags;
};

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static char tls[64];
static char buf[16];

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	(void)sp;
	/* Linux's initramfs has no /proc; on vmlab these calls fail harmlessly. */
	syscall3(NR_mkdir, (long)"/proc", 0755, 0);
	syscall6(NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	/* A 32-bit, page-granular, useable data segment, as musl asks. */
	struct user_desc desc = { (unsigned)-1, (unsigned)tls, 0xfffff, 1 | 1 << 4 | 1 << 6 };
	report("set_thread_area(any entry)", syscall1(NR_set_thread_area, (long)&desc));
	report("the entry it chose is 6 or more", desc.entry_number >= 6);
	unsigned selector = desc.entry_number * 8 + 3;
	*(unsigned *)tls = 0x1234;
	unsigned seen;
	__asm__ volatile("movl %1, %%gs\n\tmovl %%gs:0, %0" : "=r"(seen) : "r"(selector));
	report("%gs:0 reads the thread data", seen == 0x1234);
	struct user_desc code = desc;
	code.flags |= 2 << 1;
	report("set_thread_area(a code segment)", syscall1(NR_set_thread_area, (long)&code));
	struct user_desc low = desc;
	low.entry_number = 2;
	report("set_thread_area(entry 2)", syscall1(NR_set_thread_area, (long)&low));
	report("set_thread_area(bad pointer)", syscall1(NR_set_thread_area, 16));
	report("set_tid_address is the pid", syscall1(NR_set_tid_address, (long)buf) == sys_getpid());

	struct iovec iov[2] = { { "ab", 2 }, { "c\n", 2 } };
	report("writev of two segments", syscall3(NR_writev, 1, (long)iov, 2));
	report("writev of 0 segments", syscall3(NR_writev, 1, (long)iov, 0));
	report("writev of 1025 segments", syscall3(NR_writev, 1, (long)iov, 1025));
	struct iovec negative[1] = { { "x", 0x80000000UL } };
	report("writev of a negative length", syscall3(NR_writev, 1, (long)negative, 1));
	report("writev from a bad array", syscall3(NR_writev, 1, 16, 1));
	struct iovec bad_base[1] = { { (void *)16, 4 } };
	report("writev from a bad buffer", syscall3(NR_writev, 1, (long)bad_base, 1));
	report("writev to a bad descriptor", syscall3(NR_writev, 7, (long)iov, 2));
	long fd = sys_open("/proc/self/status", 0);
	struct iovec into[2] = { { buf, 0 }, { buf, 5 } };
	report("readv skips an empty segment", syscall3(NR_readv, fd, (long)into, 2));
	report("and reads the file", buf[0] == 'N' && buf[4] == ':');

	unsigned short winsize[4] = { 1, 1, 1, 1 };
	report("TIOCGWINSZ on the console", syscall3(NR_ioctl, 1, TIOCGWINSZ, (long)winsize));
	report("rows and columns", winsize[0] * 1000 + winsize[1]);
	report("TIOCGWINSZ to a bad pointer", syscall3(NR_ioctl, 1, TIOCGWINSZ, 16));
	report("TIOCGWINSZ on a file", syscall3(NR_ioctl, fd, TIOCGWINSZ, (long)winsize));
	report("ioctl on a bad descriptor", syscall3(NR_ioctl, 9, TIOCGWINSZ, (long)winsize));

	static char uts[6 * 65];
	report("uname", syscall1(NR_uname, (long)uts));
	report("sysname is Linux", uts[0] == 'L' && uts[4] == 'x' && uts[5] == 0);
	report("uname to a bad pointer", syscall1(NR_uname, 16));
	report("getuid32", syscall1(NR_getuid32, 0));
	sys_exit(0);
}
