/* cswapout: a program whose memory is twice the machine's RAM, run with a
 * swap disk (`cargo xtask run --swap 128M -m 32M`). It fills every page of
 * an anonymous mapping with values of its own, reads them all back, then
 * forks: the child checks and rewrites half the pages, the parent checks
 * that its own are unchanged. Every page must come back from swap as it
 * went out; /proc/vmstat's pswpout and pswpin show the traffic.
 *
 * Only values any correct kernel gives are printed: counts of bad pages,
 * statuses, whether the counters moved. */

#define VMLAB_PROC 4096
#include "sys.h"

#define NR_swapon 87
#define NR_swapoff 115
#define PAGE 4096
#define WORDS (PAGE / 4)

static void say(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

/* The value word `w` of page `p` holds in round `round`. */
static unsigned int value(long p, long w, unsigned int round)
{
	return (unsigned int)(p * 2654435761u) ^ (unsigned int)w ^ round;
}

static void fill(unsigned int *mem, long first, long pages, unsigned int round)
{
	for (long p = first; p < first + pages; p++)
		for (long w = 0; w < WORDS; w += 64)
			mem[p * WORDS + w] = value(p, w, round);
}

/* Pages in [first, first + pages) not holding round `round`'s values. */
static long bad_pages(unsigned int *mem, long first, long pages, unsigned int round)
{
	long bad = 0;
	for (long p = first; p < first + pages; p++)
		for (long w = 0; w < WORDS; w += 64)
			if (mem[p * WORDS + w] != value(p, w, round)) {
				bad++;
				break;
			}
	return bad;
}

static long vmstat(const char *field)
{
	slurp("/proc/vmstat");
	return field_in(proc_text, field);
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	say("swapon /dev/hda", syscall3(NR_swapon, (long)"/dev/hda", 0, 0));
	long ram_kb = field_kb("/proc/meminfo", "MemTotal:");
	long pages = ram_kb / 4 * 2;
	unsigned int *mem = sys_mmap2(0, pages * PAGE, 3, 0x22, -1, 0);
	say("mapped twice the RAM", (unsigned long)mem < -4096ul);
	fill(mem, 0, pages, 1);
	say("bad pages after filling", bad_pages(mem, 0, pages, 1));
	say("pages went out to swap", vmstat("pswpout ") > 0);
	say("pages came back from swap", vmstat("pswpin ") > 0);
	long half = pages / 2;
	long child = sys_fork();
	if (child == 0) {
		long bad = bad_pages(mem, 0, pages, 1);
		fill(mem, 0, half, 2);
		bad += bad_pages(mem, 0, half, 2);
		sys_exit(bad != 0);
	}
	int status = -1;
	sys_waitpid(child, &status, 0);
	say("child's status", status);
	say("parent's bad pages after the child", bad_pages(mem, 0, pages, 1));
	say("swap in use after munmap (kB)", (sys_munmap(mem, pages * PAGE),
		field_kb("/proc/meminfo", "SwapTotal:") - field_kb("/proc/meminfo", "SwapFree:")));
	say("swapoff /dev/hda", syscall1(NR_swapoff, (long)"/dev/hda"));
	sys_exit(0);
}
