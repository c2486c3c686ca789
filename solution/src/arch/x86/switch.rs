//! The context switch (Linux's `switch_to`): save the callee-saved
//! registers and the stack pointer of one task, load another's.

use super::entry::ret_from_fork;
use super::ptrace::PtRegs;

core::arch::global_asm!(
    r#"
    .section .text
    .global __switch_to
__switch_to:
    mov eax, [esp + 4]
    mov edx, [esp + 8]
    push ebp
    push ebx
    push esi
    push edi
    mov [eax], esp
    mov esp, edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
    "#
);

unsafe extern "C" {
    /// Saves the running context, storing its stack pointer in `*prev_esp`,
    /// and resumes the one whose stack pointer is `next_esp`.
    fn __switch_to(prev_esp: *mut u32, next_esp: u32);
}

/// Switches from the context whose stack pointer is saved in `prev_esp` to
/// the one saved as `next_esp`; returns when something switches back.
///
/// # Safety
/// `next_esp` must be a stack pointer saved by `switch_to` or prepared by
/// `prepare_stack`, on a kernel stack that is still allocated.
pub unsafe fn switch_to(prev_esp: &mut u32, next_esp: u32) {
    // SAFETY: as the caller guarantees.
    unsafe { __switch_to(prev_esp, next_esp) };
}

/// Prepares the kernel stack whose top is `stack_top` so that switching to
/// it returns to user mode with `regs`, and returns the stack pointer to
/// switch to. The stack holds `regs`, then `ret_from_fork` as the return
/// address of `__switch_to`, then the four registers it pops.
///
/// # Safety
/// `stack_top` must be the top of an unused kernel stack of at least 128 bytes.
pub unsafe fn prepare_stack(stack_top: u32, regs: &PtRegs) -> u32 {
    let frame = (stack_top as usize - size_of::<PtRegs>()) as *mut PtRegs;
    let words = frame as *mut u32;
    // SAFETY: the frame and the five words below it lie inside the stack.
    unsafe {
        frame.write(*regs);
        words.sub(1).write(ret_from_fork as *const () as u32);
        for i in 2..=5 {
            words.sub(i).write(0);
        }
        words.sub(5) as u32
    }
}

/// Prepares the kernel stack whose top is `stack_top` so that switching to
/// it calls `kernel_thread_start(f)`, and returns the stack pointer to
/// switch to.
///
/// # Safety
/// `stack_top` must be the top of an unused kernel stack of at least 64 bytes.
pub unsafe fn prepare_kernel_thread_stack(stack_top: u32, f: extern "C" fn()) -> u32 {
    let words = stack_top as *mut u32;
    // SAFETY: the seven words below the top lie inside the stack.
    unsafe {
        words.sub(1).write(f as *const () as u32);
        words.sub(2).write(0);
        words.sub(3).write(kernel_thread_start as *const () as u32);
        for i in 4..=7 {
            words.sub(i).write(0);
        }
        words.sub(7) as u32
    }
}

/// Where a kernel thread begins: it runs `f`, with interrupts off like all
/// kernel code here, then exits.
extern "C" fn kernel_thread_start(f: extern "C" fn()) -> ! {
    f();
    crate::proc::exit::do_exit(0)
}
