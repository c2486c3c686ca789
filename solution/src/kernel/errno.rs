//! Error numbers of the system-call interface, Linux's values: a failing
//! call returns `-errno` in `eax`.

#[allow(clippy::upper_case_acronyms, reason = "Linux's names")]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Errno {
    /// Operation not permitted (a mapping below `mmap_min_addr`).
    EPERM = 1,
    /// No such file.
    ENOENT = 2,
    /// No such process: `set_thread_area` found no free TLS entry.
    ESRCH = 3,
    /// Argument list too long.
    E2BIG = 7,
    /// Not an executable this kernel can run.
    ENOEXEC = 8,
    /// Bad file descriptor.
    EBADF = 9,
    /// No child to wait for.
    ECHILD = 10,
    /// Try again: no task can be created now (the task table is full).
    EAGAIN = 11,
    /// Out of memory.
    ENOMEM = 12,
    /// Permission denied.
    EACCES = 13,
    /// Bad address: a user pointer the caller may not use.
    EFAULT = 14,
    /// Busy: locked pages that the call would drop.
    EBUSY = 16,
    /// It exists already (a mapping `MAP_FIXED_NOREPLACE` would replace).
    EEXIST = 17,
    /// The file cannot be mapped.
    ENODEV = 19,
    /// Invalid argument.
    EINVAL = 22,
    /// Too many open files.
    EMFILE = 24,
    /// Not a terminal: an `ioctl` the file does not take.
    ENOTTY = 25,
    /// Text file busy: a program runs from the file to be written, or the
    /// file to be run is open for writing.
    ETXTBSY = 26,
    /// No space left: a limit on System V segments reached, or the end of
    /// an initrd file, which cannot grow.
    ENOSPC = 28,
    /// Read-only file system.
    EROFS = 30,
    /// Function not implemented.
    ENOSYS = 38,
    /// A value too large for its type (a file offset that wraps).
    EOVERFLOW = 75,
}

/// What a system call returns: a value, or an error number.
pub type SysResult = Result<u32, Errno>;

/// The value of `eax` for `result`.
pub fn to_eax(result: SysResult) -> u32 {
    match result {
        Ok(value) => value,
        Err(errno) => (-(errno as i32)) as u32,
    }
}

/// A file's write access refused.
impl From<crate::mm::filemap::TextBusy> for Errno {
    fn from(_: crate::mm::filemap::TextBusy) -> Self {
        Errno::ETXTBSY
    }
}

/// A user copy that faulted: the caller's pointer was bad.
impl From<crate::mm::uaccess::Fault> for Errno {
    fn from(_: crate::mm::uaccess::Fault) -> Self {
        Errno::EFAULT
    }
}
