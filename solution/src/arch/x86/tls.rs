//! Thread-local storage segments (Linux's `arch/x86/kernel/tls.c`). A C
//! library reaches its thread's data through `%gs`: it asks
//! `set_thread_area` for a segment based at that data, loads the
//! selector, and reads `%gs:0`. Each task owns three such segments, GDT
//! entries 6 to 8 as on Linux; the scheduler writes the running task's into
//! the GDT (`gdt::load_tls`), and every return to user mode reloads `%gs`
//! from the saved registers, so the processor reads them afresh.

use crate::lib::words::word;

/// The first TLS entry of the GDT, and how many there are.
pub const GDT_ENTRY_TLS_MIN: u32 = 6;
pub const GDT_ENTRY_TLS_ENTRIES: usize = 3;

/// A task's TLS descriptors, as the GDT holds them (0: empty).
pub type TlsArray = [u64; GDT_ENTRY_TLS_ENTRIES];

/// Bytes in `struct user_desc`.
pub const USER_DESC_SIZE: usize = 16;

/// Linux's `struct user_desc`: the segment a task asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UserDesc {
    /// A GDT entry, or `u32::MAX` for "any free one".
    pub entry_number: u32,
    pub base_addr: u32,
    pub limit: u32,
    /// The bit fields: `seg_32bit`, `contents` (two bits),
    /// `read_exec_only`, `limit_in_pages`, `seg_not_present`, `useable`.
    pub flags: u32,
}

const SEG_32BIT: u32 = 1 << 0;
const CONTENTS_SHIFT: u32 = 1;
const READ_EXEC_ONLY: u32 = 1 << 3;
const LIMIT_IN_PAGES: u32 = 1 << 4;
const SEG_NOT_PRESENT: u32 = 1 << 5;
const USEABLE: u32 = 1 << 6;
/// The bits `user_desc` defines on i386.
const FLAG_BITS: u32 = 0x7f;

/// Why `set_thread_area` refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TlsError {
    /// The entry is not a TLS entry, or the segment is not one a TLS entry
    /// may hold (`EINVAL`).
    Invalid,
    /// "Any free entry", and none is (`ESRCH`).
    NoFreeEntry,
}

impl UserDesc {
    /// The structure's fields from its bytes.
    pub fn from_bytes(bytes: &[u8; USER_DESC_SIZE]) -> Self {
        Self {
            entry_number: word(bytes, 0),
            base_addr: word(bytes, 1),
            limit: word(bytes, 2),
            flags: word(bytes, 3),
        }
    }

    fn contents(&self) -> u32 {
        (self.flags >> CONTENTS_SHIFT) & 3
    }

    /// The "clear this entry" forms (Linux's `LDT_empty` and `LDT_zero`).
    fn clears(&self) -> bool {
        let empty = self.base_addr == 0
            && self.limit == 0
            && self.flags & FLAG_BITS == READ_EXEC_ONLY | SEG_NOT_PRESENT;
        let zero = self.base_addr == 0 && self.limit == 0 && self.flags & FLAG_BITS == 0;
        empty || zero
    }

    /// Whether a TLS entry may hold it (Linux's `tls_desc_okay`): a
    /// present, 32-bit data segment.
    fn okay(&self) -> bool {
        self.clears()
            || (self.flags & SEG_32BIT != 0 && self.contents() <= 1 && self.flags & SEG_NOT_PRESENT == 0)
    }

    /// The segment descriptor it asks for, at privilege 3 (Linux's
    /// `fill_ldt`).
    pub fn descriptor(&self) -> u64 {
        if self.clears() {
            return 0;
        }
        let bit = |flag: u32| u64::from(self.flags & flag != 0);
        let (base, limit) = (u64::from(self.base_addr), u64::from(self.limit));
        // Type: data, accessed, writable unless read_exec_only.
        let kind = ((bit(READ_EXEC_ONLY) ^ 1) << 1) | (u64::from(self.contents()) << 2) | 1;
        (limit & 0xffff)
            | (base & 0xffff) << 16
            | ((base >> 16) & 0xff) << 32
            | kind << 40
            | 1 << 44 // a code or data segment
            | 3 << 45 // DPL 3
            | (bit(SEG_NOT_PRESENT) ^ 1) << 47
            | ((limit >> 16) & 0xf) << 48
            | bit(USEABLE) << 52
            | bit(SEG_32BIT) << 54
            | bit(LIMIT_IN_PAGES) << 55
            | ((base >> 24) & 0xff) << 56
    }
}

/// Puts the segment `desc` asks for in `tls`, in the entry it names or the
/// first free one, and returns the entry's number (Linux's
/// `do_set_thread_area`).
pub fn do_set_thread_area(tls: &mut TlsArray, desc: &UserDesc) -> Result<u32, TlsError> {
    let entry = match desc.entry_number {
        u32::MAX => {
            let free = tls.iter().position(|&d| d == 0).ok_or(TlsError::NoFreeEntry)?;
            GDT_ENTRY_TLS_MIN + free as u32
        }
        entry => entry,
    };
    let index = entry.checked_sub(GDT_ENTRY_TLS_MIN).map(|i| i as usize);
    let slot = index.and_then(|i| tls.get_mut(i)).ok_or(TlsError::Invalid)?;
    if !desc.okay() {
        return Err(TlsError::Invalid);
    }
    *slot = desc.descriptor();
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What musl asks for: any entry, its thread data at 0x0805278c, 4 GiB
    /// in pages, 32-bit, writable data, useable.
    const MUSL: UserDesc = UserDesc {
        entry_number: u32::MAX,
        base_addr: 0x0805_278c,
        limit: 0xfffff,
        flags: SEG_32BIT | LIMIT_IN_PAGES | USEABLE,
    };

    #[test]
    fn musls_request_gets_entry_6_and_a_flat_data_segment() {
        let mut tls = [0; 3];
        assert_eq!(do_set_thread_area(&mut tls, &MUSL), Ok(6));
        // Base 0x0805278c, limit 0xfffff pages, present DPL-3 writable
        // data, AVL, 32-bit, 4 KiB granularity.
        assert_eq!(tls[0], 0x08df_f305_278c_ffff);
        assert_eq!(do_set_thread_area(&mut tls, &MUSL), Ok(7));
        assert_eq!(do_set_thread_area(&mut tls, &MUSL), Ok(8));
        assert_eq!(do_set_thread_area(&mut tls, &MUSL), Err(TlsError::NoFreeEntry));
    }

    #[test]
    fn only_tls_entries_and_data_segments_are_taken() {
        let mut tls = [0; 3];
        for entry in [0, 5, 9, 12, 0x7fff_ffff] {
            let desc = UserDesc { entry_number: entry, ..MUSL };
            assert_eq!(do_set_thread_area(&mut tls, &desc), Err(TlsError::Invalid), "entry {entry}");
        }
        let code = UserDesc { entry_number: 6, flags: MUSL.flags | 2 << CONTENTS_SHIFT, ..MUSL };
        let bits16 = UserDesc { entry_number: 6, flags: MUSL.flags & !SEG_32BIT, ..MUSL };
        let absent = UserDesc { entry_number: 6, flags: MUSL.flags | SEG_NOT_PRESENT, ..MUSL };
        for desc in [code, bits16, absent] {
            assert_eq!(do_set_thread_area(&mut tls, &desc), Err(TlsError::Invalid), "{desc:?}");
        }
        assert_eq!(tls, [0; 3]);
    }

    #[test]
    fn an_empty_descriptor_clears_the_entry() {
        let mut tls = [0; 3];
        do_set_thread_area(&mut tls, &UserDesc { entry_number: 7, ..MUSL }).unwrap();
        let empty =
            UserDesc { entry_number: 7, base_addr: 0, limit: 0, flags: READ_EXEC_ONLY | SEG_NOT_PRESENT };
        assert_eq!(do_set_thread_area(&mut tls, &empty), Ok(7));
        assert_eq!(tls, [0; 3]);
    }
}
