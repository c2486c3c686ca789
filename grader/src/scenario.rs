//! The scenarios: what each boots, what it is worth, how it must end, and
//! where a student reads about it.

use std::time::Duration;

use crate::qemu::{End, Machine};
use crate::workspace_root;

/// One graded boot of the kernel with `test=NAME`.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The kernel's `test=` name and the snapshot's file name.
    pub name: &'static str,
    /// The lab whose code it tests; `None` for the foundation.
    pub lab: Option<u8>,
    pub points: u32,
    /// RAM of the machine.
    pub memory: &'static str,
    /// Kernel options besides `test=NAME`.
    pub options: &'static str,
    /// A file, relative to the repository, loaded as the boot module.
    pub initrd: Option<&'static str>,
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
    pub fn machine(&self) -> Machine {
        let append = format!("test={} {}", self.name, self.options).trim_end().to_string();
        let initrd = self.initrd.map(|path| workspace_root().join(path));
        Machine { memory: self.memory.to_string(), append, initrd }
    }
}

const BOOT_TIMEOUT: Duration = Duration::from_secs(30);
/// A kernel panic, whatever its message (the snapshot holds the message).
const PANIC: End = End::Panic(String::new());

/// Every scenario, foundation first, then by lab.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "boot",
            lab: None,
            points: 0,
            memory: "2G",
            options: "",
            initrd: None,
            timeout: BOOT_TIMEOUT,
            expect: End::Success,
            hint: "the boot log changed: memory map, layout or timer",
            book: "book/src/getting-started.md",
        },
        Scenario {
            name: "modules",
            lab: None,
            points: 0,
            memory: "2G",
            options: "",
            initrd: Some("grader/fixtures/module.txt"),
            timeout: BOOT_TIMEOUT,
            expect: End::Success,
            hint: "a boot module must reach the kernel intact and stay out of the boot allocator's way",
            book: "book/src/getting-started.md",
        },
        Scenario {
            name: "panic",
            lab: None,
            points: 0,
            memory: "2G",
            options: "",
            initrd: None,
            timeout: BOOT_TIMEOUT,
            expect: PANIC,
            hint: "a deliberate panic must be reported with its message and location",
            book: "book/src/instructors.md",
        },
        Scenario {
            name: "pagefault",
            lab: None,
            points: 0,
            memory: "2G",
            options: "",
            initrd: None,
            timeout: BOOT_TIMEOUT,
            expect: PANIC,
            hint: "a kernel page fault must print CR2 and the oops, then panic",
            book: "book/src/address-space.md",
        },
        Scenario {
            name: "hang",
            lab: None,
            points: 0,
            memory: "2G",
            options: "",
            initrd: None,
            timeout: Duration::from_secs(3),
            expect: End::Timeout,
            hint: "a kernel that never ends must be stopped and reported as a timeout",
            book: "book/src/instructors.md",
        },
        Scenario {
            name: "triple-fault",
            lab: None,
            points: 0,
            memory: "2G",
            options: "",
            initrd: None,
            timeout: BOOT_TIMEOUT,
            expect: End::Reset,
            hint: "an exception with no IDT must reset the machine",
            book: "book/src/instructors.md",
        },
        Scenario {
            name: "pgwalk",
            lab: Some(1),
            points: 10,
            memory: "2G",
            options: "",
            initrd: None,
            timeout: BOOT_TIMEOUT,
            expect: End::Success,
            hint: "check the order of the two lookups and that the page offset is added to the frame address",
            book: "book/src/labs/lab1-paging.md",
        },
    ]
}

/// The scenario called `name`.
pub fn find(name: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.name == name)
}
