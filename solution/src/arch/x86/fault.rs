//! The page-fault handler (Linux's `arch/x86/mm/fault.c`): from the
//! faulting address in `CR2` and the error code to a served fault, a grown
//! stack, or a killed process.
//!
//! ```text
//! CR2, error code ──> find_vma ──none──────────────────────> SIGSEGV (maperr)
//!                       │ above addr: GROWSDOWN? near esp? ─> expand_stack
//!                       ▼
//!                 access allowed by vm_flags? ──no─────────> SIGSEGV (accerr)
//!                       ▼
//!                 handle_mm_fault ──> zero page | new page | file page | COW
//! ```
//!
//! User copies in the kernel never fault: `uaccess` runs the same decision
//! (`__do_page_fault`) for each user page before touching it, so a kernel
//! fault on any address is a bug and oopses. Lab 4 asks you to write
//! `__do_page_fault`.

use super::ptrace::PtRegs;
use crate::mm::do_mmap::expand_stack;
use crate::mm::memory::handle_mm_fault;
use crate::mm::mm_types::{MmStruct, TASK_SIZE};
use crate::mm::mmap::find_vma;
use crate::mm::types::VirtAddr;
use crate::mm::vma::{FaultKind, VmFault, VmFlags};
use crate::mm::vmscan::try_to_free_pages;
use crate::mm::vmstat::{VmEvent, count_vm_event};
use crate::pr_err;
use crate::proc::exit::{do_exit, force_sig_fault};
use crate::proc::task::{SIGBUS, SIGKILL, SIGSEGV, with_current};

/// The error code's bit for a write access.
const PF_WRITE: u32 = 1 << 1;
/// How far below the stack pointer an access may be and still grow the
/// stack: the most `enter` and `pusha` reach below it (Linux 2.6's
/// `65536 + 32 * sizeof(long)`).
const STACK_SLACK: u32 = 65536 + 32 * 4;

/// Why a fault could not be served.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BadArea {
    /// No region there (`SEGV_MAPERR`).
    MapErr,
    /// The region forbids the access (`SEGV_ACCERR`).
    AccErr,
    /// Serving it needed memory there is none of, or a file page past the
    /// end.
    Fault(VmFault),
}

// ANCHOR: __do_page_fault
/// Decides a fault at `addr` of `mm` and serves it: the region holding it,
/// or a `GROWSDOWN` region just above it to grow (only if `addr` is within
/// `STACK_SLACK` below `user_esp`, for a user-mode fault), whose flags must
/// allow the access; then `handle_mm_fault`.
pub fn __do_page_fault(
    mm: &mut MmStruct,
    addr: VirtAddr,
    write: bool,
    user_esp: Option<u32>,
) -> Result<FaultKind, BadArea> {
    // LAB 4 BEGIN: find_vma(addr), none is MapErr. If the region starts above addr, it must be GROWSDOWN, addr no more than STACK_SLACK below user_esp (when given), and expand_stack must succeed; else MapErr. Then a write needs VM_WRITE and a read VM_READ or VM_EXEC (AccErr). Serve it with handle_mm_fault, its failure is BadArea::Fault.
    let vma = find_vma(mm, addr).ok_or(BadArea::MapErr)?;
    if addr < vma.get(mm).vm_start {
        let near_esp = user_esp.is_none_or(|esp| addr.as_u32().saturating_add(STACK_SLACK) >= esp);
        if !vma.get(mm).vm_flags.contains(VmFlags::GROWSDOWN) || !near_esp {
            return Err(BadArea::MapErr);
        }
        expand_stack(mm, vma, addr).map_err(|_| BadArea::MapErr)?;
    }
    let needed = if write { VmFlags::WRITE } else { VmFlags::READ | VmFlags::EXEC };
    if !vma.get(mm).vm_flags.intersects(needed) {
        return Err(BadArea::AccErr);
    }
    handle_mm_fault(mm, vma, addr, write).map_err(BadArea::Fault)
    // LAB 4 END
}
// ANCHOR_END: __do_page_fault

/// Serves a fault of the running task at user address `addr` and counts
/// it, for the processor's faults and for `uaccess` alike. A fault that
/// finds no memory reclaims some (`try_to_free_pages`, the direct reclaim
/// Linux's allocator does itself) and tries again, as long as reclaim
/// frees anything.
pub fn fault_in_user_page(
    mm: &mut MmStruct,
    addr: VirtAddr,
    write: bool,
    user_esp: Option<u32>,
) -> Result<(), BadArea> {
    if addr.as_u32() >= TASK_SIZE {
        return Err(BadArea::MapErr);
    }
    let kind = loop {
        match __do_page_fault(mm, addr, write, user_esp) {
            Err(BadArea::Fault(VmFault::Oom)) if try_to_free_pages(Some(mm)) > 0 => {}
            served => break served?,
        }
    };
    count_vm_event(VmEvent::PgFault);
    if kind == FaultKind::Major {
        count_vm_event(VmEvent::PgMajFault);
    }
    with_current(|task| match kind {
        FaultKind::Minor => task.min_flt += 1,
        FaultKind::Major => task.maj_flt += 1,
    });
    Ok(())
}

/// The processor's page fault in user mode: served, or the process is
/// killed with the signal Linux sends. Returns false for a kernel-mode
/// fault, which the caller reports as an oops.
pub fn do_page_fault(regs: &mut PtRegs, address: VirtAddr) -> bool {
    if !regs.user_mode() {
        return false;
    }
    let mm = with_current(|task| task.mm).expect("a user task has an address space");
    let write = regs.error_code & PF_WRITE != 0;
    // The guard must be gone before the match: a killed task never returns
    // to drop it.
    let served = fault_in_user_page(&mut mm.lock(), address, write, Some(regs.esp));
    match served {
        Ok(()) => {}
        Err(BadArea::MapErr | BadArea::AccErr) => force_sig_fault(SIGSEGV, regs, Some(address.as_u32())),
        Err(BadArea::Fault(VmFault::Sigbus)) => force_sig_fault(SIGBUS, regs, Some(address.as_u32())),
        Err(BadArea::Fault(VmFault::Oom)) => {
            let (comm, pid) = with_current(|task| (task.comm, task.pid));
            pr_err!("Out of memory: Killed process {pid} ({comm})");
            do_exit(SIGKILL);
        }
    }
    true
}
