//! Clearing and copying a whole page with the string instructions (Linux's
//! `clear_page` and `copy_page` in `arch/x86/lib`): one `rep stosl` or
//! `rep movsl` of 1024 double words, where the generic `memset` and
//! `memcpy` loop over the page a word at a time.

use core::arch::asm;

use crate::mm::types::PAGE_SIZE;

/// Double words in a page.
const DWORDS: u32 = PAGE_SIZE / 4;

/// Fills the page at `page` with zeroes.
///
/// # Safety
/// `page` is a page-aligned, mapped, writable page that nothing else uses
/// meanwhile.
pub unsafe fn clear_page(page: *mut u8) {
    // SAFETY: the caller's promise; `rep stosl` writes ecx double words of
    // eax from edi upwards (the direction flag is clear in Rust code).
    unsafe {
        asm!("rep stosd", inout("ecx") DWORDS => _, inout("edi") page => _, in("eax") 0u32, options(nostack));
    }
}

/// Copies the page's worth of bytes at `from` to the page at `to`.
///
/// # Safety
/// `to` is a page-aligned, mapped, writable page; `from` has a page of
/// readable bytes (alignment helps speed only); they do not overlap, and
/// nothing else writes either meanwhile.
pub unsafe fn copy_page(to: *mut u8, from: *const u8) {
    // SAFETY: the caller's promise; `rep movsl` copies ecx double words from
    // esi to edi upwards. esi is reserved by LLVM on x86, so it is saved and
    // restored around the copy.
    unsafe {
        asm!(
            "xchg {from}, esi",
            "rep movsd",
            "mov esi, {from}",
            from = inout(reg) from => _,
            inout("ecx") DWORDS => _,
            inout("edi") to => _,
            options(nostack),
        );
    }
}
