//! The interrupt entry stubs (Linux's `entry.S`).
//!
//! Every vector gets a stub that pushes a dummy error code when the CPU does
//! not push one, then the vector number, and jumps to `common_interrupt`,
//! which saves the rest of [`PtRegs`](super::ptrace::PtRegs), loads the kernel
//! data segments and calls [`do_trap`](super::traps::do_trap).
//! `interrupt_stubs` is a table of the stubs' addresses for the IDT;
//! `system_call_stub` is the one for `int 0x80`.

use super::gdt::KERNEL_DS;
use super::traps::do_trap;

/// Number of stubs: the 32 exceptions and the 16 PIC interrupts.
pub const NR_STUBS: usize = 48;
/// The vector of system calls, `int 0x80`, as on Linux.
pub const SYSCALL_VECTOR: u32 = 0x80;

unsafe extern "C" {
    /// The stubs' addresses, indexed by vector.
    pub static interrupt_stubs: [u32; NR_STUBS];
    /// The stub of `int 0x80`.
    pub fn system_call_stub();
    /// The second half of `common_interrupt`: restores the `PtRegs` at the
    /// stack pointer and returns from the interrupt. A new task's first
    /// context switch returns here.
    pub fn ret_from_fork();
}

core::arch::global_asm!(
    r#"
    .macro stub vector, has_error_code
    .section .text
    .balign 16
interrupt_stub_\vector:
    .if \has_error_code == 0
    push 0
    .endif
    push \vector
    jmp common_interrupt
    .section .rodata
    .long interrupt_stub_\vector
    .endm

    .section .rodata
    .balign 4
    .global interrupt_stubs
interrupt_stubs:
    stub 0, 0
    stub 1, 0
    stub 2, 0
    stub 3, 0
    stub 4, 0
    stub 5, 0
    stub 6, 0
    stub 7, 0
    stub 8, 1
    stub 9, 0
    stub 10, 1
    stub 11, 1
    stub 12, 1
    stub 13, 1
    stub 14, 1
    stub 15, 0
    stub 16, 0
    stub 17, 1
    stub 18, 0
    stub 19, 0
    stub 20, 0
    stub 21, 1
    stub 22, 0
    stub 23, 0
    stub 24, 0
    stub 25, 0
    stub 26, 0
    stub 27, 0
    stub 28, 0
    stub 29, 1
    stub 30, 1
    stub 31, 0
    .irp vector, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47
    stub \vector, 0
    .endr

    .section .text
    .balign 16
    .global system_call_stub
system_call_stub:
    push 0
    push {syscall_vector}
    jmp common_interrupt

    .section .text
common_interrupt:
    pushad
    mov eax, ds
    push eax
    mov eax, es
    push eax
    mov eax, fs
    push eax
    mov eax, gs
    push eax
    mov ax, {kernel_ds}
    mov ds, ax
    mov es, ax
    push esp
    call {do_trap}
    add esp, 4
    .global ret_from_fork
ret_from_fork:
    pop eax
    mov gs, ax
    pop eax
    mov fs, ax
    pop eax
    mov es, ax
    pop eax
    mov ds, ax
    popad
    add esp, 8
    iretd
    "#,
    kernel_ds = const KERNEL_DS,
    syscall_vector = const SYSCALL_VECTOR,
    do_trap = sym do_trap,
);
