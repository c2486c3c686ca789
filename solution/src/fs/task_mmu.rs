//! `/proc/PID/maps`: one line per region, in Linux's exact format (Linux's
//! `fs/proc/task_mmu.c`):
//!
//! ```text
//! 08048000-0804a000 r-xp 00000000 00:02 7          /bin/hello
//! 0804b000-0804d000 rw-p 00000000 00:00 0          [heap]
//! ```
//!
//! Range, permissions (`p` private or `s` shared), the file offset, the
//! file's device and inode, then, from column 49, the path or `[heap]` or
//! `[stack]`. The initrd's files show device `00:02`, which is what Linux
//! 6.1 shows for the files of its initramfs (seen with `cargo xtask
//! oracle`); shared-memory objects show `00:01`, Linux's internal shmem
//! mount, and a name that says their file was never linked anywhere:
//! `/dev/zero (deleted)` for anonymous shared memory, `/SYSV<key>
//! (deleted)` for a System V segment.

use core::fmt::{self, Write};

use crate::mm::mm_types::{MmStruct, VmAreaStruct, VmFile};
use crate::mm::shmem::ShmemName;
use crate::mm::types::PAGE_SHIFT;
use crate::mm::vma::VmFlags;

/// Where the name starts: Linux pads the line to `25 + 6 * sizeof(void *)
/// - 1` characters, then writes a space.
const NAME_COLUMN: usize = 25 + 6 * 4 - 1;
/// The device number shown for the initrd's files: Linux's for its rootfs.
const INITRD_DEV: (u32, u32) = (0, 2);
/// The device number of shared-memory objects: Linux's for `shm_mnt`.
const SHMEM_DEV: (u32, u32) = (0, 1);

/// Every region of `mm`, in address order.
pub fn show_maps(mm: &MmStruct, out: &mut impl Write) -> fmt::Result {
    mm.vmas().try_for_each(|vma| show_map_vma(mm, vma.get(mm), out))
}

/// The line for `vma`, a region of `mm` (Linux's `show_map_vma`).
pub fn show_map_vma(mm: &MmStruct, vma: &VmAreaStruct, out: &mut impl Write) -> fmt::Result {
    let flag = |bit, c| if vma.vm_flags.contains(bit) { c } else { '-' };
    let offset = if vma.vm_file.is_some() { (vma.vm_pgoff as u64) << PAGE_SHIFT } else { 0 };
    let ((major, minor), ino) = match &vma.vm_file {
        Some(VmFile::Initrd { file, .. }) => (INITRD_DEV, file.ino),
        Some(VmFile::Shmem { shm, .. }) => (SHMEM_DEV, shm.ino),
        None => ((0, 0), 0),
    };
    let mut line = Counted { out: &mut *out, written: 0 };
    write!(
        line,
        "{:08x}-{:08x} {}{}{}{} {offset:08x} {major:02x}:{minor:02x} {ino} ",
        vma.vm_start.as_u32(),
        vma.vm_end.as_u32(),
        flag(VmFlags::READ, 'r'),
        flag(VmFlags::WRITE, 'w'),
        flag(VmFlags::EXEC, 'x'),
        if vma.vm_flags.contains(VmFlags::MAYSHARE) { 's' } else { 'p' },
    )?;
    let pad = NAME_COLUMN.saturating_sub(line.written);
    match &vma.vm_file {
        Some(VmFile::Initrd { file, .. }) => writeln!(out, "{:pad$} /{}", "", file.name),
        Some(VmFile::Shmem { shm, .. }) => match shm.name {
            ShmemName::DevZero => writeln!(out, "{:pad$} /dev/zero (deleted)", ""),
            ShmemName::SysV { key } => writeln!(out, "{:pad$} /SYSV{key:08x} (deleted)", ""),
        },
        None if vma.vm_start <= mm.brk && vma.vm_end >= mm.start_brk => writeln!(out, "{:pad$} [heap]", ""),
        None if vma.vm_start <= mm.start_stack && vma.vm_end >= mm.start_stack => {
            writeln!(out, "{:pad$} [stack]", "")
        }
        None => writeln!(out),
    }
}

/// A writer that counts the bytes it passes on, so that the name can be
/// padded to its column without building the line in memory first.
struct Counted<'a, W> {
    out: &'a mut W,
    written: usize,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.written += s.len();
        self.out.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use super::*;
    use crate::fs::initramfs::File;
    use crate::mm::mm_types::{TestMm, VmAreaStruct, VmOperations};
    use crate::mm::shmem::shmem_file_setup;
    use crate::mm::types::VirtAddr;

    static HELLO: VmFile =
        VmFile::Initrd { file: File { name: "bin/hello", ino: 7, data: &[] }, write: false };

    fn line(mm: &mut MmStruct, start: u32, end: u32, flags: VmFlags, file: Option<(u32, VmFile)>) -> String {
        let mut vma = VmAreaStruct::new(mm.as_ref(), VirtAddr::new(start), VirtAddr::new(end), flags);
        if let Some((pgoff, file)) = file {
            (vma.vm_pgoff, vma.vm_file) = (pgoff, Some(file));
        }
        let mut out = String::new();
        show_map_vma(mm, &vma, &mut out).unwrap();
        out
    }

    #[test]
    fn lines_match_linux_to_the_column() {
        let mut mm = TestMm::new();
        (mm.start_brk, mm.brk, mm.start_stack) =
            (VirtAddr::new(0x804d000), VirtAddr::new(0x804e800), VirtAddr::new(0xbffff000));
        let rx = VmFlags::READ | VmFlags::EXEC;
        let rw = VmFlags::READ | VmFlags::WRITE;
        assert_eq!(
            line(&mut mm, 0x8048000, 0x804a000, rx, Some((0, HELLO))),
            "08048000-0804a000 r-xp 00000000 00:02 7          /bin/hello\n"
        );
        assert_eq!(
            line(&mut mm, 0x804b000, 0x804c000, rw | VmFlags::MAYSHARE, Some((3, HELLO))),
            "0804b000-0804c000 rw-s 00003000 00:02 7          /bin/hello\n"
        );
        assert_eq!(
            line(&mut mm, 0x804c000, 0x804f000, rw, None),
            "0804c000-0804f000 rw-p 00000000 00:00 0          [heap]\n"
        );
        assert_eq!(
            line(&mut mm, 0x40000000, 0x40001000, VmFlags::empty(), None),
            "40000000-40001000 ---p 00000000 00:00 0 \n"
        );
        assert_eq!(
            line(&mut mm, 0xbffdf000, 0xc0000000, rw | VmFlags::GROWSDOWN, None),
            "bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n"
        );
    }

    #[test]
    fn shared_memory_objects_are_deleted_files_of_device_1() {
        static OPS: VmOperations = VmOperations { open: None, close: None, fault: None };
        let mut mm = TestMm::new();
        let shared = VmFlags::READ | VmFlags::WRITE | VmFlags::SHARED | VmFlags::MAYSHARE;
        let zero = shmem_file_setup(0x2000, ShmemName::DevZero, 3).unwrap();
        let sysv = shmem_file_setup(0x1000, ShmemName::SysV { key: 0x1234 }, 32769).unwrap();
        let file = |shm| Some((0, VmFile::Shmem { shm, write: true, vm_ops: &OPS }));
        assert_eq!(
            line(&mut mm, 0xb7f00000, 0xb7f02000, shared, file(zero)),
            "b7f00000-b7f02000 rw-s 00000000 00:01 3          /dev/zero (deleted)\n"
        );
        assert_eq!(
            line(&mut mm, 0xb7f02000, 0xb7f03000, shared, file(sysv)),
            "b7f02000-b7f03000 rw-s 00000000 00:01 32769      /SYSV00001234 (deleted)\n"
        );
        for shm in [zero, sysv] {
            // SAFETY: the test's use, given back once.
            unsafe { shm.put(|_| {}) };
        }
    }
}
