//! The memory descriptor, `struct mm_struct`: one per address space, and
//! its life cycle (Linux's `kernel/fork.c` and `mm/mmap.c`).
//!
//! It owns the page directory whose lower 3 GiB (entries 0..768) are the
//! address space's own and whose upper 1 GiB is a copy of
//! `swapper_pg_dir`'s, so the kernel is mapped the same everywhere. It
//! records where the program's parts lie and counts its pages.
//!
//! Two counts keep it alive, as on Linux. `mm_users` counts the tasks that
//! use the address space (threads sharing it through `CLONE_VM` each count
//! one); when it drops to zero, `mmput` tears the user mappings down.
//! `mm_count` counts references to the descriptor itself: all the users
//! together count one, and each kernel thread borrowing the address space
//! as its `active_mm` counts one more; when it drops to zero, `mmdrop`
//! frees the page directory and the descriptor. Every descriptor is on
//! `mmlist`, headed by `init_mm`, the kernel's own.
//!
//! Lab 2 asks you to write the life cycle: `mm_alloc` and `pgd_alloc`, the
//! two counts (`mmget`/`mmput`, `mmgrab`/`mmdrop`), `mmlist` and the
//! teardown (`exit_mmap`).

use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

use spin::Mutex;

use super::cow::copy_page_range;
use super::do_mmap::vm_stat_account;
use super::gfp::{GFP_KERNEL, Gfp};
use super::highmem::alloc_pages;
use super::kernel_pgtable::{KernelTables, SWAPPER_PG_DIR, swapper_pg_dir_phys};
use super::layout::{__va, lowmem_page_address};
use super::mm_types::{MmCell, MmList, MmRef, MmStruct, VmAreaStruct, vm_area_alloc};
use super::mmap::{insert_vm_struct, remove_vma_list};
use super::node::__free_pages;
use super::pgtable::{KERNEL_PGD_BOUNDARY, PGDIR_SHIFT, PageTable, Pgd, Pte, pte_to_swp_entry};
use super::pgwalk::{PageTableMem, Walk, walk};
use super::rmap::{PteAddr, page_remove_rmap};
use super::swap_state::{free_page_and_swap_cache, free_swap_and_cache};
use super::types::{PAGE_SHIFT, Pfn, VirtAddr};
use super::vma::{VmFault, VmFlags};
use crate::arch::x86::cpu::write_cr3;
use crate::lib::rbtree::RbNode;

/// The kernel's own descriptor (Linux's `init_mm`), over `swapper_pg_dir`:
/// static, so that the boot allocates nothing for it, and never freed. Its
/// second reference is the idle task's, which starts on it.
static INIT_MM: MmCell = MmCell { mm_count: AtomicU32::new(2), ..MmCell::new(init_mm(), Pfn::new(0)) };
/// Guards the `mmlist` links of every descriptor (Linux's `mmlist_lock`).
static MMLIST_LOCK: Mutex<()> = Mutex::new(());

impl MmStruct {
    /// The page directory, through the direct map.
    pub fn pgd_table(&self) -> &PageTable<Pgd> {
        // SAFETY: `pgd` is this descriptor's own low-memory frame, which
        // only the descriptor reaches, and it is borrowed shared here.
        unsafe { &*lowmem_page_address(self.pgd).as_ptr() }
    }

    /// The page directory, to change.
    pub fn pgd_table_mut(&mut self) -> &mut PageTable<Pgd> {
        // SAFETY: as in `pgd_table`, with the descriptor borrowed
        // exclusively.
        unsafe { &mut *lowmem_page_address(self.pgd).as_mut_ptr() }
    }

    /// Walks `va` through this address space's page tables.
    pub fn walk(&self, va: VirtAddr) -> Walk {
        walk(&KernelTables, self.pgd_table(), va)
    }

    /// Every user entry that holds something, a mapping or a swap entry:
    /// its address and the entry.
    fn user_ptes(&self) -> impl Iterator<Item = (VirtAddr, Pte)> + '_ {
        let user = &self.pgd_table().0[..KERNEL_PGD_BOUNDARY];
        user.iter().enumerate().filter(|(_, d)| d.present()).flat_map(|(i, dir)| {
            let table = KernelTables.pte_table(dir.pfn());
            table.0.iter().enumerate().filter(|(_, p)| !p.is_none()).map(move |(j, pte)| {
                let va = ((i as u32) << PGDIR_SHIFT) | ((j as u32) << PAGE_SHIFT);
                (VirtAddr::new(va), *pte)
            })
        })
    }
}

/// Sets up `init_mm` over `swapper_pg_dir`, the address space of kernel
/// threads until they borrow another.
pub fn mm_init() {
    init_mm().lock().pgd = swapper_pg_dir_phys(&SWAPPER_PG_DIR.lock()).pfn();
}

/// The kernel's descriptor.
pub const fn init_mm() -> MmRef {
    // SAFETY: the address of a static is never null.
    MmRef::new(unsafe { NonNull::new_unchecked((&raw const INIT_MM).cast_mut()) })
}

/// A new, empty address space (Linux's `mm_alloc`) with one user and one
/// reference, on `mmlist`; `None` when memory is out.
pub fn mm_alloc() -> Option<MmRef> {
    // LAB 2 BEGIN: allocate the descriptor with MmRef::alloc over a directory from pgd_alloc (both counts start at 1), put it on mmlist, and return it; None if either allocation fails, with nothing kept.
    let pgd = pgd_alloc()?;
    let Some(mm) = MmRef::alloc(pgd) else {
        __free_pages(pgd, 0);
        return None;
    };
    mmlist_add(mm);
    Some(mm)
    // LAB 2 END
}

/// Puts `mm` on `mmlist`, right after `init_mm`.
fn mmlist_add(mm: MmRef) {
    // LAB 2 BEGIN: under MMLIST_LOCK, link mm right after init_mm: its prev is init_mm, its next init_mm's old next (whose prev becomes mm).
    let _lock = MMLIST_LOCK.lock();
    let head = init_mm();
    let first = head.mmlist.lock().next;
    *mm.mmlist.lock() = MmList { prev: Some(head), next: first };
    if let Some(first) = first {
        first.mmlist.lock().prev = Some(mm);
    }
    head.mmlist.lock().next = Some(mm);
    // LAB 2 END
}

/// Takes `mm` off `mmlist`.
fn mmlist_del(mm: MmRef) {
    // LAB 2 BEGIN: under MMLIST_LOCK, unlink mm: its prev and next point at each other, and its own links become None.
    let _lock = MMLIST_LOCK.lock();
    let MmList { prev, next } = core::mem::take(&mut *mm.mmlist.lock());
    if let Some(prev) = prev {
        prev.mmlist.lock().next = next;
    }
    if let Some(next) = next {
        next.mmlist.lock().prev = prev;
    }
    // LAB 2 END
}

/// A page directory whose user half is empty and whose kernel half copies
/// `swapper_pg_dir` (entries 768..1023).
fn pgd_alloc() -> Option<Pfn> {
    // LAB 2 BEGIN: allocate a zeroed low-memory page (GFP_KERNEL | Gfp::ZERO) and copy entries KERNEL_PGD_BOUNDARY.. of SWAPPER_PG_DIR into it (through __va).
    let pfn = alloc_pages(GFP_KERNEL | Gfp::ZERO, 0)?;
    // SAFETY: a fresh low-memory frame, reached through the direct map.
    let pgd: &mut PageTable<Pgd> = unsafe { &mut *__va(pfn.addr()).as_mut_ptr() };
    pgd.0[KERNEL_PGD_BOUNDARY..].copy_from_slice(&SWAPPER_PG_DIR.lock().0[KERNEL_PGD_BOUNDARY..]);
    Some(pfn)
    // LAB 2 END
}

/// One more task uses `mm` (a thread created with `CLONE_VM`).
pub fn mmget(mm: MmRef) {
    // LAB 2 BEGIN: one more user.
    mm.mm_users.fetch_add(1, Ordering::Relaxed);
    // LAB 2 END
}

/// A task stops using `mm` (Linux's `mmput`): the last user tears the user
/// mappings down and gives up the users' reference to the descriptor.
pub fn mmput(mm: MmRef) {
    // LAB 2 BEGIN: one user fewer (fetch_sub returns the count before); the last user tears the mappings down (exit_mmap, under the lock) and drops the users' reference (mmdrop, after the guard is gone).
    if mm.mm_users.fetch_sub(1, Ordering::Relaxed) == 1 {
        exit_mmap(&mut mm.lock());
        mmdrop(mm);
    }
    // LAB 2 END
}

/// One more reference to the descriptor (a kernel thread borrowing it).
pub fn mmgrab(mm: MmRef) {
    // LAB 2 BEGIN: one more reference to the descriptor.
    mm.mm_count.fetch_add(1, Ordering::Relaxed);
    // LAB 2 END
}

/// Drops a reference to the descriptor (Linux's `mmdrop`): the last one
/// frees the page directory and the descriptor, and takes it off `mmlist`.
pub fn mmdrop(mm: MmRef) {
    // LAB 2 BEGIN: one reference fewer (fetch_sub returns the count before); at zero, take it off mmlist, free the page directory and the descriptor (MmRef::free, unsafe: say why no handle is used again). init_mm is never freed.
    if mm.mm_count.fetch_sub(1, Ordering::Relaxed) == 1 {
        assert!(mm != init_mm(), "init_mm is never freed");
        mmlist_del(mm);
        __free_pages(mm.lock().pgd, 0);
        // SAFETY: the last reference is gone: no task, kernel thread or
        // list holds the handle any more.
        unsafe { mm.free() };
    }
    // LAB 2 END
}

/// Releases every user frame and user page table of `mm`, clears its user
/// directory entries and frees its regions (Linux's `exit_mmap`); the
/// directory stays.
fn exit_mmap(mm: &mut MmStruct) {
    // LAB 2 BEGIN: for each of user_ptes, without collecting them (an exit after an OOM kill must not need memory): a present entry drops its frame's mapping and reference (page_remove_rmap with PteAddr::of, then free_page_and_swap_cache; a frame shared with another address space lives on); a swap entry (pte_to_swp_entry) drops its slot (free_swap_and_cache). Then free every user page table, clearing its directory entry, zero the page counters, and free the regions (remove_vma_list).
    mm.user_ptes().for_each(|(va, pte)| match pte_to_swp_entry(pte) {
        Some(entry) => free_swap_and_cache(entry),
        None => {
            page_remove_rmap(pte.pfn(), PteAddr::of(mm, va));
            free_page_and_swap_cache(pte.pfn());
        }
    });
    for entry in mm.pgd_table_mut().0[..KERNEL_PGD_BOUNDARY].iter_mut().filter(|e| e.present()) {
        __free_pages(entry.pfn(), 0);
        *entry = Pgd::NONE;
    }
    (mm.total_vm, mm.exec_vm, mm.stack_vm) = (0, 0, 0);
    (mm.anon_rss, mm.file_rss, mm.shmem_rss, mm.swap_ents) = (0, 0, 0, 0);
    remove_vma_list(mm);
    // LAB 2 END
}

/// A copy of `parent` for a child process (Linux's `dup_mm`): the same
/// regions, sharing the same pages copy-on-write, the same boundaries.
pub fn dup_mm(parent: MmRef) -> Option<MmRef> {
    let child = mm_alloc()?;
    let (mut p, mut c) = (parent.lock(), child.lock());
    (c.start_code, c.end_code, c.start_data, c.end_data) =
        (p.start_code, p.end_code, p.start_data, p.end_data);
    (c.start_brk, c.brk, c.start_stack) = (p.start_brk, p.brk, p.start_stack);
    (c.arg_start, c.arg_end, c.env_start, c.env_end) = (p.arg_start, p.arg_end, p.env_start, p.env_end);
    (c.mmap_layout, c.mmap_base, c.free_area_cache) = (p.mmap_layout, p.mmap_base, p.mmap_base);
    let copied = dup_mmap(&mut c, &mut p);
    drop((p, c));
    if copied.is_err() {
        mmput(child);
        return None;
    }
    Some(child)
}

/// Gives `mm` a copy of each region of `oldmm` but those marked
/// `VM_DONTCOPY`, with its pages (Linux's `dup_mmap`).
fn dup_mmap(mm: &mut MmStruct, oldmm: &mut MmStruct) -> Result<(), VmFault> {
    let mut next = oldmm.mmap;
    while let Some(vma) = next {
        let old = vma.get(oldmm);
        next = old.vm_next;
        if old.vm_flags.contains(VmFlags::DONTCOPY) {
            continue;
        }
        let (flags, pages, open) = (old.vm_flags, old.vma_pages(), old.vm_ops.and_then(|ops| ops.open));
        let copy = VmAreaStruct { vm_mm: mm.as_ref(), vm_next: None, vm_rb: RbNode::new(), ..*old };
        let new = vm_area_alloc(copy).ok_or(VmFault::Oom)?;
        if let Some(open) = open {
            open(new.get_mut(mm));
        }
        insert_vm_struct(mm, new).expect("the child has the parent's layout");
        vm_stat_account(mm, flags, pages as i32);
        copy_page_range(mm, oldmm, vma)?;
    }
    Ok(())
}

/// Makes `mm` the address space the processor translates through.
pub fn switch_mm(mm: MmRef) {
    // SAFETY: every address space maps the kernel exactly as swapper_pg_dir.
    unsafe { write_cr3(mm.lock().pgd.addr()) };
}

/// Calls `f` on every descriptor on `mmlist`, `init_mm` first.
pub fn for_each_mm(mut f: impl FnMut(MmRef)) {
    let _lock = MMLIST_LOCK.lock();
    let mut at = Some(init_mm());
    while let Some(mm) = at {
        f(mm);
        at = mm.mmlist.lock().next;
    }
}
