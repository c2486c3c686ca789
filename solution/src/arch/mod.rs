//! Processor-specific code. Only 32-bit x86 exists; the extra level keeps the
//! paths the same as Linux's `arch/x86`.

pub mod x86;
