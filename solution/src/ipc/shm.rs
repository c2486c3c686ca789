//! System V shared memory (Linux's `ipc/shm.c`): segments that outlive the
//! processes using them, named by a key any process may know. `shmget`
//! finds or makes a segment and returns its id, `shmat` maps it into the
//! caller (a shared region whose `maps` name is `/SYSV<key> (deleted)`),
//! `shmdt` unmaps it, and `shmctl` reads its state or removes it.
//!
//! A segment is a shared-memory object (`mm/shmem.rs`) with an id. The
//! segment holds one use of the object and each region mapping it another,
//! and `nattch` counts the regions: `fork` copies them (so a child shares
//! its parent's segments) and exit or `execve` detaches them. `IPC_RMID`
//! on a segment still attached only marks it (`SHM_DEST`) and hides its
//! key; the last detach destroys it. Every caller is root here, so the
//! permission bits are kept and shown but never refuse anyone.

use alloc::vec::Vec;

use spin::Mutex;

use crate::kernel::errno::{Errno, SysResult};
use crate::lib::words::{put_words, word};
use crate::mm::do_mmap::{MAP_FIXED, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, do_mmap_pgoff, do_munmap};
use crate::mm::mm_types::{MmStruct, VmAreaStruct, VmFile, VmOperations};
use crate::mm::mmap::{find_vma, find_vma_intersection};
use crate::mm::shmem::{ShmemName, ShmemRef, shmem_file_setup};
use crate::mm::shmem_vm::{region_shm, shmem_close, shmem_fault, shmem_open, shmem_put};
use crate::mm::types::{PAGE_SIZE, VirtAddr};

/// The key that names no segment: `shmget` with it always makes one.
pub const IPC_PRIVATE: i32 = 0;
const IPC_CREAT: u32 = 0o1000;
const IPC_EXCL: u32 = 0o2000;
const IPC_RMID: u32 = 0;
const IPC_SET: u32 = 1;
const IPC_STAT: u32 = 2;
const SHM_RDONLY: u32 = 0o10000;
const SHM_RND: u32 = 0o20000;
const SHM_REMAP: u32 = 0o40000;
const SHM_EXEC: u32 = 0o100000;
/// In `mode`: removed, destroyed at the last detach.
const SHM_DEST: u32 = 0o1000;
/// The alignment of attach addresses (i386's `SHMLBA`).
const SHMLBA: u32 = PAGE_SIZE;
/// The limits: bytes in a segment, pages in all segments, segments.
const SHMMAX: u32 = u32::MAX - (1 << 24);
const SHMALL: u32 = SHMMAX;
const SHMMNI: usize = 4096;
/// An id is its slot plus its sequence number shifted by this.
const IPCMNI_SHIFT: u32 = 15;
/// Slots are handed out in turn over at least this many (Linux's
/// `ipc_min_cycle`), so that a removed id is not soon reused.
const IPC_MIN_CYCLE: usize = 64;

/// The operations of System V regions: shmem's, counting `nattch` too.
pub static SHM_VM_OPS: VmOperations =
    VmOperations { open: Some(shm_open), close: Some(shm_close), fault: Some(shmem_fault) };

/// A segment (Linux's `struct shmid_kernel`).
struct Segment {
    key: i32,
    /// Permission bits, and `SHM_DEST`.
    mode: u32,
    uid: u32,
    gid: u32,
    seq: u32,
    size: u32,
    /// The segment's own use of its object.
    shm: ShmemRef,
    nattch: u32,
    cpid: u32,
    lpid: u32,
}

/// Every segment, by slot (Linux's `ipc_ids`).
struct ShmIds {
    slots: Vec<Option<Segment>>,
    in_use: usize,
    seq: u32,
    last_idx: Option<usize>,
    /// Pages in all segments.
    shm_tot: u32,
}

static SHM_IDS: Mutex<ShmIds> =
    Mutex::new(ShmIds { slots: Vec::new(), in_use: 0, seq: 0, last_idx: None, shm_tot: 0 });

impl ShmIds {
    /// The segment `id` names, if it still exists.
    fn lookup(&mut self, id: i32) -> Result<&mut Segment, Errno> {
        let id = u32::try_from(id).map_err(|_| Errno::EINVAL)?;
        let slot = self.slots.get_mut(slot_of(id));
        slot.and_then(Option::as_mut).filter(|seg| seg.seq == id >> IPCMNI_SHIFT).ok_or(Errno::EINVAL)
    }

    /// The id of the segment with `key`.
    fn find_key(&self, key: i32) -> Option<i32> {
        self.slots
            .iter()
            .enumerate()
            .find_map(|(idx, seg)| seg.as_ref().filter(|seg| seg.key == key).map(|seg| id_of(idx, seg.seq)))
    }

    /// The next free slot in turn, and its sequence number, which grows
    /// each time the turn comes round again (Linux's `ipc_idr_alloc`).
    fn alloc_slot(&mut self) -> Option<(usize, u32)> {
        let max = (self.in_use * 3 / 2).clamp(IPC_MIN_CYCLE, 1 << IPCMNI_SHIFT);
        let start = self.last_idx.map_or(0, |last| last + 1);
        let free = |idx: &usize| self.slots.get(*idx).is_none_or(Option::is_none);
        let idx = (start..max).chain(0..start.min(max)).find(free)?;
        if self.last_idx.is_some_and(|last| idx <= last) {
            self.seq = (self.seq + 1) % (i32::MAX as u32 >> IPCMNI_SHIFT);
        }
        if self.slots.len() <= idx {
            self.slots.try_reserve(idx + 1 - self.slots.len()).ok()?;
            self.slots.resize_with(idx + 1, || None);
        }
        self.last_idx = Some(idx);
        Some((idx, self.seq))
    }

    /// Takes segment `id` out of the table; its object goes with its users.
    fn destroy(&mut self, id: i32) {
        let seg = self.slots[slot_of(id as u32)].take().expect("the segment exists");
        self.in_use -= 1;
        self.shm_tot -= seg.size.div_ceil(PAGE_SIZE);
        if self.in_use == 0 {
            // The table's memory goes back with its last segment.
            self.slots = Vec::new();
        }
        // SAFETY: the segment's use, and the segment is gone.
        unsafe { shmem_put(seg.shm) };
    }
}

/// The slot an id names.
fn slot_of(id: u32) -> usize {
    (id & ((1 << IPCMNI_SHIFT) - 1)) as usize
}

fn id_of(idx: usize, seq: u32) -> i32 {
    ((seq << IPCMNI_SHIFT) | idx as u32) as i32
}

/// `shmget(key, size, flags)` for process `pid`: the id of the segment with `key`, made if
/// there is none and `IPC_CREAT` asks (always for `IPC_PRIVATE`).
pub fn do_shmget(key: i32, size: u32, flags: u32, pid: u32) -> SysResult {
    let mut ids = SHM_IDS.lock();
    let found = if key == IPC_PRIVATE { None } else { ids.find_key(key) };
    let id = match found {
        None if key != IPC_PRIVATE && flags & IPC_CREAT == 0 => return Err(Errno::ENOENT),
        None => newseg(&mut ids, key, size, flags, pid)?,
        Some(_) if flags & (IPC_CREAT | IPC_EXCL) == IPC_CREAT | IPC_EXCL => return Err(Errno::EEXIST),
        Some(id) if ids.lookup(id)?.size < size => return Err(Errno::EINVAL),
        Some(id) => id,
    };
    Ok(id as u32)
}

/// A new segment of `size` bytes (Linux's `newseg`).
fn newseg(ids: &mut ShmIds, key: i32, size: u32, flags: u32, pid: u32) -> Result<i32, Errno> {
    if size == 0 || size > SHMMAX {
        return Err(Errno::EINVAL);
    }
    let pages = size.div_ceil(PAGE_SIZE);
    if ids.shm_tot.checked_add(pages).is_none_or(|total| total > SHMALL) || ids.in_use >= SHMMNI {
        return Err(Errno::ENOSPC);
    }
    let (idx, seq) = ids.alloc_slot().ok_or(Errno::ENOMEM)?;
    let id = id_of(idx, seq);
    let shm = shmem_file_setup(size, ShmemName::SysV { key }, id as u32).ok_or(Errno::ENOMEM)?;
    let mode = flags & 0o777;
    ids.slots[idx] =
        Some(Segment { key, mode, uid: 0, gid: 0, seq, size, shm, nattch: 0, cpid: pid, lpid: 0 });
    ids.in_use += 1;
    ids.shm_tot += pages;
    Ok(id)
}

/// `shmat(id, addr, flags)`: maps the segment into `mm` at `addr`, or
/// where there is room if `addr` is 0, and returns where (Linux's
/// `do_shmat`). An address must be `SHMLBA`-aligned unless `SHM_RND` rounds
/// it down, and must be free unless `SHM_REMAP` allows replacing.
pub fn do_shmat(mm: &mut MmStruct, id: i32, addr: u32, flags: u32, pid: u32) -> SysResult {
    let mut addr = addr;
    if addr != 0 && !addr.is_multiple_of(SHMLBA) {
        if flags & SHM_RND == 0 {
            return Err(Errno::EINVAL);
        }
        addr -= addr % SHMLBA;
        if addr == 0 && flags & SHM_REMAP != 0 {
            return Err(Errno::EINVAL);
        }
    } else if addr == 0 && flags & SHM_REMAP != 0 {
        return Err(Errno::EINVAL);
    }
    let write = flags & SHM_RDONLY == 0;
    let mut prot = if write { PROT_READ | PROT_WRITE } else { PROT_READ };
    if flags & SHM_EXEC != 0 {
        prot |= PROT_EXEC;
    }
    let (shm, size) = {
        let mut ids = SHM_IDS.lock();
        let seg = ids.lookup(id)?;
        seg.lpid = pid;
        seg.shm.get();
        (seg.shm, seg.size)
    };
    let file = VmFile::Shmem { shm, write, vm_ops: &SHM_VM_OPS };
    let mapped = attach(mm, file, addr, size, prot, flags & SHM_REMAP != 0);
    // SAFETY: the use taken above, which only kept the object alive while
    // it was being mapped.
    unsafe { shmem_put(shm) };
    mapped
}

/// Maps `size` bytes of `file` at `addr`, exactly unless it is 0, and over
/// nothing else unless `remap` (see `do_shmat`).
fn attach(mm: &mut MmStruct, file: VmFile, addr: u32, size: u32, prot: u32, remap: bool) -> SysResult {
    let map_flags = if addr == 0 { MAP_SHARED } else { MAP_SHARED | MAP_FIXED };
    if addr != 0 && !remap {
        let end = addr.checked_add(size).ok_or(Errno::EINVAL)?;
        if find_vma_intersection(mm, VirtAddr::new(addr), VirtAddr::new(end)).is_some() {
            return Err(Errno::EINVAL);
        }
    }
    let at = do_mmap_pgoff(mm, VirtAddr::new(addr), size, prot, map_flags, Some(file), 0)?;
    Ok(at.as_u32())
}

/// Whether `vma` maps a System V segment.
fn is_shm(vma: &VmAreaStruct) -> bool {
    vma.vm_ops.is_some_and(|ops| core::ptr::eq(ops, &SHM_VM_OPS))
}

/// `shmdt(addr)` in `mm`: unmaps the segment attached at `addr`: the region there
/// that maps the segment from its start, and every other piece of the same
/// attach up to the segment's size from `addr`, as Linux's `shmdt` finds
/// them after `mprotect` or `munmap` split it.
pub fn do_shmdt(mm: &mut MmStruct, addr: u32) -> SysResult {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let piece =
        |v: &VmAreaStruct| is_shm(v) && (v.vm_start.as_u32().wrapping_sub(addr)) / PAGE_SIZE == v.vm_pgoff;
    let mut vma = find_vma(mm, VirtAddr::new(addr));
    let mut found = None;
    while let Some(at) = vma {
        let v = at.get(mm);
        vma = v.vm_next;
        if piece(v) {
            found = Some((region_shm(v), v.vm_start, v.vm_end));
            break;
        }
    }
    let (shm, start, end) = found.ok_or(Errno::EINVAL)?;
    let size = shm.pages() * PAGE_SIZE;
    do_munmap(mm, start, end.as_u32() - start.as_u32())?;
    while let Some(at) = vma.filter(|at| at.get(mm).vm_end.as_u32() - addr <= size) {
        let v = at.get(mm);
        vma = v.vm_next;
        if piece(v) && region_shm(v) == shm {
            let (start, end) = (v.vm_start, v.vm_end);
            do_munmap(mm, start, end.as_u32() - start.as_u32())?;
        }
    }
    Ok(0)
}

/// A region began to map a segment: one more attach.
fn shm_open(vma: &mut VmAreaStruct) {
    shmem_open(vma);
    if let Ok(seg) = SHM_IDS.lock().lookup(region_shm(vma).ino as i32) {
        seg.nattch += 1;
    }
}

/// A region of a segment is going away: one attach less, and a segment
/// removed with `IPC_RMID` goes with its last.
fn shm_close(vma: &mut VmAreaStruct) {
    let id = region_shm(vma).ino as i32;
    let mut ids = SHM_IDS.lock();
    if let Ok(seg) = ids.lookup(id) {
        seg.nattch -= 1;
        if seg.nattch == 0 && seg.mode & SHM_DEST != 0 {
            ids.destroy(id);
        }
    }
    drop(ids);
    shmem_close(vma);
}

/// What `shmctl` may do, from its `cmd`.
pub enum ShmCtl {
    /// Mark the segment removed, or destroy it if nothing is attached.
    Rmid,
    /// Copy its state out, in `struct shmid64_ds`.
    Stat,
    /// Set its owner and permission bits from a `struct shmid64_ds`.
    Set,
}

impl ShmCtl {
    /// The command `cmd` names, if this kernel has it.
    pub fn from_cmd(cmd: u32) -> Option<Self> {
        match cmd {
            IPC_RMID => Some(Self::Rmid),
            IPC_STAT => Some(Self::Stat),
            IPC_SET => Some(Self::Set),
            _ => None,
        }
    }
}

/// Bytes in i386's `struct shmid64_ds`.
pub const SHMID64_DS_SIZE: usize = 84;

/// `IPC_RMID`: destroys segment `id` now if nothing is attached, else marks
/// it to go with its last detach and takes its key away.
pub fn shm_rmid(id: i32) -> SysResult {
    let mut ids = SHM_IDS.lock();
    let seg = ids.lookup(id)?;
    if seg.nattch == 0 {
        ids.destroy(id);
    } else {
        (seg.mode, seg.key) = (seg.mode | SHM_DEST, IPC_PRIVATE);
    }
    Ok(0)
}

/// `IPC_STAT`: segment `id`'s state, laid out as i386's `struct
/// shmid64_ds`. The times are zero: this kernel keeps no clock.
pub fn shm_stat(id: i32) -> Result<[u8; SHMID64_DS_SIZE], Errno> {
    let mut ids = SHM_IDS.lock();
    let seg = ids.lookup(id)?;
    let words: [u32; SHMID64_DS_SIZE / 4] = [
        seg.key as u32,
        seg.uid,
        seg.gid,
        0,
        0,
        seg.mode,
        seg.seq,
        0,
        0,
        seg.size,
        0,
        0,
        0,
        0,
        0,
        0,
        seg.cpid,
        seg.lpid,
        seg.nattch,
        0,
        0,
    ];
    let mut bytes = [0; SHMID64_DS_SIZE];
    put_words(&mut bytes, &words);
    Ok(bytes)
}

/// `IPC_SET`: takes the owner and the permission bits from `ds`, a
/// `struct shmid64_ds` the caller filled.
pub fn shm_set(id: i32, ds: &[u8; SHMID64_DS_SIZE]) -> SysResult {
    let mut ids = SHM_IDS.lock();
    let seg = ids.lookup(id)?;
    (seg.uid, seg.gid) = (word(ds, 1), word(ds, 2));
    seg.mode = (seg.mode & !0o777) | (word(ds, 5) & 0o777);
    Ok(0)
}
