/* cpagecache: the page cache, compared with Linux.
 *
 * A file's pages are in memory once, and every user of the file reaches
 * the same frames: two runs of one program share their text, a store
 * through one MAP_SHARED mapping is seen through every other and by read(),
 * and write() is seen through the mappings. A private mapping sees the
 * file until it writes a page, which then becomes its own copy. A program
 * that runs from a file keeps writers out of it, and the other way round
 * (ETXTBSY).
 *
 * The program writes into /bin/chello, which nothing runs meanwhile, and
 * puts its bytes back at the end. Every result printed is a value, a yes
 * (1) or no (0), or -errno, never an address. With the argument `vmlab` it
 * also prints what only vmlab shows the same way on every run: major faults
 * (Linux's initramfs never reads a disk, so it has none), the growth of
 * /proc/meminfo's Cached, and a write at the end of a file, which vmlab
 * refuses (its files cannot grow) where Linux would grow the file. */

#define VMLAB_ARGV
#define VMLAB_PROC 32768
#include "sys.h"

#define NR_execve 11
#define NR_mount 21
#define NR_mkdir 39
#define NR_wait4 114
#define O_WRONLY 1
#define O_RDWR 2
#define MAP_SHARED 0x01
#define PAGE 4096
#define PROT_RW (PROT_READ | PROT_WRITE)

/* The file written, one that no one runs meanwhile, and where. */
#define OTHER "/bin/chello"
#define AT 200
/* A file that only this program's children map, in the `vmlab` part. */
#define UNUSED "/bin/cabi"

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static long execve(const char *path, const char *arg)
{
	const char *argv[] = { path, arg, 0 }, *envp[] = { 0 };
	return syscall3(NR_execve, (long)path, (long)argv, (long)envp);
}

static void wait_child(long pid)
{
	int status;
	sys_waitpid(pid, &status, 0);
}

/* The number after `field` in the smaps entry of this program's text, the
 * one region that may be executed. */
static long text_kb(const char *field)
{
	slurp("/proc/self/smaps");
	const char *text = proc_text;
	while (*text && !(text[0] == 'r' && text[1] == '-' && text[2] == 'x' && text[3] == 'p'))
		text++;
	return field_in(text, field);
}

/* The child run of this program: its text is the parent's, frame for
 * frame. */
static void text_of_a_second_run(void)
{
	/* Linux's initramfs pages are dirty (no disk holds them), vmlab's
	 * clean (the initrd does): count both. */
	report("a second run shares its text with the first (Shared_Clean + Shared_Dirty > 0)",
	       text_kb("Shared_Clean:") + text_kb("Shared_Dirty:") > 0);
	report("so its text's Pss is below its Rss", text_kb("Pss:") < text_kb("Rss:"));
	report("and none of it is private", text_kb("Private_Clean:") + text_kb("Private_Dirty:") == 0);
}

static void shared_text(const char *self)
{
	long pid = sys_fork();
	if (pid == 0) {
		long ret = execve(self, "child");
		report("execve failed", ret);
		sys_exit(1);
	}
	wait_child(pid);
}

static void write_access(const char *self)
{
	report("open of the running program for writing", sys_open(self, O_RDWR));
	report("open of it write-only", sys_open(self, O_WRONLY));
	long fd = sys_open(OTHER, O_RDWR);
	long pid = sys_fork();
	if (pid == 0) {
		report("execve of a file open for writing", execve(OTHER, 0));
		sys_exit(0);
	}
	wait_child(pid);
	sys_close(fd);
}

static void shared_file(void)
{
	long ro = sys_open(OTHER, 0), rw = sys_open(OTHER, O_RDWR), wo = sys_open(OTHER, O_WRONLY);
	report("MAP_SHARED|PROT_WRITE of a read-only descriptor", (long)sys_mmap2(0, PAGE, PROT_RW, MAP_SHARED, ro, 0));
	char *ro_map = sys_mmap2(0, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	report("mprotect of that mapping to PROT_WRITE", sys_mprotect(ro_map, PAGE, PROT_RW));
	char buf[AT + 8];
	report("read of a write-only descriptor", sys_read(wo, buf, 1));

	char *a = sys_mmap2(0, PAGE, PROT_RW, MAP_SHARED, rw, 0);
	char *b = sys_mmap2(0, PAGE, PROT_RW, MAP_SHARED, rw, 0);
	char *p = sys_mmap2(0, PAGE, PROT_RW, MAP_PRIVATE, ro, 0);
	char saved[4];
	for (int i = 0; i < 4; i++)
		saved[i] = a[AT + i];

	a[AT] = 'S';
	report("a store through one shared mapping is seen through the other", b[AT] == 'S');
	report("and through the read-only one", ro_map[AT] == 'S');
	report("and through a private mapping that has not written", p[AT] == 'S');
	long fd = sys_open(OTHER, 0);
	report("read() sees it", sys_read(fd, buf, AT + 1) == AT + 1 && buf[AT] == 'S');
	sys_close(fd);

	p[AT] = 'P';
	report("a private store stays private", a[AT] == 'S' && p[AT] == 'P');
	a[AT + 1] = 'T';
	report("the private copy does not see later shared stores", p[AT + 1] == saved[1]);

	long pid = sys_fork();
	if (pid == 0) {
		a[AT + 2] = 'C';
		sys_exit(0);
	}
	wait_child(pid);
	report("a forked child's store through the shared mapping", a[AT + 2] == 'C');

	for (int i = 0; i < AT + 4; i++)
		buf[i] = a[i];
	buf[AT + 3] = 'W';
	report("write() of the first bytes", sys_write(wo, buf, AT + 4));
	report("the mappings see what write() wrote", a[AT + 3] == 'W' && b[AT + 3] == 'W');

	for (int i = 0; i < 4; i++)
		a[AT + i] = saved[i];
	report("the bytes put back, read through the other mapping", b[AT] == saved[0] && b[AT + 3] == saved[3]);
	sys_munmap(a, PAGE);
	sys_munmap(b, PAGE);
	sys_munmap(p, PAGE);
	sys_munmap(ro_map, PAGE);
	sys_close(ro);
	sys_close(rw);
	sys_close(wo);
}

/* A child that maps UNUSED and reads each of its first three pages; its
 * major faults. */
static long map_and_touch(void)
{
	long pid = sys_fork();
	if (pid == 0) {
		long fd = sys_open(UNUSED, 0);
		volatile char *m = sys_mmap2(0, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
		for (int i = 0; i < 3; i++)
			(void)m[i * PAGE];
		sys_exit(0);
	}
	long usage[18] = { 0 };
	int status;
	syscall6(NR_wait4, pid, (long)&status, 0, (long)usage, 0, 0);
	return usage[9];
}

static long write_to_proc(const char *path, const char *value)
{
	long fd = sys_open(path, O_WRONLY);
	long ret = fd < 0 ? fd : sys_write(fd, value, 1);
	sys_close(fd);
	return ret;
}

static void vmlab_counts(void)
{
	long cached = field_kb("/proc/meminfo", "Cached:");
	report("major faults of the first process to map 3 pages of a file", map_and_touch());
	report("Cached grew by (kB)", field_kb("/proc/meminfo", "Cached:") - cached);
	report("major faults of the second", map_and_touch());
	report("drop_caches with 9", write_to_proc("/proc/sys/vm/drop_caches", "9"));
	report("drop_caches with 1", write_to_proc("/proc/sys/vm/drop_caches", "1"));
	report("Cached then differs from before by (kB)", field_kb("/proc/meminfo", "Cached:") - cached);

	long fd = sys_open(OTHER, 0), size = 0, n;
	while ((n = sys_read(fd, proc_text, sizeof proc_text)) > 0)
		size += n;
	sys_close(fd);
	fd = sys_open(OTHER, 0);
	sys_read(fd, proc_text, size);
	sys_close(fd);
	long wo = sys_open(OTHER, O_WRONLY);
	report("write() of the whole file and 10 bytes more: bytes written less the size",
	       sys_write(wo, proc_text, size + 10) - size);
	report("write() at its end", sys_write(wo, proc_text, 1));
	sys_close(wo);
}

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	const char *self = (const char *)sp[1];
	if (sp[0] > 1 && same((const char *)sp[2], "child")) {
		text_of_a_second_run();
		sys_exit(0);
	}
	syscall3(NR_mkdir, (long)"/proc", 0755, 0);
	syscall6(NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	shared_text(self);
	write_access(self);
	shared_file();
	if (sp[0] > 1 && same((const char *)sp[2], "vmlab"))
		vmlab_counts();
	sys_exit(0);
}
