//! The console as a terminal in canonical mode: input a line at a time,
//! echoed, with backspace, for the kernel monitor and for `read` on
//! standard input.

use super::serial;
use crate::proc::sched::wait_until;

/// Reads one line into `buf`, echoing it, and returns its length, counting
/// the `\n` that ends it when there is room. Other tasks run while no byte
/// has arrived; bytes past the end of `buf` are dropped.
pub fn read_line(buf: &mut [u8]) -> usize {
    let mut len = 0;
    loop {
        let mut byte = None;
        wait_until(|| {
            byte = serial::try_read_byte();
            byte.is_some()
        });
        match byte.expect("wait_until saw a byte") {
            b'\r' | b'\n' => {
                serial::write_bytes(b"\n");
                if len < buf.len() {
                    buf[len] = b'\n';
                    len += 1;
                }
                return len;
            }
            0x08 | 0x7f if len > 0 => {
                len -= 1;
                serial::write_bytes(b"\x08 \x08");
            }
            byte @ 0x20..=0x7e if len < buf.len() => {
                buf[len] = byte;
                len += 1;
                serial::write_bytes(&[byte]);
            }
            _ => {}
        }
    }
}
