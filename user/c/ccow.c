/* ccow: fork and copy-on-write as values a program can see, the same binary
 * on vmlab and on Linux (`cargo xtask oracle ccow`).
 *
 * After fork, parent and child must each see their own memory: whatever
 * one writes, the other keeps the values it had. A kernel that shares pages
 * without write-protecting them, copies the wrong page, or frees a page
 * still shared, shows up here as a sum or a status that is off:
 *
 *   1. a global array (the program's data) and a 64-page anonymous mmap,
 *      filled before fork; the child rewrites half of each, the parent's
 *      copy must be unchanged;
 *   2. a chain of 10 processes, each the child of the one before: each
 *      writes its page, forks the next and checks, after the next exits,
 *      that its page still holds its own value and the exit status;
 *   3. 50 children, one after another, each writing one page;
 *   4. 32 anonymous pages only ever read: all zeroes (the zero page),
 *      before and after readers fork; one reader writes a page, privately.
 *
 * Only values that any correct kernel gives are printed: sums, statuses,
 * yes-or-no checks; no addresses, no pids. */

#include "sys.h"

#define PAGE 4096
#define WORDS (PAGE / 4) /* words in a page */
#define MAPPED_PAGES 64
#define CHAIN_DEPTH 10
#define CHILDREN 50
#define ZERO_PAGES 32

static volatile unsigned int global[16 * WORDS] __attribute__((aligned(PAGE))) = { 1 };
static volatile unsigned int chain_page[WORDS] __attribute__((aligned(PAGE)));

static void say(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static unsigned int pattern(int i)
{
	return (unsigned int)(i * 7) & 0xfff;
}

static long sum(const volatile unsigned int *p, int words)
{
	long s = 0;
	int i;

	for (i = 0; i < words; i++)
		s += p[i];
	return s;
}

/* Whether p[0..words) all hold their pattern. */
static int intact(const volatile unsigned int *p, int words)
{
	int i;

	for (i = 0; i < words; i++)
		if (p[i] != pattern(i))
			return 0;
	return 1;
}

/* Anonymous private pages, read-write, or exit(99) if none. */
static volatile unsigned int *map_pages(int pages)
{
	void *p = sys_mmap2(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if ((unsigned long)p > -4096UL) {
		say("mmap2 failed", (long)p);
		sys_exit(99);
	}
	return p;
}

/* Waits for pid; returns its exit code, or 1000 + the signal that killed it. */
static int wait_for(long pid)
{
	int status = 0;

	if (sys_waitpid(pid, &status, 0) != pid)
		return -1;
	return (status & 0x7f) ? 1000 + (status & 0x7f) : (status >> 8) & 0xff;
}

static void global_and_mapped(void)
{
	const int gwords = 16 * WORDS, mwords = MAPPED_PAGES * WORDS;
	volatile unsigned int *mapped = map_pages(MAPPED_PAGES);
	long pid;
	int i;

	for (i = 0; i < gwords; i++)
		global[i] = pattern(i);
	for (i = 0; i < mwords; i++)
		mapped[i] = pattern(i);
	say("1. parent before fork: global sum", sum(global, gwords));
	say("1. parent before fork: mapped sum", sum(mapped, mwords));
	pid = sys_fork();
	if (pid == 0) {
		for (i = 0; i < gwords / 2; i++)
			global[i] += 1000;
		for (i = 0; i < mwords / 2; i++)
			mapped[i] += 1000;
		say("1. child: global sum, first half rewritten", sum(global, gwords));
		say("1. child: mapped sum of the rewritten half", sum(mapped, mwords / 2));
		say("1. child: mapped sum of the other half", sum(mapped + mwords / 2, mwords / 2));
		sys_exit(0);
	}
	say("1. child's end", wait_for(pid));
	say("1. parent after: global sum", sum(global, gwords));
	say("1. parent after: mapped sum", sum(mapped, mwords));
	say("1. parent after: every word unchanged", intact(global, gwords) && intact(mapped, mwords));
	for (i = 0; i < mwords; i++) /* the pages are the parent's alone now */
		mapped[i] += 1;
	say("1. parent writes its own pages too: mapped sum", sum(mapped, mwords));
	sys_munmap((void *)mapped, MAPPED_PAGES * PAGE);
}

/* One link of the chain: write the page, fork the next link (unless the
 * last), check. Returns the exit code expected of link `depth`: 100 +
 * depth when it and every link below it found what they should. */
static int chain(int depth)
{
	int i, end, ok = 1;
	long pid;

	for (i = 0; i < WORDS; i++)
		chain_page[i] = depth * 1000 + i;
	if (depth < CHAIN_DEPTH) {
		pid = sys_fork();
		if (pid == 0)
			sys_exit(chain(depth + 1));
		end = wait_for(pid);
		ok = end == 100 + depth + 1;
		print_str("2. link ");
		print_dec(depth);
		say(": the next link's end", end);
	}
	for (i = 0; i < WORDS; i++)
		ok &= chain_page[i] == (unsigned int)(depth * 1000 + i);
	return ok ? 100 + depth : 200 + depth;
}

static void serial_children(void)
{
	volatile unsigned int *pages = map_pages(CHILDREN);
	int k, i, right = 0;

	for (i = 0; i < CHILDREN * WORDS; i++)
		pages[i] = pattern(i);
	for (k = 0; k < CHILDREN; k++) {
		long pid = sys_fork();

		if (pid == 0) {
			volatile unsigned int *mine = pages + k * WORDS;

			for (i = 0; i < WORDS; i++)
				mine[i] = k;
			sys_exit((int)sum(mine, WORDS) / WORDS + 3 * k); /* 4k */
		}
		right += wait_for(pid) == 4 * k;
	}
	say("3. children whose exit code was 4 * their number", right);
	say("3. parent's pages unchanged", intact(pages, CHILDREN * WORDS));
	sys_munmap((void *)pages, CHILDREN * PAGE);
}

static void zero_pages(void)
{
	volatile unsigned int *zero = map_pages(ZERO_PAGES);
	const int words = ZERO_PAGES * WORDS;
	int k, ends = 0;

	say("4. parent reads the untouched pages: sum", sum(zero, words));
	for (k = 0; k < 4; k++) {
		long pid = sys_fork();

		if (pid == 0) {
			if (k == 3) /* the last reader writes one page */
				zero[5 * WORDS] = 77;
			sys_exit(sum(zero, words) == (k == 3 ? 77 : 0) ? 10 + k : 1);
		}
		ends = ends * 100 + wait_for(pid);
	}
	say("4. readers' ends, two digits each", ends);
	say("4. parent reads them again: sum", sum(zero, words));
	zero[0] = 5;
	say("4. after the parent writes one word: sum", sum(zero, words));
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	global_and_mapped();
	say("2. link 0 returns", chain(0));
	serial_children();
	zero_pages();
	sys_exit(0);
}
