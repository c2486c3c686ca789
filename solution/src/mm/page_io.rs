//! Moving a page between a frame and its swap slot (Linux's
//! `mm/page_io.c`): slot `n` is the disk's page `n`, eight sectors from
//! sector `8n` on (the header is slot 0). The frame may be in highmem, so
//! the transfer goes through a `kmap_atomic` slot; the polled disk finishes
//! before the call returns, so nothing waits for the I/O to complete.

use super::highmem::{KmType, kmap_atomic};
use super::pgtable::SwpEntry;
use super::types::{PAGE_SIZE, Pfn};
use super::vmstat::{VmEvent, count_vm_event};
use crate::drivers::ata::{AtaError, SECTOR_SIZE, read_sectors, write_sectors};

/// The first sector of `entry`'s slot.
fn slot_sector(entry: SwpEntry) -> u32 {
    entry.offset() * (PAGE_SIZE / SECTOR_SIZE as u32)
}

/// Fills frame `pfn` from `entry`'s slot (Linux's `swap_readpage`).
pub fn swap_readpage(pfn: Pfn, entry: SwpEntry) -> Result<(), AtaError> {
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: the mapping covers the whole frame while `page` lives, and
    // the frame is the caller's, in the swap cache but mapped nowhere yet.
    let bytes = unsafe { core::slice::from_raw_parts_mut(page.as_mut_ptr::<u8>(), PAGE_SIZE as usize) };
    read_sectors(slot_sector(entry), bytes)?;
    count_vm_event(VmEvent::PswpIn);
    Ok(())
}

/// Writes frame `pfn` to `entry`'s slot (Linux's `swap_writepage`).
pub fn swap_writepage(pfn: Pfn, entry: SwpEntry) -> Result<(), AtaError> {
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: as in `swap_readpage`; the frame is mapped nowhere, so
    // nothing writes it meanwhile.
    let bytes = unsafe { core::slice::from_raw_parts(page.as_mut_ptr::<u8>(), PAGE_SIZE as usize) };
    write_sectors(slot_sector(entry), bytes)?;
    count_vm_event(VmEvent::PswpOut);
    Ok(())
}
