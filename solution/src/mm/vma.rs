//! A memory region, `struct vm_area_struct`: a run of pages of one address
//! space with the same permissions and the same backing (a file at some
//! offset, or nothing: anonymous memory). Its operations are in `mmap.rs`.

use alloc::boxed::Box;
use core::ptr::NonNull;

use bitflags::bitflags;

use super::layout::PAGE_SHIFT;
use super::mm_types::{MmRef, MmStruct};
use super::pgtable::PteFlags;
use super::types::{Pfn, VirtAddr};
use crate::fs::initramfs::File;
use crate::lib::fallible::kbox;
use crate::lib::rbtree::RbNode;

bitflags! {
    /// What a region allows and how it behaves (Linux's `vm_flags`, same
    /// bit values). `MAY*` bound what `mprotect` may later grant.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct VmFlags: u32 {
        const READ = 0x1;
        const WRITE = 0x2;
        const EXEC = 0x4;
        const SHARED = 0x8;
        const MAYREAD = 0x10;
        const MAYWRITE = 0x20;
        const MAYEXEC = 0x40;
        const MAYSHARE = 0x80;
        /// A stack: faults just below it extend it downwards.
        const GROWSDOWN = 0x100;
        const GROWSUP = 0x200;
        /// Pages are faulted in at once and never reclaimed.
        const LOCKED = 0x2000;
        /// `fork` leaves the region out of the child.
        const DONTCOPY = 0x20000;
        /// `mremap` may not grow it.
        const DONTEXPAND = 0x40000;
    }
}

impl VmFlags {
    /// The access bits: read, write, execute.
    pub const ACCESS: Self = Self::READ.union(Self::WRITE).union(Self::EXEC);
    /// Every `MAY*` bit.
    pub const MAY_ALL: Self = Self::MAYREAD.union(Self::MAYWRITE).union(Self::MAYEXEC);
}

/// The page-table flags of a region's pages (Linux's `protection_map`).
/// i386 cannot forbid execution, so execute implies read. A private
/// writable region maps its pages read-only (`PAGE_COPY`): the first write
/// faults, which is how copy-on-write finds out. No access at all
/// (`PAGE_NONE`) leaves a page present for the kernel only: Linux marks it
/// with a special not-present bit instead, to the same effect on user
/// accesses.
pub fn vm_get_page_prot(flags: VmFlags) -> PteFlags {
    let readonly = PteFlags::PRESENT | PteFlags::USER;
    if !flags.intersects(VmFlags::ACCESS) {
        PteFlags::empty()
    } else if flags.contains(VmFlags::WRITE | VmFlags::SHARED) {
        readonly | PteFlags::RW
    } else {
        readonly
    }
}

/// Why a fault on a region could not be served.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmFault {
    /// No memory for the page or its page table.
    Oom,
    /// The file has no page there (`SIGBUS`).
    Sigbus,
}

/// A backing's `fault`: a new frame holding the given page of the backing.
pub type FaultFn = fn(&VmAreaStruct, u32) -> Result<Pfn, VmFault>;

/// What a region's backing does at the region's life events and faults
/// (Linux's `vm_operations_struct`). Linux 2.6.0 had `nopage` (return the
/// page for an address) and `populate` (prefault a range); 2.6.23 merged
/// them into `fault`, which is what this kernel has.
pub struct VmOperations {
    /// A region was copied: by `split_vma` or `fork`.
    pub open: Option<fn(&mut VmAreaStruct)>,
    /// A region is going away.
    pub close: Option<fn(&mut VmAreaStruct)>,
    /// Returns a new frame holding page `pgoff` of the backing.
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
    pub vm_file: Option<File<'static>>,
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
