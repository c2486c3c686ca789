//! Lab 2 scenarios run as kernel tests: a kernel thread borrowing a user
//! task's address space. (The other lab 2 scenarios are user programs run
//! as `init`: `mmsteps`, `cthread`, `manyfork`.)

use crate::drivers::serial;
use crate::fs::procfs::proc_read;
use crate::pr_info;
use crate::proc::exec::{spawn_init, wait_init};
use crate::proc::fork::kernel_thread;

/// Prints `/proc/mmlist`.
fn show_mmlist() {
    serial::write_bytes(&proc_read("/proc/mmlist").expect("/proc/mmlist exists"));
}

/// `init` runs `/bin/yield`, which gives the processor away; the kernel
/// thread that runs then has no `mm` and borrows init's as its `active_mm`
/// (one more `mm_count`), then gives it back when it exits.
pub fn kthread() {
    pr_info!("the idle task runs on init_mm:");
    show_mmlist();
    spawn_init("/bin/yield", "");
    kernel_thread("kworker", kworker).expect("memory for a kernel thread");
    let status = wait_init();
    pr_info!("init exited with status {status:#x}; the idle task reaped it and kworker");
    show_mmlist();
}

extern "C" fn kworker() {
    pr_info!("kworker: a kernel thread, running on the address space it borrowed:");
    show_mmlist();
}
