//! The Multiboot 1 header and the first instructions the kernel executes.
//!
//! QEMU's multiboot loader enters `startup_32` at its physical address with
//! paging off, `eax` holding the multiboot magic and `ebx` the physical
//! address of the multiboot information. Everything is linked at
//! `PAGE_OFFSET + 1 MiB`, so until paging is on, each symbol is used as
//! `symbol - PAGE_OFFSET`.
//!
//! The boot page directory maps the first [`EARLY_MAPPED`] bytes twice, at 0
//! (so the instruction after `mov cr0` still runs) and at `PAGE_OFFSET`, with
//! 4 MiB pages (`PSE`) to keep this code short. `paging_init` replaces it by
//! `swapper_pg_dir`, built from 4 KiB pages, with no identity mapping.

use crate::init::main::start_kernel;
use crate::mm::layout::{EARLY_MAPPED, PAGE_OFFSET};

const MULTIBOOT_HEADER_MAGIC: u32 = 0x1BAD_B002;
/// Bit 0: page-align modules; bit 1: give us the memory map.
const MULTIBOOT_HEADER_FLAGS: u32 = 0b11;
const PDE_4M_PRESENT_RW: u32 = 0x83;
const CR4_PSE: u32 = 1 << 4;
const CR0_PG_WP: u32 = (1 << 31) | (1 << 16);
/// Boot stack size: 16 KiB.
const BOOT_STACK_SIZE: u32 = 16 * 1024;

core::arch::global_asm!(
    r#"
    .section .multiboot, "a"
    .balign 4
    .long {magic}
    .long {flags}
    .long -({magic} + {flags})

    .section .text.head, "ax"
    .global startup_32
startup_32:
    cli
    cld
    mov esi, eax
    mov edi, offset boot_pg_dir - {page_offset}
    mov eax, {pde_flags}
    xor ecx, ecx
.Lfill:
    mov [edi + ecx * 4], eax
    mov [edi + ecx * 4 + ({page_offset} >> 22) * 4], eax
    add eax, 0x400000
    inc ecx
    cmp ecx, {early_pdes}
    jb .Lfill
    mov cr3, edi
    mov eax, cr4
    or eax, {cr4_pse}
    mov cr4, eax
    mov eax, cr0
    or eax, {cr0_pg}
    mov cr0, eax
    mov eax, offset .Lhigher_half
    jmp eax
.Lhigher_half:
    mov esp, offset boot_stack + {stack_size}
    push ebx
    push esi
    call {start_kernel}
.Lhang:
    hlt
    jmp .Lhang

    .section .bss.page_aligned, "aw", @nobits
    .balign 4096
boot_pg_dir:
    .skip 4096
boot_stack:
    .skip {stack_size}
    "#,
    magic = const MULTIBOOT_HEADER_MAGIC,
    flags = const MULTIBOOT_HEADER_FLAGS,
    page_offset = const PAGE_OFFSET,
    pde_flags = const PDE_4M_PRESENT_RW,
    early_pdes = const EARLY_MAPPED >> 22,
    cr4_pse = const CR4_PSE,
    cr0_pg = const CR0_PG_WP,
    stack_size = const BOOT_STACK_SIZE,
    start_kernel = sym start_kernel,
);
