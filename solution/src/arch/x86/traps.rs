//! Exceptions (Linux's `traps.c`): the dispatcher every entry stub calls, and
//! the oops report for an exception the kernel cannot handle.

use super::cpu::{read_cr2, read_cr3};
use super::entry::SYSCALL_VECTOR;
use super::irq::do_irq;
use super::pic::FIRST_EXTERNAL_VECTOR;
use super::ptrace::PtRegs;
use crate::kernel::syscall::do_syscall;
use crate::mm::vmalloc::vmalloc_fault;
use crate::pr_emerg;
use crate::proc::exit::force_sig_fault;
use crate::proc::sched::{need_resched, schedule};
use crate::proc::task::{SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP};

const PAGE_FAULT: u32 = 14;

/// Names of the 32 exception vectors, with their mnemonics.
const EXCEPTION_NAMES: [&str; 32] = [
    "divide error (#DE)",
    "debug (#DB)",
    "non-maskable interrupt (NMI)",
    "breakpoint (#BP)",
    "overflow (#OF)",
    "bound range exceeded (#BR)",
    "invalid opcode (#UD)",
    "device not available (#NM)",
    "double fault (#DF)",
    "coprocessor segment overrun",
    "invalid TSS (#TS)",
    "segment not present (#NP)",
    "stack segment fault (#SS)",
    "general protection fault (#GP)",
    "page fault (#PF)",
    "reserved (15)",
    "x87 floating-point error (#MF)",
    "alignment check (#AC)",
    "machine check (#MC)",
    "SIMD floating-point error (#XM)",
    "virtualization exception (#VE)",
    "control protection (#CP)",
    "reserved (22)",
    "reserved (23)",
    "reserved (24)",
    "reserved (25)",
    "reserved (26)",
    "reserved (27)",
    "hypervisor injection (#HV)",
    "VMM communication (#VC)",
    "security exception (#SX)",
    "reserved (31)",
];

/// Entered from `common_interrupt` with interrupts disabled and `regs` on
/// the kernel stack.
pub extern "C" fn do_trap(regs: &mut PtRegs) {
    match regs.vector {
        SYSCALL_VECTOR => do_syscall(regs),
        PAGE_FAULT => do_page_fault(regs),
        v if v < u32::from(FIRST_EXTERNAL_VECTOR) => do_exception(regs),
        v => do_irq(v as u8),
    }
    // A task that used its time slice gives way on its way back to user mode.
    if regs.user_mode() && need_resched() {
        schedule();
    }
}

/// An exception other than a page fault: in user mode it kills the process
/// with the signal Linux sends for it; in the kernel it is a bug.
fn do_exception(regs: &mut PtRegs) {
    if regs.user_mode() {
        let signal = match regs.vector {
            0 | 16 | 19 => SIGFPE,
            1 | 3 => SIGTRAP,
            6 => SIGILL,
            17 => SIGBUS,
            _ => SIGSEGV,
        };
        force_sig_fault(signal, regs, None);
    }
    die(EXCEPTION_NAMES[regs.vector as usize], regs);
}

/// Page faults: a user-mode one goes to the fault handler; one in the
/// kernel is a bug, reported as Linux reports it, unless it is in the
/// vmalloc area and only the page directory's entry was missing.
fn do_page_fault(regs: &mut PtRegs) {
    let address = read_cr2();
    if super::fault::do_page_fault(regs, address) || vmalloc_fault(address, read_cr3()) {
        return;
    }
    let reason = if regs.error_code & 1 == 0 { "not-present page" } else { "protection violation" };
    let access = if regs.error_code & 2 == 0 { "read" } else { "write" };
    pr_emerg!("BUG: unable to handle kernel paging request at virtual address {address}");
    pr_emerg!("CR2: {address} ({access} of a {reason})");
    die("page fault (#PF)", regs);
}

/// Prints an oops for an exception the kernel cannot recover from and panics.
fn die(what: &str, regs: &PtRegs) -> ! {
    pr_emerg!("Oops: {what}, vector {}, error code {:#06x}", regs.vector, regs.error_code);
    pr_emerg!("{regs}");
    panic!("fatal exception: {what}");
}
