//! Gives the processor away a few times, printing nothing: the `kthread`
//! scenario's kernel thread runs in between, on this program's address
//! space.

#![no_std]
#![no_main]

use ulib::sys;

ulib::entry!(main);

fn main(_args: &[&str]) -> i32 {
    for _ in 0..3 {
        sys::sched_yield();
    }
    0
}
