//! Exit statuses: the program exits with the number given as its first
//! argument (42 without one), so a test can check the status the kernel
//! reports for it (its low 8 bits, as `wait` sees them on Linux).

#![no_std]
#![no_main]

use ulib::eprintln;

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    let Some(arg) = args.get(1) else {
        return 42;
    };
    arg.parse().unwrap_or_else(|_| {
        eprintln!("exitcode: {arg} is not a number");
        2
    })
}
