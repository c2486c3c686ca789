//! Executables that are not what they claim: each of `/bad/*` is `hello`
//! with one thing spoiled (no program headers, 65535 of them, headers of
//! the wrong size, no loadable segment, a file cut short). `execve` must
//! refuse each with `-ENOEXEC` (-8) and leave the caller running, never
//! start it to die at its first instruction.
//!
//! Each one is tried in a child, which prints what `execve` returned; the
//! parent prints how the child ended.

#![no_std]
#![no_main]

use core::ffi::CStr;

use ulib::{println, sys};

ulib::entry!(main);

const MALFORMED: [&CStr; 5] =
    [c"/bad/phnum-0", c"/bad/phnum-ffff", c"/bad/phentsize-16", c"/bad/no-load", c"/bad/truncated"];

fn main(_args: &[&str]) -> i32 {
    for path in MALFORMED {
        let pid = sys::fork();
        if pid == 0 {
            let argv = [path.as_ptr().cast(), core::ptr::null()];
            let ret = sys::execve(path.as_ptr().cast(), argv.as_ptr(), core::ptr::null());
            println!("execve({}) = {ret}", path.to_str().unwrap_or("?"));
            sys::exit(0);
        }
        let mut status = 0;
        // SAFETY: `status` is ours to fill.
        unsafe { sys::waitpid(pid as i32, &mut status, 0) };
        println!("  child ended with status {status:#06x}");
    }
    0
}
