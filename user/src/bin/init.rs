//! `init`: a small shell on the console, the first process `cargo xtask run`
//! starts. A command is a program of the initrd (`/bin/NAME`, or a path)
//! with its arguments, run in a child process; or one of the builtins,
//! which read the kernel's `/proc` files.

#![no_std]
#![no_main]

use ulib::{eprintln, print, println, sys};

ulib::entry!(main);

/// Longest command line, and most words in it.
const LINE: usize = 128;
const WORDS: usize = 16;

const HELP: &str = "\
builtins:
  help            this list
  ps              the tasks (/proc/tasks)
  status [PID]    a task and its memory (/proc/PID/status)
  maps [PID]      a task's memory regions (/proc/PID/maps)
  vmstat          page-fault and copy-on-write counts (/proc/vmstat)
  mmlist          every mm_struct and its counts (/proc/mmlist)
  meminfo, buddyinfo, zoneinfo   the kernel's memory (/proc)
  exit            power off (ends the QEMU run)
anything else runs /bin/NAME with its arguments, e.g. `hello a b`";

fn main(_args: &[&str]) -> i32 {
    println!("vmlab shell; type `help`.");
    let mut line = [0u8; LINE];
    loop {
        print!("$ ");
        // SAFETY: `line` is ours to fill.
        let n = unsafe { sys::read(0, line.as_mut_ptr(), LINE - 1) };
        if n <= 0 {
            return 0;
        }
        let text = core::str::from_utf8(&line[..n as usize]).unwrap_or("");
        let mut words = [""; WORDS];
        let count = text.split_ascii_whitespace().zip(&mut words).map(|(w, slot)| *slot = w).count();
        if count > 0 {
            run(&words[..count]);
        }
    }
}

fn run(words: &[&str]) {
    match words {
        ["help"] => println!("{HELP}"),
        ["ps"] => show(b"/proc/tasks\0"),
        ["status"] => show(b"/proc/self/status\0"),
        ["status", pid] => show_pid(pid, "status"),
        ["maps"] => show(b"/proc/self/maps\0"),
        ["maps", pid] => show_pid(pid, "maps"),
        ["vmstat"] => show(b"/proc/vmstat\0"),
        ["mmlist"] => show(b"/proc/mmlist\0"),
        ["meminfo"] => show(b"/proc/meminfo\0"),
        ["buddyinfo"] => show(b"/proc/buddyinfo\0"),
        ["zoneinfo"] => show(b"/proc/zoneinfo\0"),
        ["exit"] => {
            sys::power_off();
        }
        _ => spawn(words),
    }
}

fn show(path: &[u8]) {
    if ulib::cat(path) < 0 {
        eprintln!("sh: cannot read it");
    }
}

/// Shows `/proc/PID/FILE`.
fn show_pid(pid: &str, file: &str) {
    let mut path = [0u8; 40];
    let mut len = 0;
    for part in ["/proc/", pid, "/", file, "\0"] {
        let Some(slot) = path.get_mut(len..len + part.len()) else {
            return eprintln!("sh: bad pid");
        };
        slot.copy_from_slice(part.as_bytes());
        len += part.len();
    }
    show(&path[..len]);
}

/// Runs `/bin/WORD` (or the path given) with the words as its arguments, in
/// a child, and waits for it.
fn spawn(words: &[&str]) {
    // Every word, NUL-terminated, one after the other; the program's path first.
    let mut strings = [0u8; LINE + 16];
    let mut starts = [0usize; WORDS + 1];
    let mut at = 0;
    let prefix: &[u8] = if words[0].starts_with('/') { b"" } else { b"/bin/" };
    for (i, word) in words.iter().enumerate() {
        starts[i] = at;
        let bytes = if i == 0 { [prefix, word.as_bytes()] } else { [&b""[..], word.as_bytes()] };
        for part in bytes {
            strings[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        at += 1;
    }
    let mut argv = [core::ptr::null(); WORDS + 1];
    for (slot, start) in argv.iter_mut().zip(&starts[..words.len()]) {
        *slot = strings[*start..].as_ptr();
    }
    let pid = sys::fork();
    if pid == 0 {
        sys::execve(argv[0], argv.as_ptr(), core::ptr::null());
        eprintln!("sh: {}: not found", words[0]);
        sys::exit(127);
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid as i32, &mut status, 0) };
    match (status & 0x7f, status >> 8) {
        (0, 0) => {}
        (0, code) => println!("[exit {code}]"),
        (signal, _) => println!("[killed by signal {signal}]"),
    }
}
