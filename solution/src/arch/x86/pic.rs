//! The two 8259 interrupt controllers, remapped above the exceptions.

use pic8259_x86::ChainedPics;
use spin::Mutex;

/// Vector of IRQ 0: the PIC's lines arrive as vectors 32..47.
pub const FIRST_EXTERNAL_VECTOR: u8 = 32;

// SAFETY: 0x20/0x28 are free vectors, right after the 32 exceptions.
static PICS: Mutex<ChainedPics> =
    Mutex::new(unsafe { ChainedPics::new(FIRST_EXTERNAL_VECTOR, FIRST_EXTERNAL_VECTOR + 8) });

/// Remaps both PICs and masks every line but the timer (IRQ 0) and the
/// cascade (IRQ 2).
pub fn init() {
    let mut pics = PICS.lock();
    // SAFETY: the PIC ports are the standard ones; interrupts are still off.
    unsafe {
        pics.initialize();
        pics.write_masks(!0b101, 0xff);
    }
}

/// Acknowledges `vector` so its line can interrupt again.
pub fn end_of_interrupt(vector: u8) {
    // SAFETY: `vector` is a PIC vector we are handling.
    unsafe { PICS.lock().notify_end_of_interrupt(vector) };
}
