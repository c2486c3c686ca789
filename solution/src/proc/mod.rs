//! Processes. So far the first one only: the scheduler, `fork`, `exec` and
//! `wait` come with the rest of the process model.

pub mod task;
