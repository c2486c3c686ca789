//! Files: the initrd as a read-only file system, and loading executables
//! from it.

#[cfg(target_os = "none")]
pub mod binfmt_elf;
pub mod initramfs;
