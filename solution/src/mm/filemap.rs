//! The page cache of the initrd's files (Linux's `mm/filemap.c`): one frame
//! per file page, read in from the initrd at its first use and then shared
//! by every region that maps the page and by `read` and `write`, so that two
//! runs of one program share their text and a write through a shared
//! mapping is seen by every other user of the file.
//!
//! The initrd itself stays as it was loaded: a written page lives only in
//! its cached frame, marked dirty, and nothing writes it back. A cached
//! frame stays in the cache when its last mapping goes, as on Linux, ready
//! for the next user; with no reclaim yet, only `drop_pagecache` frees the
//! clean ones (Linux's `/proc/sys/vm/drop_caches`).
//!
//! Because a running program's text is the file's cached frames, a file
//! cannot be open for writing while a program runs from it: `WriteAccess`
//! keeps the two apart with Linux's `i_writecount`, and the loser gets
//! `ETXTBSY`.

use alloc::vec::Vec;
use core::ops::Range;
use core::sync::atomic::{AtomicU32, Ordering};

use spin::Mutex;

use super::address_space::AddressSpace;
use super::gfp::{GFP_HIGHUSER, Gfp};
use super::highmem::{KmType, alloc_pages, kmap_atomic};
use super::mm_types::{VmAreaStruct, VmFile, VmOperations};
use super::node::{
    get_page, lru_cache_add, mark_page_accessed, page_count, page_flags, put_page, set_page_cache,
    set_page_dirty,
};
use super::page::PageFlags;
use super::types::{PAGE_SIZE, Pfn};
use super::vma::{FaultKind, VmFault, VmFlags};
use crate::arch::x86::page::copy_page;
use crate::fs::initramfs::File;

/// Frames in files' page caches: with `NR_SHMEM`, `/proc/meminfo`'s
/// `Cached` (Linux's `NR_FILE_PAGES`, which counts shmem's frames as well).
pub static NR_FILE_PAGES: AtomicU32 = AtomicU32::new(0);

/// What Linux keeps in an initrd file's inode: its page cache and its
/// `i_writecount`. The initrd has no inode objects of its own, so
/// `inode_init` makes these when it is mounted, as Linux's initramfs
/// unpacking makes an inode for every file.
struct Inode {
    file: File<'static>,
    mapping: AddressSpace,
    /// Descriptors open for writing if positive; if negative, programs
    /// running from the file.
    writecount: i32,
}

/// The inodes of the initrd's files, sorted by inode number and name.
static INODES: Mutex<Vec<Inode>> = Mutex::new(Vec::new());

/// The operations of every region mapping an initrd file.
pub static INITRD_VM_OPS: VmOperations = VmOperations { open: None, close: None, fault: Some(filemap_fault) };

/// Makes the inodes of `files`, the initrd's, each with an empty page
/// cache. At boot: no memory for them is fatal.
pub fn inode_init(files: impl Iterator<Item = File<'static>>) {
    let mut inodes = INODES.lock();
    for file in files {
        let mapping = AddressSpace::new((file.data.len() as u32).div_ceil(PAGE_SIZE));
        inodes.push(Inode { file, mapping: mapping.expect("memory for the initrd's inodes"), writecount: 0 });
    }
    inodes.sort_unstable_by(|a, b| (a.file.ino, a.file.name).cmp(&(b.file.ino, b.file.name)));
}

/// The cached page `pgoff` of the region's file (Linux's `filemap_fault`).
/// A shared region may write the frame without another fault, so mapping
/// it there marks it dirty (Linux instead maps it read-only first, to
/// catch the write: `page_mkwrite`).
fn filemap_fault(vma: &VmAreaStruct, pgoff: u32) -> Result<(Pfn, FaultKind), VmFault> {
    let Some(VmFile::Initrd { file, .. }) = vma.vm_file else {
        unreachable!("an initrd region maps an initrd file")
    };
    let (pfn, kind) = find_or_read_page(file, pgoff)?;
    if vma.vm_flags.contains(VmFlags::SHARED) {
        set_page_dirty(pfn);
    }
    Ok((pfn, kind))
}

/// Page `index` of `file` with a reference for the caller: the cached frame
/// (a minor fault), or a new one read from the initrd and added to the
/// cache (a major fault), zero past the file's end. A page wholly past the
/// end is `Sigbus`, as on Linux.
pub fn find_or_read_page(file: File<'static>, index: u32) -> Result<(Pfn, FaultKind), VmFault> {
    let offset = (index as usize).checked_mul(PAGE_SIZE as usize).filter(|&offset| offset < file.data.len());
    let offset = offset.ok_or(VmFault::Sigbus)?;
    let mut inodes = INODES.lock();
    let mapping = &mut inode_of(&mut inodes, file).mapping;
    if let Some(pfn) = mapping.find_page(index) {
        get_page(pfn);
        mark_page_accessed(pfn);
        return Ok((pfn, FaultKind::Minor));
    }
    let pfn = alloc_pages(GFP_HIGHUSER | Gfp::ZERO, 0).ok_or(VmFault::Oom)?;
    copy_to_page(pfn, 0, &file.data[offset..file.data.len().min(offset + PAGE_SIZE as usize)]);
    if mapping.add_page(index, pfn).is_err() {
        put_page(pfn);
        return Err(VmFault::Oom);
    }
    set_page_cache(pfn, false);
    lru_cache_add(pfn);
    NR_FILE_PAGES.fetch_add(1, Ordering::Relaxed);
    get_page(pfn);
    Ok((pfn, FaultKind::Major))
}

/// `file`'s inode.
fn inode_of<'a>(inodes: &'a mut [Inode], file: File<'static>) -> &'a mut Inode {
    let at = inodes.binary_search_by(|inode| (inode.file.ino, inode.file.name).cmp(&(file.ino, file.name)));
    &mut inodes[at.expect("every initrd file has an inode")]
}

/// Copies `file`'s bytes from `pos` into `buf` as far as the file goes;
/// returns how many. A cached page is read from its frame, which may have
/// been written; any other straight from the initrd. (Linux's `read` adds
/// the pages it reads to the cache; the initrd is in memory already, so
/// reading it here needs no frame.)
pub fn file_read(file: File<'static>, pos: usize, buf: &mut [u8]) -> usize {
    let len = buf.len().min(file.data.len().saturating_sub(pos));
    let mut inodes = INODES.lock();
    let mapping = &inode_of(&mut inodes, file).mapping;
    for (index, offset, part) in page_parts(pos, len) {
        let out = &mut buf[part.clone()];
        match mapping.find_page(index) {
            Some(pfn) => copy_from_page(pfn, offset, out),
            None => out.copy_from_slice(&file.data[pos + part.start..pos + part.end]),
        }
    }
    len
}

/// Copies `bytes` into `file`'s cached pages from `pos`, reading in the
/// pages it needs; returns how many it wrote, which stops at the file's
/// end: the initrd gives a file no room to grow. Memory running out
/// part-way ends it there, with `Oom` only if nothing was written.
pub fn file_write(file: File<'static>, pos: usize, bytes: &[u8]) -> Result<usize, VmFault> {
    let len = bytes.len().min(file.data.len().saturating_sub(pos));
    for (index, offset, part) in page_parts(pos, len) {
        match find_or_read_page(file, index) {
            Ok((pfn, _)) => {
                copy_to_page(pfn, offset, &bytes[part]);
                set_page_dirty(pfn);
                put_page(pfn);
            }
            Err(error) if part.start == 0 => return Err(error),
            Err(_) => return Ok(part.start),
        }
    }
    Ok(len)
}

/// The pieces of `len` bytes from file offset `pos`, one per page: the
/// page's index, the offset in it, and the piece's range in the caller's
/// buffer.
fn page_parts(pos: usize, len: usize) -> impl Iterator<Item = (u32, usize, Range<usize>)> {
    let page = PAGE_SIZE as usize;
    let mut done = 0;
    core::iter::from_fn(move || {
        let at = pos + done;
        let part = done..len.min(done + page - at % page);
        done = part.end;
        (!part.is_empty()).then(|| ((at / page) as u32, at % page, part))
    })
}

/// Frees every cached frame that is clean and mapped nowhere (Linux's
/// `drop_caches`).
pub fn drop_pagecache() {
    free_unmapped(|pfn| !page_flags(pfn).contains(PageFlags::DIRTY));
}

/// Frees every cached frame mapped nowhere, written ones too, whose bytes
/// are then lost: for the end of a run, to check that every frame came
/// back (Linux writes them back first, when it unmounts).
pub fn truncate_pagecache() {
    free_unmapped(|_| true);
}

/// Frees the cached frames that nothing maps and `may_go` lets go.
fn free_unmapped(may_go: impl Fn(Pfn) -> bool) {
    for Inode { mapping, .. } in INODES.lock().iter_mut() {
        let freed = mapping.remove_pages_if(|pfn| {
            let unused = page_count(pfn) == 1 && may_go(pfn);
            if unused {
                put_page(pfn);
            }
            unused
        });
        NR_FILE_PAGES.fetch_sub(freed, Ordering::Relaxed);
    }
}

/// A hold on an initrd file's `i_writecount`: a descriptor open for
/// writing, or a program running from the file (Linux's
/// `get_write_access` and `deny_write_access`). Dropping it lets go.
pub struct WriteAccess {
    file: File<'static>,
    /// What one hold adds to the count: 1 for a writer, -1 for a program.
    step: i32,
}

/// A `WriteAccess` refused: the other kind holds the file (Linux's
/// `ETXTBSY`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TextBusy;

impl WriteAccess {
    /// A writer's hold; `Busy` while a program runs from the file.
    pub fn get(file: File<'static>) -> Result<Self, TextBusy> {
        Self::take(file, 1)
    }

    /// A running program's hold; `Busy` while the file is open for writing.
    pub fn deny(file: File<'static>) -> Result<Self, TextBusy> {
        Self::take(file, -1)
    }

    fn take(file: File<'static>, step: i32) -> Result<Self, TextBusy> {
        let mut inodes = INODES.lock();
        let inode = inode_of(&mut inodes, file);
        if inode.writecount * step < 0 {
            return Err(TextBusy);
        }
        inode.writecount += step;
        Ok(Self { file, step })
    }

    /// One more hold of the same kind, for a forked child: it cannot fail,
    /// since this one keeps the other kind out.
    pub fn dup(&self) -> Self {
        Self::take(self.file, self.step).expect("a hold of the kind that holds the file")
    }
}

impl Drop for WriteAccess {
    fn drop(&mut self) {
        inode_of(&mut INODES.lock(), self.file).writecount -= self.step;
    }
}

/// Copies `bytes` into frame `pfn` at `offset`.
fn copy_to_page(pfn: Pfn, offset: usize, bytes: &[u8]) {
    assert!(offset + bytes.len() <= PAGE_SIZE as usize);
    let page = kmap_atomic(pfn, KmType::User0);
    if bytes.len() == PAGE_SIZE as usize {
        // SAFETY: a whole page into the whole mapped frame, from a slice
        // that cannot overlap a frame the page cache just allocated.
        return unsafe { copy_page(page.as_mut_ptr(), bytes.as_ptr()) };
    }
    // SAFETY: the mapping covers the whole page, and the range is inside it.
    unsafe { bytes.as_ptr().copy_to_nonoverlapping(page.as_mut_ptr::<u8>().add(offset), bytes.len()) };
}

/// Fills `buf` from frame `pfn` at `offset`.
fn copy_from_page(pfn: Pfn, offset: usize, buf: &mut [u8]) {
    assert!(offset + buf.len() <= PAGE_SIZE as usize);
    let page = kmap_atomic(pfn, KmType::User0);
    // SAFETY: the mapping covers the whole page, and the range is inside it.
    unsafe { page.as_mut_ptr::<u8>().add(offset).copy_to_nonoverlapping(buf.as_mut_ptr(), buf.len()) };
}
