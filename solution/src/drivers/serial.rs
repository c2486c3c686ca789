//! The serial console on COM1, the kernel's only terminal.

use core::fmt::{self, Write};

use spin::Mutex;
use uart_16550::SerialPort;

use crate::arch::x86::cpu::without_interrupts;

const COM1: u16 = 0x3f8;

// SAFETY: COM1 is the standard first serial port on a PC.
static COM1_PORT: Mutex<SerialPort> = Mutex::new(unsafe { SerialPort::new(COM1) });

/// Initialises the UART (38400 baud, 8N1).
pub fn init() {
    COM1_PORT.lock().init();
}

/// Writes formatted text; `\n` becomes `\r\n` for terminals.
pub fn write_fmt(args: fmt::Arguments) {
    // Interrupts stay off while the lock is held, so a handler that prints
    // cannot deadlock against the code it interrupted.
    without_interrupts(|| {
        let _ = COM1_PORT.lock().write_fmt(args);
    });
}

/// Writes raw bytes, as a program wrote them (`\n` still becomes `\r\n`).
pub fn write_bytes(bytes: &[u8]) {
    without_interrupts(|| {
        let mut port = COM1_PORT.lock();
        bytes.iter().for_each(|&b| port.send(b));
    });
}

/// Returns the next received byte, if one is waiting.
pub fn try_read_byte() -> Option<u8> {
    without_interrupts(|| COM1_PORT.lock().try_receive().ok())
}

/// Releases the console lock whoever holds it.
///
/// # Safety
/// Only for the panic path: the holder must never run again.
pub unsafe fn force_unlock() {
    // SAFETY: guaranteed by the caller.
    unsafe { COM1_PORT.force_unlock() };
}
