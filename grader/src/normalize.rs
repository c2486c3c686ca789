//! Normalisation: what is taken out of the serial output before it is
//! compared with a snapshot, so that the snapshot holds for every correct
//! kernel and not only for one build of ours.
//!
//! 1. Line ends: `\r\n` becomes `\n`.
//! 2. Scope: except for `boot`, whose snapshot is the whole boot log, a
//!    transcript starts at the line `test NAME: start`, or, for a program
//!    run as `init`, at `Run PATH as init process`.
//! 3. The kernel image's section lines (`.text`, `.rodata`, `.data`, `.bss`)
//!    show `[build-specific]`: their addresses move with every code change.
//! 4. Register values in an oops (lines starting `EIP:`, `EAX:`, `ESI:`)
//!    become `########`: they depend on the compiled code.
//! 5. A user fault's or trap's `ip` and `sp` become `########`: they depend on how
//!    the compiler laid the program out, not on the kernel.
//! 6. Panic locations: `dir/../` is collapsed (lab builds reach files through
//!    `#[path]`) and `:line:column` becomes `:LL:CC`.
//! 7. The transcript ends with a line `--- end: KIND` saying how the run ended.

use std::sync::LazyLock;

use regex::Regex;

use crate::qemu::Run;

static SECTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^(\s+\.[a-z]+\s*:) .*$").unwrap());
static REGISTER_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^(EIP|EAX|ESI): .*$").unwrap());
static HEX_WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{8}\b").unwrap());
static USER_FAULT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)(: (?:segfault|bus error) at \S+) ip \S+ sp \S+").unwrap());
static USER_TRAP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)(: trap \d+) ip:\S+ sp:\S+").unwrap());
static LOCATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^(\s+at )(\S+):\d+:\d+$").unwrap());

/// The normalised transcript of `run`, from the line `start` on (all of
/// it when `start` is `None` or missing).
pub fn transcript(start: Option<&str>, run: &Run) -> String {
    let text = String::from_utf8_lossy(&run.output).replace("\r\n", "\n");
    let scoped = match start.and_then(|line| text.find(&format!("{line}\n"))) {
        Some(at) => &text[at..],
        None => &text[..],
    };
    let text = SECTION.replace_all(scoped, "$1 [build-specific]");
    let text = REGISTER_LINE
        .replace_all(&text, |c: &regex::Captures| HEX_WORD.replace_all(&c[0], "########").into_owned());
    let text = USER_FAULT.replace_all(&text, "$1 ip ######## sp ########");
    let text = USER_TRAP.replace_all(&text, "$1 ip:######## sp:########");
    let text =
        LOCATION.replace_all(&text, |c: &regex::Captures| format!("{}{}:LL:CC", &c[1], clean_path(&c[2])));
    format!("{}\n--- end: {}\n", text.trim_end(), run.end.summary())
}

/// Collapses `dir/..` pairs in a relative path.
fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            "." => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qemu::End;

    fn run(output: &str, end: End) -> Run {
        Run { output: output.as_bytes().to_vec(), end }
    }

    #[test]
    fn boot_keeps_the_whole_log_and_hides_section_addresses() {
        let out = "vmlab\r\n     .text  : 0xc0100000 - 0xc012fe8d   ( 191 kB)\r\n    lowmem  : 0xc0000000 - 0xf8000000   ( 896 MB)\r\n";
        assert_eq!(
            transcript(None, &run(out, End::Success)),
            "vmlab\n     .text  : [build-specific]\n    lowmem  : 0xc0000000 - 0xf8000000   ( 896 MB)\n--- end: success\n"
        );
    }

    #[test]
    fn other_scenarios_start_at_their_start_line() {
        let out = "boot log\ntest pgwalk: start\nline\n";
        assert_eq!(
            transcript(Some("test pgwalk: start"), &run(out, End::Success)),
            "test pgwalk: start\nline\n--- end: success\n"
        );
    }

    #[test]
    fn a_kernel_that_never_started_the_test_keeps_everything() {
        let out = "boot log\nKernel panic - not syncing: oops\n";
        assert_eq!(
            transcript(Some("test pgwalk: start"), &run(out, End::Panic("oops".into()))),
            "boot log\nKernel panic - not syncing: oops\n--- end: kernel panic\n"
        );
    }

    #[test]
    fn registers_and_panic_locations_are_redacted() {
        let out = "test x: start\nhello[3]: segfault at 0 ip 080480f1 sp bffffe14 error 4\nhello[4]: bus error at 40000000 ip 080480f1 sp bffffe14 error 4\nhello[5]: trap 3 ip:804911b sp:bffffee8 error:0\nCR2: 0xf8800000\nEIP: 0060:[<c011961c>] EFLAGS: 00000292\nEAX: f8800000 EBX: 00009500\n  at labs/../solution/src/mm/../../../labs/01-paging/pgwalk.rs:40:5\n";
        assert_eq!(
            transcript(Some("test x: start"), &run(out, End::Panic(String::new()))),
            "test x: start\nhello[3]: segfault at 0 ip ######## sp ######## error 4\nhello[4]: bus error at 40000000 ip ######## sp ######## error 4\nhello[5]: trap 3 ip:######## sp:######## error:0\nCR2: 0xf8800000\nEIP: 0060:[<########>] EFLAGS: ########\nEAX: ######## EBX: ########\n  at labs/01-paging/pgwalk.rs:LL:CC\n--- end: kernel panic\n"
        );
    }

    #[test]
    fn clean_path_keeps_leading_parent_directories() {
        assert_eq!(clean_path("../a/./b/../c"), "../a/c");
    }
}
