//! The 8254 programmable interval timer, ticking at [`HZ`].

use core::sync::atomic::{AtomicU64, Ordering};

use x86::io::outb;

/// Timer interrupts per second (Linux 2.6 on i386 offered 100, 250 or 1000).
pub const HZ: u32 = 100;
const PIT_FREQUENCY: u32 = 1_193_182;
const PIT_CH0: u16 = 0x40;
const PIT_MODE: u16 = 0x43;
/// Channel 0, low byte then high byte, mode 2 (rate generator).
const MODE_RATE_GENERATOR: u8 = 0x34;

/// Timer ticks since boot, as Linux's `jiffies`.
static JIFFIES: AtomicU64 = AtomicU64::new(0);

/// Starts channel 0 at `HZ`.
pub fn init() {
    let divisor = (PIT_FREQUENCY / HZ) as u16;
    // SAFETY: programs the standard PIT ports; interrupts are still off.
    unsafe {
        outb(PIT_MODE, MODE_RATE_GENERATOR);
        outb(PIT_CH0, divisor as u8);
        outb(PIT_CH0, (divisor >> 8) as u8);
    }
}

/// Called from the timer interrupt.
pub fn tick() {
    JIFFIES.fetch_add(1, Ordering::Relaxed);
}

/// The number of timer ticks since interrupts were enabled.
pub fn jiffies() -> u64 {
    JIFFIES.load(Ordering::Relaxed)
}
