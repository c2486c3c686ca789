//! Open files and each task's table of them. Descriptors 0, 1 and 2 are
//! the console; others are files of the initrd, read and written through
//! its page cache (`mm/filemap.rs`), or read-only files of `/proc`, whose
//! text is made when they are opened.

use alloc::vec::Vec;

use crate::lib::fallible::try_to_vec;
use crate::mm::filemap::WriteAccess;

/// Descriptors a task may have open at once.
pub const NR_OPEN: usize = 8;

/// An open file.
pub enum File {
    /// The console: reads are lines from the terminal, writes go to it.
    Console,
    /// A file, the offset of the next read or write, and what it was
    /// opened for.
    Bytes { data: FileData, pos: usize, mode: FMode },
}

/// What a file was opened for (Linux's `FMODE_READ` and `FMODE_WRITE`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FMode {
    pub read: bool,
    pub write: bool,
}

impl FMode {
    /// The mode `open`'s access bits ask for: `O_RDONLY`, `O_WRONLY`,
    /// `O_RDWR`, or the fourth value, neither (Linux's `OPEN_FMODE`).
    pub fn from_flags(flags: u32) -> Self {
        let bits = flags.wrapping_add(1) & 3;
        Self { read: bits & 1 != 0, write: bits & 2 != 0 }
    }
}

/// What a file holds.
pub enum FileData {
    /// A file of the initrd, read and written through its page cache; a
    /// descriptor open for writing holds the file's write access.
    Initrd { file: super::initramfs::File<'static>, writer: Option<WriteAccess> },
    /// Text made when the file was opened (a `/proc` file).
    Generated(Vec<u8>),
    /// `/proc/sys/vm/drop_caches`, open for writing.
    DropCaches,
}

impl File {
    /// A copy for a forked child, or `None` when memory is out. The child's
    /// offset starts where the parent's is and then moves on its own (Linux
    /// shares one offset between them).
    fn try_clone(&self) -> Option<Self> {
        Some(match self {
            Self::Console => Self::Console,
            Self::Bytes { data: FileData::Initrd { file, writer }, pos, mode } => {
                let writer = writer.as_ref().map(WriteAccess::dup);
                Self::Bytes { data: FileData::Initrd { file: *file, writer }, pos: *pos, mode: *mode }
            }
            Self::Bytes { data: FileData::Generated(text), pos, mode } => {
                Self::Bytes { data: FileData::Generated(try_to_vec(text)?), pos: *pos, mode: *mode }
            }
            Self::Bytes { data: FileData::DropCaches, pos, mode } => {
                Self::Bytes { data: FileData::DropCaches, pos: *pos, mode: *mode }
            }
        })
    }
}

/// A task's open files, by descriptor.
pub struct FdTable {
    files: [Option<File>; NR_OPEN],
}

impl FdTable {
    /// No files: what an exiting task keeps (Linux's `exit_files`).
    pub const fn empty() -> Self {
        Self { files: [const { None }; NR_OPEN] }
    }

    /// Standard input, output and error on the console, nothing else.
    pub const fn console() -> Self {
        const CONSOLE: Option<File> = Some(File::Console);
        const CLOSED: Option<File> = None;
        let files = [CONSOLE, CONSOLE, CONSOLE, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED];
        Self { files }
    }

    /// A copy for a forked child (Linux's `dup_fd`), or `None` when memory
    /// is out.
    pub fn try_clone(&self) -> Option<Self> {
        let mut files = [const { None }; NR_OPEN];
        for (copy, file) in files.iter_mut().zip(&self.files) {
            if let Some(file) = file {
                *copy = Some(file.try_clone()?);
            }
        }
        Some(Self { files })
    }

    pub fn get(&mut self, fd: u32) -> Option<&mut File> {
        self.files.get_mut(fd as usize)?.as_mut()
    }

    /// Puts `file` at the lowest free descriptor and returns it; `None`
    /// when all are in use.
    pub fn install(&mut self, file: File) -> Option<u32> {
        let (fd, slot) = self.files.iter_mut().enumerate().find(|(_, slot)| slot.is_none())?;
        *slot = Some(file);
        Some(fd as u32)
    }

    /// Closes `fd`; whether it was open.
    pub fn close(&mut self, fd: u32) -> bool {
        self.files.get_mut(fd as usize).and_then(Option::take).is_some()
    }
}
