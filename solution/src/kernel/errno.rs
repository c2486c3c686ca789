//! Error numbers of the system-call interface, Linux's values: a failing
//! call returns `-errno` in `eax`.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Errno {
    /// Bad file descriptor.
    EBADF = 9,
    /// Bad address: a user pointer the caller may not use.
    EFAULT = 14,
    /// Function not implemented.
    ENOSYS = 38,
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
