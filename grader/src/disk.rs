//! Disks a kernel boots with, as QEMU's first IDE disk: a swap area made
//! by util-linux's real `mkswap`, or a blank disk (no swap signature). A run
//! writes to its disk, so each run gets a fresh image, removed after it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::workspace_root;

/// What the disk holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disk {
    /// A swap area of this many MiB, made by `mkswap`.
    Swap { mib: u32 },
    /// This many MiB of zeroes.
    Blank { mib: u32 },
}

impl Disk {
    /// A disk as a scenario writes it: `swap 16M` or `blank 1M`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let bad = || format!("disk {spec:?}: write `swap SIZE` or `blank SIZE`, SIZE in MiB such as 16M");
        let (kind, size) = spec.split_once(' ').ok_or_else(bad)?;
        let mib = size.strip_suffix('M').and_then(|n| n.parse().ok()).filter(|&n| n > 0).ok_or_else(bad)?;
        match kind {
            "swap" => Ok(Self::Swap { mib }),
            "blank" => Ok(Self::Blank { mib }),
            _ => Err(bad()),
        }
    }

    /// Writes the disk's image at `path`.
    pub fn make_image(&self, path: &Path) -> Result<(), String> {
        let (Self::Swap { mib } | Self::Blank { mib }) = *self;
        let file = fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.set_len(u64::from(mib) << 20).map_err(|e| format!("cannot size {}: {e}", path.display()))?;
        if let Self::Swap { .. } = self {
            mkswap(path)?;
        }
        Ok(())
    }
}

/// Runs util-linux's `mkswap` on `path`, with a cleared UUID so that every
/// image is the same bytes.
fn mkswap(path: &Path) -> Result<(), String> {
    // Found once: every run of a swap scenario makes an image.
    static PROGRAM: OnceLock<Option<&str>> = OnceLock::new();
    let program = PROGRAM
        .get_or_init(|| {
            ["mkswap", "/sbin/mkswap", "/usr/sbin/mkswap"]
                .into_iter()
                .find(|program| Command::new(program).arg("--version").output().is_ok())
        })
        .ok_or("mkswap not found: install util-linux (sudo apt-get install util-linux)")?;
    let output = Command::new(program)
        .args(["-q", "-U", "clear"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{program} failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(())
}

/// A disk image for one run, removed when dropped.
pub struct TempImage(PathBuf);

impl TempImage {
    /// A fresh image of `disk` under `target/disks`.
    pub fn create(disk: &Disk) -> Result<Self, String> {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let dir = workspace_root().join("target/disks");
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(format!("{}-{}.img", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed)));
        disk.make_image(&path)?;
        Ok(Self(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempImage {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// QEMU's arguments that attach `image` as the first IDE disk.
pub fn drive_args(image: &Path) -> [String; 2] {
    ["-drive".into(), format!("file={},format=raw,if=ide,index=0", image.display())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_kind_and_a_size_in_mib() {
        assert_eq!(Disk::parse("swap 16M"), Ok(Disk::Swap { mib: 16 }));
        assert_eq!(Disk::parse("blank 1M"), Ok(Disk::Blank { mib: 1 }));
        for bad in ["swap", "swap 16", "swap 0M", "tape 1M", "swap 16G"] {
            assert!(Disk::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_swap_image_carries_mkswaps_signature() {
        let image = TempImage::create(&Disk::Swap { mib: 1 }).expect("mkswap runs here");
        let bytes = fs::read(image.path()).unwrap();
        assert_eq!(bytes.len(), 1 << 20);
        assert_eq!(&bytes[4086..4096], b"SWAPSPACE2");
        assert_eq!(u32::from_le_bytes(bytes[1024..1028].try_into().unwrap()), 1, "version 1");
        assert_eq!(
            u32::from_le_bytes(bytes[1028..1032].try_into().unwrap()),
            255,
            "last_page: 256 pages, the header's included"
        );
    }
}
