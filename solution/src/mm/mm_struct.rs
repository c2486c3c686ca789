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

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr::NonNull;

use spin::Mutex;

use super::gfp::{GFP_HIGHUSER, GFP_KERNEL, Gfp};
use super::highmem::{KmType, kmap_atomic};
use super::kernel_pgtable::{KernelTables, SWAPPER_PG_DIR, swapper_pg_dir_phys};
use super::layout::{__va, PAGE_SHIFT, PAGE_SIZE};
use super::node::{__free_pages, alloc_pages};
use super::pgtable::{KERNEL_PGD_BOUNDARY, PGDIR_SHIFT, PageTable, Pgd, Pte, PteFlags};
use super::pgwalk::{MapError, PageTableMem, Walk, change_page_flags, map_page, walk};
use super::types::{Pfn, VirtAddr};
use crate::arch::x86::cpu::write_cr3;

/// The top of user space: the first address the user may not use.
pub const TASK_SIZE: u32 = super::layout::PAGE_OFFSET;

/// Linux's `struct mm_struct`, with the fields this kernel uses.
pub struct MmStruct {
    /// The page directory's frame.
    pub pgd: Pfn,
    /// Tasks using this address space.
    pub mm_users: u32,
    /// References to this descriptor: the users together, plus borrowers.
    pub mm_count: u32,
    /// Its neighbours on `mmlist` (`init_mm` heads the list and is on it).
    mmlist_prev: Option<MmRef>,
    mmlist_next: Option<MmRef>,
    pub start_code: VirtAddr,
    pub end_code: VirtAddr,
    pub start_data: VirtAddr,
    pub end_data: VirtAddr,
    pub start_brk: VirtAddr,
    pub brk: VirtAddr,
    pub start_stack: VirtAddr,
    pub arg_start: VirtAddr,
    pub arg_end: VirtAddr,
    pub env_start: VirtAddr,
    pub env_end: VirtAddr,
    /// Pages mapped: in all (and the most ever), executable, in the stack.
    pub total_vm: u32,
    pub hiwater_vm: u32,
    pub exec_vm: u32,
    pub stack_vm: u32,
    /// Pages with a frame behind them (all anonymous so far), and the most
    /// there ever were.
    pub anon_rss: u32,
    pub hiwater_rss: u32,
}

/// A reference to a descriptor, as Linux passes `struct mm_struct *`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmRef(NonNull<MmStruct>);

// SAFETY: the kernel runs on one processor and is not preempted: only one
// task touches a descriptor at a time.
unsafe impl Send for MmRef {}
// SAFETY: as above.
unsafe impl Sync for MmRef {}

impl MmRef {
    /// The descriptor. It lives while `mm_count` is above zero, which the
    /// holder of an `MmRef` guarantees.
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut MmStruct {
        // SAFETY: one processor, no preemption: no other reference is in
        // use at the same time; the holder keeps `mm_count` above zero.
        unsafe { &mut *self.0.as_ptr() }
    }
}

/// The kernel's own descriptor (Linux's `init_mm`), over `swapper_pg_dir`:
/// static, so that the boot allocates nothing for it, and never freed. Its
/// second reference is the idle task's, which starts on it.
static mut INIT_MM: MmStruct = MmStruct { mm_count: 2, ..MmStruct::new(Pfn::new(0)) };
/// Guards the `mmlist` links of every descriptor (Linux's `mmlist_lock`).
static MMLIST_LOCK: Mutex<()> = Mutex::new(());

impl MmStruct {
    const fn new(pgd: Pfn) -> Self {
        let zero = VirtAddr::new(0);
        Self {
            pgd,
            mm_users: 1,
            mm_count: 1,
            mmlist_prev: None,
            mmlist_next: None,
            start_code: zero,
            end_code: zero,
            start_data: zero,
            end_data: zero,
            start_brk: zero,
            brk: zero,
            start_stack: zero,
            arg_start: zero,
            arg_end: zero,
            env_start: zero,
            env_end: zero,
            total_vm: 0,
            hiwater_vm: 0,
            exec_vm: 0,
            stack_vm: 0,
            anon_rss: 0,
            hiwater_rss: 0,
        }
    }

    /// The page directory, through the direct map.
    #[allow(clippy::mut_from_ref)]
    pub fn pgd_table(&self) -> &mut PageTable<Pgd> {
        // SAFETY: `pgd` is this descriptor's own low-memory frame; callers
        // touch the directory only through the descriptor they hold.
        unsafe { &mut *__va(self.pgd.addr()).as_mut_ptr() }
    }

    /// Walks `va` through this address space's page tables.
    pub fn walk(&self, va: VirtAddr) -> Walk {
        walk(&KernelTables, self.pgd_table(), va)
    }

    /// Maps a new zeroed page at user address `va` (or reuses the page
    /// already there, adding `flags`), and returns its frame.
    pub fn populate_page(&mut self, va: VirtAddr, flags: PteFlags) -> Result<Pfn, MapError> {
        let flags = flags | PteFlags::USER;
        if let Walk::Mapped { pte, .. } = self.walk(va) {
            change_page_flags(&mut KernelTables, self.pgd_table(), va, pte.flags() | flags);
            return Ok(pte.pfn());
        }
        let pfn = alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0).ok_or(MapError::NoMemory)?;
        self.install_page(va, pfn, flags)?;
        Ok(pfn)
    }

    /// Maps frame `pfn` at `va` and counts it; frees the frame on failure.
    fn install_page(&mut self, va: VirtAddr, pfn: Pfn, flags: PteFlags) -> Result<(), MapError> {
        if let Err(error) = map_page(&mut KernelTables, self.pgd_table(), va, pfn, flags) {
            __free_pages(pfn, 0);
            return Err(error);
        }
        self.total_vm += 1;
        self.anon_rss += 1;
        self.hiwater_vm = self.hiwater_vm.max(self.total_vm);
        self.hiwater_rss = self.hiwater_rss.max(self.anon_rss);
        Ok(())
    }

    /// Every present user mapping: its address and entry.
    fn user_ptes(&self) -> impl Iterator<Item = (VirtAddr, Pte)> + '_ {
        let user = &self.pgd_table().0[..KERNEL_PGD_BOUNDARY];
        user.iter().enumerate().filter(|(_, d)| d.present()).flat_map(|(i, dir)| {
            let table = KernelTables.pte_table(dir.pfn());
            table.0.iter().enumerate().filter(|(_, p)| p.present()).map(move |(j, pte)| {
                let va = ((i as u32) << PGDIR_SHIFT) | ((j as u32) << PAGE_SHIFT);
                (VirtAddr::new(va), *pte)
            })
        })
    }
}

/// Sets up `init_mm` over `swapper_pg_dir`, the address space of kernel
/// threads until they borrow another.
pub fn mm_init() {
    init_mm().get().pgd = swapper_pg_dir_phys(&SWAPPER_PG_DIR.lock()).pfn();
}

/// The kernel's descriptor.
pub const fn init_mm() -> MmRef {
    // SAFETY: the address of a static is never null; `MmRef::get` is the
    // only way to it.
    MmRef(unsafe { NonNull::new_unchecked(&raw mut INIT_MM) })
}

/// A new, empty address space (Linux's `mm_alloc`) with one user and one
/// reference, on `mmlist`; `None` when memory is out.
pub fn mm_alloc() -> Option<MmRef> {
    // LAB 2 BEGIN: allocate the descriptor (Box::leak of MmStruct::new with a directory from pgd_alloc; MmStruct::new starts both counts at 1), put it on mmlist, and return it; None if either allocation fails.
    let mm = MmRef(NonNull::from(Box::leak(Box::new(MmStruct::new(pgd_alloc()?)))));
    mmlist_add(mm);
    Some(mm)
    // LAB 2 END
}

/// Puts `mm` on `mmlist`, right after `init_mm`.
fn mmlist_add(mm: MmRef) {
    // LAB 2 BEGIN: under MMLIST_LOCK, link mm right after init_mm: its prev is init_mm, its next init_mm's old next (whose prev becomes mm).
    let _lock = MMLIST_LOCK.lock();
    let head = init_mm();
    let first = head.get().mmlist_next;
    (mm.get().mmlist_prev, mm.get().mmlist_next) = (Some(head), first);
    if let Some(first) = first {
        first.get().mmlist_prev = Some(mm);
    }
    head.get().mmlist_next = Some(mm);
    // LAB 2 END
}

/// Takes `mm` off `mmlist`.
fn mmlist_del(mm: MmRef) {
    // LAB 2 BEGIN: under MMLIST_LOCK, unlink mm: its prev and next point at each other, and its own links become None.
    let _lock = MMLIST_LOCK.lock();
    let (prev, next) = (mm.get().mmlist_prev.take(), mm.get().mmlist_next.take());
    if let Some(prev) = prev {
        prev.get().mmlist_next = next;
    }
    if let Some(next) = next {
        next.get().mmlist_prev = prev;
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
    mm.get().mm_users += 1;
    // LAB 2 END
}

/// A task stops using `mm` (Linux's `mmput`): the last user tears the user
/// mappings down and gives up the users' reference to the descriptor.
pub fn mmput(mm: MmRef) {
    // LAB 2 BEGIN: one user fewer; the last user tears the mappings down (exit_mmap) and drops the users' reference (mmdrop).
    let m = mm.get();
    m.mm_users -= 1;
    if m.mm_users == 0 {
        exit_mmap(m);
        mmdrop(mm);
    }
    // LAB 2 END
}

/// One more reference to the descriptor (a kernel thread borrowing it).
pub fn mmgrab(mm: MmRef) {
    // LAB 2 BEGIN: one more reference to the descriptor.
    mm.get().mm_count += 1;
    // LAB 2 END
}

/// Drops a reference to the descriptor (Linux's `mmdrop`): the last one
/// frees the page directory and the descriptor, and takes it off `mmlist`.
pub fn mmdrop(mm: MmRef) {
    // LAB 2 BEGIN: one reference fewer; at zero, take it off mmlist, free the page directory and the descriptor (Box::from_raw). init_mm is never freed.
    let m = mm.get();
    m.mm_count -= 1;
    if m.mm_count == 0 {
        assert!(mm != init_mm(), "init_mm is never freed");
        mmlist_del(mm);
        __free_pages(m.pgd, 0);
        // SAFETY: the last reference is gone; the descriptor came from
        // `Box::leak` in `mm_alloc`.
        drop(unsafe { Box::from_raw(mm.0.as_ptr()) });
    }
    // LAB 2 END
}

/// Frees every user frame and user page table of `mm` and clears its user
/// directory entries (Linux's `exit_mmap`); the directory stays.
fn exit_mmap(mm: &mut MmStruct) {
    // LAB 2 BEGIN: free every user frame (user_ptes), then every user page table, clearing its directory entry, and zero the page counters.
    let frames: Vec<Pfn> = mm.user_ptes().map(|(_, pte)| pte.pfn()).collect();
    frames.into_iter().for_each(|pfn| __free_pages(pfn, 0));
    for entry in mm.pgd_table().0[..KERNEL_PGD_BOUNDARY].iter_mut().filter(|e| e.present()) {
        __free_pages(entry.pfn(), 0);
        *entry = Pgd::NONE;
    }
    mm.total_vm = 0;
    mm.exec_vm = 0;
    mm.stack_vm = 0;
    mm.anon_rss = 0;
    // LAB 2 END
}

/// A copy of `parent` for a child process (Linux's `dup_mm`): every page
/// copied now (copy-on-write is lab 5's), boundaries and counts the same.
pub fn dup_mm(parent: MmRef) -> Option<MmRef> {
    let child = mm_alloc()?;
    let (p, c) = (parent.get(), child.get());
    for (va, pte) in p.user_ptes().collect::<Vec<_>>() {
        let Some(pfn) = alloc_pages(GFP_HIGHUSER, 0) else {
            mmput(child);
            return None;
        };
        copy_highpage(pfn, pte.pfn());
        if c.install_page(va, pfn, pte.flags() & (PteFlags::USER | PteFlags::RW)).is_err() {
            mmput(child);
            return None;
        }
    }
    (c.start_code, c.end_code, c.start_data, c.end_data) =
        (p.start_code, p.end_code, p.start_data, p.end_data);
    (c.start_brk, c.brk, c.start_stack) = (p.start_brk, p.brk, p.start_stack);
    (c.arg_start, c.arg_end, c.env_start, c.env_end) = (p.arg_start, p.arg_end, p.env_start, p.env_end);
    (c.exec_vm, c.stack_vm) = (p.exec_vm, p.stack_vm);
    Some(child)
}

/// Copies frame `from` into frame `to`, both possibly in highmem.
fn copy_highpage(to: Pfn, from: Pfn) {
    let (dst, src) = (kmap_atomic(to, KmType::User0), kmap_atomic(from, KmType::User1));
    // SAFETY: both mappings cover a whole page each and do not overlap.
    unsafe { src.as_mut_ptr::<u8>().copy_to_nonoverlapping(dst.as_mut_ptr(), PAGE_SIZE as usize) };
}

/// Makes `mm` the address space the processor translates through.
pub fn switch_mm(mm: MmRef) {
    // SAFETY: every address space maps the kernel exactly as swapper_pg_dir.
    unsafe { write_cr3(mm.get().pgd.addr()) };
}

/// Calls `f` on every descriptor on `mmlist`, `init_mm` first.
pub fn for_each_mm(mut f: impl FnMut(MmRef)) {
    let _lock = MMLIST_LOCK.lock();
    let mut at = Some(init_mm());
    while let Some(mm) = at {
        f(mm);
        at = mm.get().mmlist_next;
    }
}

/// The number of pages from `start` to `end`, rounded outwards.
pub fn pages_spanned(start: VirtAddr, end: VirtAddr) -> u32 {
    (end.as_u32().div_ceil(PAGE_SIZE)).saturating_sub(start.as_u32() / PAGE_SIZE)
}
