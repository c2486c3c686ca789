/* csmaps: /proc/self/smaps for three regions, compared with Linux: private
 * memory the program wrote, the same memory after a fork (each page then
 * mapped twice, copy-on-write), and shared memory a child maps too.
 *
 * For each region the program prints the lines that say how much of it is
 * in memory and whose: Rss, Pss, Shared_Clean, Shared_Dirty, Private_Clean,
 * Private_Dirty and Anonymous. A child stays alive, spinning on a flag in
 * shared memory, while the parent reads its own smaps. */

#include "sys.h"

#define NR_mount 21
#define NR_mkdir 39
#define NR_sched_yield 158
#define PAGE 4096
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_SHARED 0x01

static char text[32768];

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

static unsigned long hex(const char *p)
{
	unsigned long n = 0;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		n = n * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10);
	return n;
}

static const char *next_line(const char *line)
{
	while (*line && *line != '\n')
		line++;
	return *line ? line + 1 : line;
}

/* Prints the counting lines of the region of smaps that starts at `addr`. */
static void show(const char *what, void *addr)
{
	static const char *fields[] = { "Rss:", "Pss:", "Shared_Clean:", "Shared_Dirty:",
					"Private_Clean:", "Private_Dirty:", "Anonymous:" };
	long fd = sys_open("/proc/self/smaps", 0), n, len = 0;
	while (fd >= 0 && (n = sys_read(fd, text + len, sizeof text - 1 - len)) > 0)
		len += n;
	sys_close(fd);
	text[len] = '\0';
	print_str(what);
	print_str(":\n");
	int in = 0;
	for (const char *line = text; *line; line = next_line(line)) {
		int header = (*line >= '0' && *line <= '9') || (*line >= 'a' && *line <= 'f');
		if (header)
			in = hex(line) == (unsigned long)addr;
		for (unsigned i = 0; in && !header && i < sizeof fields / sizeof *fields; i++)
			if (starts_with(line, fields[i]))
				sys_write(1, line, next_line(line) - line);
	}
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	syscall3(NR_mkdir, (long)"/proc", 0755, 0);
	syscall6(NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	char *private = sys_mmap2(0, 4 * PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shared = sys_mmap2(0, 2 * PAGE, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 4; i++)
		private[i * PAGE] = 1;
	shared[0] = shared[PAGE] = 1;
	show("4 private pages written", private);
	volatile char *stop = shared + 100, *ready = shared + 101;
	long pid = sys_fork();
	if (pid == 0) {
		(void)((volatile char *)shared)[0], (void)((volatile char *)shared)[PAGE];
		*ready = 1;
		while (!*stop)
			syscall1(NR_sched_yield, 0);
		sys_exit(0);
	}
	while (!*ready)
		syscall1(NR_sched_yield, 0);
	show("the same pages with a child forked", private);
	show("2 shared pages the child mapped too", shared);
	*stop = 1;
	sys_waitpid(pid, 0, 0);
	show("the private pages once the child is gone", private);
	sys_exit(0);
}
