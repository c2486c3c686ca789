//! Changing a range's permissions (Linux's `mm/mprotect.c`): the regions
//! are split where the range cuts them, given their new flags, merged with
//! neighbours that now match, and their present pages re-protected.

use super::do_mmap::{PROT_EXEC, PROT_READ, PROT_WRITE, calc_vm_prot_bits, page_align, vm_stat_account};
use super::error::MmError;
use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmStruct, VmaRef, vm_area_free};
use super::mmap::{__vma_unlink, find_vma, find_vma_prev, insert_vm_struct, split_vma, vma_merge};
use super::pgwalk::{Walk, change_page_flags};
use super::types::{PAGE_SIZE, VirtAddr};
use super::vma::VmFlags;

/// `mprotect(start, len, prot)`: gives every page of the range `prot`; the
/// whole range must be mapped (Linux's `do_mprotect_pkey`, without keys).
pub fn do_mprotect(mm: &mut MmStruct, start: VirtAddr, len: u32, prot: u32) -> Result<(), MmError> {
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC) != 0 {
        return Err(MmError::BadFlags);
    }
    change_range_flags(mm, start, len, |old| {
        let flags = (old - VmFlags::ACCESS) | calc_vm_prot_bits(prot);
        // Each access bit needs its `MAY*` bit, four places up.
        match VmFlags::from_bits_retain(flags.bits() >> 4).contains(flags & VmFlags::ACCESS) {
            true => Ok(flags),
            false => Err(MmError::Denied),
        }
    })
}

/// Gives each region's part of `[start, start + len)` the flags `change`
/// makes of its own, splitting and merging regions as needed: the loop of
/// `mprotect` and `madvise`. The whole range must be mapped (`NotMapped`).
pub fn change_range_flags(
    mm: &mut MmStruct,
    start: VirtAddr,
    len: u32,
    change: impl Fn(VmFlags) -> Result<VmFlags, MmError>,
) -> Result<(), MmError> {
    if !start.is_page_aligned() {
        return Err(MmError::BadAddress);
    }
    let len = page_align(len).ok_or(MmError::NotMapped)?;
    let end = start.as_u32().checked_add(len).ok_or(MmError::NotMapped)?;
    let mut at = start;
    while at.as_u32() < end {
        let vma = find_vma(mm, at).filter(|v| v.get(mm).vm_start <= at).ok_or(MmError::NotMapped)?;
        let flags = change(vma.get(mm).vm_flags)?;
        let next = VirtAddr::new(vma.get(mm).vm_end.as_u32().min(end));
        mprotect_fixup(mm, vma, at, next, flags)?;
        at = next;
    }
    Ok(())
}

/// Gives `[start, end)`, part of `vma`, the flags `flags` (Linux's
/// `mprotect_fixup`).
fn mprotect_fixup(
    mm: &mut MmStruct,
    vma: VmaRef,
    start: VirtAddr,
    end: VirtAddr,
    flags: VmFlags,
) -> Result<(), MmError> {
    // LAB 6 BEGIN: nothing to do if the flags are the same; split at start and end where they cut vma; recount, set the flags, change_protection, merge_with_neighbours
    if vma.get(mm).vm_flags == flags {
        return Ok(());
    }
    if start != vma.get(mm).vm_start {
        split_vma(mm, vma, start, true)?;
    }
    if end != vma.get(mm).vm_end {
        split_vma(mm, vma, end, false)?;
    }
    let (pages, old_flags) = (vma.get(mm).vma_pages() as i32, vma.get(mm).vm_flags);
    vm_stat_account(mm, old_flags, -pages);
    vma.get_mut(mm).set_flags(flags);
    vm_stat_account(mm, flags, pages);
    change_protection(mm, vma);
    merge_with_neighbours(mm, vma);
    Ok(())
    // LAB 6 END
}

/// Re-protects the present pages of `vma` with its `vm_page_prot`. The
/// zero page and pages shared after `fork` stay read-only: a write will
/// fault and copy or reuse them.
fn change_protection(mm: &mut MmStruct, vma: VmaRef) {
    let v = vma.get(mm);
    let (start, end, prot) = (v.vm_start.as_u32(), v.vm_end.as_u32(), v.vm_page_prot);
    for addr in (start..end).step_by(PAGE_SIZE as usize).map(VirtAddr::new) {
        if let Walk::Mapped { .. } = mm.walk(addr) {
            change_page_flags(&mut KernelTables, mm.pgd_table_mut(), addr, prot);
        }
    }
}

/// Merges `vma` into a neighbour its new flags now match. Linux's
/// `vma_merge` does this in place; ours merges into a hole, so `vma` is
/// taken out first and put back if nothing merged.
fn merge_with_neighbours(mm: &mut MmStruct, vma: VmaRef) {
    let v = vma.get(mm);
    let (start, end, flags, file, pgoff) = (v.vm_start, v.vm_end, v.vm_flags, v.vm_file, v.vm_pgoff);
    let (_, prev) = find_vma_prev(mm, start);
    __vma_unlink(mm, vma, prev);
    if vma_merge(mm, prev, start, end, flags, file.as_ref(), pgoff).is_some() {
        // SAFETY: unlinked above, and a neighbour covers its range now;
        // `mprotect_fixup`'s caller finds the next region afresh.
        unsafe { vm_area_free(vma) };
    } else {
        insert_vm_struct(mm, vma).expect("the region's own place is free");
    }
}
