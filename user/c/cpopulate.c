/* cpopulate: a long system call does not hold the processor for its whole
 * length. A thread (clone(CLONE_VM)) reads the time-stamp counter in a loop
 * and keeps the longest gap between two reads: the longest it waited for
 * the processor. Meanwhile its parent maps 128 MiB with MAP_POPULATE, which
 * faults every page in before the call returns. The kernel populates a
 * batch of pages at a time and lets other tasks run between batches, so
 * the thread's longest wait is a small part of the call. Under the
 * grader's instruction counting the counter measures work, not host time. */

#define VMLAB_THREADS
#include "sys.h"

#define MAP_POPULATE 0x8000
#define WALL 0x40000000
#define NR_sched_yield 158
#define LENGTH (128 << 20)

static volatile unsigned long long longest;
static volatile int started, done;
static char thread_stack[4096] __attribute__((aligned(16)));

static inline unsigned long long rdtsc(void)
{
	unsigned int lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

/* Runs on the thread's own stack: clone returned 0 there. */
__attribute__((noreturn, used)) static void thread_main(void)
{
	unsigned long long last = rdtsc();
	started = 1;
	while (!done) {
		unsigned long long now = rdtsc();
		if (now - last > longest)
			longest = now - last;
		last = now;
	}
	sys_exit(0);
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	long tid = clone_thread(thread_stack + sizeof thread_stack);
	while (!started)
		syscall1(NR_sched_yield, 0);
	longest = 0;
	unsigned long long before = rdtsc();
	char *p = sys_mmap2(0, LENGTH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	unsigned long long call = rdtsc() - before;
	done = 1;
	int status;
	syscall3(NR_waitpid, tid, (long)&status, WALL);
	print_str("mmap2 of 128 MiB with MAP_POPULATE succeeded: ");
	print_dec((unsigned long)p < 0xfffff000ul);
	print_str("\nthe thread's longest wait was under a tenth of the call: ");
	print_dec(longest * 10 < call);
	print_str("\n");
	sys_exit(0);
}
