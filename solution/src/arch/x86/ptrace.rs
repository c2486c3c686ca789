//! The registers saved on the kernel stack at every interrupt or exception.

use core::fmt;

/// Linux's `struct pt_regs`: what `entry.rs` pushes, lowest address first.
/// `esp`/`ss` at the end are only pushed by the CPU when it comes from ring 3.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct PtRegs {
    pub gs: u32,
    pub fs: u32,
    pub es: u32,
    pub ds: u32,
    pub edi: u32,
    pub esi: u32,
    pub ebp: u32,
    /// The `esp` that `pusha` saved: the kernel stack, not meaningful.
    pub kernel_esp: u32,
    pub ebx: u32,
    pub edx: u32,
    pub ecx: u32,
    pub eax: u32,
    /// The interrupt vector, pushed by the entry stub.
    pub vector: u32,
    /// The CPU's error code, or 0 for vectors that have none.
    pub error_code: u32,
    pub eip: u32,
    pub cs: u32,
    pub eflags: u32,
    pub esp: u32,
    pub ss: u32,
}

impl PtRegs {
    /// Whether the interrupted code ran in user mode (privilege 3).
    pub fn user_mode(&self) -> bool {
        self.cs & 3 == 3
    }
}

/// The register dump of an oops, in the layout of Linux's `show_regs`.
impl fmt::Display for PtRegs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "EIP: {:04x}:[<{:08x}>] EFLAGS: {:08x}", self.cs, self.eip, self.eflags)?;
        writeln!(
            f,
            "EAX: {:08x} EBX: {:08x} ECX: {:08x} EDX: {:08x}",
            self.eax, self.ebx, self.ecx, self.edx
        )?;
        write!(
            f,
            "ESI: {:08x} EDI: {:08x} EBP: {:08x} DS: {:04x} ES: {:04x}",
            self.esi, self.edi, self.ebp, self.ds, self.es
        )
    }
}
