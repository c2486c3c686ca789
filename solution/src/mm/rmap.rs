//! Reverse mapping (Linux 2.6.0's `mm/rmap.c`, with pte chains): for each
//! user frame, the page-table entries that map it, so that reclaim can find
//! and clear every one of them from the frame alone, and `smaps` can tell a
//! shared page from a private one. Each user page table's descriptor names
//! its owner, so an entry leads to its address space too (`with_owner`).
//!
//! A frame mapped once keeps its one entry's physical address in its
//! descriptor (`PG_direct`); a frame mapped more often, as after `fork`,
//! keeps a chain of small blocks of such addresses. Linux replaced pte
//! chains with object-based reverse mapping in 2.6.6 to 2.6.9 (`anon_vma`
//! for anonymous pages, the file's `i_mmap` for a file's), because chains
//! cost memory and time on every `fork`. vmlab keeps them: they need
//! nothing of the regions, so `mremap`, splitting and merging stay as labs
//! 3 and 6 made them.

use core::alloc::Layout;
use core::ptr::null_mut;

use super::kernel_pgtable::KernelTables;
use super::mm_types::{MmRef, MmStruct};
use super::node::{node, test_clear_page_referenced, zero_page};
use super::page::PageFlags;
use super::pgtable::{PGDIR_SHIFT, Pte, PteFlags, pgd_index, pte_index};
use super::pgwalk::{Walk, set_pte_at};
use super::slab::{kfree, kmalloc};
use super::types::{PAGE_SHIFT, PAGE_SIZE, Pfn, PhysAddr, VirtAddr};
use super::vma::VmFault;
use crate::pr_err;

/// Where a page-table entry is: its physical address (Linux 2.6.0's
/// `pte_addr_t`). Never 0: frame 0 holds no page table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PteAddr(u32);

impl PteAddr {
    /// The entry for `va` in `mm`, whose page table for `va` exists.
    pub fn of(mm: &MmStruct, va: VirtAddr) -> Self {
        let table = mm.pgd_table()[pgd_index(va)].pfn();
        Self(table.addr().as_u32() + 4 * pte_index(va) as u32)
    }

    /// The page table holding the entry.
    fn table(self) -> Pfn {
        PhysAddr::new(self.0).pfn()
    }

    /// The entry's index in its table.
    fn index(self) -> u32 {
        self.0 % PAGE_SIZE / 4
    }
}

/// Records `mm` as the owner of its page table for `va`, and which 4 MiB
/// the table maps, so that reclaim can go from an entry to its address
/// space (Linux 2.6.0's `pgtable_add_rmap`).
fn set_page_table_owner(mm: &MmStruct, va: VirtAddr) {
    let mut node = node();
    let page = node.page_mut(PteAddr::of(mm, va).table());
    page.private = mm.as_ref().as_u32();
    page.inuse = pgd_index(va) as u16;
}

/// The address space whose page table holds the entry at `pte`, and the
/// address the entry maps (Linux 2.6.0's `ptep_to_mm` and
/// `ptep_to_address`).
fn pte_owner(pte: PteAddr) -> (MmRef, VirtAddr) {
    let mut node = node();
    let page = node.page_mut(pte.table());
    // SAFETY: a table holding an entry on a reverse map had its owner
    // recorded when the entry was added, and an address space clears all
    // its entries (`exit_mmap`) before its descriptor is freed.
    let mm = unsafe { MmRef::from_u32(page.private) };
    (mm, VirtAddr::new(u32::from(page.inuse) << PGDIR_SHIFT | pte.index() << PAGE_SHIFT))
}

/// Runs `f` on the address space owning the entry at `pte`, with the
/// address the entry maps: on `held`, the caller's locked address space,
/// if it is that one, else on the owner if nobody holds it. `None` if a
/// task holds it: reclaim leaves it alone rather than wait.
pub fn with_owner<R>(
    pte: PteAddr,
    held: &mut Option<&mut MmStruct>,
    f: impl FnOnce(&mut MmStruct, VirtAddr) -> R,
) -> Option<R> {
    let (owner, va) = pte_owner(pte);
    if let Some(mm) = held.as_deref_mut().filter(|mm| owner.is(mm)) {
        return Some(f(mm, va));
    }
    let mut mm = owner.try_lock()?;
    Some(f(&mut mm, va))
}

/// Entries per chain block: with the link, 32 bytes, one `kmalloc` object.
const NRPTE: usize = 7;

/// A block of a frame's chain (Linux 2.6.0's `struct pte_chain`); a free
/// slot holds 0.
#[repr(C)]
struct PteChain {
    next: *mut PteChain,
    ptes: [u32; NRPTE],
}

/// What a frame's descriptor says of its mappings; frames with no reverse
/// map, the zero page and the kernel's own, are `Untracked`.
enum Head {
    Untracked,
    None,
    Direct(u32),
    Chain(*mut PteChain),
}

fn head(pfn: Pfn) -> Head {
    if pfn == zero_page() {
        return Head::Untracked;
    }
    let mut node = node();
    let page = node.page_mut(pfn);
    if page.flags.contains(PageFlags::RESERVED) {
        return Head::Untracked;
    }
    match (page.pte, page.flags.contains(PageFlags::DIRECT)) {
        (0, _) => Head::None,
        (pte, true) => Head::Direct(pte),
        (chain, false) => Head::Chain(chain as *mut PteChain),
    }
}

fn set_head(pfn: Pfn, head: Head) {
    let mut node = node();
    let page = node.page_mut(pfn);
    let (pte, direct) = match head {
        Head::Untracked | Head::None => (0, false),
        Head::Direct(pte) => (pte, true),
        Head::Chain(chain) => (chain as u32, false),
    };
    page.pte = pte;
    page.flags.set(PageFlags::DIRECT, direct);
}

/// The blocks of the chain at `chain`, first to last.
fn blocks(chain: *mut PteChain) -> impl Iterator<Item = *mut PteChain> {
    let mut at = chain;
    core::iter::from_fn(move || {
        let block = (!at.is_null()).then_some(at)?;
        // SAFETY: every block of a chain came from `new_block` and stays
        // until `free_chain`; only this module, whose calls do not nest,
        // reaches them.
        at = unsafe { (*block).next };
        Some(block)
    })
}

/// The entries of the chain at `chain`, each as a place to change.
fn slots(chain: *mut PteChain) -> impl Iterator<Item = &'static mut u32> {
    // SAFETY: as in `blocks`; each block is borrowed once, and the borrow
    // ends before the block can be freed.
    blocks(chain).flat_map(|block| unsafe { (*block).ptes.iter_mut() })
}

/// A block with `first` in its first slot, in front of `next`.
fn new_block(first: u32, next: *mut PteChain) -> Result<*mut PteChain, VmFault> {
    let block = kmalloc(Layout::new::<PteChain>()).cast::<PteChain>();
    if block.is_null() {
        return Err(VmFault::Oom);
    }
    let mut ptes = [0; NRPTE];
    ptes[0] = first;
    // SAFETY: `kmalloc` gave room for one `PteChain`, aligned.
    unsafe { block.write(PteChain { next, ptes }) };
    Ok(block)
}

fn free_chain(chain: *mut PteChain) {
    let mut at = chain;
    while !at.is_null() {
        // SAFETY: as in `blocks`; the block is read before it is freed.
        let next = unsafe { (*at).next };
        kfree(at.cast(), Layout::new::<PteChain>());
        at = next;
    }
}

/// Records that the entry for `va` in `mm` maps user frame `pfn` (Linux's
/// `page_add_rmap`). Fails only for lack of memory for a chain block.
pub fn page_add_rmap(pfn: Pfn, mm: &MmStruct, va: VirtAddr) -> Result<(), VmFault> {
    let pte = PteAddr::of(mm, va);
    let old = head(pfn);
    if !matches!(old, Head::Untracked) {
        set_page_table_owner(mm, va);
    }
    let head = match old {
        Head::Untracked => return Ok(()),
        Head::None => Head::Direct(pte.0),
        Head::Direct(first) => {
            let block = new_block(first, null_mut())?;
            // SAFETY: the block is new and this module's alone.
            unsafe { (*block).ptes[1] = pte.0 };
            Head::Chain(block)
        }
        Head::Chain(chain) => match slots(chain).find(|slot| **slot == 0) {
            Some(slot) => {
                *slot = pte.0;
                return Ok(());
            }
            None => Head::Chain(new_block(pte.0, chain)?),
        },
    };
    set_head(pfn, head);
    Ok(())
}

/// Records that the entry at `pte` no longer maps `pfn` (Linux's
/// `page_remove_rmap`); a chain left with one entry goes back to a direct
/// one. An entry the map does not hold is reported.
pub fn page_remove_rmap(pfn: Pfn, pte: PteAddr) {
    match head(pfn) {
        Head::Untracked => {}
        Head::Direct(only) if only == pte.0 => set_head(pfn, Head::None),
        Head::Chain(chain) => match slots(chain).find(|slot| **slot == pte.0) {
            Some(slot) => {
                *slot = 0;
                let mut left = slots(chain).filter(|slot| **slot != 0).map(|slot| *slot);
                if let (first, None) = (left.next(), left.next()) {
                    free_chain(chain);
                    set_head(pfn, first.map_or(Head::None, Head::Direct));
                }
            }
            None => pr_err!("BUG: rmap: pfn {pfn} is not mapped by the entry at {:#x}", pte.0),
        },
        _ => pr_err!("BUG: rmap: pfn {pfn} is not mapped by the entry at {:#x}", pte.0),
    }
}

/// How many page-table entries map a user frame (Linux's `page_mapcount`).
pub fn page_mapcount(pfn: Pfn) -> u32 {
    match head(pfn) {
        Head::Untracked | Head::None => 0,
        Head::Direct(_) => 1,
        Head::Chain(chain) => slots(chain).filter(|slot| **slot != 0).count() as u32,
    }
}

/// The `n`th entry mapping `pfn`, counting from 0, for walks that take
/// entries off the map as they go.
pub fn nth_pte(pfn: Pfn, n: usize) -> Option<PteAddr> {
    match head(pfn) {
        Head::Untracked | Head::None => None,
        Head::Direct(pte) => (n == 0).then_some(PteAddr(pte)),
        Head::Chain(chain) => slots(chain).filter(|slot| **slot != 0).nth(n).map(|slot| PteAddr(*slot)),
    }
}

/// How often `pfn` was used since reclaim last asked (Linux's
/// `page_referenced`): its `PG_referenced`, and each entry mapping it that
/// the processor marked accessed, all cleared. An entry whose address
/// space a task holds counts as a use. `held` is the caller's own.
pub fn page_referenced(pfn: Pfn, held: &mut Option<&mut MmStruct>) -> u32 {
    let mut referenced = u32::from(test_clear_page_referenced(pfn));
    let mut n = 0;
    while let Some(pte) = nth_pte(pfn, n) {
        referenced += with_owner(pte, held, ptep_test_and_clear_young).map_or(1, u32::from);
        n += 1;
    }
    referenced
}

/// Clears the accessed bit of the entry for `va`, which maps a page;
/// returns whether it was set.
fn ptep_test_and_clear_young(mm: &mut MmStruct, va: VirtAddr) -> bool {
    let Walk::Mapped { pte, .. } = mm.walk(va) else {
        return false;
    };
    if !pte.flags().contains(PteFlags::ACCESSED) {
        return false;
    }
    let young = Pte::new(pte.pfn(), pte.flags() - PteFlags::ACCESSED);
    set_pte_at(&mut KernelTables, mm.pgd_table_mut(), va, young).expect("the table exists");
    true
}
