//! The panic handler: report, then end the QEMU run with the failure code.

use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::arch::x86::cpu::local_irq_save;
use crate::drivers::qemu_exit::{QemuExitCode, qemu_exit};
use crate::drivers::serial;
use crate::pr_emerg;

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    local_irq_save();
    if PANICKING.swap(true, Ordering::Relaxed) {
        // A panic while reporting a panic: just stop.
        qemu_exit(QemuExitCode::Failed);
    }
    // SAFETY: interrupts are off and this is the only code still running, so
    // whoever held the console lock will never release it.
    unsafe { serial::force_unlock() };
    pr_emerg!("Kernel panic - not syncing: {}", info.message());
    if let Some(location) = info.location() {
        pr_emerg!("  at {}:{}:{}", location.file(), location.line(), location.column());
    }
    qemu_exit(QemuExitCode::Failed)
}
