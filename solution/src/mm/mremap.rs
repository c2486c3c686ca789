//! Resizing and moving a mapping (Linux's `mm/mremap.c`): `mremap(addr,
//! old_len, new_len, flags, new_addr)` shrinks a range by unmapping its
//! tail, grows it in place when the addresses after it are free, and
//! otherwise, with `MREMAP_MAYMOVE`, moves it: a region at a new place
//! takes over the page-table entries, so the frames (and what the program
//! wrote in them) go along without a copy, and the old range is unmapped.
//! `MREMAP_FIXED` names the new place, replacing what is there.

use super::do_mmap::{do_munmap, make_pages_present, mmap_region, page_align, vm_stat_account};
use super::error::MmError;
use super::fault_common::{clear_user_pte, map_user_pte};
use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmStruct, TASK_SIZE, VmaRef};
use super::mmap::{MAX_MAP_COUNT, find_vma, vma_merge};
use super::pgtable::Pte;
use super::pgwalk::{Walk, set_pte_at};
use super::types::{PAGE_SHIFT, PAGE_SIZE, VirtAddr};
use super::unmapped_area::{MMAP_MIN_ADDR, get_unmapped_area};
use super::vma::VmFlags;

pub const MREMAP_MAYMOVE: u32 = 1;
pub const MREMAP_FIXED: u32 = 2;
/// Linux 5.7's: move the pages, but leave the old range mapped, empty.
pub const MREMAP_DONTUNMAP: u32 = 4;

/// `mremap`: the range's address afterwards (Linux's `sys_mremap`, with
/// its checks in its order, so that the errors are Linux's).
pub fn do_mremap(
    mm: &mut MmStruct,
    addr: VirtAddr,
    old_len: u32,
    new_len: u32,
    flags: u32,
    new_addr: VirtAddr,
) -> Result<VirtAddr, MmError> {
    let may_move = flags & MREMAP_MAYMOVE != 0;
    if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
        || (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 && !may_move)
        || (flags & MREMAP_DONTUNMAP != 0 && old_len != new_len)
    {
        return Err(MmError::BadFlags);
    }
    if !addr.is_page_aligned() {
        return Err(MmError::BadAddress);
    }
    let old_len = page_align(old_len).ok_or(MmError::BadAddress)?;
    let new_len = page_align(new_len).filter(|&len| len != 0).ok_or(MmError::ZeroLength)?;
    if flags & (MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 {
        return mremap_to(mm, addr, old_len, new_len, flags, new_addr);
    }
    if old_len > new_len {
        unmap_tail(mm, addr, old_len, new_len)?;
        return Ok(addr);
    }
    let vma = vma_to_resize(mm, addr, old_len, new_len)?;
    if old_len == new_len {
        return Ok(addr);
    }
    let end = addr.as_u32() + old_len;
    if end == vma.get(mm).vm_end.as_u32() && vma_expandable(mm, vma, new_len - old_len) {
        expand_in_place(mm, vma, new_len - old_len);
        return Ok(addr);
    }
    if !may_move {
        return Err(MmError::NoRoom);
    }
    let to = get_unmapped_area(mm, VirtAddr::new(0), new_len).ok_or(MmError::NoRoom)?;
    move_vma(mm, vma, addr, old_len, new_len, to, flags)
}

/// `MREMAP_FIXED`, `MREMAP_DONTUNMAP` or both: moves the range to
/// `new_addr`, unmapping what is there first, or (without `MREMAP_FIXED`)
/// where there is room, `new_addr` a hint (Linux's `mremap_to`).
fn mremap_to(
    mm: &mut MmStruct,
    addr: VirtAddr,
    mut old_len: u32,
    new_len: u32,
    flags: u32,
    new_addr: VirtAddr,
) -> Result<VirtAddr, MmError> {
    if !new_addr.is_page_aligned() || new_len > TASK_SIZE || new_addr.as_u32() > TASK_SIZE - new_len {
        return Err(MmError::BadAddress);
    }
    let (old, new) = (u64::from(addr.as_u32()), u64::from(new_addr.as_u32()));
    if old + u64::from(old_len) > new && new + u64::from(new_len) > old {
        return Err(MmError::BadAddress);
    }
    if mm.map_count + 2 >= MAX_MAP_COUNT - 3 {
        return Err(MmError::TooManyMaps);
    }
    let fixed = flags & MREMAP_FIXED != 0;
    if fixed {
        do_munmap(mm, new_addr, new_len)?;
    }
    if old_len > new_len {
        unmap_tail(mm, addr, old_len, new_len)?;
        old_len = new_len;
    }
    let vma = vma_to_resize(mm, addr, old_len, new_len)?;
    let to = if fixed {
        if new_addr.as_u32() < MMAP_MIN_ADDR {
            return Err(MmError::BelowMinAddr);
        }
        new_addr
    } else {
        get_unmapped_area(mm, new_addr, new_len).ok_or(MmError::NoRoom)?
    };
    move_vma(mm, vma, addr, old_len, new_len, to, flags)
}

/// Unmaps what follows the first `new_len` bytes of `[addr, addr +
/// old_len)`; a range past the top of user space is `BadAddress`.
fn unmap_tail(mm: &mut MmStruct, addr: VirtAddr, old_len: u32, new_len: u32) -> Result<(), MmError> {
    let tail = addr.as_u32().checked_add(new_len).ok_or(MmError::BadAddress)?;
    do_munmap(mm, VirtAddr::new(tail), old_len - new_len)
}

/// The region holding `[addr, addr + old_len)` whole, which may grow to
/// `new_len` (Linux's `vma_to_resize`). A zero `old_len` asks for a second
/// mapping of the same pages, which only a shared region can give.
fn vma_to_resize(mm: &mut MmStruct, addr: VirtAddr, old_len: u32, new_len: u32) -> Result<VmaRef, MmError> {
    let vma = find_vma(mm, addr).filter(|vma| vma.get(mm).vm_start <= addr).ok_or(MmError::NotOneRegion)?;
    let v = vma.get(mm);
    if old_len == 0 && !v.vm_flags.intersects(VmFlags::SHARED | VmFlags::MAYSHARE) {
        return Err(MmError::BadAddress);
    }
    if old_len > v.vm_end.as_u32() - addr.as_u32()
        || (new_len != old_len && v.vm_flags.contains(VmFlags::DONTEXPAND))
    {
        return Err(MmError::NotOneRegion);
    }
    if v.vm_file.is_some() {
        v.linear_page_index(addr).checked_add(new_len >> PAGE_SHIFT).ok_or(MmError::BadAddress)?;
    }
    Ok(vma)
}

/// Whether `vma` can grow by `delta` bytes where it is: the addresses
/// after it are free and in user space (Linux's `vma_expandable`).
fn vma_expandable(mm: &MmStruct, vma: VmaRef, delta: u32) -> bool {
    let v = vma.get(mm);
    let Some(end) = v.vm_end.as_u32().checked_add(delta).filter(|&end| end <= TASK_SIZE) else {
        return false;
    };
    v.vm_next.is_none_or(|next| next.get(mm).vm_start.as_u32() >= end)
}

/// Grows `vma` by `delta` bytes at its end, joining the next region if
/// they now meet and match, as Linux's `vma_merge` of the extension does.
/// A region whose backing has a `close` cannot merge, and simply grows
/// (where Linux 6.1 refuses a System V segment's with `ENOMEM`).
fn expand_in_place(mm: &mut MmStruct, vma: VmaRef, delta: u32) {
    let v = vma.get(mm);
    let (start, end, flags, file) =
        (v.vm_end, VirtAddr::new(v.vm_end.as_u32() + delta), v.vm_flags, v.vm_file);
    let pgoff = if file.is_some() { v.linear_page_index(start) } else { 0 };
    let mergeable = v.vm_ops.is_none_or(|ops| ops.close.is_none());
    if !mergeable || vma_merge(mm, Some(vma), start, end, flags, file.as_ref(), pgoff).is_none() {
        vma.get_mut(mm).vm_end = end;
    }
    vm_stat_account(mm, flags, (delta / PAGE_SIZE) as i32);
    if flags.contains(VmFlags::LOCKED) {
        make_pages_present(mm, start, end);
    }
}

/// Moves `[addr, addr + old_len)` of `vma` to a new region at `to`,
/// `new_len` long, with its pages, and unmaps the old range unless
/// `MREMAP_DONTUNMAP` keeps it (Linux's `move_vma`). On running out of
/// memory part-way, the pages go back and the new region goes.
fn move_vma(
    mm: &mut MmStruct,
    vma: VmaRef,
    addr: VirtAddr,
    old_len: u32,
    new_len: u32,
    to: VirtAddr,
    flags: u32,
) -> Result<VirtAddr, MmError> {
    if mm.map_count >= MAX_MAP_COUNT - 3 {
        return Err(MmError::TooManyMaps);
    }
    let v = vma.get(mm);
    let (vm_flags, file) = (v.vm_flags, v.vm_file);
    let pgoff = if file.is_some() { v.linear_page_index(addr) } else { 0 };
    mmap_region(mm, to, new_len, vm_flags, file, pgoff)?;
    if let Err(moved) = move_page_tables(mm, addr, to, old_len) {
        move_page_tables(mm, to, addr, moved).expect("the old page tables are still there");
        do_munmap(mm, to, new_len)?;
        return Err(MmError::NoMemory);
    }
    if old_len != 0 && flags & MREMAP_DONTUNMAP == 0 {
        do_munmap(mm, addr, old_len)?;
    }
    if vm_flags.contains(VmFlags::LOCKED) && new_len > old_len {
        make_pages_present(mm, VirtAddr::new(to.as_u32() + old_len), VirtAddr::new(to.as_u32() + new_len));
    }
    Ok(to)
}

/// Moves the entries of `[from, from + len)` to the same places from `to`,
/// each keeping its frame and flags, or its swap entry (Linux's
/// `move_page_tables`). Fails, having moved the first bytes it returns,
/// when there is no memory for a page table at `to`.
fn move_page_tables(mm: &mut MmStruct, from: VirtAddr, to: VirtAddr, len: u32) -> Result<(), u32> {
    for offset in (0..len).step_by(PAGE_SIZE as usize) {
        let (old, new) = (VirtAddr::new(from.as_u32() + offset), VirtAddr::new(to.as_u32() + offset));
        match mm.walk(old) {
            Walk::Mapped { pte, .. } => {
                if map_user_pte(mm, new, pte.pfn(), pte.flags()).is_err() {
                    return Err(offset);
                }
                clear_user_pte(mm, old);
            }
            Walk::NotMapped { pte, .. } if !pte.is_none() => {
                if set_pte_at(&mut KernelTables, mm.pgd_table_mut(), new, pte).is_err() {
                    return Err(offset);
                }
                set_pte_at(&mut KernelTables, mm.pgd_table_mut(), old, Pte::NONE).expect("the table exists");
            }
            _ => {}
        }
    }
    Ok(())
}
