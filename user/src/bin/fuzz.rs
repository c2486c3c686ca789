//! A seeded system-call fuzzer: `fuzz FIRST..END CALLS [verbose]`.
//!
//! For each seed of the range the fuzzer forks a worker that makes CALLS
//! system calls, Linux i386 numbers and all, drawn by a small random number
//! generator seeded with the seed: the calls the kernel implements and a
//! few it does not, with arguments biased toward the values that find bugs
//! (0, -1, small numbers, addresses near 0 and near `PAGE_OFFSET`, in the
//! program's own text, data, stack and heap, in regions mapped by earlier
//! calls, huge lengths, random flags). The same seed gives the same calls,
//! so a seed is a reproducer.
//!
//! The parent (`init`, in a QEMU run) waits for each worker and prints one
//! line: what the worker's last call was and how it ended (`exit N`, or
//! killed by a signal), marked `UNEXPECTED` when the last call cannot end
//! a process that way, and the pages not returned when the free-page count
//! of `/proc/meminfo` is lower than before the worker. A summary ends the
//! run. With `verbose`, each worker prints every call and its result: the
//! last lines before a kernel panic are the calls that led to it.
//!
//! A worker's calls must leave it able to go on, or the run would learn
//! nothing after the first `munmap` of its own stack. So every call but the
//! last is drawn again when it would change the mappings of the worker's
//! image or stack, or have the kernel write into its data or stack (only
//! the scratch pages are fair game), or opens a program for writing (a
//! later worker would run what it wrote). No call reads the console (it would
//! wait for input) or writes to it (it would print), closes it, powers the
//! machine off, runs a program, or reads the clock. The last call may take
//! the worker down: it is drawn up front (the parent draws it too, to know
//! the fates it may give) among `exit`, `exit_group`, `execve` of a real
//! program, `munmap`, `mprotect` or `mmap` over the worker's own memory,
//! and any other call, and is made with [`sys::syscall_then_exit`], so no
//! user code runs after it. No worker can loop: a run that hangs is the
//! kernel's doing.
//!
//! A worker may `fork` (the child makes a few calls of its own and exits;
//! the worker reaps it at once) and `clone` (the child exits at once, see
//! [`sys::clone_exiting_child`]).

#![no_std]
#![no_main]

use core::ffi::CStr;
use core::fmt;

use ulib::sys::{self, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE};
use ulib::sys::{NR_BRK, NR_CLONE, NR_CLOSE, NR_EXECVE, NR_EXIT, NR_EXIT_GROUP, NR_FORK, NR_GETPID};
use ulib::sys::{NR_GETPPID, NR_MADVISE, NR_MMAP2, NR_MPROTECT, NR_MUNMAP, NR_OPEN, NR_READ};
use ulib::sys::{NR_REBOOT, NR_SCHED_YIELD, NR_WAIT4, NR_WAITPID, NR_WRITE};
use ulib::{eprintln, print, println};

ulib::entry!(main);

const USAGE: &str = "usage: fuzz FIRST..END CALLS [verbose]";

const PAGE: u32 = 4096;
/// The first kernel address: user pointers stop below it.
const PAGE_OFFSET: u32 = 0xC000_0000;
/// Nothing can be mapped below it (Linux's `mmap_min_addr`).
const MMAP_MIN_ADDR: u32 = 0x1_0000;
/// Where `mmap` looks for room first.
const TASK_UNMAPPED_BASE: u32 = 0x4000_0000;
/// Stack a worker may use below the parent's `main`, protected with it.
const STACK_MARGIN: u32 = 64 * 1024;
/// Most bytes a `read` can store: more than any file of the initrd holds.
const READ_LIMIT: u32 = 1 << 20;
/// Largest `MAP_POPULATE` or `MAP_LOCKED` mapping: a larger one only
/// spends the run's time faulting pages in.
const POPULATE_LIMIT: u32 = 64 * PAGE;
/// Calls a child forked by a worker makes before it exits.
const CHILD_CALLS: u32 = 8;
/// Regions the worker remembers, the latest ones mapped.
const MAPS: usize = 8;
/// Bytes of Linux's `struct rusage`, which `wait4` fills in.
const RUSAGE_SIZE: u32 = 72;

const PROT_WRITE: u32 = 0x2;
const MAP_ANONYMOUS: u32 = 0x20;
const MAP_POPULATE: u32 = 0x8000;
const MAP_LOCKED: u32 = 0x2000;
/// The other `mmap` flags: GROWSDOWN, DENYWRITE, EXECUTABLE, LOCKED,
/// NORESERVE, POPULATE, NONBLOCK, STACK, HUGETLB.
const MAP_OTHER: [u32; 9] = [0x100, 0x800, 0x1000, 0x2000, 0x4000, 0x8000, 0x1_0000, 0x2_0000, 0x4_0000];
/// The calls of System V shared memory, thread-local storage, vectored
/// I/O and `ioctl`, which no `ulib` wrapper covers.
const NR_IPC: usize = 117;
const NR_IOCTL: usize = 54;
const NR_READV: usize = 145;
const NR_WRITEV: usize = 146;
const NR_SET_THREAD_AREA: usize = 243;
const NR_MREMAP: usize = 163;
const NR_SWAPON: usize = 87;
const NR_SWAPOFF: usize = 115;
/// The swap disk, which the `fuzz` scenario's machine has.
const SWAP_DEVICE: &CStr = c"/dev/hda";
/// `mremap`'s flags: MAYMOVE, FIXED, DONTUNMAP.
const MREMAP_FLAGS: [u32; 6] = [0, 1, 3, 5, 7, 2];
/// `ipc()`'s shared-memory calls, and the flags and commands they take.
const SHMAT: u32 = 21;
const SHMDT: u32 = 22;
const SHMGET: u32 = 23;
const SHMCTL: u32 = 24;
const SHM_FLAGS: [u32; 7] = [0, 0o1600, 0o3600, 0o10000, 0o20000, 0o40000, 0o100000];
const SHM_CMDS: [u32; 8] = [0, 1, 2, 3, 13, 0x100, 0x102, 99];
const IPC_RMID: u32 = 0;
/// The only keys workers name segments by: the parent removes these
/// segments after each worker, since segments outlive processes.
const SHM_KEYS: [u32; 3] = [0x5eed_0001, 0x5eed_0002, 0x5eed_0003];
/// The segment sizes workers ask for: none larger than `SHM_MAX` can be
/// made (0xff00_0000 is past Linux's `SHMMAX`), so a `SHM_REMAP` attach
/// can be kept off the worker's own memory.
const SHM_SIZES: [u32; 7] = [0, 1, PAGE, 3 * PAGE, SHM_MAX, 0xff00_0000, u32::MAX];
const SHM_MAX: u32 = 64 * PAGE;
/// Bytes `IPC_STAT` writes (`struct shmid64_ds`), `set_thread_area` may
/// write back (`struct user_desc`), and `TIOCGWINSZ` writes.
const SHMID_DS_SIZE: u32 = 84;
const USER_DESC_SIZE: u32 = 16;
const WINSIZE_SIZE: u32 = 8;
/// Segments of `readv` and `writev` a worker describes.
const IOVS: usize = 4;
const SIGCHLD: u32 = 17;
const SIGSEGV: u32 = 11;
const CLONE_VM: u32 = 0x100;
const CLONE_FS_FILES: u32 = 0x600;
/// `wait4` option: wait for every kind of child, `clone`'s too.
const WALL: i32 = 0x4000_0000;
const REBOOT_MAGIC1: u32 = 0xfee1_dead;
/// Linux's second magic numbers and the commands that would end the run.
const REBOOT_MAGIC2: [u32; 4] = [672_274_793, 85_072_278, 369_367_448, 537_993_216];
const REBOOT_ENDS: [u32; 6] = [0x4321_fedc, 0xcdef_0123, 0x0123_4567, 0xa1b2_c3d4, 0x4558_4543, 0xd000_fce2];
/// Numbers Linux i386 has never implemented (`break`, `stty`, `gtty`,
/// `ftime`, `prof`, `lock`, `mpx`, `profil`, `afs_syscall`, `getpmsg`,
/// `putpmsg`, unused slots), and some beyond its table.
const UNIMPLEMENTED: [u32; 18] =
    [17, 31, 32, 35, 44, 53, 56, 98, 137, 188, 189, 222, 223, 251, 285, 5000, 0x7fff_ffff, u32::MAX];

/// Files to open, and paths that `execve` must refuse.
const PATHS: [&CStr; 13] = [
    c"/proc/sys/vm/drop_caches",
    c"/proc/meminfo",
    c"/proc/self/maps",
    c"/proc/self/status",
    c"/proc/1/status",
    c"/proc/tasks",
    c"/proc/vmstat",
    c"/proc/mmlist",
    c"/proc/zoneinfo",
    c"/bin/hello",
    c"/bin/lazytext",
    c"/bin/fuzz",
    c"/proc/99999/maps",
];
const NOT_PROGRAMS: [&CStr; 10] = [
    c"/nosuch",
    c"",
    c"/",
    c"/bin",
    c"/proc/meminfo",
    c"/bad/phnum-ffff",
    c"/bad/phnum-0",
    c"/bad/phentsize-16",
    c"/bad/no-load",
    c"/bad/truncated",
];
/// What a last `execve` runs: programs that end by themselves, and one
/// that does not exist.
const PROGRAMS: [&CStr; 4] = [c"/bin/hello", c"/bin/segv", c"/bin/yield", c"/nosuch"];
/// A path longer than the kernel takes.
static LONG_PATH: [u8; 300] = {
    let mut path = [b'a'; 300];
    path[0] = b'/';
    path[299] = 0;
    path
};

/// Pages of the bss that calls may write, unmap and remap: nothing else
/// lives in them.
#[repr(C, align(4096))]
struct Scratch([u8; SCRATCH_SIZE as usize]);
const SCRATCH_SIZE: u32 = 2 * PAGE;
static mut SCRATCH: Scratch = Scratch([0; SCRATCH_SIZE as usize]);

fn main(args: &[&str]) -> i32 {
    let Some(options) = Options::parse(args) else {
        eprintln!("{USAGE}");
        return 2;
    };
    let own = Own::find();
    println!("fuzz: seeds {}..{}, {} calls each", options.first, options.end, options.calls);
    // The first `swapon` makes a page table for the vmalloc area, which the
    // kernel keeps: make it before counting.
    // SAFETY: `swapon` and `swapoff` only read the path.
    unsafe {
        sys::syscall6(NR_SWAPON, [SWAP_DEVICE.as_ptr() as usize, 0, 0, 0, 0, 0]);
        sys::syscall6(NR_SWAPOFF, [SWAP_DEVICE.as_ptr() as usize, 0, 0, 0, 0, 0]);
    }
    let start = free_pages();
    let mut unexpected = 0;
    for seed in options.first..options.end {
        let (last, code) = Last::draw(&mut Rng::new(seed));
        let before = free_pages();
        let fate = run_worker(seed, &options, own);
        let ok = fate.is_some_and(|fate| last.may_end(fate, code));
        unexpected += u32::from(!ok);
        print!("seed {seed}: last call {last}: ");
        match fate {
            Some(fate) => print!("{fate}"),
            None => print!("no worker, fork failed"),
        }
        remove_segments();
        // A swap area a worker turned on stays on after it, its map taking
        // pages.
        // SAFETY: `swapoff` only reads the path.
        unsafe { sys::syscall6(NR_SWAPOFF, [SWAP_DEVICE.as_ptr() as usize, 0, 0, 0, 0, 0]) };
        let lost = before - free_pages();
        println!("{}{}", Lost(lost), if ok { "" } else { " UNEXPECTED" });
    }
    let seeds = options.end - options.first;
    let calls = u64::from(seeds) * u64::from(options.calls);
    println!(
        "fuzz: {seeds} seeds, {calls} calls, {unexpected} unexpected, {} pages not returned",
        start - free_pages()
    );
    0
}

/// The command line.
struct Options {
    first: u32,
    end: u32,
    calls: u32,
    verbose: bool,
}

impl Options {
    fn parse(args: &[&str]) -> Option<Self> {
        let [_, range, calls, rest @ ..] = args else { return None };
        let (first, end) = range.split_once("..")?;
        let (first, end) = (first.parse().ok()?, end.parse().ok()?);
        let calls = calls.parse().ok().filter(|&calls| calls > 0)?;
        let verbose = match rest {
            [] => false,
            ["verbose"] => true,
            _ => return None,
        };
        (first < end).then_some(Self { first, end, calls, verbose })
    }
}

/// Free pages (`/proc/meminfo`) once the page cache has let go of what no
/// process maps, plus the pages the fuzzer itself holds
/// (`/proc/self/status`): it faults its own text in as it first runs each
/// part of it, and those pages are not lost.
fn free_pages() -> i64 {
    ulib::drop_caches();
    let kb = |path: &[u8], key| ulib::proc_value(path, key).map_or(0, i64::from);
    (kb(b"/proc/meminfo\0", "MemFree:") + kb(b"/proc/self/status\0", "VmRSS:")) / 4
}

/// Pages not returned, shown only when there are some.
struct Lost(i64);

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            0 => Ok(()),
            pages => write!(f, " ({pages} pages not returned)"),
        }
    }
}

/// Forks the worker for `seed`, waits for it, and reaps whatever of its
/// children outlived it (none should). `None` if it could not be forked.
fn run_worker(seed: u32, options: &Options, own: Own) -> Option<Fate> {
    let pid = sys::fork();
    if pid == 0 {
        Worker::new(seed, options.verbose, own).run(options.calls);
    }
    if pid < 0 {
        return None;
    }
    let mut status = 0;
    // SAFETY: `status` is ours to fill.
    unsafe { sys::waitpid(pid as i32, &mut status, 0) };
    // SAFETY: no status is written.
    while unsafe { sys::waitpid(-1, core::ptr::null_mut(), WALL) } > 0 {
        println!("seed {seed}: UNEXPECTED: a child outlived the worker");
    }
    Some(Fate::from_status(status))
}

/// Removes the System V segments a worker may have left: they outlive it,
/// and would count as pages not returned.
fn remove_segments() {
    for key in SHM_KEYS {
        // SAFETY: `shmget` and `IPC_RMID` touch no memory of ours.
        unsafe {
            let id = sys::syscall6(NR_IPC, [SHMGET as usize, key as usize, 0, 0, 0, 0]);
            if id >= 0 {
                sys::syscall6(NR_IPC, [SHMCTL as usize, id as usize, IPC_RMID as usize, 0, 0, 0]);
            }
        }
    }
}

/// How a process ended, from its wait status.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Exit(u32),
    Signal(u32),
}

impl Fate {
    fn from_status(status: i32) -> Self {
        match status & 0x7f {
            0 => Self::Exit((status >> 8) as u32 & 0xff),
            signal => Self::Signal(signal as u32),
        }
    }
}

impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            Self::Exit(code) => write!(f, "exit {code}"),
            Self::Signal(signal) => {
                let name = match signal {
                    4 => " (SIGILL)",
                    5 => " (SIGTRAP)",
                    7 => " (SIGBUS)",
                    8 => " (SIGFPE)",
                    9 => " (SIGKILL)",
                    11 => " (SIGSEGV)",
                    _ => "",
                };
                write!(f, "killed by signal {signal}{name}")
            }
        }
    }
}

/// The kinds of a worker's last call.
#[derive(Clone, Copy)]
enum Last {
    Exit,
    ExitGroup,
    Execve,
    Munmap,
    Mprotect,
    MmapOver,
    Any,
}

impl Last {
    /// The last call's kind and, for `exit`, its status: the first draws
    /// of the seed's generator.
    fn draw(rng: &mut Rng) -> (Self, u32) {
        use Last::*;
        let last = rng.pick(&[Exit, Exit, ExitGroup, Execve, Execve, Munmap, Munmap, Mprotect, Mprotect, MmapOver, Any, Any]);
        let any = rng.next();
        let code = rng.pick(&[0, 1, 42, 255, 256, u32::MAX, any]);
        (last, code)
    }

    /// Whether a worker whose last call is of this kind may end with
    /// `fate`: with the status it exits with; otherwise exit 0 (the call
    /// returned, and `syscall_then_exit` exited) or SIGSEGV (it took the
    /// worker's text, or ran `/bin/segv`).
    fn may_end(self, fate: Fate, code: u32) -> bool {
        match self {
            Self::Exit | Self::ExitGroup => fate == Fate::Exit(code & 0xff),
            _ => matches!(fate, Fate::Exit(0) | Fate::Signal(SIGSEGV)),
        }
    }
}

impl fmt::Display for Last {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Self::Exit => "exit",
            Self::ExitGroup => "exit_group",
            Self::Execve => "execve of a program",
            Self::Munmap => "munmap of its own memory",
            Self::Mprotect => "mprotect of its own memory",
            Self::MmapOver => "mmap over its own memory",
            Self::Any => "any call",
        })
    }
}

/// xorshift64* (Vigna, 2016), seeded through splitmix64 so that
/// neighbouring seeds start far apart: small, fast, and the same on every
/// machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u32) -> Self {
        let mut z = u64::from(seed).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Self((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    }

    /// A number below `n` (which is not 0).
    fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.next()) * u64::from(n)) >> 32) as u32
    }

    fn one_in(&mut self, n: u32) -> bool {
        self.below(n) == 0
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }
}

/// The worker's own memory, found before the campaign: the workers are
/// forks of the parent, so theirs is the parent's.
#[derive(Clone, Copy)]
struct Own {
    /// The program's image, text to bss: `[image, brk)`.
    image: u32,
    /// The start of its writable part, data and bss.
    data: u32,
    /// The end of the bss, where the heap starts.
    brk: u32,
    /// The scratch pages, inside the bss.
    scratch: u32,
    /// The lowest address of the stack a worker uses.
    stack: u32,
}

impl Own {
    fn find() -> Self {
        // SAFETY: `brk(0)` only asks where the heap ends.
        let brk = unsafe { sys::brk(0) } as u32;
        let mut buf = [0u8; 1024];
        let maps = ulib::read_file(b"/proc/self/maps\0", &mut buf).unwrap_or_default();
        let mut regions = maps.split(|&byte| byte == b'\n').filter_map(region);
        let image = regions.next().map_or(0x0804_8000, |(start, _)| start);
        let data = regions.find(|&(start, writable)| writable && start < brk).map_or(image, |(start, _)| start);
        let scratch = (&raw const SCRATCH) as u32;
        let here = 0u8;
        let stack = ((&raw const here) as u32 - STACK_MARGIN) & !(PAGE - 1);
        assert!(data <= scratch && scratch + SCRATCH_SIZE <= brk, "the scratch pages lie in the bss");
        Self { image, data, brk, scratch, stack }
    }

    /// Whether the kernel may write `[start, start + len)`: it holds none
    /// of the worker's data or stack.
    fn may_write(&self, start: u32, len: u32) -> bool {
        let end = u64::from(start) + u64::from(len);
        !self.overlaps(self.data, u64::from(start), end)
    }

    /// Whether the mappings of the pages of `[start, start + len)` may
    /// change: they hold none of the worker's image or stack.
    fn may_remap(&self, start: u32, len: u32) -> bool {
        let end = (u64::from(start) + u64::from(len)).next_multiple_of(u64::from(PAGE));
        !self.overlaps(self.image, u64::from(start & !(PAGE - 1)), end)
    }

    /// Whether `[start, end)` meets `[from, brk)` outside the scratch
    /// pages, or the stack.
    fn overlaps(&self, from: u32, start: u64, end: u64) -> bool {
        let scratch_end = self.scratch + SCRATCH_SIZE;
        let kept = [(from, self.scratch), (scratch_end, self.brk), (self.stack, PAGE_OFFSET)];
        kept.iter().any(|&(low, high)| start < u64::from(high) && u64::from(low) < end)
    }
}

/// A line of `/proc/PID/maps`: where the region starts, whether it is
/// writable.
fn region(line: &[u8]) -> Option<(u32, bool)> {
    let line = core::str::from_utf8(line).ok()?;
    let (range, perms) = line.split_once(' ')?;
    let start = u32::from_str_radix(range.split_once('-')?.0, 16).ok()?;
    Some((start, perms.as_bytes().get(1) == Some(&b'w')))
}

/// A system call: its number and six arguments.
#[derive(Clone, Copy)]
struct Call {
    nr: usize,
    args: [u32; 6],
}

fn call(nr: usize, args: &[u32]) -> Call {
    let mut all = [0; 6];
    all[..args.len()].copy_from_slice(args);
    Call { nr, args: all }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (name, args) = match self.nr {
            NR_EXIT => ("exit", 1),
            NR_FORK => ("fork", 0),
            NR_READ => ("read", 3),
            NR_WRITE => ("write", 3),
            NR_OPEN => ("open", 2),
            NR_CLOSE => ("close", 1),
            NR_WAITPID => ("waitpid", 3),
            NR_EXECVE => ("execve", 3),
            NR_GETPID => ("getpid", 0),
            NR_BRK => ("brk", 1),
            NR_GETPPID => ("getppid", 0),
            NR_REBOOT => ("reboot", 3),
            NR_MUNMAP => ("munmap", 2),
            NR_WAIT4 => ("wait4", 4),
            NR_CLONE => ("clone", 2),
            NR_MPROTECT => ("mprotect", 3),
            NR_SCHED_YIELD => ("sched_yield", 0),
            NR_MMAP2 => ("mmap2", 6),
            NR_MADVISE => ("madvise", 3),
            NR_IPC => ("ipc", 5),
            NR_MREMAP => ("mremap", 5),
            NR_IOCTL => ("ioctl", 3),
            NR_READV => ("readv", 3),
            NR_WRITEV => ("writev", 3),
            NR_SET_THREAD_AREA => ("set_thread_area", 1),
            NR_EXIT_GROUP => ("exit_group", 1),
            NR_SWAPON => ("swapon", 2),
            NR_SWAPOFF => ("swapoff", 1),
            _ => ("syscall", 3),
        };
        if name == "syscall" {
            write!(f, "syscall {}", self.nr)?;
        } else {
            f.write_str(name)?;
        }
        f.write_str("(")?;
        for (i, arg) in self.args[..args].iter().enumerate() {
            write!(f, "{}{arg:#x}", if i == 0 { "" } else { ", " })?;
        }
        f.write_str(")")
    }
}

/// A call's result: `-errno` in decimal, anything else in hex.
struct Ret(isize);

impl fmt::Display for Ret {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if (-4095..0).contains(&self.0) { write!(f, "{}", self.0) } else { write!(f, "{:#x}", self.0 as u32) }
    }
}

/// A worker: the generator and what it knows of the process so far.
struct Worker {
    seed: u32,
    rng: Rng,
    own: Own,
    verbose: bool,
    /// 0 for the worker, 1 for a child it forked (which does not fork).
    depth: u32,
    /// The latest regions `mmap2` returned, and how many it has returned.
    maps: [u32; MAPS],
    mapped: usize,
    /// Bit `fd` is set for each descriptor `open` returned and no `close` took.
    files: u32,
    /// The end of the heap, as `brk` last returned it.
    brk: u32,
    /// Argument vectors for `execve`: a program and its argument, and
    /// the same with a kernel address as the argument.
    argv: [u32; 3],
    bad_argv: [u32; 3],
    /// The `struct iovec`s of the latest `readv` or `writev`: bases where
    /// the worker may be written, or outside user space.
    iov: [u32; 2 * IOVS],
    /// The latest segment id `shmget` returned.
    shmid: u32,
}

impl Worker {
    fn new(seed: u32, verbose: bool, own: Own) -> Self {
        let arg = c"a".as_ptr() as u32;
        let path = PROGRAMS[0].as_ptr() as u32;
        Self {
            seed,
            rng: Rng::new(seed),
            own,
            verbose,
            depth: 0,
            maps: [0; MAPS],
            mapped: 0,
            files: 0,
            brk: own.brk,
            argv: [path, arg, 0],
            bad_argv: [path, PAGE_OFFSET, 0],
            iov: [0; 2 * IOVS],
            shmid: 0,
        }
    }

    /// Makes `calls` calls, the last one as `Last::draw` chose, and exits.
    fn run(&mut self, calls: u32) -> ! {
        let (last, code) = Last::draw(&mut self.rng);
        for n in 1..calls {
            let call = self.draw(false);
            self.make(n, call);
        }
        let call = self.last_call(last, code);
        if self.verbose {
            println!("#{calls} {call}, the last");
        }
        sys::syscall_then_exit(call.nr, call.args.map(|arg| arg as usize))
    }

    /// A random call that the worker may make (`last`: as its last).
    fn draw(&mut self, last: bool) -> Call {
        loop {
            let call = self.random_call();
            if self.allowed(&call, last) {
                return call;
            }
        }
    }

    /// Whether the worker may make `call`: see the module's documentation.
    fn allowed(&self, call: &Call, last: bool) -> bool {
        let [a, b, c, d, e, _] = call.args;
        let own = &self.own;
        match call.nr {
            NR_FORK | NR_CLONE => !last && self.depth == 0,
            NR_CLOSE => a > 2,
            NR_OPEN => b & 3 == 0 || !PATHS.iter().any(|path| path.to_bytes().starts_with(b"/bin/") && path.as_ptr() as u32 == a),
            NR_READ if a <= 2 => b >= PAGE_OFFSET && c > 0,
            NR_WRITE if a <= 2 => c == 0 || b < MMAP_MIN_ADDR || b >= PAGE_OFFSET,
            NR_REBOOT => !(a == REBOOT_MAGIC1 && REBOOT_MAGIC2.contains(&b) && REBOOT_ENDS.contains(&c)),
            NR_MMAP2 if d & (MAP_POPULATE | MAP_LOCKED) != 0 && b > POPULATE_LIMIT => false,
            NR_READV | NR_WRITEV => a > 2,
            NR_IPC if a == SHMAT && c & SHM_FLAGS[5] != 0 => own.may_remap(e, SHM_MAX),
            _ if last => true,
            NR_IPC if a == SHMAT => own.may_write(d, 4),
            NR_IPC if a == SHMCTL => own.may_write(e, SHMID_DS_SIZE),
            NR_SET_THREAD_AREA => own.may_write(a, USER_DESC_SIZE),
            NR_IOCTL => own.may_write(c, WINSIZE_SIZE),
            NR_READ => own.may_write(b, c.min(READ_LIMIT)),
            NR_WAITPID => b == 0 || own.may_write(b, 4),
            NR_WAIT4 => (b == 0 || own.may_write(b, 4)) && (d == 0 || own.may_write(d, RUSAGE_SIZE)),
            NR_MUNMAP | NR_MPROTECT | NR_MADVISE => own.may_remap(a, b),
            NR_MREMAP => own.may_remap(a, b.max(c)) && (d & 2 == 0 || own.may_remap(e, c)),
            NR_MMAP2 if d & MAP_FIXED as u32 != 0 && d & MAP_FIXED_NOREPLACE as u32 == 0 => own.may_remap(a, b),
            _ => true,
        }
    }

    /// Makes call number `n` and notes what it returned.
    fn make(&mut self, n: u32, call: Call) {
        let indent = if self.depth == 0 { "" } else { "    child " };
        if self.verbose {
            print!("{indent}#{n} {call}");
        }
        let ret = match call.nr {
            NR_FORK | NR_CLONE => {
                if self.verbose {
                    println!();
                }
                let ret = if call.nr == NR_FORK { self.fork() } else { self.clone(call) };
                if self.verbose {
                    print!("{indent}#{n}");
                }
                ret
            }
            // SAFETY: `allowed` keeps the worker's own memory out of the call's reach.
            _ => unsafe { sys::syscall6(call.nr, call.args.map(|arg| arg as usize)) },
        };
        if self.verbose {
            println!(" = {}", Ret(ret));
        }
        self.note(call, ret);
    }

    /// Remembers the regions, files and heap end that `call` gave.
    fn note(&mut self, call: Call, ret: isize) {
        let ok = !(-4095..0).contains(&ret);
        let fd = call.args[0];
        match call.nr {
            NR_MMAP2 | NR_MREMAP if ok => {
                self.maps[self.mapped % MAPS] = ret as u32;
                self.mapped += 1;
            }
            NR_OPEN if ok && ret < 32 => self.files |= 1 << ret,
            NR_CLOSE if ret == 0 && fd < 32 => self.files &= !(1 << fd),
            NR_BRK => self.brk = ret as u32,
            NR_IPC if ok && call.args[0] == SHMGET => self.shmid = ret as u32,
            _ => {}
        }
    }

    /// `fork`: the child makes a few calls of its own and exits; the
    /// worker waits for it.
    fn fork(&mut self) -> isize {
        let pid = sys::fork();
        if pid == 0 {
            self.depth = 1;
            self.rng = Rng::new(self.rng.next());
            for n in 1..=CHILD_CALLS {
                let call = self.draw(false);
                self.make(n, call);
            }
            sys::exit(0);
        }
        self.reap(pid, "forked");
        pid
    }

    /// `clone`, whose child exits at once; the worker waits for it.
    fn clone(&mut self, call: Call) -> isize {
        let pid = sys::clone_exiting_child(call.args[0] as usize, call.args[1] as usize);
        self.reap(pid, "cloned");
        pid
    }

    /// Waits for child `pid` (if there is one), which must exit with 0.
    fn reap(&self, pid: isize, what: &str) {
        if pid <= 0 {
            return;
        }
        let mut status = 0;
        // SAFETY: `status` is ours to fill.
        let ret = unsafe { sys::waitpid(pid as i32, &mut status, WALL) };
        let fate = Fate::from_status(status);
        if ret != pid || fate != Fate::Exit(0) {
            println!("seed {}: UNEXPECTED: a {what} child ended with {fate} (waitpid gave {ret})", self.seed);
        }
    }

    /// The worker's last call, of kind `last`.
    fn last_call(&mut self, last: Last, code: u32) -> Call {
        match last {
            Last::Exit => call(NR_EXIT, &[code]),
            Last::ExitGroup => call(NR_EXIT_GROUP, &[code]),
            Last::Execve => {
                let path = self.rng.pick(&PROGRAMS).as_ptr() as u32;
                (self.argv[0], self.bad_argv[0]) = (path, path);
                let vectors = [0, self.argv.as_ptr() as u32, self.bad_argv.as_ptr() as u32, PAGE_OFFSET];
                let (argv, envp) = (self.rng.pick(&vectors), self.rng.pick(&vectors));
                call(NR_EXECVE, &[path, argv, envp])
            }
            Last::Munmap => call(NR_MUNMAP, &[self.own_addr(), self.own_len()]),
            Last::Mprotect => call(NR_MPROTECT, &[self.own_addr(), self.own_len(), self.prot()]),
            Last::MmapOver => {
                let (addr, len) = (self.own_addr() & !(PAGE - 1), self.own_len());
                let mut call = self.mmap2();
                (call.args[0], call.args[1], call.args[3]) = (addr, len, call.args[3] | MAP_FIXED as u32);
                call
            }
            Last::Any => self.draw(true),
        }
        .tamed(&self.own)
    }

    /// A random call: the calls the kernel implements, weighted, and a
    /// few it does not.
    fn random_call(&mut self) -> Call {
        match self.rng.below(113) {
            0..16 => self.mmap2(),
            16..26 => call(NR_MUNMAP, &[self.addr(), self.len()]),
            26..36 => call(NR_MPROTECT, &[self.addr(), self.len(), self.prot()]),
            36..41 => {
                let advice = self.rng.pick(&[0, 1, 2, 3, 4, 9, 10, 11, 12, 100]);
                call(NR_MADVISE, &[self.addr(), self.len(), advice])
            }
            41..47 => call(NR_BRK, &[self.brk_addr()]),
            47..55 => call(NR_READ, &[self.fd(), self.addr(), self.count()]),
            55..60 => call(NR_WRITE, &[self.fd(), self.addr(), self.count()]),
            60..68 => call(NR_OPEN, &[self.path(), self.open_flags()]),
            68..72 => call(NR_CLOSE, &[self.fd()]),
            72..77 => self.wait(),
            77..80 => self.execve(),
            80..82 => call(NR_FORK, &[]),
            82..84 => {
                let flags = self.rng.pick(&[0, SIGCHLD, CLONE_VM, CLONE_VM | SIGCHLD, CLONE_VM | CLONE_FS_FILES]);
                let stack = if self.rng.one_in(2) { 0 } else { self.addr() };
                call(NR_CLONE, &[flags, stack])
            }
            84..88 => call(self.rng.pick(&[NR_GETPID, NR_GETPPID, NR_SCHED_YIELD]), &[]),
            88..90 => {
                let magic1 = if self.rng.one_in(2) { REBOOT_MAGIC1 } else { self.int() };
                let magic2 = if self.rng.one_in(2) { self.rng.pick(&REBOOT_MAGIC2) } else { self.int() };
                let cmd = if self.rng.one_in(2) { self.rng.pick(&REBOOT_ENDS) } else { self.int() };
                call(NR_REBOOT, &[magic1, magic2, cmd])
            }
            90..92 => {
                let path = if self.rng.one_in(2) { SWAP_DEVICE.as_ptr() as u32 } else { self.path() };
                let nr = if self.rng.one_in(2) { NR_SWAPON } else { NR_SWAPOFF };
                call(nr, &[path, self.int()])
            }
            100..105 => self.shm_call(),
            105..107 => call(NR_SET_THREAD_AREA, &[self.addr()]),
            107..109 => self.vectored(),
            110..113 => {
                let (addr, flags) = (self.addr(), self.rng.pick(&MREMAP_FLAGS));
                let (old_len, new_len) = (self.len(), if self.rng.one_in(4) { self.len() } else { self.count() });
                call(NR_MREMAP, &[addr, old_len, new_len, flags, self.addr()])
            }
            109 => call(NR_IOCTL, &[self.fd(), self.rng.pick(&[0x5413, 0x5401, 0]), self.addr()]),
            _ => {
                let nr = self.rng.pick(&UNIMPLEMENTED) as usize;
                call(nr, &[self.int(), self.int(), self.int()])
            }
        }
    }

    fn mmap2(&mut self) -> Call {
        let addr = if self.rng.one_in(2) { 0 } else { self.addr() };
        let (len, prot) = (self.len(), self.prot());
        let mut flags = self.rng.pick(&[MAP_PRIVATE as u32, MAP_PRIVATE as u32, 1, 0, 3]);
        if !self.rng.one_in(3) {
            flags |= MAP_ANONYMOUS;
        }
        if self.rng.one_in(4) {
            flags |= MAP_FIXED as u32;
        }
        if self.rng.one_in(8) {
            flags |= MAP_FIXED_NOREPLACE as u32;
        }
        if self.rng.one_in(6) {
            flags |= self.rng.pick(&MAP_OTHER);
        }
        if self.rng.one_in(16) {
            flags |= 1 << self.rng.below(32);
        }
        let fd = if flags & MAP_ANONYMOUS != 0 && !self.rng.one_in(4) { u32::MAX } else { self.fd() };
        let pgoff = self.rng.pick(&[0, 0, 1, 2, 8, 0xf_ffff, 0x7fff_ffff, u32::MAX]);
        call(NR_MMAP2, &[addr, len, prot, flags, fd, pgoff])
    }

    /// A System V shared-memory call through `ipc()`, on the worker's
    /// keys and latest segment, or on ids and addresses at random.
    fn shm_call(&mut self) -> Call {
        let id = if self.rng.one_in(2) { self.shmid } else { self.int() };
        let flags = if self.rng.one_in(8) { self.int() } else { self.rng.pick(&SHM_FLAGS) };
        let addr = if self.rng.one_in(3) { 0 } else { self.addr() };
        match self.rng.below(4) {
            0 => {
                let size = if self.rng.one_in(8) { self.len().min(SHM_MAX) } else { self.rng.pick(&SHM_SIZES) };
                call(NR_IPC, &[SHMGET, self.rng.pick(&SHM_KEYS), size, flags])
            }
            1 => call(NR_IPC, &[SHMAT, id, flags, self.addr(), addr]),
            2 => call(NR_IPC, &[SHMDT, 0, 0, 0, addr]),
            _ => call(NR_IPC, &[SHMCTL, id, self.rng.pick(&SHM_CMDS), 0, self.addr()]),
        }
    }

    /// `readv` or `writev` of up to `IOVS` segments the worker describes,
    /// or of more than Linux's 1024.
    fn vectored(&mut self) -> Call {
        for i in 0..IOVS {
            let (base, len) = (self.addr(), self.count());
            let base = if self.own.may_write(base, len.min(READ_LIMIT)) { base } else { PAGE_OFFSET };
            (self.iov[2 * i], self.iov[2 * i + 1]) = (base, len.min(READ_LIMIT));
        }
        let count = self.rng.pick(&[0, 1, 2, IOVS as u32, 1025, u32::MAX]);
        let nr = if self.rng.one_in(2) { NR_READV } else { NR_WRITEV };
        call(nr, &[self.fd(), self.iov.as_ptr() as u32, count])
    }

    fn wait(&mut self) -> Call {
        let nr = self.rng.pick(&[NR_WAITPID, NR_WAITPID, NR_WAIT4]);
        let pid = if self.rng.one_in(2) { self.rng.pick(&[u32::MAX, 0, 1, 2, u32::MAX - 1]) } else { self.int() };
        let status = if self.rng.one_in(3) { 0 } else { self.addr() };
        let options = if self.rng.one_in(2) { self.rng.pick(&[0, 1, 2, WALL as u32, 0x8000_0000]) } else { self.int() };
        let rusage = if self.rng.one_in(2) { 0 } else { self.addr() };
        call(nr, &[pid, status, options, rusage])
    }

    /// `execve` of something that is not a program, or from a bad pointer.
    fn execve(&mut self) -> Call {
        let path = if self.rng.one_in(4) {
            self.rng.pick(&[0, 1, MMAP_MIN_ADDR, PAGE_OFFSET, u32::MAX])
        } else {
            self.rng.pick(&NOT_PROGRAMS).as_ptr() as u32
        };
        call(NR_EXECVE, &[path, self.vector(), self.vector()])
    }

    /// An `argv` or `envp` for `execve`.
    fn vector(&mut self) -> u32 {
        match self.rng.below(5) {
            0 => 0,
            1 => self.argv.as_ptr() as u32,
            2 => self.bad_argv.as_ptr() as u32,
            3 => self.argv.as_ptr() as u32 + 1,
            _ => self.addr(),
        }
    }

    fn path(&mut self) -> u32 {
        match self.rng.below(8) {
            0 => LONG_PATH.as_ptr() as u32,
            1 => self.addr(),
            _ => self.rng.pick(&PATHS).as_ptr() as u32,
        }
    }

    /// `open` flags: read-only mostly, or O_WRONLY, O_RDWR, O_CREAT,
    /// O_TRUNC, O_NONBLOCK, O_DIRECTORY, or any.
    fn open_flags(&mut self) -> u32 {
        match self.rng.below(4) {
            0 | 1 => 0,
            2 => self.rng.pick(&[0o1, 0o2, 0o100, 0o1000, 0o4000, 0o200000]),
            _ => self.int(),
        }
    }

    /// An address: one of the kinds that find bugs, sometimes off a page
    /// boundary.
    fn addr(&mut self) -> u32 {
        let own = self.own;
        let rng = &mut self.rng;
        let page = |n: u32| n * PAGE;
        let base = match rng.below(12) {
            0 => rng.pick(&[0, 1, 0xfff, PAGE, 0x8000, MMAP_MIN_ADDR - PAGE, MMAP_MIN_ADDR, 0x10_0000]),
            1 => rng.pick(&[PAGE_OFFSET - PAGE, PAGE_OFFSET - 1, PAGE_OFFSET, 0xc010_0000, 0xffff_f000, u32::MAX]),
            2 => own.image + page(rng.below((own.brk - own.image) / PAGE)),
            3 => own.scratch + page(rng.below(SCRATCH_SIZE / PAGE)),
            4 => own.stack - page(rng.below(16)),
            5 => own.stack + page(rng.below((PAGE_OFFSET - own.stack) / PAGE)),
            6 => self.brk.wrapping_add(page(rng.below(4))).wrapping_sub(page(2)),
            7 | 8 if self.mapped > 0 => self.maps[rng.below(self.mapped.min(MAPS) as u32) as usize] + page(rng.below(4)),
            7..10 => TASK_UNMAPPED_BASE + page(rng.below(256)),
            10 => rng.next() & !(PAGE - 1),
            _ => rng.next(),
        };
        if rng.one_in(8) { base.wrapping_add(1 + rng.below(PAGE - 1)) } else { base }
    }

    /// An address in the worker's own image or stack, for the last call.
    fn own_addr(&mut self) -> u32 {
        let own = self.own;
        match self.rng.below(4) {
            0 => own.image,
            1 => own.data,
            2 => own.image + PAGE * self.rng.below((own.brk - own.image) / PAGE),
            _ => own.stack + PAGE * self.rng.below((PAGE_OFFSET - own.stack) / PAGE),
        }
    }

    /// A length for the last call: a page or two, the whole image, the
    /// whole stack, or any length.
    fn own_len(&mut self) -> u32 {
        let own = self.own;
        match self.rng.below(5) {
            0 => PAGE,
            1 => 2 * PAGE,
            2 => own.brk - own.image,
            3 => PAGE_OFFSET - own.stack,
            _ => self.len(),
        }
    }

    fn len(&mut self) -> u32 {
        let rng = &mut self.rng;
        match rng.below(10) {
            0 => rng.pick(&[0, 1, PAGE - 1, PAGE + 1, 2 * PAGE - 1]),
            1..6 => PAGE * (1 + rng.below(16)),
            6 => rng.pick(&[0x1_0000, 0x10_0000, 0x100_0000, 0x4000_0000]),
            7 => rng.pick(&[0x7fff_ffff, 0x8000_0000, PAGE_OFFSET - PAGE, PAGE_OFFSET, 0xffff_f000, 0xffff_f001, u32::MAX]),
            8 => PAGE * rng.below(1024),
            _ => rng.next(),
        }
    }

    /// A byte count for `read` or `write`.
    fn count(&mut self) -> u32 {
        match self.rng.below(4) {
            0 => self.rng.pick(&[0, 1, 16, 256, 257]),
            1 => self.len(),
            _ => self.rng.below(2 * PAGE),
        }
    }

    /// `PROT_*` bits, sometimes with others.
    fn prot(&mut self) -> u32 {
        let prot = self.rng.below(8);
        if !self.rng.one_in(8) {
            return prot;
        }
        let bit = 1 << self.rng.below(32);
        // PROT_SEM, PROT_GROWSDOWN, PROT_GROWSUP, or any.
        prot | self.rng.pick(&[0x8, 0x0100_0000, 0x0200_0000, bit])
    }

    /// The argument of `brk`: 0, near the heap's end, below its start, or
    /// any address.
    fn brk_addr(&mut self) -> u32 {
        match self.rng.below(5) {
            0 => 0,
            1 => self.brk + PAGE * self.rng.below(64) + self.rng.pick(&[0, 1, PAGE - 1]),
            2 => self.brk.wrapping_sub(PAGE * self.rng.below(8)),
            3 => self.own.brk - PAGE * (1 + self.rng.below(4)),
            _ => self.addr(),
        }
    }

    /// A file descriptor: one `open` returned, the console, or any number.
    fn fd(&mut self) -> u32 {
        match self.rng.below(4) {
            0 | 1 if self.files != 0 => {
                let nth = self.rng.below(self.files.count_ones()) as usize;
                (0..32).filter(|&fd| self.files & (1 << fd) != 0).nth(nth).unwrap_or(3)
            }
            2 => self.rng.below(3),
            _ => self.int(),
        }
    }

    /// A number: 0, -1, small, a boundary, a power of two, or any.
    fn int(&mut self) -> u32 {
        let rng = &mut self.rng;
        match rng.below(6) {
            0 => 0,
            1 => u32::MAX,
            2 => rng.below(16),
            3 => rng.pick(&[0x7fff_ffff, 0x8000_0000, u32::MAX - 1, 0xffff, 0x1_0000]),
            4 => 1 << rng.below(32),
            _ => rng.next(),
        }
    }
}

impl Call {
    /// The call, made safe to end the worker with: an `mmap2` that may
    /// land on the worker's own memory maps anonymous memory it cannot
    /// write, without `MAP_POPULATE`. Two-level i386 paging has no NX bit,
    /// so any readable page is executable, and the worker's next
    /// instruction may lie in the new mapping: a file's bytes there could
    /// run and loop, and zeros (`add [eax], al`) in writable memory would
    /// run on into whatever follows; in memory it cannot write, the first
    /// of them faults.
    fn tamed(mut self, own: &Own) -> Self {
        let [addr, len, prot, flags, _, _] = self.args;
        if self.nr == NR_MMAP2 && flags & MAP_FIXED as u32 != 0 && !own.may_remap(addr, len) {
            self.args[2] = prot & !PROT_WRITE;
            self.args[3] = (flags | MAP_ANONYMOUS) & !(MAP_POPULATE | MAP_LOCKED);
        }
        self
    }
}
