//! Virtually contiguous kernel memory (Linux's `mm/vmalloc.c`): frames
//! from anywhere, high ones included, mapped side by side in the vmalloc
//! area, for a buffer too large to find as one run of physical frames.
//!
//! Each allocation is an area (`struct vm_struct`) of the vmalloc area: its
//! pages, then one unmapped guard page, so that running off the end of one
//! area faults instead of writing into the next. The areas are kept sorted
//! by address, and a new one goes in the first gap large enough (Linux
//! 2.6's `__get_vm_area`). `/proc/vmallocinfo` lists them.
//!
//! The page tables of the vmalloc area are the kernel's, shared by every
//! page directory; one made after a process's directory was copied is
//! missing from it until the first fault there copies the entry
//! (`vmalloc_fault`).

use alloc::vec::Vec;
use core::fmt::{self, Write};

use super::types::{PAGE_SIZE, Pfn, VirtAddr};

/// One area (Linux's `struct vm_struct`).
pub struct VmStruct {
    pub addr: VirtAddr,
    /// Its size in bytes, the guard page included (as Linux counts it).
    pub size: u32,
    /// The frames mapped at its pages, in order.
    pub pages: Vec<Pfn>,
    /// Who asked for it, for `/proc/vmallocinfo` (Linux prints the
    /// caller's symbol).
    pub caller: &'static str,
}

/// The areas, by address (Linux's `vmlist`), within `[start, end)`.
pub struct VmList {
    areas: Vec<VmStruct>,
    start: u32,
    end: u32,
}

impl VmList {
    /// No areas, in `[start, end)`.
    pub const fn new(start: u32, end: u32) -> Self {
        Self { areas: Vec::new(), start, end }
    }

    /// Finds room for `pages` pages and a guard page, records the area with
    /// no frames yet, and returns its address; `None` if no gap is large
    /// enough or memory for the record is out (Linux's `get_vm_area`).
    pub fn get_vm_area(&mut self, pages: u32, caller: &'static str) -> Option<VirtAddr> {
        let size = pages.checked_add(1)?.checked_mul(PAGE_SIZE)?;
        let mut addr = self.start;
        let mut at = self.areas.len();
        for (i, area) in self.areas.iter().enumerate() {
            if addr.checked_add(size)? <= area.addr.as_u32() {
                at = i;
                break;
            }
            addr = addr.max(area.addr.as_u32() + area.size);
        }
        if addr.checked_add(size)? > self.end {
            return None;
        }
        self.areas.try_reserve(1).ok()?;
        let area = VmStruct { addr: VirtAddr::new(addr), size, pages: Vec::new(), caller };
        self.areas.insert(at, area);
        Some(VirtAddr::new(addr))
    }

    /// The area at `addr`, to give its frames.
    pub fn find_vm_area(&mut self, addr: VirtAddr) -> Option<&mut VmStruct> {
        self.areas.iter_mut().find(|area| area.addr == addr)
    }

    /// Takes the area at `addr` off the list (Linux's `remove_vm_area`).
    pub fn remove_vm_area(&mut self, addr: VirtAddr) -> Option<VmStruct> {
        let at = self.areas.iter().position(|area| area.addr == addr)?;
        let area = self.areas.remove(at);
        if self.areas.is_empty() {
            // The list's own memory goes back with its last area.
            self.areas = Vec::new();
        }
        Some(area)
    }

    /// `/proc/vmallocinfo`: one line per area, as Linux prints it.
    pub fn show(&self, out: &mut impl Write) -> fmt::Result {
        for area in &self.areas {
            let (start, end) = (area.addr.as_u32(), area.addr.as_u32() + area.size);
            writeln!(
                out,
                "{start:#010x}-{end:#010x} {:7} {} pages={} vmalloc",
                area.size,
                area.caller,
                area.pages.len()
            )?;
        }
        Ok(())
    }
}

/// The allocation and mapping calls, which need the hardware.
#[cfg(target_os = "none")]
mod kernel {
    use core::fmt::{self, Write};

    use spin::{Mutex, Once};

    use super::VmList;
    use crate::mm::gfp::{GFP_KERNEL, Gfp};
    use crate::mm::highmem::alloc_pages;
    use crate::mm::kernel_pgtable::{SWAPPER_PG_DIR, map_kernel_page, unmap_kernel_page};
    use crate::mm::layout::{__va, VMALLOC_END, high_memory, vmalloc_start};
    use crate::mm::node::__free_pages;
    use crate::mm::pgtable::{PageTable, Pgd, pgd_index};
    use crate::mm::types::{PAGE_SIZE, PhysAddr, VirtAddr};
    use crate::mm::vmstat::{VmEvent, count_vm_event};

    /// The areas of this kernel's vmalloc area, which begins after
    /// `high_memory` and so is known only once paging is set up.
    static VMLIST: Once<Mutex<VmList>> = Once::new();

    fn vmlist() -> &'static Mutex<VmList> {
        VMLIST.call_once(|| Mutex::new(VmList::new(vmalloc_start(high_memory()).as_u32(), VMALLOC_END)))
    }

    /// `size` bytes of zeroed kernel memory, contiguous in the vmalloc
    /// area but made of single frames from any zone; `None` when no room
    /// or no frames are left, having given back what it took (Linux's
    /// `vmalloc`).
    pub fn vmalloc(size: u32, caller: &'static str) -> Option<VirtAddr> {
        let pages = size.checked_add(PAGE_SIZE - 1)? / PAGE_SIZE;
        if pages == 0 {
            return None;
        }
        let addr = vmlist().lock().get_vm_area(pages, caller)?;
        let mapped = map_vm_area(addr, pages);
        if mapped.is_none() {
            vfree(addr);
        }
        mapped.map(|()| addr)
    }

    /// Gives the area at `addr` `pages` new zeroed frames, mapped in order.
    fn map_vm_area(addr: VirtAddr, pages: u32) -> Option<()> {
        for i in 0..pages {
            let pfn = alloc_pages(GFP_KERNEL | Gfp::HIGHMEM | Gfp::ZERO, 0)?;
            let recorded = {
                let mut list = vmlist().lock();
                let area = list.find_vm_area(addr).expect("the area was just made");
                let room = area.pages.try_reserve(1).is_ok();
                if room {
                    area.pages.push(pfn);
                }
                room
            };
            if !recorded {
                __free_pages(pfn, 0);
                return None;
            }
            map_kernel_page(VirtAddr::new(addr.as_u32() + i * PAGE_SIZE), pfn).ok()?;
        }
        Some(())
    }

    /// Unmaps and frees the area `vmalloc` returned at `addr` (Linux's
    /// `vfree`); an address that is no area's is reported and changes
    /// nothing.
    pub fn vfree(addr: VirtAddr) {
        let Some(area) = vmlist().lock().remove_vm_area(addr) else {
            crate::pr_err!("BUG: vfree of {addr}, which vmalloc did not return");
            return;
        };
        for (i, &pfn) in area.pages.iter().enumerate() {
            unmap_kernel_page(VirtAddr::new(addr.as_u32() + i as u32 * PAGE_SIZE));
            __free_pages(pfn, 0);
        }
    }

    /// `/proc/vmallocinfo`.
    pub fn vmallocinfo_text(out: &mut impl Write) -> fmt::Result {
        vmlist().lock().show(out)
    }

    /// A kernel-mode fault at `address` in the vmalloc area whose page
    /// table `swapper_pg_dir` has and the loaded page directory lacks:
    /// copies the directory entry and returns true, so that the access is
    /// retried (Linux's `vmalloc_fault`). False for any other fault.
    pub fn vmalloc_fault(address: VirtAddr, cr3: PhysAddr) -> bool {
        if address < vmalloc_start(high_memory()) || address.as_u32() >= VMALLOC_END {
            return false;
        }
        let index = pgd_index(address);
        let reference = SWAPPER_PG_DIR.lock()[index];
        // SAFETY: CR3 holds a page directory, a low frame reached through
        // the direct map; only this kernel entry of it is written.
        let pgd: &mut PageTable<Pgd> = unsafe { &mut *__va(cr3).as_mut_ptr() };
        if !reference.present() || pgd[index].present() {
            return false;
        }
        pgd[index] = reference;
        count_vm_event(VmEvent::VmallocFault);
        true
    }
}

#[cfg(target_os = "none")]
pub use kernel::{vfree, vmalloc, vmalloc_fault, vmallocinfo_text};

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use super::*;

    const START: u32 = 0xf880_0000;

    fn list() -> VmList {
        VmList::new(START, START + 16 * PAGE_SIZE)
    }

    #[test]
    fn areas_follow_each_other_with_a_guard_page_between() {
        let mut list = list();
        assert_eq!(list.get_vm_area(2, "a"), Some(VirtAddr::new(START)));
        assert_eq!(list.get_vm_area(1, "b"), Some(VirtAddr::new(START + 3 * PAGE_SIZE)));
        let mut text = String::new();
        list.show(&mut text).unwrap();
        assert_eq!(
            text,
            "0xf8800000-0xf8803000   12288 a pages=0 vmalloc\n0xf8803000-0xf8805000    8192 b pages=0 vmalloc\n"
        );
    }

    #[test]
    fn a_freed_gap_is_found_again_if_it_is_large_enough() {
        let mut list = list();
        let a = list.get_vm_area(3, "a").unwrap();
        let b = list.get_vm_area(1, "b").unwrap();
        assert!(list.remove_vm_area(a).is_some());
        assert_eq!(
            list.get_vm_area(4, "c"),
            Some(VirtAddr::new(b.as_u32() + 2 * PAGE_SIZE)),
            "4 + 1 pages do not fit in 4"
        );
        assert_eq!(list.get_vm_area(3, "d"), Some(a), "3 + 1 do");
        assert!(list.remove_vm_area(a).is_some());
        assert!(list.remove_vm_area(a).is_none(), "once only");
    }

    #[test]
    fn the_area_ends_where_the_vmalloc_area_does() {
        let mut list = list();
        assert_eq!(list.get_vm_area(15, "all"), Some(VirtAddr::new(START)), "15 pages and the guard fill 16");
        assert_eq!(list.get_vm_area(1, "more"), None);
        assert_eq!(list.get_vm_area(u32::MAX, "huge"), None, "a size that overflows is no room, not a wrap");
        assert_eq!(list.get_vm_area(0x000f_ffff, "huge"), None);
    }
}
