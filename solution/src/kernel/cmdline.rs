//! The kernel command line: `key=value` options separated by spaces, as
//! Linux's `parse_args` reads them.
//!
//! | option | meaning |
//! |---|---|
//! | `test=NAME` | run the scenario NAME instead of the console monitor |
//! | `mem=SIZE` | use at most SIZE bytes of RAM (`K`, `M`, `G` suffixes) |
//! | `highmem=SIZE` | make the top SIZE bytes of RAM high memory, even below 896 MiB |
//! | `loglevel=N` | print messages whose level is below N (0..8, default 7) |
//! | `init=PATH` | run the program PATH from the initrd as the first process |
//! | `fork=copy` | `fork` copies private pages up front instead of sharing them copy-on-write (`fork=cow`, the default): a benchmark knob, Linux has no such switch |
//! | `-- ARGS` | everything after `--` is the first process's arguments |

use core::fmt;

/// The options this kernel understands.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KernelOptions<'a> {
    pub test: Option<&'a str>,
    pub mem: Option<u64>,
    pub highmem: Option<u64>,
    pub loglevel: Option<u8>,
    pub init: Option<&'a str>,
    pub fork: Option<ForkMode>,
    /// The words after `--`, for the first process's `argv` (after its path).
    pub init_args: &'a str,
}

/// How `fork` gives the child the parent's private pages (`fork=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForkMode {
    /// Shared read-only until one side writes (`cow`, the default).
    Cow,
    /// Copied at `fork` (`copy`), to measure what copy-on-write saves.
    Copy,
}

impl ForkMode {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "cow" => Some(Self::Cow),
            "copy" => Some(Self::Copy),
            _ => None,
        }
    }
}

/// A word of the command line that was not understood; it is ignored.
#[derive(Debug, PartialEq, Eq)]
pub enum CmdlineError<'a> {
    UnknownOption(&'a str),
    BadValue { key: &'a str, value: &'a str },
}

impl fmt::Display for CmdlineError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownOption(word) => write!(f, "unknown kernel option '{word}' ignored"),
            Self::BadValue { key, value } => {
                write!(f, "bad value '{value}' for kernel option '{key}' ignored")
            }
        }
    }
}

/// Parses `cmdline`, reporting each word it cannot use to `warn`.
pub fn parse<'a>(cmdline: &'a str, mut warn: impl FnMut(CmdlineError<'a>)) -> KernelOptions<'a> {
    let (cmdline, init_args) = match cmdline.split_once(" -- ") {
        Some((options, args)) => (options, args.trim()),
        None => (cmdline.strip_suffix(" --").unwrap_or(cmdline), ""),
    };
    let mut options = KernelOptions { init_args, ..KernelOptions::default() };
    for word in cmdline.split_ascii_whitespace() {
        let Some((key, value)) = word.split_once('=') else {
            warn(CmdlineError::UnknownOption(word));
            continue;
        };
        let ok = match key {
            "test" => set(&mut options.test, Some(value).filter(|v| !v.is_empty())),
            "mem" => set(&mut options.mem, memparse(value)),
            "highmem" => set(&mut options.highmem, memparse(value)),
            "init" => set(&mut options.init, Some(value).filter(|v| v.starts_with('/'))),
            "loglevel" => set(&mut options.loglevel, value.parse().ok().filter(|&l| l <= 8)),
            "fork" => set(&mut options.fork, ForkMode::parse(value)),
            _ => {
                warn(CmdlineError::UnknownOption(word));
                true
            }
        };
        if !ok {
            warn(CmdlineError::BadValue { key, value });
        }
    }
    options
}

/// Stores `value` in `slot` if it parsed; says whether it did.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    let ok = value.is_some();
    if ok {
        *slot = value;
    }
    ok
}

/// Parses a size such as `512M`, `64K`, `2G` or `1048576` (Linux's `memparse`).
pub fn memparse(s: &str) -> Option<u64> {
    let (digits, shift) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 10),
        b'M' | b'm' => (&s[..s.len() - 1], 20),
        b'G' | b'g' => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_collect(cmdline: &str) -> (KernelOptions<'_>, Vec<CmdlineError<'_>>) {
        let mut errors = Vec::new();
        let options = parse(cmdline, |e| errors.push(e));
        (options, errors)
    }

    #[test]
    fn parses_every_known_option() {
        let (options, errors) =
            parse_collect("test=boot mem=512M highmem=64M loglevel=8 init=/bin/hello fork=copy -- a  b");
        assert_eq!(
            options,
            KernelOptions {
                test: Some("boot"),
                mem: Some(512 << 20),
                highmem: Some(64 << 20),
                loglevel: Some(8),
                init: Some("/bin/hello"),
                fork: Some(ForkMode::Copy),
                init_args: "a  b",
            }
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn fork_takes_cow_or_copy() {
        assert_eq!(parse_collect("fork=cow").0.fork, Some(ForkMode::Cow));
        assert_eq!(parse_collect("fork=copy").0.fork, Some(ForkMode::Copy));
        assert_eq!(parse_collect("fork=").0.fork, None);
    }

    #[test]
    fn empty_command_line_gives_defaults() {
        assert_eq!(parse_collect("  "), (KernelOptions::default(), vec![]));
    }

    #[test]
    fn reports_and_skips_what_it_cannot_use() {
        let (options, errors) =
            parse_collect("quiet mem=lots loglevel=9 test= foo=bar mem=8M init=hello fork=eager --");
        assert_eq!(options, KernelOptions { mem: Some(8 << 20), ..KernelOptions::default() });
        assert_eq!(
            errors,
            vec![
                CmdlineError::UnknownOption("quiet"),
                CmdlineError::BadValue { key: "mem", value: "lots" },
                CmdlineError::BadValue { key: "loglevel", value: "9" },
                CmdlineError::BadValue { key: "test", value: "" },
                CmdlineError::UnknownOption("foo=bar"),
                CmdlineError::BadValue { key: "init", value: "hello" },
                CmdlineError::BadValue { key: "fork", value: "eager" },
            ]
        );
    }

    #[test]
    fn memparse_understands_suffixes_and_rejects_garbage() {
        assert_eq!(memparse("4096"), Some(4096));
        assert_eq!(memparse("64k"), Some(64 << 10));
        assert_eq!(memparse("16M"), Some(16 << 20));
        assert_eq!(memparse("2G"), Some(2 << 30));
        assert_eq!(memparse(""), None);
        assert_eq!(memparse("M"), None);
        assert_eq!(memparse("12Q"), None);
        assert_eq!(memparse("99999999999999999999G"), None);
    }
}
