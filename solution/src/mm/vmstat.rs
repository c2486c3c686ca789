//! System-wide counts of memory events (Linux's `/proc/vmstat`).

use core::sync::atomic::{AtomicU32, Ordering};

/// An event counted in `/proc/vmstat`.
#[derive(Clone, Copy)]
pub enum VmEvent {
    /// A page fault the kernel served (minor or major).
    PgFault,
    /// A page fault that read the backing file.
    PgMajFault,
    /// A write to a shared page that copied it (not a Linux counter).
    CowCopy,
    /// A write to a write-protected page its only user kept (not a Linux
    /// counter).
    CowReuse,
}

const NAMES: [&str; 4] = ["pgfault", "pgmajfault", "cow_copy", "cow_reuse"];
static EVENTS: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];

/// Counts one `event` (Linux's `count_vm_event`).
pub fn count_vm_event(event: VmEvent) {
    EVENTS[event as usize].fetch_add(1, Ordering::Relaxed);
}

/// `/proc/vmstat`: one `name count` line per event.
pub fn vmstat_text(out: &mut impl core::fmt::Write) -> core::fmt::Result {
    NAMES
        .iter()
        .zip(&EVENTS)
        .try_for_each(|(name, count)| writeln!(out, "{name} {}", count.load(Ordering::Relaxed)))
}
