//! `ulib`: the runtime of vmlab's user programs, and nothing more than they
//! need. No libc, no heap: the Linux i386 system calls ([`sys`]), `print!`
//! and friends over `write` ([`print`]), the entry point `_start`, and a
//! panic handler.
//!
//! A program is a binary in `src/bin/` that starts with
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! ulib::entry!(main);
//!
//! fn main(args: &[&str]) -> i32 {
//!     ulib::println!("hello");
//!     0
//! }
//! ```
//!
//! The kernel enters the program at `_start` with the stack Linux's i386 ABI
//! lays out at `execve`:
//!
//! ```text
//!             | strings (argv, envp), AT_RANDOM bytes  |  high addresses
//!             | auxv: (type, value) pairs, AT_NULL, 0  |
//!             | envp[0] .. envp[envc-1], NULL          |
//!             | argv[0] .. argv[argc-1], NULL          |
//! esp ->      | argc                                   |  low addresses
//! ```
//!
//! `_start` passes that `esp` to the program's `__ulib_main` (written by
//! [`entry!`]), which turns `argv` into `&[&str]`, calls `main` and exits
//! with what it returns. The environment and the auxiliary vector stay
//! readable through [`env`] and [`getauxval`].

#![no_std]

pub mod print;
pub mod sys;

use core::ffi::CStr;
use core::sync::atomic::{AtomicPtr, Ordering};

/// Most arguments a program sees: the kernel passes no more
/// (`MAX_ARG_STRINGS` in its ELF loader).
pub const MAX_ARGS: usize = 32;

/// The end of the auxiliary vector.
pub const AT_NULL: usize = 0;
/// The page size.
pub const AT_PAGESZ: usize = 6;

// The entry point. Only `esp` matters: it points to `argc`. (Linux zeroes
// the other registers; `edx` would hold a function for `atexit` from a
// dynamic linker, which a static program does not have.) `_start` clears
// `ebp` to mark the outermost frame for debuggers, aligns the stack to 16
// bytes at the `call` as the System V i386 ABI requires, and passes the
// initial `esp` as the one argument.
core::arch::global_asm!(
    ".section .text._start, \"ax\"",
    ".globl _start",
    ".type _start, @function",
    "_start:",
    "    xor ebp, ebp",
    "    mov eax, esp",
    "    and esp, -16",
    "    sub esp, 12",
    "    push eax",
    "    call __ulib_main",
    "    ud2",
);

/// Defines the program's `__ulib_main`, which `_start` calls with the
/// initial stack pointer, to run `$main`, a `fn(&[&str]) -> i32`: the
/// arguments in, the exit status out. A program without it fails to link,
/// with `__ulib_main` undefined.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// Called by `_start` with the stack the kernel built.
        #[unsafe(no_mangle)]
        unsafe extern "C" fn __ulib_main(sp: *const usize) -> ! {
            // SAFETY: `_start` passes the initial stack pointer unchanged.
            unsafe { $crate::start(sp, $main) }
        }
    };
}

/// The initial stack pointer, kept for [`env`] and [`getauxval`].
static INITIAL_STACK: AtomicPtr<usize> = AtomicPtr::new(core::ptr::null_mut());

/// Runs `main` with the arguments on the initial stack `sp` and exits with
/// its status. Only [`entry!`]'s code calls it.
///
/// # Safety
///
/// `sp` must point to `argc` on a stack laid out as the module docs show.
#[doc(hidden)]
pub unsafe fn start(sp: *const usize, main: fn(&[&str]) -> i32) -> ! {
    INITIAL_STACK.store(sp.cast_mut(), Ordering::Relaxed);
    // SAFETY: argc, then argc pointers to NUL-terminated strings.
    let (argc, argv) = unsafe { (*sp, sp.add(1).cast::<*const u8>()) };
    let mut args = [""; MAX_ARGS];
    let argc = argc.min(MAX_ARGS);
    for (i, arg) in args[..argc].iter_mut().enumerate() {
        // SAFETY: `i < argc`, and the kernel's strings live as long as the
        // program.
        *arg = unsafe { c_str(*argv.add(i)) };
    }
    sys::exit(main(&args[..argc]))
}

/// The string at `ptr`, or a marker if it is not UTF-8.
///
/// # Safety
///
/// `ptr` points to a NUL-terminated string that is never changed.
unsafe fn c_str(ptr: *const u8) -> &'static str {
    // SAFETY: as the caller promises.
    let bytes = unsafe { CStr::from_ptr(ptr.cast()) };
    bytes.to_str().unwrap_or("<not UTF-8>")
}

/// The words of the initial stack from the one after `argv`'s NULL on:
/// `envp`, its NULL, then the auxiliary vector.
fn after_argv() -> *const usize {
    let sp = INITIAL_STACK.load(Ordering::Relaxed);
    assert!(!sp.is_null(), "the initial stack is known only after _start");
    // SAFETY: `argc`, the argument pointers and their NULL.
    unsafe { sp.add(1 + *sp + 1) }
}

/// The environment strings (`NAME=value`) the program was started with.
pub fn env() -> impl Iterator<Item = &'static str> {
    let mut envp = after_argv().cast::<*const u8>();
    core::iter::from_fn(move || {
        // SAFETY: the vector ends with NULL, where the iteration stops.
        let ptr = unsafe { *envp };
        (!ptr.is_null()).then(|| {
            // SAFETY: as above; the strings live as long as the program.
            unsafe {
                envp = envp.add(1);
                c_str(ptr)
            }
        })
    })
}

/// The value of the auxiliary vector's entry `kind` (an `AT_*` constant),
/// like glibc's `getauxval`: what the kernel tells a program about itself
/// and the machine.
pub fn getauxval(kind: usize) -> Option<usize> {
    // SAFETY: past `envp`'s NULL come (type, value) pairs up to AT_NULL.
    unsafe {
        let mut auxv = after_argv();
        while *auxv != 0 {
            auxv = auxv.add(1);
        }
        auxv = auxv.add(1);
        while *auxv != AT_NULL {
            if *auxv == kind {
                return Some(*auxv.add(1));
            }
            auxv = auxv.add(2);
        }
    }
    None
}

/// Prints `panic: MESSAGE` on standard error and exits with status 101, as
/// Rust's standard library does.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    eprintln!("panic: {}", info.message());
    sys::exit(101)
}

/// Copies the file at `path` (NUL-terminated) to standard output; returns
/// the negative error of `open` or `read`, or 0.
pub fn cat(path: &[u8]) -> isize {
    let fd = sys::open(path.as_ptr(), 0);
    if fd < 0 {
        return fd;
    }
    let mut buf = [0u8; 256];
    loop {
        // SAFETY: `buf` is ours to fill.
        let n = unsafe { sys::read(fd as i32, buf.as_mut_ptr(), buf.len()) };
        if n <= 0 {
            sys::close(fd as i32);
            return n.min(0);
        }
        sys::write(1, buf.as_ptr(), n as usize);
    }
}

/// Reads the file at `path` (NUL-terminated) into `buf`, as much of it as
/// fits; the bytes read, or `None` if it cannot be opened.
pub fn read_file<'a>(path: &[u8], buf: &'a mut [u8]) -> Option<&'a [u8]> {
    let fd = sys::open(path.as_ptr(), 0);
    if fd < 0 {
        return None;
    }
    let mut len = 0;
    loop {
        // SAFETY: the rest of `buf` is ours to fill.
        let n = unsafe { sys::read(fd as i32, buf[len..].as_mut_ptr(), buf.len() - len) };
        if n <= 0 {
            break;
        }
        len += n as usize;
    }
    sys::close(fd as i32);
    Some(&buf[..len])
}

/// Frees the page cache's clean frames that nothing maps (`echo 1 >
/// /proc/sys/vm/drop_caches`), so that a count of free memory sees only
/// what processes hold; whether the write was taken.
pub fn drop_caches() -> bool {
    const O_WRONLY: i32 = 1;
    let fd = sys::open(c"/proc/sys/vm/drop_caches".as_ptr().cast(), O_WRONLY);
    if fd < 0 {
        return false;
    }
    let written = sys::write(fd as i32, b"1".as_ptr(), 1);
    sys::close(fd as i32);
    written == 1
}

/// The number after `key` on the line of `/proc` file `path` that starts
/// with it (`proc_value(b"/proc/self/status\0", "RssAnon:")` is the
/// resident anonymous memory in kB).
pub fn proc_value(path: &[u8], key: &str) -> Option<u32> {
    let mut buf = [0u8; 2048];
    let text = core::str::from_utf8(read_file(path, &mut buf)?).ok()?;
    let rest = text.lines().find_map(|line| line.strip_prefix(key))?;
    rest.split(|c: char| !c.is_ascii_digit()).find(|word| !word.is_empty())?.parse().ok()
}
