//! The initrd as a file system: a cpio "newc" archive that QEMU loads as a
//! multiboot module (`-initrd`), read in place. It never changes: what is
//! written to a file stays in the file's page cache (`mm/filemap.rs`).
//!
//! Paths are absolute (`/bin/hello`); the archive stores them without the
//! leading slash (`bin/hello`), as the `cpio` tool and Linux's initramfs do.

/// The file-type bits of a mode, and the type of a regular file.
const S_IFMT: u32 = 0o170000;
const S_IFREG: u32 = 0o100000;

/// A file of the initrd: its path in the archive, inode number and
/// contents.
#[derive(Clone, Copy, Debug)]
pub struct File<'a> {
    pub name: &'a str,
    pub ino: u32,
    pub data: &'a [u8],
}

impl File<'_> {
    /// Whether both are the same file of the archive.
    pub fn same_file(&self, other: &File) -> bool {
        self.ino == other.ino && self.name == other.name
    }
}

/// An initrd archive.
#[derive(Clone, Copy)]
pub struct Initramfs<'a> {
    archive: &'a [u8],
}

impl<'a> Initramfs<'a> {
    pub const fn new(archive: &'a [u8]) -> Self {
        Self { archive }
    }

    /// The regular files, in archive order (directories and the trailer
    /// left out).
    pub fn files(&self) -> impl Iterator<Item = File<'a>> + 'a {
        cpio_reader::iter_files(self.archive)
            .filter(|entry| entry.mode().bits() & S_IFMT == S_IFREG)
            .map(|entry| File { name: entry.name(), ino: entry.ino(), data: entry.file() })
    }

    /// The file at absolute path `path`.
    pub fn lookup(&self, path: &str) -> Option<File<'a>> {
        let name = path.strip_prefix('/')?;
        self.files().find(|file| file.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A newc header and name, padded as the format requires.
    fn entry(archive: &mut Vec<u8>, name: &str, mode: u32, data: &[u8]) {
        let fields = [1, mode, 0, 0, 1, 0, data.len() as u32, 0, 0, 0, 0, name.len() as u32 + 1, 0];
        archive.extend_from_slice(b"070701");
        for field in fields {
            archive.extend_from_slice(format!("{field:08x}").as_bytes());
        }
        archive.extend_from_slice(name.as_bytes());
        archive.push(0);
        while !archive.len().is_multiple_of(4) {
            archive.push(0);
        }
        archive.extend_from_slice(data);
        while !archive.len().is_multiple_of(4) {
            archive.push(0);
        }
    }

    fn archive() -> Vec<u8> {
        let mut archive = Vec::new();
        entry(&mut archive, "bin", 0o040755, b"");
        entry(&mut archive, "bin/hello", 0o100755, b"\x7fELF...");
        entry(&mut archive, "etc/motd", 0o100644, b"hi\n");
        entry(&mut archive, "etc/link", 0o120777, b"motd");
        entry(&mut archive, "TRAILER!!!", 0, b"");
        archive
    }

    #[test]
    fn lists_regular_files_only() {
        let archive = archive();
        let names: Vec<_> = Initramfs::new(&archive).files().map(|f| f.name).collect();
        assert_eq!(names, ["bin/hello", "etc/motd"]);
    }

    #[test]
    fn looks_up_absolute_paths() {
        let archive = archive();
        let fs = Initramfs::new(&archive);
        assert_eq!(fs.lookup("/etc/motd").map(|f| f.data), Some(&b"hi\n"[..]));
        assert!(fs.lookup("etc/motd").is_none(), "paths are absolute");
        assert!(fs.lookup("/bin").is_none(), "directories are not files");
        assert!(fs.lookup("/nothing").is_none());
    }
}
