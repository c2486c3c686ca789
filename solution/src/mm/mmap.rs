//! Finding, inserting, merging and splitting an address space's regions
//! (the region half of Linux's `mm/mmap.c`).
//!
//! Every region is on two structures at once, and every change keeps both
//! true: the list `mm.mmap` in address order, and the red-black tree
//! `mm.mm_rb` keyed by address. The list gives the neighbours of a region
//! for free; the tree finds the region holding an address in O(log n).
//! Regions never overlap, so "ordered by `vm_start`" and "ordered by
//! `vm_end`" are the same order and a tree search can compare either.
//!
//! Lab 3 asks you to write `find_vma`, the search for an insertion point
//! (`find_vma_links`), linking and unlinking (`__vma_link_list`,
//! `__vma_link_rb`, `__vma_unlink`), `vma_merge` and `split_vma`.
//! `validate_mm` checks everything the tests rely on.

use core::ptr::NonNull;

use super::mm_types::{MmStruct, VmAreaStruct, VmFile, VmaRef, vm_area_alloc, vm_area_free};
use super::types::{PAGE_SHIFT, VirtAddr};
use super::vma::VmFlags;
use crate::lib::rbtree::{
    RbLink, RbNode, rb_check, rb_erase, rb_first, rb_insert_color, rb_link_node, rb_next,
};

/// The most regions an address space may have (Linux's default
/// `vm.max_map_count`, `DEFAULT_MAX_MAP_COUNT`).
pub const MAX_MAP_COUNT: u32 = 65530;

/// Why a region could not be added.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmaError {
    /// It would overlap a region already there.
    Overlap,
    /// The address space has `MAX_MAP_COUNT` regions already (`-ENOMEM`).
    TooManyMaps,
    /// The kernel heap has no room for the region (`-ENOMEM`).
    NoMemory,
}

/// Where a new region `[addr, end)` goes: after region `prev` on the list
/// (`None`: first), and in the tree as the left or right child of
/// `rb_parent` (`None`: as the root).
pub struct VmaLinks {
    pub prev: Option<VmaRef>,
    pub rb_parent: RbLink,
    pub rb_left: bool,
}

/// The node's children, read through the pointer.
fn children(node: NonNull<RbNode>) -> (RbLink, RbLink) {
    // SAFETY: nodes in an address space's tree are the `vm_rb` of live
    // regions.
    let node = unsafe { node.as_ref() };
    (node.left(), node.right())
}

// ANCHOR: find_vma
/// The first region that ends above `addr` (Linux's `find_vma`): the one
/// holding `addr`, or else the next one up; `None` if there is none.
/// Tries `mm.mmap_cache` first and leaves the answer there.
pub fn find_vma(mm: &mut MmStruct, addr: VirtAddr) -> Option<VmaRef> {
    // LAB 3 BEGIN: if mmap_cache holds addr, return it. Otherwise walk the tree from mm_rb.rb_node: at a region ending above addr, remember it and stop if it also starts at or below addr, else go left; at any other, go right. Cache what you found.
    if let Some(vma) = mm.mmap_cache.filter(|vma| vma.get(mm).contains(addr)) {
        return Some(vma);
    }
    let (mut node, mut found) = (mm.mm_rb.rb_node, None);
    while let Some(n) = node {
        // SAFETY: `n` is the `vm_rb` of a region of `mm`.
        let vma = unsafe { VmaRef::from_rb(n) };
        let (left, right) = children(n);
        if addr < vma.get(mm).vm_end {
            found = Some(vma);
            if vma.get(mm).vm_start <= addr {
                break;
            }
            node = left;
        } else {
            node = right;
        }
    }
    if found.is_some() {
        mm.mmap_cache = found;
    }
    found
    // LAB 3 END
}
// ANCHOR_END: find_vma

/// `find_vma`, and also the region before it (the last one ending at or
/// below `addr`): Linux's `find_vma_prev`.
pub fn find_vma_prev(mm: &mut MmStruct, addr: VirtAddr) -> (Option<VmaRef>, Option<VmaRef>) {
    let (mut node, mut prev) = (mm.mm_rb.rb_node, None);
    while let Some(n) = node {
        // SAFETY: `n` is the `vm_rb` of a region of `mm`.
        let vma = unsafe { VmaRef::from_rb(n) };
        let (left, right) = children(n);
        if addr < vma.get(mm).vm_end {
            node = left;
        } else {
            prev = Some(vma);
            node = right;
        }
    }
    let next = prev.map_or(mm.mmap, |p| p.get(mm).vm_next);
    (next, prev)
}

/// The first region overlapping `[start, end)`, if any.
pub fn find_vma_intersection(mm: &mut MmStruct, start: VirtAddr, end: VirtAddr) -> Option<VmaRef> {
    find_vma(mm, start).filter(|vma| vma.get(mm).vm_start < end)
}

/// Where a new region `[addr, end)` would be linked (Linux's
/// `find_vma_links`), or `Overlap` if a region already covers part of it.
pub fn find_vma_links(mm: &MmStruct, addr: VirtAddr, end: VirtAddr) -> Result<VmaLinks, VmaError> {
    // LAB 3 BEGIN: walk down from the root. At a region ending above addr: if it starts below end it overlaps (Err), else go left. Otherwise it becomes prev and you go right. The last node visited is the parent; remember which side you left it by.
    let mut links = VmaLinks { prev: None, rb_parent: None, rb_left: false };
    let mut node = mm.mm_rb.rb_node;
    while let Some(n) = node {
        // SAFETY: `n` is the `vm_rb` of a region of `mm`.
        let vma = unsafe { VmaRef::from_rb(n) };
        let (left, right) = children(n);
        links.rb_parent = Some(n);
        if addr < vma.get(mm).vm_end {
            if vma.get(mm).vm_start < end {
                return Err(VmaError::Overlap);
            }
            (node, links.rb_left) = (left, true);
        } else {
            (node, links.rb_left, links.prev) = (right, false, Some(vma));
        }
    }
    Ok(links)
    // LAB 3 END
}

/// Puts `vma` on `mm.mmap` right after `prev` (`None`: at the head).
fn __vma_link_list(mm: &mut MmStruct, vma: VmaRef, prev: Option<VmaRef>) {
    // LAB 3 BEGIN: vma's next is prev's old next (or the old head), and vma becomes prev's next (or the head).
    match prev {
        Some(prev) => {
            vma.get_mut(mm).vm_next = prev.get(mm).vm_next;
            prev.get_mut(mm).vm_next = Some(vma);
        }
        None => {
            vma.get_mut(mm).vm_next = mm.mmap;
            mm.mmap = Some(vma);
        }
    }
    // LAB 3 END
}

/// Puts `vma` in `mm.mm_rb` at the place `links` describes, and rebalances.
fn __vma_link_rb(mm: &mut MmStruct, vma: VmaRef, links: &VmaLinks) {
    // LAB 3 BEGIN: pick the link to fill: the root if there is no parent, else the parent's left or right; rb_link_node the region's vm_rb there, then rb_insert_color.
    let link = match links.rb_parent {
        None => &mut mm.mm_rb.rb_node,
        // SAFETY: the parent is the `vm_rb` of a live region of `mm`, and
        // no other reference to it is in use.
        Some(parent) => unsafe {
            let parent = &mut *parent.as_ptr();
            if links.rb_left { parent.left_mut() } else { parent.right_mut() }
        },
    };
    // SAFETY: the node is the new region's, unlinked; the link is an empty
    // slot of `mm.mm_rb` below `rb_parent`.
    unsafe {
        rb_link_node(vma.rb(), links.rb_parent, link);
        rb_insert_color(vma.rb(), &mut mm.mm_rb);
    }
    // LAB 3 END
}

/// Links `vma` into both structures and counts it.
fn vma_link(mm: &mut MmStruct, vma: VmaRef, links: &VmaLinks) {
    __vma_link_list(mm, vma, links.prev);
    __vma_link_rb(mm, vma, links);
    mm.map_count += 1;
}

/// Takes `vma`, whose predecessor on the list is `prev`, off both
/// structures, forgets it in the cache, and uncounts it.
pub fn __vma_unlink(mm: &mut MmStruct, vma: VmaRef, prev: Option<VmaRef>) {
    // LAB 3 BEGIN: make prev's next (or the head) skip vma, rb_erase its node, clear mmap_cache if it is vma, and count one region fewer.
    let next = vma.get_mut(mm).vm_next.take();
    match prev {
        Some(prev) => prev.get_mut(mm).vm_next = next,
        None => mm.mmap = next,
    }
    // SAFETY: the node is in `mm.mm_rb`.
    unsafe { rb_erase(vma.rb(), &mut mm.mm_rb) };
    if mm.mmap_cache == Some(vma) {
        mm.mmap_cache = None;
    }
    mm.map_count -= 1;
    // LAB 3 END
}

/// Adds a region made by `vm_area_alloc` to `mm` (Linux's
/// `insert_vm_struct`). On error the region is not linked and the caller
/// still owns it.
pub fn insert_vm_struct(mm: &mut MmStruct, vma: VmaRef) -> Result<(), VmaError> {
    if mm.map_count >= MAX_MAP_COUNT {
        return Err(VmaError::TooManyMaps);
    }
    let (start, end) = (vma.get(mm).vm_start, vma.get(mm).vm_end);
    let links = find_vma_links(mm, start, end)?;
    vma_link(mm, vma, &links);
    Ok(())
}

/// Whether a region with `flags` and `file` could merge with `vma`: same
/// flags, same backing, and no `close` to call for the part merged away.
fn is_mergeable_vma(vma: &VmAreaStruct, flags: VmFlags, file: Option<&VmFile>) -> bool {
    let same_file = match (&vma.vm_file, file) {
        (None, None) => true,
        (Some(a), Some(b)) => a.same_file(b),
        _ => false,
    };
    vma.vm_flags == flags && same_file && vma.vm_ops.is_none_or(|ops| ops.close.is_none())
}

/// Whether `[.., end)` at file page `pgoff` may grow `prev` at its end:
/// mergeable, and for a file the pages follow on.
fn can_vma_merge_after(prev: &VmAreaStruct, flags: VmFlags, file: Option<&VmFile>, pgoff: u32) -> bool {
    is_mergeable_vma(prev, flags, file) && (file.is_none() || prev.vm_pgoff + prev.vma_pages() == pgoff)
}

/// Whether `pages` pages at file page `pgoff` may grow `next` at its start.
fn can_vma_merge_before(
    next: &VmAreaStruct,
    flags: VmFlags,
    file: Option<&VmFile>,
    pgoff: u32,
    pages: u32,
) -> bool {
    is_mergeable_vma(next, flags, file) && (file.is_none() || pgoff + pages == next.vm_pgoff)
}

// ANCHOR: vma_merge
/// Covers the hole `[addr, end)` just after `prev` (`None`: before the
/// first region) by growing a neighbour instead of adding a region: `prev`
/// grows up, the next region grows down, or both join `prev` and the next
/// one is freed. Returns the region now covering the hole, or `None` when
/// neither neighbour is compatible. Anonymous regions' `vm_pgoff` is
/// ignored (Linux keeps it for reverse mapping, which this kernel lacks).
///
/// Linux's `vma_merge` also merges over a range an existing region covers
/// (for `mprotect`); here `mprotect` first unlinks that region.
pub fn vma_merge(
    mm: &mut MmStruct,
    prev: Option<VmaRef>,
    addr: VirtAddr,
    end: VirtAddr,
    flags: VmFlags,
    file: Option<&VmFile>,
    pgoff: u32,
) -> Option<VmaRef> {
    // LAB 3 BEGIN: next is prev's next (or the head). If prev ends at addr and can_vma_merge_after: grow prev to end, and if next starts at end and can also merge (can_vma_merge_before), grow prev to next's end and unlink and free next (vm_area_free); return prev. Else if next starts at end and can_vma_merge_before: move next's start down to addr (and its vm_pgoff to pgoff); return next. Else None.
    let next = prev.map_or(mm.mmap, |p| p.get(mm).vm_next);
    let pages = (end.as_u32() - addr.as_u32()) >> PAGE_SHIFT;
    let next_fits = next.filter(|n| {
        let n = n.get(mm);
        n.vm_start == end && can_vma_merge_before(n, flags, file, pgoff, pages)
    });
    let prev_fits = prev.filter(|p| {
        let p = p.get(mm);
        p.vm_end == addr && can_vma_merge_after(p, flags, file, pgoff)
    });
    if let Some(p) = prev_fits {
        p.get_mut(mm).vm_end = next_fits.map_or(end, |n| n.get(mm).vm_end);
        if let Some(n) = next_fits {
            __vma_unlink(mm, n, Some(p));
            // SAFETY: `n` was found here and is unlinked now; this is the
            // last use of the handle.
            unsafe { vm_area_free(n) };
        }
        return Some(p);
    }
    let n = next_fits?;
    let grown = n.get_mut(mm);
    (grown.vm_start, grown.vm_pgoff) = (addr, pgoff);
    Some(n)
    // LAB 3 END
}
// ANCHOR_END: vma_merge

/// Splits `vma` in two at `addr`, strictly inside it (Linux's
/// `split_vma`). The new region takes the part below `addr` if `new_below`,
/// else the part above; `vma` keeps the other part.
pub fn split_vma(mm: &mut MmStruct, vma: VmaRef, addr: VirtAddr, new_below: bool) -> Result<(), VmaError> {
    // LAB 3 BEGIN: refuse with TooManyMaps at MAX_MAP_COUNT. Allocate a copy of the region (fresh vm_rb, no vm_next) before changing anything, NoMemory if that fails; the lower part ends at addr and the upper starts there, its vm_pgoff advanced by the pages below addr. Shrink vma to its part, call vm_ops.open on the new one if there is one, and insert it (insert_vm_struct).
    if mm.map_count >= MAX_MAP_COUNT {
        return Err(VmaError::TooManyMaps);
    }
    let old = vma.get(mm);
    let below = (addr.as_u32() - old.vm_start.as_u32()) >> PAGE_SHIFT;
    let copy = VmAreaStruct { vm_next: None, vm_rb: RbNode::new(), ..*old };
    let new = vm_area_alloc(copy).ok_or(VmaError::NoMemory)?;
    let (lower, upper) = if new_below { (new, vma) } else { (vma, new) };
    lower.get_mut(mm).vm_end = addr;
    let upper = upper.get_mut(mm);
    (upper.vm_start, upper.vm_pgoff) = (addr, upper.vm_pgoff + below);
    let n = new.get_mut(mm);
    if let Some(open) = n.vm_ops.and_then(|ops| ops.open) {
        open(n);
    }
    insert_vm_struct(mm, new)
    // LAB 3 END
}

/// Calls the region's `close` and frees it.
///
/// # Safety
/// `vma` is a region of `mm` unlinked already, and no copy of the handle
/// is used again (see `vm_area_free`).
pub unsafe fn remove_vma(mm: &mut MmStruct, vma: VmaRef) {
    let v = vma.get_mut(mm);
    if let Some(close) = v.vm_ops.and_then(|ops| ops.close) {
        close(v);
    }
    // SAFETY: the caller's promise.
    unsafe { vm_area_free(vma) };
}

/// Removes and frees every region of `mm` (the end of Linux's
/// `exit_mmap`); their pages must be unmapped already.
pub fn remove_vma_list(mm: &mut MmStruct) {
    debug_assert_eq!(validate_mm(mm), Ok(()), "the regions were broken before exit");
    while let Some(vma) = mm.mmap {
        __vma_unlink(mm, vma, None);
        // SAFETY: unlinked just now; the list held the only handle.
        unsafe { remove_vma(mm, vma) };
    }
}

/// What `validate_mm` found wrong.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MmInvalid {
    /// A region is empty, unaligned, or overlaps or precedes the one before.
    BadRange,
    /// The tree's in-order walk is not the list.
    TreeNotList,
    /// The tree breaks a red-black rule.
    BadTree,
    /// `map_count` is not the number of regions.
    BadCount,
    /// `mmap_cache` holds a region that is not on the list.
    BadCache,
}

/// Checks that the list is sorted and free of overlaps, that the tree holds
/// the same regions in the same order and is a valid red-black tree, and
/// that `map_count` and `mmap_cache` agree (Linux's `validate_mm`).
pub fn validate_mm(mm: &MmStruct) -> Result<(), MmInvalid> {
    let mut end = VirtAddr::new(0);
    let mut node = rb_first(&mm.mm_rb);
    let mut count = 0;
    for vma in mm.vmas() {
        let v = vma.get(mm);
        let aligned = (v.vm_start.as_u32() | v.vm_end.as_u32()) & ((1 << PAGE_SHIFT) - 1) == 0;
        if !aligned || v.vm_start >= v.vm_end || v.vm_start < end {
            return Err(MmInvalid::BadRange);
        }
        if node != Some(vma.rb()) {
            return Err(MmInvalid::TreeNotList);
        }
        // SAFETY: `node` is the `vm_rb` of a live region of `mm`.
        node = unsafe { rb_next(vma.rb()) };
        (end, count) = (v.vm_end, count + 1);
    }
    if node.is_some() {
        return Err(MmInvalid::TreeNotList);
    }
    rb_check(&mm.mm_rb).map_err(|_| MmInvalid::BadTree)?;
    if count != mm.map_count {
        return Err(MmInvalid::BadCount);
    }
    match mm.mmap_cache {
        Some(cached) if !mm.vmas().any(|vma| vma == cached) => Err(MmInvalid::BadCache),
        _ => Ok(()),
    }
}
