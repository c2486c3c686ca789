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
    /// A `kmap` that found every pkmap slot in use and waited (not a Linux
    /// counter).
    PkmapWait,
    /// A kernel fault in the vmalloc area that copied a directory entry
    /// (not a Linux counter).
    VmallocFault,
    /// A page moved from the inactive list to the active one.
    PgActivate,
    /// A page moved from the active list to the inactive one.
    PgDeactivate,
    /// A page read in from swap.
    PswpIn,
    /// A page written out to swap.
    PswpOut,
    /// An inactive page reclaim looked at (Linux counts them per zone and
    /// reclaimer, `pgscan_direct_*` and `pgscan_kswapd_*`).
    PgScan,
    /// A page reclaim freed (Linux's `pgsteal_*`).
    PgSteal,
}

const NAMES: [&str; 12] = [
    "pgfault",
    "pgmajfault",
    "cow_copy",
    "cow_reuse",
    "pkmap_wait",
    "vmalloc_fault",
    "pgactivate",
    "pgdeactivate",
    "pswpin",
    "pswpout",
    "pgscan",
    "pgsteal",
];
static EVENTS: [AtomicU32; 12] = [const { AtomicU32::new(0) }; 12];

/// Counts one `event` (Linux's `count_vm_event`).
pub fn count_vm_event(event: VmEvent) {
    EVENTS[event as usize].fetch_add(1, Ordering::Relaxed);
}

/// How many times `event` happened.
pub fn vm_events(event: VmEvent) -> u32 {
    EVENTS[event as usize].load(Ordering::Relaxed)
}

/// `/proc/vmstat`'s events: one `name count` line each.
pub fn vmstat_text(out: &mut impl core::fmt::Write) -> core::fmt::Result {
    NAMES
        .iter()
        .zip(&EVENTS)
        .try_for_each(|(name, count)| writeln!(out, "{name} {}", count.load(Ordering::Relaxed)))
}
