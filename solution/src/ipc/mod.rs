//! System V inter-process communication (Linux's `ipc/`): shared memory,
//! through i386's `ipc()` multiplexer and the direct calls beside it.
//! Semaphores and message queues are not implemented.

pub mod shm;
pub mod syscall;
