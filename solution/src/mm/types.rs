//! Typed addresses: a physical address, a virtual address and a page frame
//! number are different things, and the compiler keeps them apart.

use core::fmt;
use core::ops::Add;

// ANCHOR: page_size
/// The processor's page: 4 KiB, the unit of every mapping and of the page
/// allocator. It lives with the address types, the bottom layer of `mm`.
pub const PAGE_SHIFT: u32 = 12;
pub const PAGE_SIZE: u32 = 1 << PAGE_SHIFT;
// ANCHOR_END: page_size

/// A physical address (the kernel sees at most 4 GiB: no PAE).
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PhysAddr(u32);

/// A virtual (linear) address.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct VirtAddr(u32);

/// A page frame number: a physical address divided by the page size.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Pfn(u32);

impl PhysAddr {
    pub const fn new(addr: u32) -> Self {
        Self(addr)
    }

    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The frame that holds this address.
    pub const fn pfn(self) -> Pfn {
        Pfn(self.0 >> PAGE_SHIFT)
    }
}

impl VirtAddr {
    pub const fn new(addr: u32) -> Self {
        Self(addr)
    }

    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The offset of this address inside its page.
    pub const fn page_offset(self) -> u32 {
        self.0 & (PAGE_SIZE - 1)
    }

    /// The start of the page holding this address.
    pub const fn page_down(self) -> Self {
        Self(self.0 & !(PAGE_SIZE - 1))
    }

    /// Whether the address starts a page.
    pub const fn is_page_aligned(self) -> bool {
        self.page_offset() == 0
    }

    pub fn as_ptr<T>(self) -> *const T {
        self.0 as usize as *const T
    }

    pub fn as_mut_ptr<T>(self) -> *mut T {
        self.0 as usize as *mut T
    }
}

impl Pfn {
    pub const fn new(pfn: u32) -> Self {
        Self(pfn)
    }

    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The physical address of the frame's first byte.
    pub const fn addr(self) -> PhysAddr {
        PhysAddr(self.0 << PAGE_SHIFT)
    }
}

impl Add<u32> for PhysAddr {
    type Output = Self;
    fn add(self, bytes: u32) -> Self {
        Self(self.0 + bytes)
    }
}

impl Add<u32> for VirtAddr {
    type Output = Self;
    fn add(self, bytes: u32) -> Self {
        Self(self.0 + bytes)
    }
}

impl Add<u32> for Pfn {
    type Output = Self;
    fn add(self, frames: u32) -> Self {
        Self(self.0 + frames)
    }
}

impl fmt::Display for PhysAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0)
    }
}

impl fmt::Display for VirtAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0)
    }
}

impl fmt::Display for Pfn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}
