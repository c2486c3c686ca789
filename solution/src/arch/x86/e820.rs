//! The physical memory map (Linux's `e820.c`): which ranges of physical
//! addresses are RAM and which are reserved, as the firmware reported them
//! through the boot loader, and `mem=` applied to it.

use core::fmt;

/// Most ranges a map holds; QEMU reports about six.
const E820MAX: usize = 32;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum E820Type {
    Ram,
    Reserved,
    AcpiData,
    AcpiNvs,
    Unusable,
}

/// One range `[addr, addr + size)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct E820Entry {
    pub addr: u64,
    pub size: u64,
    pub kind: E820Type,
}

impl E820Entry {
    pub const fn end(&self) -> u64 {
        self.addr + self.size
    }
}

/// The memory map, in the order the firmware gave it.
#[derive(Clone, Debug)]
pub struct E820Map {
    map: [E820Entry; E820MAX],
    nr_map: usize,
}

impl Default for E820Map {
    fn default() -> Self {
        Self::new()
    }
}

impl E820Map {
    pub const fn new() -> Self {
        const EMPTY: E820Entry = E820Entry { addr: 0, size: 0, kind: E820Type::Reserved };
        Self { map: [EMPTY; E820MAX], nr_map: 0 }
    }

    /// Appends a range; ranges past `E820MAX` are dropped, as on Linux.
    pub fn add_region(&mut self, addr: u64, size: u64, kind: E820Type) {
        if self.nr_map < E820MAX {
            self.map[self.nr_map] = E820Entry { addr, size, kind };
            self.nr_map += 1;
        }
    }

    pub fn entries(&self) -> &[E820Entry] {
        &self.map[..self.nr_map]
    }

    /// Applies `mem=limit`: RAM ends at physical address `limit`. The RAM
    /// range that crosses it is cut there and every later range dropped
    /// (Linux's `limit_regions`).
    pub fn limit_regions(&mut self, limit: u64) {
        let crossing = self.entries().iter().position(|e| e.kind == E820Type::Ram && e.end() >= limit);
        if let Some(i) = crossing {
            let entry = &mut self.map[i];
            entry.size = limit.saturating_sub(entry.addr);
            self.nr_map = if entry.size == 0 { i } else { i + 1 };
        }
    }

    /// The end of the highest RAM range below 4 GiB, in bytes.
    pub fn ram_end(&self) -> u64 {
        self.entries()
            .iter()
            .filter(|e| e.kind == E820Type::Ram)
            .map(|e| e.end().min(1 << 32))
            .max()
            .unwrap_or(0)
    }

    /// The RAM ranges `[start, end)`, in bytes.
    pub fn ram_ranges(&self) -> impl Iterator<Item = (u64, u64)> + Clone + '_ {
        self.entries().iter().filter(|e| e.kind == E820Type::Ram).map(|e| (e.addr, e.end()))
    }
}

impl fmt::Display for E820Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            E820Type::Ram => "usable",
            E820Type::Reserved => "reserved",
            E820Type::AcpiData => "ACPI data",
            E820Type::AcpiNvs => "ACPI NVS",
            E820Type::Unusable => "unusable",
        };
        write!(f, "{:016x} - {:016x} ({kind})", self.addr, self.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map QEMU's firmware gives a machine with `-m 2G`.
    fn qemu_2g() -> E820Map {
        let mut map = E820Map::new();
        map.add_region(0, 0x9fc00, E820Type::Ram);
        map.add_region(0x9fc00, 0x400, E820Type::Reserved);
        map.add_region(0xf0000, 0x10000, E820Type::Reserved);
        map.add_region(0x100000, 0x7fee0000, E820Type::Ram);
        map.add_region(0x7ffe0000, 0x20000, E820Type::Reserved);
        map.add_region(0xfffc0000, 0x40000, E820Type::Reserved);
        map
    }

    #[test]
    fn ram_end_is_the_top_of_the_highest_ram_range() {
        assert_eq!(qemu_2g().ram_end(), 0x7ffe0000);
    }

    #[test]
    fn mem_cuts_the_crossing_range_and_drops_the_rest() {
        let mut map = qemu_2g();
        map.limit_regions(512 << 20);
        assert_eq!(map.entries().len(), 4);
        assert_eq!(
            map.entries()[3],
            E820Entry { addr: 0x100000, size: (512 << 20) - 0x100000, kind: E820Type::Ram }
        );
        assert_eq!(map.ram_end(), 512 << 20);
    }

    #[test]
    fn mem_larger_than_ram_changes_nothing() {
        let mut map = qemu_2g();
        map.limit_regions(8 << 30);
        assert_eq!(map.entries(), qemu_2g().entries());
    }

    #[test]
    fn mem_inside_low_memory_keeps_only_what_lies_below() {
        let mut map = qemu_2g();
        map.limit_regions(0x1000);
        assert_eq!(map.entries(), &[E820Entry { addr: 0, size: 0x1000, kind: E820Type::Ram }]);
    }

    #[test]
    fn prints_like_linux() {
        let entry = qemu_2g().entries()[1];
        assert_eq!(entry.to_string(), "000000000009fc00 - 00000000000a0000 (reserved)");
    }
}
