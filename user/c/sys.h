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

/* More of Linux's numbers, for the programs that need memory and files. */
#define NR_read 3
#define NR_open 5
#define NR_close 6
#define NR_munmap 91
#define NR_mprotect 125
#define NR_mmap2 192

/* mmap2's protections and flags (asm-generic/mman-common.h). */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20

/* A six-argument call: the sixth goes in ebp, which gcc cannot be asked to
 * load (it may be the frame pointer), so it is saved around the call and
 * loaded from memory addressed by eax, which then takes the number. */
static inline long syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	long block[2] = { nr, f };
	long ret;
	__asm__ volatile("pushl %%ebp\n\t"
			 "movl 4(%%eax), %%ebp\n\t"
			 "movl (%%eax), %%eax\n\t"
			 "int $0x80\n\t"
			 "popl %%ebp"
			 : "=a"(ret)
			 : "a"(block), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return ret;
}

/* read(fd, buf, count): bytes read, or -errno. */
static inline long sys_read(int fd, void *buf, unsigned long count)
{
	return syscall3(NR_read, fd, (long)buf, (long)count);
}

/* open(path, flags): a file descriptor, or -errno. */
static inline long sys_open(const char *path, int flags)
{
	return syscall3(NR_open, (long)path, flags, 0);
}

/* close(fd): 0, or -errno. */
static inline long sys_close(int fd)
{
	return syscall1(NR_close, fd);
}

/* fork(): the child's pid in the parent, 0 in the child, or -errno. */
static inline long sys_fork(void)
{
	return syscall1(NR_fork, 0);
}

/* waitpid(pid, &status, options): the pid that ended, or -errno. */
static inline long sys_waitpid(long pid, int *status, int options)
{
	return syscall3(NR_waitpid, pid, (long)status, options);
}

/* mmap2(addr, len, prot, flags, fd, pgoff): the mapping's address, or
 * -errno (an address above -4096 is an error). The offset is in pages. */
static inline void *sys_mmap2(void *addr, unsigned long len, int prot, int flags, int fd, long pgoff)
{
	return (void *)syscall6(NR_mmap2, (long)addr, (long)len, prot, flags, fd, pgoff);
}

/* munmap(addr, len): 0, or -errno. */
static inline long sys_munmap(void *addr, unsigned long len)
{
	return syscall3(NR_munmap, (long)addr, (long)len, 0);
}

/* mprotect(addr, len, prot): 0, or -errno. */
static inline long sys_mprotect(void *addr, unsigned long len, int prot)
{
	return syscall3(NR_mprotect, (long)addr, (long)len, prot);
}

#ifdef VMLAB_ARGV
/* The entry point, for a program that defines VMLAB_ARGV before it includes
 * this file and defines start_c(long *sp): the kernel leaves esp at argc,
 * argv[0] follows. Realign the stack for C and pass the old esp. */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n\t"
	"movl %esp, %eax\n\t"
	"andl $-16, %esp\n\t"
	"subl $12, %esp\n\t"
	"pushl %eax\n\t"
	"call start_c\n\t"
	"hlt\n");
#endif

#ifdef VMLAB_PROC
/* Reading /proc files, for a program that defines VMLAB_PROC as the size of
 * the buffer before it includes this file. */
static char proc_text[VMLAB_PROC];

/* Reads a whole file into proc_text; returns its length. */
static long slurp(const char *path)
{
	long fd = sys_open(path, 0), n, len = 0;
	while (fd >= 0 && (n = sys_read(fd, proc_text + len, sizeof proc_text - 1 - len)) > 0)
		len += n;
	sys_close(fd);
	proc_text[len] = '\0';
	return len;
}

/* The number after `field` at the start of the first line of `text` that
 * has it; -1 if none has. */
static long field_in(const char *text, const char *field)
{
	for (const char *line = text; *line;) {
		const char *a = line, *b = field;
		while (*b && *a == *b)
			a++, b++;
		if (!*b) {
			long n = 0;
			while (*a == ' ' || *a == '\t')
				a++;
			while (*a >= '0' && *a <= '9')
				n = n * 10 + (*a++ - '0');
			return n;
		}
		while (*line && *line++ != '\n')
			;
	}
	return -1;
}

/* The number after `field` in /proc file `path`, in kB, as field_in. */
static long field_kb(const char *path, const char *field)
{
	slurp(path);
	return field_in(proc_text, field);
}
#endif

#ifdef VMLAB_THREADS
/* Threads, for a program that defines VMLAB_THREADS before it includes this
 * file and defines thread_main: clone(CLONE_VM) makes a task that shares
 * the address space, and the child calls thread_main on the stack it is
 * given. thread_main must not return: the parent's frames are not the
 * thread's to return through. */
#define CLONE_VM 0x100

__attribute__((noreturn, used)) static void thread_main(void);

/* clone(CLONE_VM, stack_top): the thread's pid in the parent, or -errno. */
static inline long clone_thread(char *stack_top)
{
	long ret;
	__asm__ volatile("int $0x80\n\t"
			 "testl %%eax, %%eax\n\t"
			 "jnz 1f\n\t"
			 "call thread_main\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(NR_clone), "b"(CLONE_VM), "c"(stack_top)
			 : "memory");
	return ret;
}
#endif

#endif
