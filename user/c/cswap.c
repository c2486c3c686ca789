/* cswap: turning the swap disk on and off (swapon, swapoff), the area in
 * /proc/swaps and /proc/meminfo, and the errors of each way a path can be
 * wrong. The kernel reports a disk without a swap signature itself. Run
 * with a disk made by mkswap (`cargo xtask run --swap 16M`), or with a
 * blank one. */

#define VMLAB_PROC 4096
#include "sys.h"

#define NR_swapon 87
#define NR_swapoff 115

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static long swapon(const char *path)
{
	return syscall3(NR_swapon, (long)path, 0, 0);
}

static long swapoff(const char *path)
{
	return syscall1(NR_swapoff, (long)path);
}

static void show_swaps(void)
{
	print_str("/proc/swaps:\n");
	slurp("/proc/swaps");
	print_str(proc_text);
	report("SwapTotal (kB)", field_kb("/proc/meminfo", "SwapTotal:"));
	report("SwapFree (kB)", field_kb("/proc/meminfo", "SwapFree:"));
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	long on = swapon("/dev/hda");
	report("swapon /dev/hda", on);
	show_swaps();
	if (on == 0) {
		report("swapon /dev/hda again", swapon("/dev/hda"));
		report("swapoff /dev/hda", swapoff("/dev/hda"));
		show_swaps();
	}
	report("swapoff of an area that is off", swapoff("/dev/hda"));
	report("swapon of a file that is no swap area", swapon("/bin/cswap"));
	report("swapon of no such file", swapon("/nosuch"));
	report("swapoff of no such file", swapoff("/nosuch"));
	report("swapon of a bad pointer", swapon((const char *)1));
	sys_exit(0);
}
