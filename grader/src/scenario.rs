//! The scenarios: what each boots, what it is worth, how it must end, and
//! where a student reads about it.

use std::time::Duration;

use crate::initrd::ARCHIVE as USER_INITRD;
use crate::qemu::{End, Machine};
use crate::workspace_root;

/// One graded boot of the kernel with `test=NAME`.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The snapshot's file name.
    pub name: &'static str,
    /// The kernel's `test=` name (one kernel test may run on several
    /// machines), or, when it starts with `/`, a program of the initrd that
    /// the kernel runs as `init`.
    pub test: &'static str,
    /// The lab whose code it tests; `None` for the foundation.
    pub lab: Option<u8>,
    pub points: u32,
    /// RAM of the machine.
    pub memory: &'static str,
    /// Kernel options besides `test=NAME`.
    pub options: &'static str,
    /// A file, relative to the repository, loaded as the boot module.
    pub initrd: Option<&'static str>,
    /// What is typed on the console.
    pub input: Option<&'static str>,
    /// Wall-clock limit; a kernel still running then is stopped.
    pub timeout: Duration,
    /// How a correct kernel ends this scenario.
    pub expect: End,
    /// What to check first when the scenario fails.
    pub hint: &'static str,
    /// The book section that explains it.
    pub book: &'static str,
}

impl Scenario {
    /// Whether the scenario runs a program as `init` rather than a kernel test.
    pub fn runs_init(&self) -> bool {
        self.test.starts_with('/')
    }

    /// The line the transcript starts at; `None` for `boot`, whose
    /// transcript is the whole boot log.
    pub fn scope(&self) -> Option<String> {
        match self.test {
            "boot" => None,
            path if self.runs_init() => Some(format!("Run {path} as init process")),
            test => Some(format!("test {test}: start")),
        }
    }

    pub fn machine(&self) -> Machine {
        let key = if self.runs_init() { "init" } else { "test" };
        let append = format!("{key}={} {}", self.test, self.options).trim_end().to_string();
        let initrd = self.initrd.map(|path| workspace_root().join(path));
        let input = self.input.map(String::from);
        Machine { memory: self.memory.to_string(), append, initrd, input }
    }
}

const BOOT_TIMEOUT: Duration = Duration::from_secs(30);
/// The in-suite fuzzing run takes about 6 s under TCG.
const FUZZ_TIMEOUT: Duration = Duration::from_secs(60);
/// Book sections.
const PROCESSES: &str = "book/src/processes.md";
const FUZZING: &str = "book/src/processes.md#fuzzing-the-system-calls";
const LONG_CALLS: &str = "book/src/processes.md#long-system-calls";
const LAB2_MMSTEPS: &str = "book/src/labs/lab2-mm.md#fork-exec-and-exit";
const LAB2_COUNTS: &str = "book/src/labs/lab2-mm.md#two-counts";
const LAB2_TEARDOWN: &str = "book/src/labs/lab2-mm.md#tearing-an-address-space-down";
const LAB2_LAZY: &str = "book/src/labs/lab2-mm.md#kernel-threads-and-active_mm";
const LAB3_MERGE: &str = "book/src/labs/lab3-vma.md#merging-and-splitting";
const LAB3_LIMIT: &str = "book/src/labs/lab3-vma.md#the-region-limit";
const LAB3_MAPS: &str = "book/src/labs/lab3-vma.md#procpidmaps";
const LAB4_FAULT: &str = "book/src/labs/lab4-fault.md#the-fault-path";
const LAB4_FILE: &str = "book/src/labs/lab4-fault.md#file-backed-faults";
const LAB4_STACK: &str = "book/src/labs/lab4-fault.md#growing-the-stack";
const LAB5_COW: &str = "book/src/labs/lab5-cow.md#the-copy-on-write-fault";
const LAB5_ZERO: &str = "book/src/labs/lab5-cow.md#the-zero-page-and-cow";
const LAB5_FORK: &str = "book/src/labs/lab5-cow.md#fork-with-copy-on-write";

/// A kernel panic, whatever its message (the snapshot holds the message).
const PANIC: End = End::Panic(String::new());

/// A foundation scenario with the usual machine: 2 GiB, no options, no
/// module, the boot timeout, ending in success. Fields are overridden below.
fn scenario(name: &'static str, hint: &'static str, book: &'static str) -> Scenario {
    Scenario {
        name,
        test: name,
        lab: None,
        points: 0,
        memory: "2G",
        options: "",
        initrd: None,
        input: None,
        timeout: BOOT_TIMEOUT,
        expect: End::Success,
        hint,
        book,
    }
}

/// A lab 1 scenario: kernel test `test` on a machine of `memory` with `options`.
fn lab1(
    name: &'static str,
    test: &'static str,
    points: u32,
    memory: &'static str,
    options: &'static str,
    hint: &'static str,
    book: &'static str,
) -> Scenario {
    Scenario { test, lab: Some(1), points, memory, options, ..scenario(name, hint, book) }
}

/// A scenario that runs program `path` of the user initrd as `init`, with
/// `args` (after `--`), and belongs to `lab` (`None`: the process model).
fn program(
    name: &'static str,
    path: &'static str,
    args: &'static str,
    lab: Option<u8>,
    points: u32,
    hint: &'static str,
    book: &'static str,
) -> Scenario {
    Scenario {
        test: path,
        options: args,
        initrd: Some(USER_INITRD),
        lab,
        points,
        ..scenario(name, hint, book)
    }
}

/// Every scenario, foundation first, then by lab.
pub fn all() -> Vec<Scenario> {
    vec![
        scenario("boot", "the boot log changed: memory map, layout or timer", "book/src/getting-started.md"),
        Scenario {
            initrd: Some("grader/fixtures/module.txt"),
            ..scenario(
                "modules",
                "a boot module must reach the kernel intact and stay out of the boot allocator's way",
                "book/src/getting-started.md",
            )
        },
        Scenario {
            expect: PANIC,
            ..scenario(
                "panic",
                "a deliberate panic must be reported with its message and location",
                "book/src/instructors.md",
            )
        },
        Scenario {
            expect: PANIC,
            ..scenario(
                "pagefault",
                "a kernel page fault must print CR2 and the oops, then panic",
                "book/src/address-space.md",
            )
        },
        Scenario {
            timeout: Duration::from_secs(3),
            expect: End::Timeout,
            ..scenario(
                "hang",
                "a kernel that never ends must be stopped and reported as a timeout",
                "book/src/instructors.md",
            )
        },
        Scenario {
            expect: End::Reset,
            ..scenario(
                "triple-fault",
                "an exception with no IDT must reset the machine",
                "book/src/instructors.md",
            )
        },
        Scenario {
            input: Some(
                "help\nlayout\nmemmap\nwalk c0100000\nwalk zz\nptdump f7ffe000 f8000000\nptdump 5 1\nbuddyinfo\nzoneinfo\nmeminfo\nfoo\nexit\n",
            ),
            ..scenario(
                "monitor",
                "the kernel monitor reads lines and answers each command",
                "book/src/getting-started.md",
            )
        },
        program(
            "hello",
            "/bin/hello",
            "-- a b",
            None,
            0,
            "argc, argv and the initial stack are built as Linux's i386 ABI lays them out",
            PROCESSES,
        ),
        program(
            "chello",
            "/bin/chello",
            "",
            None,
            0,
            "a static C program built for Linux must run unchanged",
            PROCESSES,
        ),
        program(
            "cabi",
            "/bin/cabi",
            "",
            None,
            0,
            "results and -errno in eax, fork and wait statuses as on Linux (compare with cargo xtask oracle cabi)",
            PROCESSES,
        ),
        program(
            "badptr",
            "/bin/badptr",
            "",
            None,
            0,
            "every user pointer is checked before use: -EFAULT, never a kernel fault",
            PROCESSES,
        ),
        program(
            "nullpage",
            "/bin/nullpage",
            "",
            None,
            0,
            "nothing may be mapped below mmap_min_addr (64 KiB): MAP_FIXED there is -EPERM, a hint is raised, a stack never grows there",
            PROCESSES,
        ),
        program(
            "badexec",
            "/bin/badexec",
            "",
            None,
            0,
            "execve checks the ELF header and program headers and answers -ENOEXEC before it replaces anything",
            PROCESSES,
        ),
        Scenario {
            options: "mem=10M",
            ..program(
                "kheap",
                "/bin/kheap",
                "",
                None,
                0,
                "when kmalloc returns nothing, the request that asked fails with -ENOMEM (Box::new would panic): look for an infallible allocation",
                PROCESSES,
            )
        },
        program(
            "segv",
            "/bin/segv",
            "",
            None,
            0,
            "a user fault kills the process with Linux's segfault line",
            PROCESSES,
        ),
        Scenario {
            input: Some("help\nps\nhello a b\nstatus 1\nmaps 1\nnosuch\nsegv\nmmlist\nvmstat\nexit\n"),
            ..program(
                "shell",
                "/bin/init",
                "",
                None,
                0,
                "the shell reads lines, runs programs in children and reads /proc",
                PROCESSES,
            )
        },
        program(
            "cmman",
            "/bin/cmman",
            "",
            None,
            0,
            "bad arguments to mmap, munmap, mprotect and brk get Linux's error numbers (compare with cargo xtask oracle cmman)",
            PROCESSES,
        ),
        program(
            "cpopulate",
            "/bin/cpopulate",
            "",
            None,
            0,
            "a long system call (mmap2 with MAP_POPULATE) must let other tasks run between batches of pages (cond_resched)",
            LONG_CALLS,
        ),
        program(
            "forkbomb",
            "/bin/forkbomb",
            "",
            None,
            0,
            "a full task table makes fork fail with -EAGAIN; every process is reaped, init goes on and no page is lost",
            PROCESSES,
        ),
        program(
            "forkwait",
            "/bin/forkwait",
            "",
            None,
            0,
            "fork gives the child its own memory, wait collects statuses, execve replaces the program",
            PROCESSES,
        ),
        Scenario {
            timeout: FUZZ_TIMEOUT,
            ..program(
                "fuzz",
                "/bin/fuzz",
                "-- 0..200 200",
                None,
                0,
                "random system calls must never panic or hang the kernel, kill a process the call could not kill, or leak a page (rerun a seed with cargo xtask fuzz --seeds N..N+1)",
                FUZZING,
            )
        },
        lab1(
            "zones-2g",
            "zones",
            5,
            "2G",
            "",
            "zone boundaries come from the memory map; check the free lists the boot hand-over built",
            "book/src/labs/lab1-paging.md#zones",
        ),
        lab1(
            "zones-512m",
            "zones",
            5,
            "2G",
            "mem=512M",
            "with mem=512M there is no HighMem; check the zone spans",
            "book/src/labs/lab1-paging.md#zones",
        ),
        lab1(
            "zones-12m",
            "zones",
            5,
            "2G",
            "mem=12M",
            "with mem=12M only DMA exists",
            "book/src/labs/lab1-paging.md#zones",
        ),
        lab1(
            "buddy",
            "buddy",
            15,
            "2G",
            "",
            "blocks must split (upper halves back on the lists) and merge back completely",
            "book/src/labs/lab1-paging.md#the-buddy-allocator",
        ),
        lab1(
            "exhaust",
            "exhaust",
            10,
            "2G",
            "mem=24M",
            "check gfp_zone and the zonelist order: Normal first, then DMA, never HighMem for GFP_KERNEL",
            "book/src/labs/lab1-paging.md#gfp-flags-and-zone-fallback",
        ),
        lab1(
            "double-free",
            "double-free",
            5,
            "2G",
            "",
            "a second free must be refused before it reaches the free lists",
            "book/src/labs/lab1-paging.md#the-buddy-allocator",
        ),
        lab1(
            "kmalloc",
            "kmalloc",
            5,
            "2G",
            "",
            "kmalloc's slabs come from alloc_pages; a zeroed highmem page needs map_page and unmap_page",
            "book/src/labs/lab1-paging.md#the-kernel-heap",
        ),
        lab1(
            "pgwalk",
            "pgwalk",
            10,
            "2G",
            "",
            "check the order of the two lookups and that the page offset is added to the frame address",
            "book/src/labs/lab1-paging.md#walking-the-tables",
        ),
        Scenario {
            expect: PANIC,
            ..lab1(
                "pgmap",
                "pgmap",
                10,
                "2G",
                "",
                "map_page must create the page table and unmap_page must flush the TLB",
                "book/src/labs/lab1-paging.md#mapping-and-unmapping",
            )
        },
        program(
            "mmsteps",
            "/bin/mmsteps",
            "",
            Some(2),
            15,
            "fork makes a second mm_struct with one user; exit and wait give everything back",
            LAB2_MMSTEPS,
        ),
        program(
            "cthread",
            "/bin/cthread",
            "",
            Some(2),
            10,
            "CLONE_VM shares the mm_struct: mm_users counts both tasks",
            LAB2_COUNTS,
        ),
        program(
            "manyfork",
            "/bin/manyfork",
            "",
            Some(2),
            10,
            "every exited address space must be torn down: frames, page tables, directory, descriptor",
            LAB2_TEARDOWN,
        ),
        Scenario {
            test: "kthread",
            initrd: Some(USER_INITRD),
            lab: Some(2),
            points: 15,
            ..scenario(
                "kthread",
                "a kernel thread borrows active_mm with mmgrab and gives it back with mmdrop",
                LAB2_LAZY,
            )
        },
        program(
            "regions",
            "/bin/regions",
            "",
            Some(3),
            20,
            "equal neighbours merge (vma_merge), a range cut out of a region splits it (split_vma), overlaps are refused",
            LAB3_MERGE,
        ),
        program(
            "maxmaps",
            "/bin/maxmaps",
            "",
            Some(3),
            10,
            "65530 regions fit and the next is refused with -ENOMEM; lookups must stay logarithmic",
            LAB3_LIMIT,
        ),
        program(
            "cmaps",
            "/bin/cmaps",
            "",
            Some(3),
            5,
            "a program's regions as Linux's loader makes them and /proc/PID/maps shows them (compare with cargo xtask oracle cmaps)",
            LAB3_MAPS,
        ),
        program(
            "demand",
            "/bin/demand",
            "",
            Some(4),
            15,
            "a write fault maps a new zeroed page, a read fault the zero page; RSS counts only the new pages",
            LAB4_FAULT,
        ),
        program(
            "lazytext",
            "/bin/lazytext",
            "",
            Some(4),
            10,
            "file pages are read by vm_ops.fault only when touched: RssFile and major faults grow page by page",
            LAB4_FILE,
        ),
        program(
            "stackgrow",
            "/bin/stackgrow",
            "",
            Some(4),
            10,
            "a fault just below a VM_GROWSDOWN region grows it (expand_stack) instead of killing the process",
            LAB4_STACK,
        ),
        program(
            "cfault",
            "/bin/cfault",
            "",
            Some(4),
            15,
            "each bad access kills only its process; user copies to unmapped memory give -EFAULT (compare with cargo xtask oracle cfault)",
            LAB4_FAULT,
        ),
        Scenario {
            options: "mem=32M",
            ..program(
                "oom",
                "/bin/oom",
                "",
                Some(4),
                5,
                "a fault that cannot get a page kills the process (SIGKILL); the kernel keeps running and gets every page back",
                LAB4_FAULT,
            )
        },
        program(
            "cow",
            "/bin/cow",
            "",
            Some(5),
            15,
            "fork shares pages read-only; a write copies the page, or reuses it when its count is 1",
            LAB5_COW,
        ),
        program(
            "zeropage",
            "/bin/zeropage",
            "",
            Some(5),
            10,
            "the zero page is shared by every reader, uncounted, and never freed",
            LAB5_ZERO,
        ),
        program(
            "ccow",
            "/bin/ccow",
            "",
            Some(5),
            15,
            "parent and child see their own values after fork, down a chain and across 50 children (compare with cargo xtask oracle ccow)",
            LAB5_FORK,
        ),
    ]
}

/// The scenario called `name`.
pub fn find(name: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.name == name)
}
