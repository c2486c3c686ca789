/* cmaps: the regions of a freshly loaded program, as /proc/self/maps shows
 * them, compared with Linux.
 *
 * The same ELF file gives the same regions on any kernel that loads it as
 * Linux does: one private file region per PT_LOAD segment, its .bss beyond
 * the file an anonymous one. This prints, for each region, its range,
 * permissions, file offset and device: the inode and path differ (Linux
 * runs it as /init) and so do the regions Linux adds ([vvar], [vdso]) or
 * places at random (the stack), which are left out. Linux's initramfs has
 * no /proc, so the program mounts one; on vmlab those two calls fail
 * harmlessly. */

#include "sys.h"

#define NR_mount 21
#define NR_mkdir 39

static char maps[8192];

/* Whether `line` (up to its newline) contains `word`. */
static int contains(const char *line, const char *word)
{
	for (; *line && *line != '\n'; line++) {
		const char *a = line, *b = word;
		while (*b && *a == *b)
			a++, b++;
		if (!*b)
			return 1;
	}
	return 0;
}

/* Prints the first four fields of `line`: range, permissions, offset, device. */
static void print_fields(const char *line)
{
	const char *end = line;
	for (int spaces = 0; *end && *end != '\n'; end++)
		if (*end == ' ' && ++spaces == 4)
			break;
	sys_write(1, line, end - line);
	sys_write(1, "\n", 1);
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	syscall3(NR_mkdir, (long)"/proc", 0755, 0);
	syscall6(NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	long fd = sys_open("/proc/self/maps", 0), n, len = 0;
	while (fd >= 0 && (n = sys_read(fd, maps + len, sizeof maps - 1 - len)) > 0)
		len += n;
	for (const char *line = maps; line < maps + len;) {
		if (!contains(line, "[vvar]") && !contains(line, "[vdso]") && !contains(line, "[stack]"))
			print_fields(line);
		while (line < maps + len && *line++ != '\n')
			;
	}
	sys_exit(0);
}
