/* cabi: the system-call ABI seen from C, the same binary on vmlab and on
 * Linux: results and error numbers (-errno in eax), fork and the wait
 * status encoding, a fault killing only the child. Run on both, the output
 * must be the same (`cargo xtask oracle cabi`). */

#include "sys.h"

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	report("write(1, 0xc0000000, 16)", sys_write(1, (const void *)0xc0000000, 16));
	report("write(1, 0x10, 8)", sys_write(1, (const void *)0x10, 8));
	report("write(7, \"x\", 1)", sys_write(7, "x", 1));
	report("syscall 999", syscall1(999, 0));
	int status = 0;
	long pid = syscall1(NR_fork, 0);
	if (pid == 0)
		sys_exit(3);
	report("waitpid(child) == fork()", syscall3(NR_waitpid, pid, (long)&status, 0) == pid);
	report("child exit status", status);
	report("waitpid with no child", syscall3(NR_waitpid, -1, (long)&status, 0));
	pid = syscall1(NR_fork, 0);
	if (pid == 0) {
		*(volatile int *)0 = 1;
		sys_exit(1);
	}
	syscall3(NR_waitpid, pid, (long)&status, 0);
	report("faulting child's status", status);
	sys_exit(0);
}
