//! Files: the initrd as a file system of fixed-size files, and loading
//! executables from it.

#[cfg(target_os = "none")]
pub mod binfmt_elf;
#[cfg(target_os = "none")]
pub mod file;
pub mod initramfs;
#[cfg(target_os = "none")]
pub mod procfs;
pub mod task_mmu;
pub mod task_smaps;

#[cfg(target_os = "none")]
static ROOTFS: spin::Once<initramfs::Initramfs<'static>> = spin::Once::new();

/// Makes `archive`, the initrd, the root file system, with an inode for
/// each of its files.
#[cfg(target_os = "none")]
pub fn mount_root(archive: &'static [u8]) {
    let root = ROOTFS.call_once(|| initramfs::Initramfs::new(archive));
    crate::mm::filemap::inode_init(root.files());
}

/// The root file system, if an initrd was given.
#[cfg(target_os = "none")]
pub fn rootfs() -> Option<initramfs::Initramfs<'static>> {
    ROOTFS.get().copied()
}
