/* sys.h: Linux i386 system calls and printing, for C programs without a libc.
 *
 * Every program in user/c is one file, built as a static Linux i386 binary:
 *
 *   gcc -m32 -static -nostdlib -ffreestanding -fno-pie -no-pie \
 *       -fno-stack-protector -O1 -o NAME NAME.c
 *
 * so it runs unchanged on vmlab and on Linux. A system call is `int $0x80`
 * with its number in eax and its arguments in ebx, ecx, edx (then esi, edi,
 * ebp); the result, or -errno, comes back in eax. */

#ifndef VMLAB_SYS_H
#define VMLAB_SYS_H

/* Linux's numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define NR_exit 1
#define NR_write 4
#define NR_getpid 20
#define NR_fork 2
#define NR_waitpid 7
#define NR_clone 120

static inline long syscall1(long nr, long a)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a) : "memory");
	return ret;
}

static inline long syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return ret;
}

/* write(fd, buf, count): bytes written, or -errno. */
static inline long sys_write(int fd, const void *buf, unsigned long count)
{
	return syscall3(NR_write, fd, (long)buf, (long)count);
}

/* exit(status): ends the process; its parent sees the low 8 bits. */
static inline __attribute__((noreturn)) void sys_exit(int status)
{
	syscall1(NR_exit, status);
	__builtin_unreachable();
}

/* getpid(): the caller's process id. */
static inline long sys_getpid(void)
{
	return syscall1(NR_getpid, 0);
}

/* Writes the NUL-terminated string s to standard output. */
static inline void print_str(const char *s)
{
	unsigned long len = 0;

	while (s[len])
		len++;
	sys_write(1, s, len);
}

/* Writes n in decimal to standard output. */
static inline void print_dec(long n)
{
	char buf[12]; /* "-2147483648" and room to spare */
	char *p = buf + sizeof(buf);
	/* The magnitude as unsigned, so that the most negative long works. */
	unsigned long u = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;

	*--p = '\0';
	do {
		*--p = '0' + u % 10;
		u /= 10;
	} while (u);
	if (n < 0)
		*--p = '-';
	print_str(p);
}

#endif
