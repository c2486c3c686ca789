//! `print!`, `println!` (standard output, fd 1) and `eprint!`, `eprintln!`
//! (standard error, fd 2): `core::fmt` into a buffer on the stack, handed to
//! `write` whenever it fills and at the end, so a short line is one system
//! call. Errors are ignored: a program has nowhere else to report them.

use core::fmt::{self, Write};

use crate::sys;

/// Bytes gathered before a `write`.
const BUFFER: usize = 128;

/// A buffered writer to file descriptor `fd`.
struct FdWriter {
    fd: i32,
    buf: [u8; BUFFER],
    len: usize,
}

impl FdWriter {
    /// Writes out the buffered bytes, all of them unless the kernel refuses.
    fn flush(&mut self) {
        let mut done = 0;
        while done < self.len {
            let rest = &self.buf[done..self.len];
            let n = sys::write(self.fd, rest.as_ptr(), rest.len());
            if n <= 0 {
                break;
            }
            done += n as usize;
        }
        self.len = 0;
    }
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &byte in s.as_bytes() {
            if self.len == BUFFER {
                self.flush();
            }
            self.buf[self.len] = byte;
            self.len += 1;
        }
        Ok(())
    }
}

/// Formats `args` to file descriptor `fd`; the macros' back end.
#[doc(hidden)]
pub fn _print(fd: i32, args: fmt::Arguments) {
    let mut writer = FdWriter { fd, buf: [0; BUFFER], len: 0 };
    // The writer never fails; a `Display` that does only cuts the text short.
    let _ = writer.write_fmt(args);
    writer.flush();
}

/// Prints to standard output.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::print::_print(1, format_args!($($arg)*)) };
}

/// Prints a line to standard output.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::print::_print(1, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::print::_print(2, format_args!($($arg)*)) };
}

/// Prints a line to standard error.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::eprint!("\n") };
    ($($arg:tt)*) => { $crate::print::_print(2, format_args!("{}\n", format_args!($($arg)*))) };
}
