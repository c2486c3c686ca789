//! Reading what the boot loader hands over: the memory map, the command line
//! and the modules, from the Multiboot 1 information structure.

use multiboot::information::{MemoryManagement, MemoryType, Multiboot, PAddr, SIGNATURE_EAX};

use spin::Once;

use super::e820::{E820Map, E820Type};
use crate::mm::layout::{__va, EARLY_MAPPED};
use crate::mm::types::PhysAddr;

/// Longest command line kept, as on Linux i386.
const COMMAND_LINE_SIZE: usize = 256;
/// Most modules remembered.
const MAX_MODULES: usize = 4;

/// A module the boot loader loaded (the initrd, later): `[start, end)`.
#[derive(Clone, Copy, Debug)]
pub struct BootModule {
    pub start: PhysAddr,
    pub end: PhysAddr,
}

impl BootModule {
    const NONE: Self = Self { start: PhysAddr::new(0), end: PhysAddr::new(0) };

    pub fn len(&self) -> u32 {
        self.end.as_u32() - self.start.as_u32()
    }

    /// The module's contents, through the direct map.
    pub fn bytes(&self) -> &'static [u8] {
        // SAFETY: the boot allocator starts above every module, so its
        // memory keeps what the boot loader put there; modules lie in the
        // early mapping, which the direct map extends.
        unsafe { core::slice::from_raw_parts(__va(self.start).as_ptr(), self.len() as usize) }
    }
}

/// The modules, recorded once at boot.
static BOOT_MODULES: Once<([BootModule; MAX_MODULES], usize)> = Once::new();

/// The modules the boot loader loaded, in its order.
pub fn boot_modules() -> &'static [BootModule] {
    BOOT_MODULES.get().map_or(&[], |(modules, n)| &modules[..*n])
}

/// Everything the kernel keeps from the boot loader.
pub struct BootParams {
    pub e820: E820Map,
    /// The kernel options, without the image path QEMU puts first.
    pub cmdline: &'static str,
}

/// Reads multiboot information through the boot page tables' direct map.
struct EarlyDirectMap;

impl MemoryManagement for EarlyDirectMap {
    unsafe fn paddr_to_slice(&self, addr: PAddr, length: usize) -> Option<&'static [u8]> {
        let end = addr.checked_add(length as u64)?;
        if end > u64::from(EARLY_MAPPED) {
            return None;
        }
        let va = __va(PhysAddr::new(addr as u32));
        // SAFETY: the range lies in the early-mapped low memory, where the
        // boot loader's data stays untouched until `start_kernel` copied it.
        Some(unsafe { core::slice::from_raw_parts(va.as_ptr(), length) })
    }

    unsafe fn allocate(&mut self, _length: usize) -> Option<(PAddr, &mut [u8])> {
        None
    }

    unsafe fn deallocate(&mut self, _addr: PAddr) {}
}

/// Parses the multiboot information at `mbi`, after checking `magic`.
/// Panics if the kernel was not started by a multiboot loader.
pub fn parse(magic: u32, mbi: PhysAddr) -> BootParams {
    assert_eq!(magic, SIGNATURE_EAX, "not started by a Multiboot 1 boot loader");
    let mut mm = EarlyDirectMap;
    // SAFETY: the magic says `mbi` points at a multiboot information structure.
    let info = unsafe { Multiboot::from_ptr(u64::from(mbi.as_u32()), &mut mm) }
        .expect("multiboot information outside low memory");
    save_modules(&info);
    BootParams { e820: memory_map(&info), cmdline: save_command_line(&info) }
}

fn memory_map(info: &Multiboot) -> E820Map {
    let mut e820 = E820Map::new();
    for region in info.memory_regions().expect("the boot loader gave no memory map") {
        let kind = match region.memory_type() {
            MemoryType::Available => E820Type::Ram,
            MemoryType::Reserved => E820Type::Reserved,
            MemoryType::ACPI => E820Type::AcpiData,
            MemoryType::NVS => E820Type::AcpiNvs,
            MemoryType::Defect => E820Type::Unusable,
        };
        e820.add_region(region.base_address(), region.length(), kind);
    }
    e820
}

/// Copies the options into `BOOT_COMMAND_LINE` (Linux's `boot_command_line`),
/// dropping the first word: QEMU starts the line with the kernel's file name.
fn save_command_line(info: &Multiboot) -> &'static str {
    static BOOT_COMMAND_LINE: Once<([u8; COMMAND_LINE_SIZE], usize)> = spin::Once::new();
    let line = info.command_line().unwrap_or("");
    let options = line.trim_start().split_once(' ').map_or("", |(_image, rest)| rest.trim());
    let mut len = options.len().min(COMMAND_LINE_SIZE);
    while !options.is_char_boundary(len) {
        len -= 1;
    }
    let (buf, len) = BOOT_COMMAND_LINE.call_once(|| {
        let mut buf = [0; COMMAND_LINE_SIZE];
        buf[..len].copy_from_slice(&options.as_bytes()[..len]);
        (buf, len)
    });
    core::str::from_utf8(&buf[..*len]).unwrap_or("")
}

/// Records the modules in `BOOT_MODULES`; modules past `MAX_MODULES` or
/// outside the early mapping are refused.
fn save_modules(info: &Multiboot) {
    BOOT_MODULES.call_once(|| {
        let mut modules = [BootModule::NONE; MAX_MODULES];
        let mut n = 0;
        for module in info.modules().into_iter().flatten() {
            assert!(n < MAX_MODULES, "more than {MAX_MODULES} boot modules");
            assert!(module.end <= u64::from(EARLY_MAPPED), "a boot module lies above {EARLY_MAPPED:#x}");
            modules[n] = BootModule {
                start: PhysAddr::new(module.start as u32),
                end: PhysAddr::new(module.end as u32),
            };
            n += 1;
        }
        (modules, n)
    });
}
