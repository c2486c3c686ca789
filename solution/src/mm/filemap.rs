//! The initrd's files as the backing of file regions (Linux's
//! `filemap_fault`, in `mm/filemap.c`). There is no page cache: every fault
//! copies the file's page into a new frame, which the faulting address
//! space alone owns.

use super::gfp::{GFP_HIGHUSER, Gfp};
use super::highmem::{KmType, alloc_pages, kmap_atomic};
use super::mm_types::{VmAreaStruct, VmFile, VmOperations};
use super::types::{PAGE_SIZE, Pfn};
use super::vma::{FaultKind, VmFault};

/// The operations of every region mapping an initrd file.
pub static INITRD_VM_OPS: VmOperations = VmOperations { open: None, close: None, fault: Some(filemap_fault) };

/// A new frame holding page `pgoff` of the region's file, zero past its
/// end; a page wholly past the end is `Sigbus`, as on Linux.
fn filemap_fault(vma: &VmAreaStruct, pgoff: u32) -> Result<(Pfn, FaultKind), VmFault> {
    let Some(VmFile::Initrd(file)) = vma.vm_file else {
        unreachable!("an initrd region maps an initrd file")
    };
    let data = file.data;
    let offset = (pgoff as usize).checked_mul(PAGE_SIZE as usize).filter(|&offset| offset < data.len());
    let offset = offset.ok_or(VmFault::Sigbus)?;
    let bytes = &data[offset..data.len().min(offset + PAGE_SIZE as usize)];
    let pfn = alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0).ok_or(VmFault::Oom)?;
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: the mapping covers the whole page, and `bytes` is at most a page.
    unsafe { bytes.as_ptr().copy_to_nonoverlapping(page.as_mut_ptr::<u8>(), bytes.len()) };
    Ok((pfn, FaultKind::Major))
}
