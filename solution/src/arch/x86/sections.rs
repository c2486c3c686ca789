//! Where the linker put the kernel image's sections (Linux's `sections.h`).

use crate::mm::layout::__pa;
use crate::mm::types::{PhysAddr, VirtAddr};

unsafe extern "C" {
    static _text: u8;
    static _etext: u8;
    static __start_rodata: u8;
    static __end_rodata: u8;
    static _sdata: u8;
    static _edata: u8;
    static __bss_start: u8;
    static __bss_stop: u8;
    static _end: u8;
}

fn addr(symbol: &'static u8) -> VirtAddr {
    VirtAddr::new(symbol as *const u8 as u32)
}

/// `(name, start, end)` of the image's sections, in address order.
pub fn kernel_sections() -> [(&'static str, VirtAddr, VirtAddr); 4] {
    // SAFETY: only the addresses of the linker's symbols are taken.
    unsafe {
        [
            (".text", addr(&_text), addr(&_etext)),
            (".rodata", addr(&__start_rodata), addr(&__end_rodata)),
            (".data", addr(&_sdata), addr(&_edata)),
            (".bss", addr(&__bss_start), addr(&__bss_stop)),
        ]
    }
}

/// The physical address where the kernel image starts (1 MiB).
pub fn kernel_start() -> PhysAddr {
    // SAFETY: only the address of the linker's symbol is taken.
    __pa(addr(unsafe { &_text }))
}

/// The physical address just past the kernel image, padded by the linker
/// script to a fixed end (see `kernel.ld`).
pub fn kernel_end() -> PhysAddr {
    // SAFETY: only the address of the linker's symbol is taken.
    __pa(addr(unsafe { &_end }))
}
