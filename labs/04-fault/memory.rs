// Lab 4: generated from solution/src/mm/memory.rs by `cargo xtask labs`.
// Replace each todo!() with your code; the rest is the reference kernel's.
//! Making a page present on demand (the fault half of Linux's
//! `mm/memory.c`).
//!
//! Nothing of a region is mapped when it is created: `exec`, `mmap` and
//! `brk` only record regions. The first access to a page faults, and
//! `handle_mm_fault` gives it a frame, choosing by what the region is and
//! what the access was:
//!
//! - nothing mapped, anonymous region: a read maps the shared zero page
//!   read-only, a write gets a fresh zeroed frame (`do_anonymous_page`);
//! - nothing mapped, file region: the region's `vm_ops.fault` returns the
//!   file's page from the page cache, or a shared-memory object's frame;
//!   a write to a private region maps a copy of it instead (`do_no_page`);
//! - mapped read-only in a writable region: copy-on-write (`do_wp_page`,
//!   lab 5's);
//! - a swap entry where the page was: swap-in (`do_swap_page`, lab 8's).
//!
//! Lab 4 asks you to write `handle_mm_fault`, `do_anonymous_page` and
//! `do_no_page`.

// Until the todo!()s are written, their parameters and imports go unused.
#![allow(unused_variables, unused_imports)]

use super::cow::do_wp_page;
use super::fault_common::{maybe_mkwrite, mm_counter, set_pte};
use super::gfp::{GFP_HIGHUSER, Gfp};
use super::highmem::{alloc_pages, copy_highpage};
use super::mm_types::{MmCounter, MmStruct, VmaRef};
use super::node::{page_add_new_anon, put_page, zero_page};
use super::pgtable::PteFlags;
use super::pgwalk::Walk;
use super::swap_fault::do_swap_page;
use super::types::VirtAddr;
use super::vma::{FaultKind, VmFault, VmFlags};

/// Makes the page at `addr` of `vma`, a region of `mm` (the loaded address
/// space) that allows the access, present, and writable if `write`.
pub fn handle_mm_fault(
    mm: &mut MmStruct,
    vma: VmaRef,
    addr: VirtAddr,
    write: bool,
) -> Result<FaultKind, VmFault> {
    // TODO(lab 4): walk addr's page (page_down). Not mapped, but the entry holds a swap entry (it is not is_none): do_swap_page (lab 8's). Not mapped: a region with a vm_ops.fault goes to do_no_page, any other to do_anonymous_page. Mapped read-only and this is a write: do_wp_page(mm, vma, addr, pte). Otherwise the page is already there (a minor fault).
    todo!("lab 4: handle_mm_fault")
}

/// A first touch of anonymous memory: a read maps the zero page as the
/// region's read-only protection, uncounted; a write maps a new zeroed
/// anonymous frame, writable, counted in `anon_rss`.
fn do_anonymous_page(
    mm: &mut MmStruct,
    vma: VmaRef,
    addr: VirtAddr,
    write: bool,
) -> Result<FaultKind, VmFault> {
    // TODO(lab 4): for a read, set_pte the zero_page() with vma's vm_page_prot. For a write, alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0) (None is Oom), make it a new anonymous page (page_add_new_anon: marked anonymous, on the active LRU list), set_pte it with maybe_mkwrite, and count it (inc_rss, MmCounter::Anon).
    todo!("lab 4: do_anonymous_page")
}

/// A first touch of a file region: the region's `fault` finds page
/// `linear_page_index(addr)` of the backing (a file's page in the page
/// cache, or a shared-memory object's frame). A read, or any access to a
/// shared region, maps that frame itself with the region's protection
/// (read-only if private), counted as the frame says: a file page or a
/// shmem one. A write to a private region must not reach the file: it maps
/// the task's own copy of the page, anonymous and writable, and lets the
/// cached frame go (Linux 2.6's `do_no_page`; later kernels'
/// `do_cow_fault`).
fn do_no_page(mm: &mut MmStruct, vma: VmaRef, addr: VirtAddr, write: bool) -> Result<FaultKind, VmFault> {
    // TODO(lab 4): call vma's vm_ops.fault with linear_page_index(addr). A write to a region that is not VM_SHARED: allocate a frame (GFP_HIGHUSER; None is Oom, after put_page of the backing's frame), copy_highpage the backing's frame into it, put_page the backing's frame, make the copy a new anonymous page (page_add_new_anon), set_pte it with maybe_mkwrite and count it as Anon. Otherwise set_pte the backing's frame with vm_page_prot and count it as mm_counter(pfn) says. Return the kind of fault the backing reported.
    todo!("lab 4: do_no_page")
}
