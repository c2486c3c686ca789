//! The memory descriptor, `struct mm_struct`, as data (Linux's
//! `include/linux/mm_types.h`): what an address space records. Its life
//! cycle is in `mm_struct.rs`, its regions' operations in `mmap.rs`.
//!
//! The descriptor keeps its regions twice, as Linux 2.6 does: on a list
//! sorted by address (`mmap`, linked through each region's `vm_next`) for
//! walking them all in order, and in a red-black tree (`mm_rb`) for finding
//! the one holding an address in logarithmic time. `mmap_cache` remembers
//! the last region found, since consecutive lookups tend to hit the same one.

use core::ptr::NonNull;

use super::types::{Pfn, VirtAddr};
use super::vma::VmaRef;
use crate::lib::rbtree::RbRoot;

/// The top of user space: the first address the user may not use.
pub const TASK_SIZE: u32 = super::layout::PAGE_OFFSET;

/// Linux's `struct mm_struct`, with the fields this kernel uses.
pub struct MmStruct {
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
    /// Tasks using this address space.
    pub mm_users: u32,
    /// References to this descriptor: the users together, plus borrowers.
    pub mm_count: u32,
    /// Its neighbours on `mmlist` (`init_mm` heads the list and is on it).
    pub(super) mmlist_prev: Option<MmRef>,
    pub(super) mmlist_next: Option<MmRef>,
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
    /// file, and the most there ever were.
    pub anon_rss: u32,
    pub file_rss: u32,
    pub hiwater_rss: u32,
}

/// A reference to a descriptor, as Linux passes `struct mm_struct *`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmRef(pub(super) NonNull<MmStruct>);

// SAFETY: the kernel runs on one processor and is not preempted: only one
// task touches a descriptor at a time.
unsafe impl Send for MmRef {}
// SAFETY: as above.
unsafe impl Sync for MmRef {}

impl MmRef {
    /// Whether this is the handle of `mm`.
    pub fn is(self, mm: &MmStruct) -> bool {
        core::ptr::eq(self.0.as_ptr(), mm)
    }

    /// The descriptor. It lives while `mm_count` is above zero, which the
    /// holder of an `MmRef` guarantees.
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut MmStruct {
        // SAFETY: one processor, no preemption: no other reference is in
        // use at the same time; the holder keeps `mm_count` above zero.
        unsafe { &mut *self.0.as_ptr() }
    }
}

impl MmStruct {
    /// An address space with no regions over page directory `pgd`, with
    /// one user and one reference.
    pub const fn new(pgd: Pfn) -> Self {
        let zero = VirtAddr::new(0);
        Self {
            mmap: None,
            mm_rb: RbRoot::new(),
            mmap_cache: None,
            map_count: 0,
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
            file_rss: 0,
            hiwater_rss: 0,
        }
    }

    /// A reference to this descriptor, for the regions' back pointers.
    pub fn as_ref(&mut self) -> MmRef {
        MmRef(NonNull::from(self))
    }

    /// The regions in address order.
    pub fn vmas(&self) -> impl Iterator<Item = VmaRef> + '_ {
        core::iter::successors(self.mmap, |vma| vma.get(self).vm_next)
    }

    /// Pages with a frame behind them.
    pub fn rss(&self) -> u32 {
        self.anon_rss + self.file_rss
    }

    /// Counts a frame mapped in, anonymous or a file's (Linux's
    /// `inc_mm_counter`), and the high-water mark with it.
    pub fn inc_rss(&mut self, anon: bool) {
        *self.rss_counter(anon) += 1;
        self.hiwater_rss = self.hiwater_rss.max(self.rss());
    }

    /// Counts a frame mapped out.
    pub fn dec_rss(&mut self, anon: bool) {
        *self.rss_counter(anon) -= 1;
    }

    fn rss_counter(&mut self, anon: bool) -> &mut u32 {
        if anon { &mut self.anon_rss } else { &mut self.file_rss }
    }
}
