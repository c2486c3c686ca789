//! The memory descriptor, `struct mm_struct`, and its regions, `struct
//! vm_area_struct`, as data (Linux's `include/linux/mm_types.h`): what an
//! address space records. A region is a run of pages with the same
//! permissions and the same backing (a file at some offset, or nothing:
//! anonymous memory). The descriptor's life cycle is in `mm_struct.rs`, the
//! regions' operations in `mmap.rs`.
//!
//! The descriptor keeps its regions twice, as Linux 2.6 does: on a list
//! sorted by address (`mmap`, linked through each region's `vm_next`) for
//! walking them all in order, and in a red-black tree (`mm_rb`) for finding
//! the one holding an address in logarithmic time. `mmap_cache` remembers
//! the last region found, since consecutive lookups tend to hit the same one.
//!
//! A descriptor is reached through a copyable handle, `MmRef`, as Linux
//! passes `struct mm_struct *`. Rust forbids two `&mut` to one object, so
//! the handle does not hand one out: the address space sits behind a lock
//! that stands for Linux's `mmap_sem`, and `mm.lock()` is the only way to
//! `&mut MmStruct`. Everything below takes `&mut MmStruct`, which proves the
//! lock is held; a region is borrowed from it (`VmaRef::get`).

use alloc::boxed::Box;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use core::sync::atomic::AtomicU32;

use spin::{Mutex, MutexGuard};

use super::pgtable::PteFlags;
use super::shmem::ShmemRef;
use super::types::{PAGE_SHIFT, Pfn, VirtAddr};
use super::vma::{FaultKind, VmFault, VmFlags, vm_get_page_prot};
use crate::fs::initramfs::File;
use crate::lib::fallible::{kbox, kbox_cyclic};
use crate::lib::rbtree::{RbNode, RbRoot};

/// The top of user space: the first address the user may not use.
pub const TASK_SIZE: u32 = super::layout::PAGE_OFFSET;
/// Where the legacy layout's `mmap` starts looking for room, a third of the
/// way up user space (Linux's i386 `TASK_UNMAPPED_BASE`).
pub const TASK_UNMAPPED_BASE: u32 = TASK_SIZE / 3;

/// How `get_unmapped_area` finds room for a mapping that is not `MAP_FIXED`
/// (Linux keeps the two search functions in the descriptor instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmapLayout {
    /// Bottom-up from `TASK_UNMAPPED_BASE`, as Linux did before 2.6.9.
    Legacy,
    /// Top-down from `mmap_base`, below a gap left for the stack (2.6.9's).
    TopDown,
}

/// A memory descriptor as allocated (Linux's `struct mm_struct`, from its
/// `mm_cachep`): the two counts and the `mmlist` links, which Linux too
/// keeps apart from `mmap_sem` (as atomics, and under `mmlist_lock`), and
/// the address space itself, `MmStruct`, behind the lock that stands for
/// `mmap_sem`.
pub struct MmCell {
    /// Tasks using this address space.
    pub mm_users: AtomicU32,
    /// References to this descriptor: the users together, plus borrowers.
    pub mm_count: AtomicU32,
    /// Its neighbours on `mmlist` (`init_mm` heads the list and is on it).
    /// `MMLIST_LOCK` orders every change to the list; the links have a
    /// lock of their own only so that a shared handle can reach them, and
    /// it is never contended.
    // Only `mm_struct.rs` reads it, and it needs the hardware.
    #[cfg_attr(not(target_os = "none"), allow(dead_code))]
    pub(super) mmlist: Mutex<MmList>,
    pub(super) mmap_sem: Mutex<MmStruct>,
}

/// A descriptor's neighbours on `mmlist`.
#[derive(Clone, Copy, Default)]
pub struct MmList {
    pub prev: Option<MmRef>,
    pub next: Option<MmRef>,
}

impl MmCell {
    /// A descriptor whose handle is `this`, over page directory `pgd`, with
    /// no regions, one user and one reference.
    pub const fn new(this: MmRef, pgd: Pfn) -> Self {
        Self {
            mm_users: AtomicU32::new(1),
            mm_count: AtomicU32::new(1),
            mmlist: Mutex::new(MmList { prev: None, next: None }),
            mmap_sem: Mutex::new(MmStruct::new(this, pgd)),
        }
    }

    /// The address space, for this task alone until the guard is dropped
    /// (Linux's `down_write(&mm->mmap_sem)`; dropping the guard is
    /// `up_write`). With one processor and no preemption in the kernel,
    /// nobody else can be holding it: locking it again before the first
    /// guard is gone is a bug of the kernel, and panics rather than hangs.
    pub fn lock(&self) -> MmGuard<'_> {
        MmGuard(self.mmap_sem.try_lock().expect("an address space locked twice"))
    }

    /// The address space if nobody holds it, else `None` (Linux's
    /// `down_read_trylock`): for reclaim, which reaches address spaces
    /// through their pages and must leave alone one that a task it
    /// interrupted is changing.
    pub fn try_lock(&self) -> Option<MmGuard<'_>> {
        self.mmap_sem.try_lock().map(MmGuard)
    }
}

/// A held `mmap_sem`: the address space, exclusively, until the guard
/// drops. Built with the `debug_vm` feature (Linux's `CONFIG_DEBUG_VM`),
/// dropping it checks the regions (`debug_vm.rs`), so that a change that
/// broke them is caught at the unlock that ends it.
pub struct MmGuard<'a>(MutexGuard<'a, MmStruct>);

impl Deref for MmGuard<'_> {
    type Target = MmStruct;

    fn deref(&self) -> &MmStruct {
        &self.0
    }
}

impl DerefMut for MmGuard<'_> {
    fn deref_mut(&mut self) -> &mut MmStruct {
        &mut self.0
    }
}

/// The address space proper: the part of Linux's `struct mm_struct` that
/// `mmap_sem` guards, which is all of it but the counts and the `mmlist`
/// links. Holding `&mut MmStruct` means holding the lock.
pub struct MmStruct {
    /// This descriptor's handle, which its regions keep as `vm_mm` (Linux's
    /// regions point at the descriptor; ours reach it through its cell).
    this: MmRef,
    /// The regions, sorted by address and linked through `vm_next`.
    pub mmap: Option<VmaRef>,
    /// The same regions in a red-black tree keyed by address.
    pub mm_rb: RbRoot,
    /// The region `find_vma` found last.
    pub mmap_cache: Option<VmaRef>,
    /// How many regions there are (at most `MAX_MAP_COUNT`).
    pub map_count: u32,
    /// The page directory's frame.
    pub pgd: Pfn,
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
    /// Pages in regions: in all (and the most ever), executable, in the
    /// stack.
    pub total_vm: u32,
    pub hiwater_vm: u32,
    pub exec_vm: u32,
    pub stack_vm: u32,
    /// Pages with a frame behind them: anonymous ones, ones read from a
    /// file, ones of a shared-memory object, and the most there ever were.
    pub anon_rss: u32,
    pub file_rss: u32,
    pub shmem_rss: u32,
    pub hiwater_rss: u32,
    /// Entries that hold a page's place in swap (Linux's `MM_SWAPENTS`,
    /// shown as `VmSwap`).
    pub swap_ents: u32,
    /// How mappings are placed, chosen at `execve` (`arch_pick_mmap_layout`).
    pub mmap_layout: MmapLayout,
    /// Where the search for room starts when there is no better idea.
    pub mmap_base: VirtAddr,
    /// Where the next search starts: the end of the last area found
    /// bottom-up, its start top-down; `munmap` moves it back over a hole it
    /// makes (Linux's `free_area_cache`).
    pub free_area_cache: VirtAddr,
}

// SAFETY: a descriptor owns its regions and their tree nodes, which are
// all its raw pointers lead to (besides other descriptors' handles, which
// are `Send`): moving it to another thread moves them with it, as a `Box`
// would.
unsafe impl Send for MmStruct {}

/// A handle to a descriptor, as Linux passes `struct mm_struct *`: it
/// dereferences to the `MmCell`, whose `lock` reaches the address space.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmRef(NonNull<MmCell>);

// SAFETY: a handle is a shared reference to an `MmCell`, whose fields are
// atomics and locks: `Sync`, so the handle may go anywhere.
unsafe impl Send for MmRef {}
// SAFETY: as above.
unsafe impl Sync for MmRef {}

impl Deref for MmRef {
    type Target = MmCell;

    fn deref(&self) -> &MmCell {
        // SAFETY: the holder of a handle keeps `mm_count` above zero (or
        // holds `init_mm`'s, which is static), so the cell is alive.
        unsafe { self.0.as_ref() }
    }
}

impl MmRef {
    /// A handle to the cell at `cell`.
    pub const fn new(cell: NonNull<MmCell>) -> Self {
        Self(cell)
    }

    /// A new descriptor on the kernel heap over page directory `pgd`, with
    /// one user and one reference; `None` when memory is out. It lives
    /// until `free`.
    pub fn alloc(pgd: Pfn) -> Option<Self> {
        let cell = kbox_cyclic(|at| MmCell::new(Self(at), pgd))?;
        Some(Self(NonNull::from(Box::leak(cell))))
    }

    /// Frees a descriptor from `alloc`.
    ///
    /// # Safety
    /// Its last reference is gone (`mm_count` is zero) and no copy of the
    /// handle is used again.
    pub unsafe fn free(self) {
        // SAFETY: the caller's promise; the cell came from `Box::leak`.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }

    /// Whether this is the handle of `mm`.
    pub fn is(self, mm: &MmStruct) -> bool {
        self == mm.this
    }

    /// The handle as one word, for a page table's descriptor to keep.
    #[cfg(target_os = "none")]
    pub fn as_u32(self) -> u32 {
        self.0.as_ptr() as u32
    }

    /// The handle whose word `as_u32` gave.
    ///
    /// # Safety
    /// `word` came from `as_u32`, and the descriptor has not been freed
    /// since.
    #[cfg(target_os = "none")]
    pub unsafe fn from_u32(word: u32) -> Self {
        // SAFETY: the caller's promise: a live cell's address, not null.
        Self(unsafe { NonNull::new_unchecked(word as *mut MmCell) })
    }
}

impl MmStruct {
    /// An address space with no regions over page directory `pgd`, whose
    /// descriptor's handle is `this`.
    pub const fn new(this: MmRef, pgd: Pfn) -> Self {
        let zero = VirtAddr::new(0);
        Self {
            this,
            mmap: None,
            mm_rb: RbRoot::new(),
            mmap_cache: None,
            map_count: 0,
            pgd,
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
            file_rss: 0,
            shmem_rss: 0,
            hiwater_rss: 0,
            swap_ents: 0,
            mmap_layout: MmapLayout::Legacy,
            mmap_base: VirtAddr::new(TASK_UNMAPPED_BASE),
            free_area_cache: VirtAddr::new(TASK_UNMAPPED_BASE),
        }
    }

    /// This descriptor's handle, for the regions' back pointers.
    pub fn as_ref(&self) -> MmRef {
        self.this
    }

    /// The regions in address order.
    pub fn vmas(&self) -> impl Iterator<Item = VmaRef> + '_ {
        core::iter::successors(self.mmap, |vma| vma.get(self).vm_next)
    }

    /// Pages with a frame behind them.
    pub fn rss(&self) -> u32 {
        self.anon_rss + self.file_rss + self.shmem_rss
    }

    /// Counts a frame mapped in (Linux's `inc_mm_counter`), and the
    /// high-water mark with it.
    pub fn inc_rss(&mut self, counter: MmCounter) {
        *self.rss_counter(counter) += 1;
        self.hiwater_rss = self.hiwater_rss.max(self.rss());
    }

    /// Counts a frame mapped out.
    pub fn dec_rss(&mut self, counter: MmCounter) {
        *self.rss_counter(counter) -= 1;
    }

    fn rss_counter(&mut self, counter: MmCounter) -> &mut u32 {
        match counter {
            MmCounter::File => &mut self.file_rss,
            MmCounter::Anon => &mut self.anon_rss,
            MmCounter::Shmem => &mut self.shmem_rss,
            MmCounter::SwapEnts => &mut self.swap_ents,
        }
    }
}

/// The resident-set counter a mapped frame counts in (Linux's
/// `MM_FILEPAGES`, `MM_ANONPAGES` and `MM_SHMEMPAGES`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MmCounter {
    /// A file's page in the page cache.
    File,
    /// Anonymous memory: private to the address space (or shared
    /// copy-on-write since a `fork`).
    Anon,
    /// A frame of a shared-memory object.
    Shmem,
    /// Not a frame: an entry naming a swap slot, which counts nowhere in
    /// the resident set.
    SwapEnts,
}

/// What a file region maps (Linux's `vm_file`, a `struct file *`).
#[derive(Clone, Copy)]
pub enum VmFile {
    /// A file of the initrd, through its page cache; `write` if it was
    /// opened for writing (Linux's `FMODE_WRITE`).
    Initrd { file: File<'static>, write: bool },
    /// A shared-memory object; `write` if it was opened for writing
    /// (Linux's `FMODE_WRITE`: a `SHM_RDONLY` attach is not), and the
    /// operations its regions get (what Linux's `f_op->mmap` installs).
    Shmem { shm: ShmemRef, write: bool, vm_ops: &'static VmOperations },
}

impl VmFile {
    /// Whether both name the same file.
    pub fn same_file(&self, other: &VmFile) -> bool {
        match (self, other) {
            (Self::Initrd { file: a, .. }, Self::Initrd { file: b, .. }) => a.same_file(b),
            (Self::Shmem { shm: a, .. }, Self::Shmem { shm: b, .. }) => a == b,
            _ => false,
        }
    }

    /// Whether a shared mapping of it may be written.
    pub fn may_write(&self) -> bool {
        matches!(self, Self::Initrd { write: true, .. } | Self::Shmem { write: true, .. })
    }
}

/// A backing's `fault`: a frame holding the given page of the backing,
/// with a reference for the caller's mapping, and whether the backing had
/// to read it in (major) or had it in memory (minor).
pub type FaultFn = fn(&VmAreaStruct, u32) -> Result<(Pfn, FaultKind), VmFault>;

/// What a region's backing does at the region's life events and faults
/// (Linux's `vm_operations_struct`). Linux 2.6.0 had `nopage` (return the
/// page for an address) and `populate` (prefault a range); 2.6.23 merged
/// them into `fault`, which is what this kernel has.
pub struct VmOperations {
    /// A region began to use the backing: `mmap` made it (where Linux's
    /// `f_op->mmap` does this work), or `split_vma` or `fork` copied it.
    pub open: Option<fn(&mut VmAreaStruct)>,
    /// A region is going away.
    pub close: Option<fn(&mut VmAreaStruct)>,
    /// Returns a frame holding page `pgoff` of the backing.
    pub fault: Option<FaultFn>,
}

/// Linux's `struct vm_area_struct`, with the fields this kernel uses.
pub struct VmAreaStruct {
    /// The address space the region belongs to.
    pub vm_mm: MmRef,
    /// The region is `[vm_start, vm_end)`, both page-aligned.
    pub vm_start: VirtAddr,
    pub vm_end: VirtAddr,
    /// The next region up, on `mm.mmap`.
    pub vm_next: Option<VmaRef>,
    /// The flags of the region's page-table entries, from `vm_flags`.
    pub vm_page_prot: PteFlags,
    pub vm_flags: VmFlags,
    /// Its node in `mm.mm_rb`.
    pub vm_rb: RbNode,
    pub vm_ops: Option<&'static VmOperations>,
    /// For a file mapping: the file, and the page of it at `vm_start`.
    pub vm_file: Option<VmFile>,
    pub vm_pgoff: u32,
}

impl VmAreaStruct {
    /// An anonymous region `[start, end)` of `mm`, linked nowhere yet.
    pub fn new(mm: MmRef, start: VirtAddr, end: VirtAddr, flags: VmFlags) -> Self {
        Self {
            vm_mm: mm,
            vm_start: start,
            vm_end: end,
            vm_next: None,
            vm_page_prot: vm_get_page_prot(flags),
            vm_flags: flags,
            vm_rb: RbNode::new(),
            vm_ops: None,
            vm_file: None,
            vm_pgoff: 0,
        }
    }

    /// The number of pages in the region.
    pub fn vma_pages(&self) -> u32 {
        (self.vm_end.as_u32() - self.vm_start.as_u32()) >> PAGE_SHIFT
    }

    /// Whether `addr` lies inside the region.
    pub fn contains(&self, addr: VirtAddr) -> bool {
        self.vm_start <= addr && addr < self.vm_end
    }

    /// Changes the flags, and the page-table flags with them.
    pub fn set_flags(&mut self, flags: VmFlags) {
        self.vm_flags = flags;
        self.vm_page_prot = vm_get_page_prot(flags);
    }

    /// Whether the region maps no file (Linux's `vma_is_anonymous`; shared
    /// anonymous memory has a shmem object behind it, so it is not).
    pub fn is_anonymous(&self) -> bool {
        self.vm_file.is_none()
    }

    /// The page of the backing file at `addr` (`linear_page_index`); it
    /// cannot wrap, since `do_mmap_pgoff` refuses regions whose file pages
    /// would.
    pub fn linear_page_index(&self, addr: VirtAddr) -> u32 {
        self.vm_pgoff + ((addr.as_u32() - self.vm_start.as_u32()) >> PAGE_SHIFT)
    }
}

/// A handle to a region, as Linux passes `struct vm_area_struct *`.
///
/// An address space owns its regions, so the region is reached through the
/// descriptor: `get` borrows it with the descriptor shared, `get_mut` with
/// the descriptor exclusive. The borrow checker then proves that nobody
/// changes a region while another reference to it, or to any region of the
/// same address space, is alive, as `mmap_sem` does on Linux. (Linux's
/// pointers prove nothing: a second `struct vm_area_struct *` to the same
/// region is always allowed.)
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VmaRef(NonNull<VmAreaStruct>);

impl VmaRef {
    /// The region, a live one of `mm`'s.
    pub fn get(self, mm: &MmStruct) -> &VmAreaStruct {
        self.check_owner(mm);
        // SAFETY: the region is live (only `vm_area_free`, which is unsafe,
        // ends it) and belongs to `mm`, which the caller borrows shared for
        // as long as the region is: nothing can have it mutably meanwhile.
        unsafe { self.0.as_ref() }
    }

    /// The region, a live one of `mm`'s, to change.
    pub fn get_mut(self, mm: &mut MmStruct) -> &mut VmAreaStruct {
        self.check_owner(mm);
        // SAFETY: as in `get`, with `mm` borrowed exclusively, so this is
        // the only reference to any of its regions.
        unsafe { &mut *self.0.as_ptr() }
    }

    /// Panics unless the region belongs to `mm`: a region reached through
    /// another descriptor would not be covered by that borrow.
    fn check_owner(self, mm: &MmStruct) {
        // SAFETY: the region is live; reading one field through the raw
        // pointer creates no reference to the region.
        let owner = unsafe { (*self.0.as_ptr()).vm_mm };
        assert!(owner.is(mm), "a region used through another address space");
    }

    /// The region whose `vm_rb` is `node`.
    ///
    /// # Safety
    /// `node` must be the `vm_rb` of a live region.
    pub unsafe fn from_rb(node: NonNull<RbNode>) -> Self {
        Self(crate::lib::rbtree::rb_entry!(node, VmAreaStruct, vm_rb))
    }

    /// Its node in the red-black tree, as a pointer derived from the whole
    /// region's, so that `from_rb` may step back from it.
    pub fn rb(&self) -> NonNull<RbNode> {
        // SAFETY: the region is live (see `get`); a field of it is not null.
        unsafe { NonNull::new_unchecked(&raw mut (*self.0.as_ptr()).vm_rb) }
    }
}

/// Moves `vma` to the kernel heap, where it stays until `vm_area_free`;
/// `None` when memory is out.
pub fn vm_area_alloc(vma: VmAreaStruct) -> Option<VmaRef> {
    Some(VmaRef(NonNull::from(Box::leak(kbox(vma)?))))
}

/// Frees a region that is linked nowhere any more.
///
/// # Safety
/// `vma` came from `vm_area_alloc` and is not freed yet, and no copy of the
/// handle is used again: every other way to the region ends here.
pub unsafe fn vm_area_free(vma: VmaRef) {
    // SAFETY: the caller's promise: the block is `vm_area_alloc`'s, and
    // nothing reaches it any more.
    drop(unsafe { Box::from_raw(vma.0.as_ptr()) });
}

/// A descriptor for host tests, with no page directory (only its regions
/// are used), locked for the whole test and freed when it goes.
#[cfg(test)]
pub struct TestMm {
    mm: MmRef,
    guard: core::mem::ManuallyDrop<MmGuard<'static>>,
}

#[cfg(test)]
impl Default for TestMm {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
impl TestMm {
    pub fn new() -> Self {
        let mm = MmRef::alloc(Pfn::new(0)).expect("the host has memory");
        // SAFETY: the cell lives until `drop` below, after the guard.
        let cell: &'static MmCell = unsafe { mm.0.as_ref() };
        Self { mm, guard: core::mem::ManuallyDrop::new(cell.lock()) }
    }
}

#[cfg(test)]
impl Deref for TestMm {
    type Target = MmStruct;

    fn deref(&self) -> &MmStruct {
        &self.guard
    }
}

#[cfg(test)]
impl core::ops::DerefMut for TestMm {
    fn deref_mut(&mut self) -> &mut MmStruct {
        &mut self.guard
    }
}

#[cfg(test)]
impl Drop for TestMm {
    fn drop(&mut self) {
        // SAFETY: the guard is not used again, and then nothing holds the
        // handle: the test is over.
        unsafe {
            core::mem::ManuallyDrop::drop(&mut self.guard);
            self.mm.free();
        }
    }
}
