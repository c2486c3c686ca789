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
//! oracle`).

use core::fmt::{self, Write};

use crate::mm::mm_types::{MmStruct, VmAreaStruct};
use crate::mm::types::PAGE_SHIFT;
use crate::mm::vma::VmFlags;

/// Where the name starts: Linux pads the line to `25 + 6 * sizeof(void *)
/// - 1` characters, then writes a space.
const NAME_COLUMN: usize = 25 + 6 * 4 - 1;
/// The device number shown for the initrd's files: Linux's for its rootfs.
const INITRD_DEV: (u32, u32) = (0, 2);

/// Every region of `mm`, in address order.
pub fn show_maps(mm: &MmStruct, out: &mut impl Write) -> fmt::Result {
    mm.vmas().try_for_each(|vma| show_map_vma(mm, vma.get(mm), out))
}

/// The line for `vma`, a region of `mm` (Linux's `show_map_vma`).
pub fn show_map_vma(mm: &MmStruct, vma: &VmAreaStruct, out: &mut impl Write) -> fmt::Result {
    let flag = |bit, c| if vma.vm_flags.contains(bit) { c } else { '-' };
    let (offset, (major, minor), ino) = match &vma.vm_file {
        Some(file) => ((vma.vm_pgoff as u64) << PAGE_SHIFT, INITRD_DEV, file.ino),
        None => (0, (0, 0), 0),
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
    let name = match &vma.vm_file {
        Some(file) => Some(file.name),
        None if vma.vm_start <= mm.brk && vma.vm_end >= mm.start_brk => Some("[heap]"),
        None if vma.vm_start <= mm.start_stack && vma.vm_end >= mm.start_stack => Some("[stack]"),
        None => None,
    };
    let written = line.written;
    match name {
        Some(name) => {
            let slash = if vma.vm_file.is_some() { "/" } else { "" };
            let pad = NAME_COLUMN.saturating_sub(written);
            writeln!(out, "{:pad$} {slash}{name}", "")
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
    use crate::mm::mm_types::TestMm;
    use crate::mm::mm_types::VmAreaStruct;
    use crate::mm::types::VirtAddr;

    static HELLO: File<'static> = File { name: "bin/hello", ino: 7, data: &[] };

    fn line(
        mm: &mut MmStruct,
        start: u32,
        end: u32,
        flags: VmFlags,
        file: Option<(u32, File<'static>)>,
    ) -> String {
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
}
