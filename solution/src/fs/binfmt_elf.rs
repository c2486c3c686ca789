//! Loading a static ELF32 executable into a fresh address space (Linux's
//! `load_elf_binary`), and building the initial user stack as the i386 ABI
//! lays it out.
//!
//! It maps nothing: each `PT_LOAD` segment becomes a private region of the
//! file (its `.bss` beyond the file's last page an anonymous one), and the
//! stack a `VM_GROWSDOWN` region. Pages arrive as the program touches them.
//!
//! ```text
//! 0xc0000000  +----------------------------+  STACK_TOP
//!             | environment strings        |  env_start..env_end
//!             | argument strings           |  arg_start..arg_end
//!             | 16 bytes for AT_RANDOM     |
//!             | auxv: (type, value) ... 0  |
//!             | envp[0..envc], NULL        |
//!             | argv[0..argc], NULL        |
//! esp ->      | argc                       |  16-byte aligned
//!             +----------------------------+
//! ```

use elf::ElfBytes;
use elf::abi::{EM_386, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD};
use elf::endian::LittleEndian;
use elf::file::Class;
use elf::segment::ProgramHeader;

use super::initramfs::File;
use crate::mm::do_mmap::{
    MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE, do_brk, do_mmap_pgoff, mmap_region,
};
use crate::mm::mm_types::{MmStruct, TASK_SIZE, VmFile};
use crate::mm::types::{PAGE_SIZE, VirtAddr};
use crate::mm::uaccess::{clear_user, copy_to_user};
use crate::mm::vma::VmFlags;

/// The stack region's size at exec (Linux's `stack_expand`, 128 KiB); it
/// grows down on demand from there.
const STACK_INIT: u32 = 128 << 10;
/// The size of an ELF32 program header.
const PHDR_SIZE: usize = 32;
/// Most arguments or environment strings taken.
pub const MAX_ARG_STRINGS: usize = 32;

const AT_NULL: u32 = 0;
const AT_PHDR: u32 = 3;
const AT_PHENT: u32 = 4;
const AT_PHNUM: u32 = 5;
const AT_PAGESZ: u32 = 6;
const AT_ENTRY: u32 = 9;
const AT_UID: u32 = 11;
const AT_EUID: u32 = 12;
const AT_GID: u32 = 13;
const AT_EGID: u32 = 14;
const AT_RANDOM: u32 = 25;

/// Why a file could not be executed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExecError {
    /// Not an i386 static executable (`-ENOEXEC`).
    NotExecutable,
    /// No memory for its pages (`-ENOMEM`).
    NoMemory,
    /// The arguments and environment do not fit the stack (`-E2BIG`).
    ArgumentsTooLong,
}

/// Where the new program starts: its entry point and initial stack pointer.
pub struct StartState {
    pub eip: VirtAddr,
    pub esp: VirtAddr,
}

/// Loads `file` into `mm`, which must be empty and loaded (CR3), with
/// arguments `argv` and environment `envp`.
pub fn load_elf_binary(
    mm: &mut MmStruct,
    file: File<'static>,
    argv: &[impl AsRef<str>],
    envp: &[impl AsRef<str>],
) -> Result<StartState, ExecError> {
    let elf = ElfBytes::<LittleEndian>::minimal_parse(file.data).map_err(|_| ExecError::NotExecutable)?;
    let header = elf.ehdr;
    if header.class != Class::ELF32 || header.e_type != ET_EXEC || header.e_machine != EM_386 {
        return Err(ExecError::NotExecutable);
    }
    // As Linux's `load_elf_phdrs`: headers of the ELF32 size, at least one
    // and at most a page of them.
    let phnum = usize::from(header.e_phnum);
    if usize::from(header.e_phentsize) != PHDR_SIZE || phnum == 0 || phnum * PHDR_SIZE > PAGE_SIZE as usize {
        return Err(ExecError::NotExecutable);
    }
    let segments = elf.segments().ok_or(ExecError::NotExecutable)?;
    if !segments.iter().any(|s| s.p_type == PT_LOAD) {
        return Err(ExecError::NotExecutable);
    }
    let (mut phdr, mut end) = (None, 0);
    for segment in segments.iter().filter(|s| s.p_type == PT_LOAD) {
        end = end.max(elf_map(mm, file, &segment)?);
        if segment.p_offset == 0 {
            phdr = Some(segment.p_vaddr as u32 + header.e_phoff as u32);
        }
    }
    // The heap starts on the page after the highest segment, bss included.
    mm.start_brk = VirtAddr::new(end.next_multiple_of(PAGE_SIZE));
    mm.brk = mm.start_brk;
    let auxv = [
        (AT_PHDR, phdr.unwrap_or(0)),
        (AT_PHENT, u32::from(header.e_phentsize)),
        (AT_PHNUM, u32::from(header.e_phnum)),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_ENTRY, header.e_entry as u32),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
    ];
    let esp = setup_stack(mm, argv, envp, &auxv)?;
    Ok(StartState { eip: VirtAddr::new(header.e_entry as u32), esp })
}

/// Maps `segment` (Linux's `elf_map` and `set_brk`): a private region of
/// the file over its file bytes, the rest of its last file page cleared
/// (`padzero`), and an anonymous region for the `.bss` pages beyond.
/// Returns the end of the segment in memory.
fn elf_map(mm: &mut MmStruct, file: File<'static>, segment: &ProgramHeader) -> Result<u32, ExecError> {
    let (vaddr, memsz, filesz) = (segment.p_vaddr as u32, segment.p_memsz as u32, segment.p_filesz as u32);
    let offset = segment.p_offset as u32;
    let end = vaddr.checked_add(memsz).filter(|&end| end <= TASK_SIZE).ok_or(ExecError::NotExecutable)?;
    let in_file = offset.checked_add(filesz).is_some_and(|end| end as usize <= file.data.len());
    if !in_file || offset % PAGE_SIZE != vaddr % PAGE_SIZE || filesz > memsz {
        return Err(ExecError::NotExecutable);
    }
    let start = VirtAddr::new(vaddr).page_down();
    let file_end = (vaddr + filesz).next_multiple_of(PAGE_SIZE);
    let prot = elf_prot(segment.p_flags);
    if filesz > 0 {
        let len = file_end - start.as_u32();
        let flags = MAP_PRIVATE | MAP_FIXED;
        do_mmap_pgoff(
            mm,
            start,
            len,
            prot,
            flags,
            Some(VmFile::Initrd { file, write: false }),
            offset / PAGE_SIZE,
        )
        .map_err(|_| ExecError::NoMemory)?;
        let bss = vaddr + filesz;
        if memsz > filesz && bss % PAGE_SIZE != 0 {
            let len = (PAGE_SIZE - bss % PAGE_SIZE) as usize;
            clear_user(mm, VirtAddr::new(bss), len).map_err(|_| ExecError::NoMemory)?;
        }
    }
    let bss_start = if filesz > 0 { file_end } else { start.as_u32() };
    if end > bss_start {
        do_brk(mm, VirtAddr::new(bss_start), end - bss_start).map_err(|_| ExecError::NoMemory)?;
    }
    let end_of_file = VirtAddr::new(vaddr + filesz);
    if segment.p_flags & PF_X != 0 {
        (mm.start_code, mm.end_code) = (VirtAddr::new(vaddr), end_of_file);
    } else if segment.p_flags & PF_W != 0 {
        (mm.start_data, mm.end_data) = (VirtAddr::new(vaddr), end_of_file);
    }
    Ok(end)
}

/// `mmap`'s `prot` for a segment's `p_flags`.
fn elf_prot(flags: u32) -> u32 {
    [(PF_R, PROT_READ), (PF_W, PROT_WRITE), (PF_X, PROT_EXEC)]
        .iter()
        .filter(|(pf, _)| flags & pf != 0)
        .fold(0, |prot, (_, p)| prot | p)
}

/// Maps the stack below `TASK_SIZE` and writes the strings, the vectors and
/// `argc` onto it; returns the initial stack pointer.
fn setup_stack(
    mm: &mut MmStruct,
    argv: &[impl AsRef<str>],
    envp: &[impl AsRef<str>],
    auxv: &[(u32, u32)],
) -> Result<VirtAddr, ExecError> {
    let stack = VmFlags::READ | VmFlags::WRITE | VmFlags::MAY_ALL | VmFlags::GROWSDOWN;
    mmap_region(mm, VirtAddr::new(TASK_SIZE - STACK_INIT), STACK_INIT, stack, None, 0)
        .map_err(|_| ExecError::NoMemory)?;
    let mut stack = StackWriter { mm, top: TASK_SIZE - 4 };
    stack.mm.env_end = VirtAddr::new(stack.top);
    let mut env_ptrs = [0u32; MAX_ARG_STRINGS];
    for (ptr, s) in env_ptrs.iter_mut().zip(envp).rev() {
        *ptr = stack.push_str(s.as_ref())?;
    }
    stack.mm.env_start = VirtAddr::new(stack.top);
    stack.mm.arg_end = VirtAddr::new(stack.top);
    let mut arg_ptrs = [0u32; MAX_ARG_STRINGS];
    for (ptr, s) in arg_ptrs.iter_mut().zip(argv).rev() {
        *ptr = stack.push_str(s.as_ref())?;
    }
    stack.mm.arg_start = VirtAddr::new(stack.top);
    // Not random at all: the same 16 bytes each time keep runs identical.
    let random = stack.push_bytes(b"vmlab-not-random")?;
    let (argc, envc) = (argv.len().min(MAX_ARG_STRINGS), envp.len().min(MAX_ARG_STRINGS));
    let words = 1 + (argc + 1) + (envc + 1) + 2 * (auxv.len() + 2);
    let esp = (stack.top - 4 * words as u32) & !15;
    let mut at = esp;
    let mut put = |word: u32| -> Result<(), ExecError> {
        copy_to_user(stack.mm, VirtAddr::new(at), &word.to_le_bytes())
            .map_err(|_| ExecError::ArgumentsTooLong)?;
        at += 4;
        Ok(())
    };
    put(argc as u32)?;
    arg_ptrs[..argc].iter().chain(&[0]).try_for_each(|&p| put(p))?;
    env_ptrs[..envc].iter().chain(&[0]).try_for_each(|&p| put(p))?;
    for &(kind, value) in auxv.iter().chain(&[(AT_RANDOM, random), (AT_NULL, 0)]) {
        put(kind)?;
        put(value)?;
    }
    stack.mm.start_stack = VirtAddr::new(esp);
    Ok(VirtAddr::new(esp))
}

/// Pushes bytes down from `top` onto the new user stack.
struct StackWriter<'a> {
    mm: &'a mut MmStruct,
    top: u32,
}

impl StackWriter<'_> {
    /// Pushes `bytes` and returns their user address.
    fn push_bytes(&mut self, bytes: &[u8]) -> Result<u32, ExecError> {
        let start = self.top.checked_sub(bytes.len() as u32).ok_or(ExecError::ArgumentsTooLong)?;
        copy_to_user(self.mm, VirtAddr::new(start), bytes).map_err(|_| ExecError::ArgumentsTooLong)?;
        self.top = start;
        Ok(start)
    }

    /// Pushes `s` with its terminating NUL and returns its user address.
    fn push_str(&mut self, s: &str) -> Result<u32, ExecError> {
        self.push_bytes(&[0])?;
        self.push_bytes(s.as_bytes())
    }
}
