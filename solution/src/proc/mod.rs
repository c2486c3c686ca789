//! Processes: tasks, the scheduler, and the system calls that create, run
//! and end them.

pub mod exec;
pub mod exit;
pub mod fork;
pub mod sched;
pub mod task;
