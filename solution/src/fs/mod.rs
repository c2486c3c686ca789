//! Files: the initrd as a read-only file system, and loading executables
//! from it.

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

/// Makes `archive`, the initrd, the root file system.
#[cfg(target_os = "none")]
pub fn mount_root(archive: &'static [u8]) {
    ROOTFS.call_once(|| initramfs::Initramfs::new(archive));
}

/// The root file system, if an initrd was given.
#[cfg(target_os = "none")]
pub fn rootfs() -> Option<initramfs::Initramfs<'static>> {
    ROOTFS.get().copied()
}
