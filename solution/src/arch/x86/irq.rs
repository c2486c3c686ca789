//! External interrupts from the PIC (Linux's `do_IRQ`).

use super::pic::{self, FIRST_EXTERNAL_VECTOR};
use super::pit;
use crate::proc::sched::scheduler_tick;

const TIMER_IRQ: u8 = 0;

/// Handles PIC interrupt `vector`. Only the timer is unmasked.
pub fn do_irq(vector: u8) {
    if vector - FIRST_EXTERNAL_VECTOR == TIMER_IRQ {
        pit::tick();
        scheduler_tick();
    }
    pic::end_of_interrupt(vector);
}
