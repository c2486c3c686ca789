/* cthread: a thread made with clone(CLONE_VM) shares its parent's address
 * space: one mm_struct, two users. The thread writes a variable the parent
 * then reads, and each side prints /proc/mmlist. */

#define VMLAB_THREADS
#include "sys.h"

#define NR_open 5
#define NR_read 3
#define NR_close 6

static volatile int shared = 1;
static char thread_stack[4096] __attribute__((aligned(16)));

static void cat(const char *path)
{
	char buf[256];
	long fd = syscall3(NR_open, (long)path, 0, 0);
	long n;
	while ((n = syscall3(NR_read, fd, (long)buf, sizeof buf)) > 0)
		sys_write(1, buf, n);
	syscall1(NR_close, fd);
}

/* Runs on the thread's own stack: clone returned 0 there. */
__attribute__((noreturn, used)) static void thread_main(void)
{
	shared = 42;
	print_str("thread: set shared = 42; the mm_struct has two users:\n");
	cat("/proc/mmlist");
	sys_exit(0);
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	long tid = clone_thread(thread_stack + sizeof thread_stack);
	int status;
	syscall3(NR_waitpid, tid, (long)&status, 0);
	print_str("parent: the thread ended; shared = ");
	print_dec(shared);
	print_str("\n");
	cat("/proc/mmlist");
	sys_exit(0);
}
