//! The kernel monitor: a line-oriented console on the serial port for
//! looking at the kernel's state when no scenario is selected.
//!
//! It reads lines from the console's terminal, which halts until the next
//! interrupt when no byte is waiting, so an idle monitor costs little.

use super::main::{memory_map, show_memory_map};
use crate::arch::x86::e820::E820Map;
use crate::arch::x86::pit::{HZ, jiffies};
use crate::drivers::qemu_exit::{QemuExitCode, qemu_exit};
use crate::drivers::{serial, tty};
use crate::mm::dump::{
    show_buddyinfo, show_layout, show_meminfo, show_page_tables, show_walk, show_zoneinfo,
};
use crate::mm::types::VirtAddr;
use crate::pr_info;

const PROMPT: &str = "vmlab> ";
const HELP: &str = "\
commands:
  help           this list
  layout         the virtual memory layout
  memmap         the physical memory map in use
  walk ADDR      translate ADDR (hex) through swapper_pg_dir
  ptdump START END  the kernel's page-table entries for [START, END) (hex)
  buddyinfo      free blocks per zone and order
  zoneinfo       zones: page counts and watermarks
  meminfo        memory totals
  jiffies        timer ticks since boot
  exit           end the QEMU run";

/// Runs the monitor until `exit`.
pub fn run() -> ! {
    let e820 = memory_map();
    pr_info!("Kernel monitor: type 'help'.");
    let mut line = [0u8; 80];
    loop {
        serial::write_fmt(format_args!("{PROMPT}"));
        let len = tty::read_line(&mut line);
        let command = core::str::from_utf8(&line[..len]).unwrap_or("");
        execute(command.trim(), &e820);
    }
}

fn execute(command: &str, e820: &E820Map) {
    let mut words = command.split_ascii_whitespace();
    match (words.next(), words.next()) {
        (None, _) => {}
        (Some("help"), None) => pr_info!("{HELP}"),
        (Some("buddyinfo"), None) => show_buddyinfo(),
        (Some("zoneinfo"), None) => show_zoneinfo(),
        (Some("meminfo"), None) => show_meminfo(),
        (Some("ptdump"), Some(start)) => match (parse_hex(start), words.next().and_then(parse_hex)) {
            (Some(start), Some(end)) if start < end => {
                show_page_tables(VirtAddr::new(start), VirtAddr::new(end))
            }
            _ => pr_info!("ptdump: give two hexadecimal addresses, START below END"),
        },
        (Some("layout"), None) => show_layout(),
        (Some("memmap"), None) => show_memory_map("memmap", e820),
        (Some("walk"), Some(addr)) => match parse_hex(addr) {
            Some(va) => {
                show_walk(VirtAddr::new(va));
            }
            None => pr_info!("walk: '{addr}' is not a hexadecimal address"),
        },
        (Some("jiffies"), None) => pr_info!("{} ticks at HZ={HZ}", jiffies()),
        (Some("exit"), None) => qemu_exit(QemuExitCode::Success),
        _ => pr_info!("unknown command '{command}'; type 'help'"),
    }
}

fn parse_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s.trim_start_matches("0x"), 16).ok()
}
