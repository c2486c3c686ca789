//! A benchmark of the buddy allocator against the `buddy_system_allocator`
//! crate's `FrameAllocator`, on the same workloads over 1 GiB of frames.
//! It is an ignored test: `cargo xtask bench` runs it in release mode and
//! prints the figures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use buddy_system_allocator::FrameAllocator;

use crate::mm::buddy::{__free_one_page, __rmqueue};
use crate::mm::page::{Page, PageFlags, ZoneType};
use crate::mm::types::Pfn;
use crate::mm::zone::{MAX_ORDER, Zone};

const FRAMES: u32 = 1 << 18;
/// Blocks alive at once in each workload.
const LIVE: usize = 4096;
/// Best of this many runs.
const RUNS: usize = 5;

/// The interface both allocators are measured through.
trait Frames {
    fn alloc(&mut self, order: usize) -> Option<u32>;
    fn free(&mut self, frame: u32, order: usize);
}

struct Vmlab {
    zone: Zone,
    mem_map: Vec<Page>,
}

impl Vmlab {
    fn new() -> Self {
        let mut mem_map = vec![Page::new(ZoneType::Normal); FRAMES as usize];
        let mut zone = Zone::new(ZoneType::Normal, Pfn::new(0), Pfn::new(FRAMES));
        let block = 1 << (MAX_ORDER - 1);
        for start in (0..FRAMES).step_by(block) {
            for page in &mut mem_map[start as usize..start as usize + block] {
                page.flags.remove(PageFlags::RESERVED);
            }
            __free_one_page(&mut zone, &mut mem_map, Pfn::new(start), MAX_ORDER - 1);
        }
        Self { zone, mem_map }
    }
}

impl Frames for Vmlab {
    fn alloc(&mut self, order: usize) -> Option<u32> {
        __rmqueue(&mut self.zone, &mut self.mem_map, order).map(Pfn::as_u32)
    }

    fn free(&mut self, frame: u32, order: usize) {
        __free_one_page(&mut self.zone, &mut self.mem_map, Pfn::new(frame), order);
    }
}

struct Crate(FrameAllocator<MAX_ORDER>);

impl Crate {
    fn new() -> Self {
        let mut frames = FrameAllocator::new();
        frames.add_frame(0, FRAMES as usize);
        Self(frames)
    }
}

impl Frames for Crate {
    fn alloc(&mut self, order: usize) -> Option<u32> {
        self.0.alloc(1 << order).map(|frame| frame as u32)
    }

    fn free(&mut self, frame: u32, order: usize) {
        self.0.dealloc(frame as usize, 1 << order);
    }
}

/// A small deterministic random number generator (xorshift), for both
/// benchmarks.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Order-0 churn: fill `LIVE` single pages, free them all, 50 times.
/// Returns the number of operations.
fn order0_churn(frames: &mut impl Frames) -> u64 {
    let mut live = Vec::with_capacity(LIVE);
    for _ in 0..50 {
        live.extend((0..LIVE).map(|_| frames.alloc(0).expect("memory")));
        for frame in live.drain(..).rev() {
            frames.free(black_box(frame), 0);
        }
    }
    50 * 2 * LIVE as u64
}

/// Mixed orders 0 to 4: random allocations and frees around `LIVE` blocks.
fn mixed_orders(frames: &mut impl Frames) -> u64 {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut live: Vec<(u32, usize)> = Vec::with_capacity(2 * LIVE);
    let operations = 200_000;
    for _ in 0..operations {
        if live.len() < LIVE / 2 || (live.len() < 2 * LIVE && rng.next().is_multiple_of(2)) {
            let order = (rng.next() % 5) as usize;
            live.push((frames.alloc(order).expect("memory"), order));
        } else {
            let (frame, order) = live.swap_remove((rng.next() % live.len() as u64) as usize);
            frames.free(black_box(frame), order);
        }
    }
    for (frame, order) in live {
        frames.free(frame, order);
    }
    operations
}

/// Million operations per second of `workload` on fresh allocators from
/// `new`, best of `RUNS`.
fn measure<F: Frames>(new: impl Fn() -> F, workload: fn(&mut F) -> u64) -> f64 {
    let mut best = Duration::MAX;
    let mut operations = 0;
    for _ in 0..RUNS {
        let mut frames = new();
        let start = Instant::now();
        operations = workload(&mut frames);
        best = best.min(start.elapsed());
    }
    operations as f64 / best.as_secs_f64() / 1e6
}

#[test]
#[ignore = "a benchmark: run it with `cargo xtask bench`"]
fn buddy_benchmark() {
    println!("buddy allocators over {FRAMES} frames, best of {RUNS} runs, million operations per second");
    println!("{:<24} {:>8} {:>24} {:>7}", "workload", "vmlab", "buddy_system_allocator", "ratio");
    type Workload = (&'static str, fn(&mut Vmlab) -> u64, fn(&mut Crate) -> u64);
    let workloads: [Workload; 2] =
        [("order-0 churn", order0_churn, order0_churn), ("mixed orders 0-4", mixed_orders, mixed_orders)];
    for (name, ours, theirs) in workloads {
        let (ours, theirs) = (measure(Vmlab::new, ours), measure(Crate::new, theirs));
        println!("{name:<24} {ours:>8.2} {theirs:>24.2} {:>6.2}x", ours / theirs);
    }
}
