//! `/proc`: files whose text the kernel writes when they are opened, so
//! that a program (the shell's `ps`, `status`, `meminfo`) can read the
//! kernel's state in Linux's formats.
//!
//! | file | contents |
//! |---|---|
//! | `/proc/meminfo`, `/proc/buddyinfo`, `/proc/zoneinfo` | as the monitor shows them |
//! | `/proc/PID/status`, `/proc/self/status` | the task and its memory descriptor |
//! | `/proc/PID/maps`, `/proc/self/maps` | the task's regions |
//! | `/proc/PID/smaps`, `/proc/self/smaps` | the regions and how much of each is resident, whose |
//! | `/proc/vmstat` | fault, copy-on-write, pkmap and `vmalloc_fault` counts |
//! | `/proc/vmallocinfo` | the `vmalloc` areas |
//! | `/proc/swaps` | the swap area, when one is on |
//! | `/proc/tasks` | one line per task: pid, parent, state, name (what `ps` prints) |
//! | `/proc/mmlist` | every memory descriptor on `mmlist`, its two counts and its tasks |
//! | `/proc/sys/vm/drop_caches` | written, frees the clean page cache nothing maps |

use alloc::vec::Vec;
use core::fmt::{self, Write};
use core::sync::atomic::Ordering;

use super::task_mmu::show_maps;
use super::task_smaps::show_smaps;
use crate::kernel::errno::Errno;
use crate::lib::fallible::Text;
use crate::mm::dump::{buddyinfo_text, meminfo_text, zoneinfo_text};
use crate::mm::filemap::drop_pagecache;
use crate::mm::highmem::pkmap_vmstat_text;
use crate::mm::mm_struct::{for_each_mm, init_mm};
use crate::mm::swapfile::swaps_text;
use crate::mm::vmalloc::vmallocinfo_text;
use crate::mm::vmstat::vmstat_text;
use crate::proc::task::{TaskState, TaskStruct, Tasks, tasks};

/// The text of `/proc` file `path`: `-ENOENT` if there is no such file,
/// `-ENOMEM` if the text does not fit in the kernel heap.
pub fn proc_read(path: &str) -> Result<Vec<u8>, Errno> {
    let name = path.strip_prefix("/proc/").ok_or(Errno::ENOENT)?;
    let mut text = Text::default();
    let written = match name {
        "meminfo" => meminfo_text(&mut text),
        "buddyinfo" => buddyinfo_text(&mut text),
        "zoneinfo" => zoneinfo_text(&mut text),
        "tasks" => tasks_text(&mut tasks(), &mut text),
        "mmlist" => mmlist_text(&mut tasks(), &mut text),
        "vmstat" => vmstat_text(&mut text).and_then(|()| pkmap_vmstat_text(&mut text)),
        "vmallocinfo" => vmallocinfo_text(&mut text),
        "swaps" => swaps_text(&mut text),
        "sys/vm/drop_caches" => text.write_str("0\n"),
        _ => {
            let (pid, file) = name.split_once('/').ok_or(Errno::ENOENT)?;
            let mut table = tasks();
            let pid = if pid == "self" { Some(table.current) } else { pid.parse().ok() };
            let task = pid.and_then(|pid| table.get(pid)).ok_or(Errno::ENOENT)?;
            match file {
                "status" => status_text(task, &mut text),
                "maps" => task.mm.map_or(Ok(()), |mm| show_maps(&mm.lock(), &mut text)),
                "smaps" => task.mm.map_or(Ok(()), |mm| show_smaps(&mm.lock(), &mut text)),
                _ => return Err(Errno::ENOENT),
            }
        }
    };
    // The only writer that can fail is `Text`, when the heap is out.
    written.map_err(|_| Errno::ENOMEM)?;
    Ok(text.into_bytes())
}

/// A write to `/proc/sys/vm/drop_caches` (Linux's
/// `drop_caches_sysctl_handler`): 1 or 3 frees the clean page-cache frames
/// that nothing maps; 2 asks for the kernel's caches of inodes and
/// directories, which the initrd does not have. Anything else is `EINVAL`.
pub fn drop_caches(bytes: &[u8]) -> Result<usize, Errno> {
    let value = core::str::from_utf8(bytes).ok().and_then(|text| text.trim().parse::<u32>().ok());
    match value {
        Some(1 | 3) => {
            drop_pagecache();
        }
        Some(2 | 4) => {}
        _ => return Err(Errno::EINVAL),
    }
    Ok(bytes.len())
}

/// `/proc/tasks`: what `ps` shows.
fn tasks_text(table: &mut Tasks, out: &mut impl Write) -> fmt::Result {
    writeln!(out, "  PID  PPID S COMMAND")?;
    for task in table.iter() {
        writeln!(out, "{:5} {:5} {} {}", task.pid, task.ppid, state_letter(task.state), task.comm)?;
    }
    Ok(())
}

fn state_letter(state: TaskState) -> char {
    match state {
        TaskState::Running => 'R',
        TaskState::Zombie(_) => 'Z',
    }
}

/// `/proc/PID/status`: Linux's fields for the task and its address space,
/// plus this kernel's additions: the descriptor's two counts (lab 2), its
/// region count (lab 3) and the task's faults (lab 4; Linux has them in
/// `/proc/PID/stat`).
fn status_text(task: &TaskStruct, out: &mut impl Write) -> fmt::Result {
    writeln!(out, "Name:\t{}", task.comm)?;
    writeln!(out, "State:\t{}", state_letter(task.state))?;
    writeln!(out, "Pid:\t{}", task.pid)?;
    writeln!(out, "PPid:\t{}", task.ppid)?;
    let Some(mm) = task.mm else { return Ok(()) };
    let (users, count) = (mm.mm_users.load(Ordering::Relaxed), mm.mm_count.load(Ordering::Relaxed));
    let m = mm.lock();
    let kb = |pages: u32| pages * 4;
    let exe_bytes = m.end_code.as_u32().next_multiple_of(4096) - (m.start_code.as_u32() & !4095);
    writeln!(out, "VmPeak:\t{:8} kB", kb(m.hiwater_vm))?;
    writeln!(out, "VmSize:\t{:8} kB", kb(m.total_vm))?;
    writeln!(out, "VmHWM:\t{:8} kB", kb(m.hiwater_rss))?;
    writeln!(out, "VmRSS:\t{:8} kB", kb(m.rss()))?;
    writeln!(out, "RssAnon:\t{:8} kB", kb(m.anon_rss))?;
    writeln!(out, "RssFile:\t{:8} kB", kb(m.file_rss))?;
    writeln!(out, "RssShmem:\t{:8} kB", kb(m.shmem_rss))?;
    writeln!(out, "VmData:\t{:8} kB", kb(m.total_vm - m.stack_vm - m.exec_vm))?;
    writeln!(out, "VmStk:\t{:8} kB", kb(m.stack_vm))?;
    writeln!(out, "VmExe:\t{:8} kB", exe_bytes / 1024)?;
    writeln!(out, "MmUsers:\t{users}")?;
    writeln!(out, "MmCount:\t{count}")?;
    writeln!(out, "MapCount:\t{}", m.map_count)?;
    writeln!(out, "MinFlt:\t{}", task.min_flt)?;
    writeln!(out, "MajFlt:\t{}", task.maj_flt)?;
    writeln!(out, "Code:\t{} - {}", m.start_code, m.end_code)?;
    writeln!(out, "Data:\t{} - {}", m.start_data, m.end_data)?;
    writeln!(out, "Brk:\t{} - {}", m.start_brk, m.brk)?;
    writeln!(out, "Stack:\t{}", m.start_stack)?;
    writeln!(out, "Args:\t{} - {}", m.arg_start, m.arg_end)?;
    writeln!(out, "Env:\t{} - {}", m.env_start, m.env_end)
}

/// `/proc/mmlist`: each descriptor, `init_mm` first, with its counts, the
/// tasks that own it and the kernel threads that borrow it.
fn mmlist_text(table: &mut Tasks, out: &mut impl Write) -> fmt::Result {
    let mut result = Ok(());
    for_each_mm(|mm| {
        let (users, count) = (mm.mm_users.load(Ordering::Relaxed), mm.mm_count.load(Ordering::Relaxed));
        let name = if mm == init_mm() { "init_mm" } else { "mm" };
        result = result.and_then(|()| {
            write!(out, "{name}: mm_users {users} mm_count {count} used by [")?;
            write_pids(out, table, |task| task.mm == Some(mm))?;
            write!(out, "] borrowed by [")?;
            write_pids(out, table, |task| task.mm.is_none() && task.active_mm == Some(mm))?;
            writeln!(out, "]")
        });
    });
    result
}

/// The pids, idle task included, of the tasks `keep` selects, separated
/// by spaces.
fn write_pids(out: &mut impl Write, table: &Tasks, keep: impl Fn(&TaskStruct) -> bool) -> fmt::Result {
    for (i, task) in table.all().filter(|task| keep(task)).enumerate() {
        let separator = if i == 0 { "" } else { " " };
        write!(out, "{separator}{}", task.pid)?;
    }
    Ok(())
}
