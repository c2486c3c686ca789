//! Allocating without panicking. `Box::new`, `String`'s `fmt::Write` and
//! `Vec::clone` abort the kernel when the heap is out; a kernel must fail
//! only the request that asked, as Linux's `kmalloc` returns NULL. What a
//! system call allocates goes through here, so that memory running out
//! ends in `-ENOMEM` and the kernel goes on.

use alloc::alloc::{Layout, alloc};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::ptr::NonNull;

/// `value` moved to the heap, or `None` when memory is out
/// (`Box::try_new` is not stable Rust).
pub fn kbox<T>(value: T) -> Option<Box<T>> {
    kbox_cyclic(|_| value)
}

/// A value on the heap that knows its own address, the way `Arc::new_cyclic`
/// hands a value its own handle: `make` gets the address the value will
/// live at. `None` when memory is out.
pub fn kbox_cyclic<T>(make: impl FnOnce(NonNull<T>) -> T) -> Option<Box<T>> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Some(Box::new(make(NonNull::dangling())));
    }
    // SAFETY: the layout's size is not zero.
    let ptr = NonNull::new(unsafe { alloc(layout) }.cast::<T>())?;
    // SAFETY: `ptr` is a fresh block of `T`'s layout from the global
    // allocator, which is what `Box::from_raw` takes; `write` fills it
    // without reading the uninitialised memory.
    unsafe {
        ptr.write(make(ptr));
        Some(Box::from_raw(ptr.as_ptr()))
    }
}

/// A copy of `bytes`, or `None` when memory is out.
pub fn try_to_vec(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(bytes.len()).ok()?;
    copy.extend_from_slice(bytes);
    Some(copy)
}

/// Text made with `write!` whose growth may fail: when the heap is out, the
/// write returns `fmt::Error` instead of panicking.
#[derive(Default)]
pub struct Text(Vec<u8>);

impl Text {
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.try_reserve(s.len()).map_err(|_| fmt::Error)?;
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use core::fmt::Write;

    use super::*;

    #[test]
    fn boxes_and_copies_hold_their_values() {
        assert_eq!(*kbox(0x1234_5678u32).unwrap(), 0x1234_5678);
        assert_eq!(*kbox(()).unwrap(), ());
        assert_eq!(try_to_vec(b"abc").unwrap(), b"abc");
        let knows_itself = kbox_cyclic(|at: NonNull<(u32, usize)>| (7, at.as_ptr() as usize)).unwrap();
        assert_eq!(knows_itself.1, &raw const *knows_itself as usize);
    }

    #[test]
    fn text_collects_what_is_written() {
        let mut text = Text::default();
        write!(text, "pid {:04x}", 42).unwrap();
        assert_eq!(text.into_bytes(), b"pid 002a");
    }
}
