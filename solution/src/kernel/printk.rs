//! `printk` and its log levels: every line the kernel prints goes through here
//! to the serial console.
//!
//! As on Linux, a message is shown when its level is below the console log
//! level (`loglevel=` on the command line, 7 by default: all but debug).

use core::fmt;
use core::sync::atomic::{AtomicU8, Ordering};

use crate::drivers::serial;

/// Linux's eight message levels, most urgent first.
#[allow(dead_code, reason = "the whole set of Linux's levels; not every one has a user yet")]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum LogLevel {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

/// Messages with a level below this are printed.
static CONSOLE_LOGLEVEL: AtomicU8 = AtomicU8::new(7);

/// Sets the console log level (the `loglevel=` option).
pub fn set_console_loglevel(level: u8) {
    CONSOLE_LOGLEVEL.store(level, Ordering::Relaxed);
}

/// Prints one line at `level`, if the console log level lets it through.
pub fn printk(level: LogLevel, args: fmt::Arguments) {
    if (level as u8) < CONSOLE_LOGLEVEL.load(Ordering::Relaxed) {
        serial::write_fmt(format_args!("{args}\n"));
    }
}

/// Text printed at `Info` level as it is written (lines end in `\n`): a
/// sink for the dumps that also fill `/proc` files.
pub struct InfoWriter;

impl fmt::Write for InfoWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if (LogLevel::Info as u8) < CONSOLE_LOGLEVEL.load(Ordering::Relaxed) {
            serial::write_fmt(format_args!("{s}"));
        }
        Ok(())
    }
}

/// Prints a line at an explicit [`LogLevel`].
#[macro_export]
macro_rules! printk {
    ($level:expr, $($arg:tt)*) => {
        $crate::kernel::printk::printk($level, format_args!($($arg)*))
    };
}

/// Prints a line: the system is about to stop.
#[macro_export]
macro_rules! pr_emerg {
    ($($arg:tt)*) => { $crate::printk!($crate::kernel::printk::LogLevel::Emerg, $($arg)*) };
}

/// Prints a line: an error the kernel survives.
#[macro_export]
macro_rules! pr_err {
    ($($arg:tt)*) => { $crate::printk!($crate::kernel::printk::LogLevel::Err, $($arg)*) };
}

/// Prints a line: something unusual but harmless.
#[macro_export]
macro_rules! pr_warn {
    ($($arg:tt)*) => { $crate::printk!($crate::kernel::printk::LogLevel::Warning, $($arg)*) };
}

/// Prints a line: normal information.
#[macro_export]
macro_rules! pr_info {
    ($($arg:tt)*) => { $crate::printk!($crate::kernel::printk::LogLevel::Info, $($arg)*) };
}

/// Prints a line only with `loglevel=8`: details for debugging.
#[macro_export]
macro_rules! pr_debug {
    ($($arg:tt)*) => { $crate::printk!($crate::kernel::printk::LogLevel::Debug, $($arg)*) };
}
