/* chello: a C program without a libc, the same binary on vmlab and on Linux.
 *
 * It shows that the kernel runs what gcc builds for Linux i386: a static ELF
 * linked at 0x08048000 whose only contact with the kernel is `int $0x80`
 * with Linux's system-call numbers. */

#include "sys.h"

/* The entry point: the kernel jumps here with esp at argc. No libc means no
 * crt0 to align the stack for C code, so gcc realigns it on entry. */
__attribute__((noreturn, force_align_arg_pointer)) void _start(void)
{
	print_str("hello from C, pid ");
	print_dec(sys_getpid());
	print_str("\n");
	sys_exit(0);
}
