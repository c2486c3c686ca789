//! Test scenarios, selected with `test=NAME` on the kernel command line.
//!
//! Each scenario prints what it checks in a stable format and ends the run;
//! one that returns must leave as many free pages as it found:
//! the grader boots a fresh kernel per scenario and compares the serial
//! output with a snapshot. Some end in a deliberate failure, which the grader
//! expects and classifies.

mod foundation;
mod lab1;
mod lab2;
mod lab6;
mod lab7;

use crate::drivers::qemu_exit::{QemuExitCode, qemu_exit};
use crate::mm::dump::FreeFrames;
use crate::mm::swapfile::nr_swap_pages;
use crate::pr_info;

/// Every scenario: its name on the command line, and the function that runs it.
const SCENARIOS: &[(&str, fn())] = &[
    ("boot", foundation::boot),
    ("modules", foundation::modules),
    ("panic", foundation::panic),
    ("pagefault", foundation::pagefault),
    ("hang", foundation::hang),
    ("flood", foundation::flood),
    ("triple-fault", foundation::triple_fault),
    ("monitor", foundation::monitor),
    ("disk", foundation::disk),
    ("swapslots", foundation::swapslots),
    ("zones", lab1::zones),
    ("buddy", lab1::buddy),
    ("exhaust", lab1::exhaust),
    ("double-free", lab1::double_free),
    ("kmalloc", lab1::kmalloc),
    ("pgwalk", lab1::pgwalk),
    ("pgmap", lab1::pgmap),
    ("kthread", lab2::kthread),
    ("regionops", lab6::regionops),
    ("kmapfull", lab7::kmapfull),
    ("kmisuse", lab7::kmisuse),
    ("vmalloc", lab7::vmalloc),
];

/// Runs scenario `name` and ends the run with success if it returns.
pub fn run(name: &str) -> ! {
    let Some((_, scenario)) = SCENARIOS.iter().find(|(n, _)| *n == name) else {
        let mut known = SCENARIOS.iter().map(|(n, _)| *n);
        let first = known.next().unwrap_or("");
        panic!("unknown test '{name}'; known tests: {first}{}", Known(known));
    };
    pr_info!("test {name}: start");
    let free = FreeFrames::now();
    scenario();
    let leaked = free.not_returned();
    assert_eq!(leaked, 0, "test {name} leaked {leaked} pages");
    let (swap_total, swap_free) = nr_swap_pages();
    assert_eq!(swap_total, swap_free, "test {name} leaked {} swap slots", swap_total - swap_free);
    pr_info!("test {name}: done");
    qemu_exit(QemuExitCode::Success)
}

/// The rest of the scenario names, each after a comma.
struct Known<I>(I);

impl<'a, I: Iterator<Item = &'a str> + Clone> core::fmt::Display for Known<I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.clone().try_for_each(|name| write!(f, ", {name}"))
    }
}
