//! Regions made and removed at a process's request: `mmap`, `munmap`, `brk`
//! and stack growth (the system-call half of Linux's `mm/mmap.c`). They only
//! change regions: pages come later, one fault at a time.

use super::error::MmError;
use super::filemap::INITRD_VM_OPS;
use super::memory::handle_mm_fault;
use super::mm_types::{
    MmStruct, TASK_SIZE, VmAreaStruct, VmFile, VmOperations, VmaRef, vm_area_alloc, vm_area_free,
};
use super::mmap::{
    __vma_unlink, find_vma, find_vma_intersection, find_vma_prev, insert_vm_struct, remove_vma, split_vma,
    vma_merge,
};
use super::shmem_vm::{SHMEM_VM_OPS, shmem_put, shmem_zero_setup};
use super::types::{PAGE_SIZE, VirtAddr};
use super::unmapped_area::{MMAP_MIN_ADDR, RLIMIT_STACK, arch_unmap_area, get_unmapped_area};
use super::vma::VmFlags;
use super::zap::zap_page_range;

pub const PROT_READ: u32 = 0x1;
pub const PROT_WRITE: u32 = 0x2;
pub const PROT_EXEC: u32 = 0x4;
pub const MAP_SHARED: u32 = 0x01;
pub const MAP_PRIVATE: u32 = 0x02;
pub const MAP_FIXED: u32 = 0x10;
pub const MAP_ANONYMOUS: u32 = 0x20;
pub const MAP_GROWSDOWN: u32 = 0x100;
pub const MAP_LOCKED: u32 = 0x2000;
pub const MAP_POPULATE: u32 = 0x8000;
/// `MAP_FIXED` that refuses to replace (Linux 4.17's): `MmError::Exists`.
pub const MAP_FIXED_NOREPLACE: u32 = 0x10_0000;

/// `len` rounded up to whole pages, or `None` past the end of user space.
pub fn page_align(len: u32) -> Option<u32> {
    len.checked_next_multiple_of(PAGE_SIZE).filter(|&len| len <= TASK_SIZE)
}

/// The region flags for `mmap`'s `prot` (Linux's `calc_vm_prot_bits`).
pub fn calc_vm_prot_bits(prot: u32) -> VmFlags {
    VmFlags::from_bits_truncate(prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
}

/// The region flags for `mmap`'s `flags` (Linux's `calc_vm_flag_bits`).
fn calc_vm_flag_bits(flags: u32) -> VmFlags {
    let mut vm_flags = VmFlags::empty();
    vm_flags.set(VmFlags::GROWSDOWN, flags & MAP_GROWSDOWN != 0);
    vm_flags.set(VmFlags::LOCKED, flags & MAP_LOCKED != 0);
    vm_flags
}

/// Counts `pages` pages of a region with `flags` in or (negative) out of
/// the address space's totals (Linux's `vm_stat_account`).
pub fn vm_stat_account(mm: &mut MmStruct, flags: VmFlags, pages: i32) {
    let add = |counter: &mut u32| *counter = counter.wrapping_add_signed(pages);
    add(&mut mm.total_vm);
    // Stack before text, so that a region counts in one of the two at most
    // and `VmData` (the rest) cannot go below zero.
    if flags.contains(VmFlags::GROWSDOWN) {
        add(&mut mm.stack_vm);
    } else if flags.contains(VmFlags::EXEC) && !flags.contains(VmFlags::WRITE) {
        add(&mut mm.exec_vm);
    }
    mm.hiwater_vm = mm.hiwater_vm.max(mm.total_vm);
}

/// `BelowMinAddr` for a mapping that would start below `MMAP_MIN_ADDR` (Linux's
/// `security_mmap_addr`).
fn check_mmap_addr(addr: VirtAddr) -> Result<(), MmError> {
    if addr.as_u32() < MMAP_MIN_ADDR { Err(MmError::BelowMinAddr) } else { Ok(()) }
}

/// Maps `len` bytes at `addr` (a hint, or exact with `MAP_FIXED`), of
/// `file` from page `pgoff` or anonymous, with `prot` (Linux's
/// `do_mmap_pgoff`). Anonymous shared memory gets a shared-memory object
/// of its own. Returns where.
pub fn do_mmap_pgoff(
    mm: &mut MmStruct,
    addr: VirtAddr,
    len: u32,
    prot: u32,
    flags: u32,
    file: Option<VmFile>,
    pgoff: u32,
) -> Result<VirtAddr, MmError> {
    if len == 0 {
        return Err(MmError::ZeroLength);
    }
    let len = page_align(len).ok_or(MmError::NoRoom)?;
    // Every file page of a region then fits a u32, so no later `vm_pgoff`
    // sum (`linear_page_index`, `split_vma`, `vma_merge`) can wrap.
    pgoff.checked_add(len / PAGE_SIZE).ok_or(MmError::OffsetOverflow)?;
    let shared = match flags & (MAP_SHARED | MAP_PRIVATE) {
        MAP_SHARED => true,
        MAP_PRIVATE => false,
        _ => return Err(MmError::BadFlags),
    };
    let mut vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | VmFlags::MAY_ALL;
    if shared {
        // A file not open for writing (an initrd file, a `SHM_RDONLY`
        // attach) may never be written through a shared mapping.
        let writable = file.as_ref().is_none_or(VmFile::may_write);
        if !writable && prot & PROT_WRITE != 0 {
            return Err(MmError::Denied);
        }
        vm_flags |= VmFlags::MAYSHARE;
        if writable {
            vm_flags |= VmFlags::SHARED;
        } else {
            vm_flags.remove(VmFlags::MAYWRITE);
        }
    }
    // The argument checks come first: `MAP_FIXED` below unmaps what is there.
    let addr = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
        if !addr.is_page_aligned() || addr.as_u32() > TASK_SIZE - len {
            return Err(MmError::BadAddress);
        }
        check_mmap_addr(addr)?;
        let end = VirtAddr::new(addr.as_u32() + len);
        if flags & MAP_FIXED_NOREPLACE != 0 && find_vma_intersection(mm, addr, end).is_some() {
            return Err(MmError::Exists);
        }
        do_munmap(mm, addr, len)?;
        addr
    } else {
        get_unmapped_area(mm, addr, len).ok_or(MmError::NoRoom)?
    };
    if file.is_some() || !shared {
        mmap_region(mm, addr, len, vm_flags, file, pgoff)?;
        return Ok(addr);
    }
    let shm = shmem_zero_setup(len).ok_or(MmError::NoMemory)?;
    let file = VmFile::Shmem { shm, write: true, vm_ops: &SHMEM_VM_OPS };
    let made = mmap_region(mm, addr, len, vm_flags, Some(file), 0);
    // SAFETY: the setup's use, given back: the region took one of its own.
    unsafe { shmem_put(shm) };
    made.map(|_| addr)
}

/// The operations of regions mapping `file` (what Linux's `f_op->mmap`
/// installs).
fn file_vm_ops(file: &VmFile) -> &'static VmOperations {
    match file {
        VmFile::Initrd { .. } => &INITRD_VM_OPS,
        VmFile::Shmem { vm_ops, .. } => vm_ops,
    }
}

/// Covers the free range `[addr, addr + len)` with a region: a neighbour
/// grown by `vma_merge`, or a new one, which its backing's `open` then
/// counts as a user (Linux's `mmap_region`).
pub fn mmap_region(
    mm: &mut MmStruct,
    addr: VirtAddr,
    len: u32,
    flags: VmFlags,
    file: Option<VmFile>,
    pgoff: u32,
) -> Result<VmaRef, MmError> {
    let end = VirtAddr::new(addr.as_u32() + len);
    let (_, prev) = find_vma_prev(mm, addr);
    let vma = match vma_merge(mm, prev, addr, end, flags, file.as_ref(), pgoff) {
        Some(vma) => vma,
        None => {
            let vma =
                vm_area_alloc(VmAreaStruct::new(mm.as_ref(), addr, end, flags)).ok_or(MmError::NoMemory)?;
            if let Some(file) = file {
                let v = vma.get_mut(mm);
                (v.vm_file, v.vm_pgoff, v.vm_ops) = (Some(file), pgoff, Some(file_vm_ops(&file)));
            }
            if let Err(error) = insert_vm_struct(mm, vma) {
                // SAFETY: allocated above and linked nowhere.
                unsafe { vm_area_free(vma) };
                return Err(error.into());
            }
            let v = vma.get_mut(mm);
            if let Some(open) = v.vm_ops.and_then(|ops| ops.open) {
                open(v);
            }
            vma
        }
    };
    vm_stat_account(mm, flags, (len / PAGE_SIZE) as i32);
    Ok(vma)
}

/// Faults in every page of `[start, end)` now, writable where the region
/// allows (Linux's `make_pages_present`, for `MAP_POPULATE` and
/// `MAP_LOCKED`). Returns false, having stopped, at the first page that
/// cannot be had: no region there, or no memory.
pub fn make_pages_present(mm: &mut MmStruct, start: VirtAddr, end: VirtAddr) -> bool {
    for addr in (start.as_u32()..end.as_u32()).step_by(PAGE_SIZE as usize).map(VirtAddr::new) {
        let Some(vma) = find_vma(mm, addr).filter(|vma| vma.get(mm).vm_start <= addr) else { return false };
        let write = vma.get(mm).vm_flags.contains(VmFlags::WRITE);
        if handle_mm_fault(mm, vma, addr, write).is_err() {
            return false;
        }
    }
    true
}

/// Removes `[start, start + len)` from the address space, splitting the
/// regions it cuts (Linux's `do_munmap`). Unmapped parts are skipped.
pub fn do_munmap(mm: &mut MmStruct, start: VirtAddr, len: u32) -> Result<(), MmError> {
    // LAB 6 BEGIN: check the range (ZeroLength, BadAddress); split the first and last regions it cuts; unlink and unmap_region every region inside
    let len = page_align(len).filter(|&len| len != 0).ok_or(MmError::ZeroLength)?;
    if !start.is_page_aligned() || start.as_u32() > TASK_SIZE - len {
        return Err(MmError::BadAddress);
    }
    let end = VirtAddr::new(start.as_u32() + len);
    let Some(vma) = find_vma(mm, start).filter(|vma| vma.get(mm).vm_start < end) else {
        return Ok(());
    };
    if vma.get(mm).vm_start < start {
        split_vma(mm, vma, start, false)?;
    }
    if let Some(last) = find_vma(mm, end).filter(|last| last.get(mm).vm_start < end) {
        split_vma(mm, last, end, true)?;
    }
    let (_, prev) = find_vma_prev(mm, start);
    while let Some(vma) = prev.map_or(mm.mmap, |p| p.get(mm).vm_next).filter(|v| v.get(mm).vm_start < end) {
        __vma_unlink(mm, vma, prev);
        // SAFETY: unlinked just now; the next turn finds its region afresh.
        unsafe { unmap_region(mm, vma) };
    }
    Ok(())
    // LAB 6 END
}

/// Unmaps the pages of `vma`, uncounts and frees it.
///
/// # Safety
/// As for `remove_vma`: `vma` is unlinked, and its handle not used again.
unsafe fn unmap_region(mm: &mut MmStruct, vma: VmaRef) {
    let v = vma.get(mm);
    let (start, end, flags, pages) = (v.vm_start, v.vm_end, v.vm_flags, v.vma_pages());
    zap_page_range(mm, start, end);
    arch_unmap_area(mm, start, end);
    vm_stat_account(mm, flags, -(pages as i32));
    // SAFETY: the caller's promise.
    unsafe { remove_vma(mm, vma) };
}

/// Adds `len` bytes of anonymous read-write memory at `addr`, which must be
/// free (Linux's `do_brk`): the heap, and an executable's `.bss`.
pub fn do_brk(mm: &mut MmStruct, addr: VirtAddr, len: u32) -> Result<(), MmError> {
    let len = page_align(len).ok_or(MmError::NoRoom)?;
    let end =
        VirtAddr::new(addr.as_u32().checked_add(len).filter(|&end| end <= TASK_SIZE).ok_or(MmError::NoRoom)?);
    if len == 0 {
        return Ok(());
    }
    check_mmap_addr(addr)?;
    if find_vma_intersection(mm, addr, end).is_some() {
        return Err(MmError::NoRoom);
    }
    let flags = VmFlags::READ | VmFlags::WRITE | VmFlags::MAY_ALL;
    mmap_region(mm, addr, len, flags, None, 0).map(|_| ())
}

/// Moves the end of the heap to `brk` and returns the new end, or the old
/// one if it cannot move: the body of Linux's `sys_brk` (the entry point,
/// `sys_brk` in `kernel/sys_mman.rs`, finds the address space).
pub fn do_sys_brk(mm: &mut MmStruct, brk: VirtAddr) -> VirtAddr {
    // LAB 6 BEGIN: refuse a break below start_brk; compare the page-aligned ends: shrink with do_munmap, grow with do_brk if a page of distance stays free; return mm.brk, moved only on success
    if brk < mm.start_brk {
        return mm.brk;
    }
    let Some(new_end) = page_align(brk.as_u32()) else { return mm.brk };
    let old_end = page_align(mm.brk.as_u32()).expect("the heap is in user space");
    let moved = if new_end == old_end {
        Ok(())
    } else if new_end < old_end {
        do_munmap(mm, VirtAddr::new(new_end), old_end - new_end)
    } else if find_vma_intersection(mm, VirtAddr::new(old_end), VirtAddr::new(new_end + PAGE_SIZE)).is_some()
    {
        // The heap keeps a page of distance from the next region.
        Err(MmError::NoRoom)
    } else {
        do_brk(mm, VirtAddr::new(old_end), new_end - old_end)
    };
    if moved.is_ok() {
        mm.brk = brk;
    }
    mm.brk
    // LAB 6 END
}

/// Grows the stack region `vma`, the one `find_vma(addr)` found (so no
/// region lies between `addr` and it), down to cover `addr` (Linux's
/// `expand_stack`), within `RLIMIT_STACK` and never below `MMAP_MIN_ADDR`.
pub fn expand_stack(mm: &mut MmStruct, vma: VmaRef, addr: VirtAddr) -> Result<(), MmError> {
    let addr = addr.page_down();
    check_mmap_addr(addr)?;
    let v = vma.get_mut(mm);
    if v.vm_end.as_u32() - addr.as_u32() > RLIMIT_STACK {
        return Err(MmError::NoRoom);
    }
    let grow = (v.vm_start.as_u32() - addr.as_u32()) / PAGE_SIZE;
    v.vm_start = addr;
    let flags = v.vm_flags;
    vm_stat_account(mm, flags, grow as i32);
    Ok(())
}
