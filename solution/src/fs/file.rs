//! Open files and each task's table of them. Descriptors 0, 1 and 2 are
//! the console; others are read-only files of the initrd or of `/proc`,
//! whose text is made when they are opened.

use alloc::vec::Vec;

use crate::lib::fallible::try_to_vec;

/// Descriptors a task may have open at once.
pub const NR_OPEN: usize = 8;

/// An open file.
pub enum File {
    /// The console: reads are lines from the terminal, writes go to it.
    Console,
    /// A read-only file and the offset of the next read.
    Bytes { data: FileData, pos: usize },
}

/// What a read-only file holds.
pub enum FileData {
    /// A file of the initrd, read in place.
    Initrd(super::initramfs::File<'static>),
    /// Text made when the file was opened (a `/proc` file).
    Generated(Vec<u8>),
}

impl FileData {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Initrd(file) => file.data,
            Self::Generated(text) => text,
        }
    }
}

impl File {
    /// A copy for a forked child, or `None` when memory is out. The child's
    /// offset starts where the parent's is and then moves on its own (Linux
    /// shares one offset between them).
    fn try_clone(&self) -> Option<Self> {
        Some(match self {
            Self::Console => Self::Console,
            Self::Bytes { data: FileData::Initrd(file), pos } => {
                Self::Bytes { data: FileData::Initrd(*file), pos: *pos }
            }
            Self::Bytes { data: FileData::Generated(text), pos } => {
                Self::Bytes { data: FileData::Generated(try_to_vec(text)?), pos: *pos }
            }
        })
    }
}

/// A task's open files, by descriptor.
pub struct FdTable {
    files: [Option<File>; NR_OPEN],
}

impl FdTable {
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
