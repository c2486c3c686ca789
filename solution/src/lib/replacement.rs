//! Page-replacement policies simulated on a reference string, for lab 8
//! (swap with LRU): counting the hits and misses of each policy on the same
//! string shows what LRU buys over FIFO and how far both are from the optimum.

use core::cmp::Reverse;

use alloc::vec;
use alloc::vec::Vec;

/// A rule for choosing which resident page to evict when a missing page
/// needs a frame and none is free.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Policy {
    /// First in, first out: evicts the page loaded longest ago.
    Fifo,
    /// Least recently used: evicts the page whose last reference is oldest.
    Lru,
    /// Belady's MIN, which needs the future: evicts the page used again
    /// farthest ahead, the fewest misses any policy can have. Among pages as
    /// far ahead (pages never used again are) the one in the lowest frame goes.
    Opt,
    /// Second chance, LRU approximated with one use bit per frame, as
    /// kernels do with the accessed bit of the page tables.
    Clock,
}

impl Policy {
    /// Every policy, for comparing them on the same string.
    pub const ALL: [Policy; 4] = [Policy::Fifo, Policy::Lru, Policy::Opt, Policy::Clock];

    /// The policy's usual name, for tables of results.
    pub const fn name(self) -> &'static str {
        match self {
            Policy::Fifo => "FIFO",
            Policy::Lru => "LRU",
            Policy::Opt => "OPT",
            Policy::Clock => "CLOCK",
        }
    }
}

/// How many references found their page resident, and how many had to load it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Outcome {
    pub hits: u32,
    pub misses: u32,
}

/// Runs `policy` over `refs` (page numbers) with `frames` frames, all empty
/// at the start, so that each page's first reference is a miss. With no
/// frames every reference misses.
pub fn simulate(policy: Policy, frames: usize, refs: &[u32]) -> Outcome {
    if frames == 0 {
        return count(refs, |_, _| false);
    }
    match policy {
        Policy::Fifo => fifo(frames, refs),
        Policy::Lru => lru(frames, refs),
        Policy::Opt => opt(frames, refs),
        Policy::Clock => clock(frames, refs),
    }
}

/// Tallies `access(i, refs[i])` for each reference, which tells whether the
/// page was resident.
fn count(refs: &[u32], mut access: impl FnMut(usize, u32) -> bool) -> Outcome {
    let mut outcome = Outcome { hits: 0, misses: 0 };
    for (i, &page) in refs.iter().enumerate() {
        if access(i, page) {
            outcome.hits += 1;
        } else {
            outcome.misses += 1;
        }
    }
    outcome
}

/// The resident pages in the order they were loaded, oldest first.
fn fifo(frames: usize, refs: &[u32]) -> Outcome {
    let mut by_age: Vec<u32> = Vec::with_capacity(frames);
    count(refs, |_, page| {
        if by_age.contains(&page) {
            return true;
        }
        if by_age.len() == frames {
            by_age.remove(0);
        }
        by_age.push(page);
        false
    })
}

/// The resident pages in the order they were last used, least recent first.
fn lru(frames: usize, refs: &[u32]) -> Outcome {
    let mut by_recency: Vec<u32> = Vec::with_capacity(frames);
    count(refs, |_, page| {
        let hit = match by_recency.iter().position(|&p| p == page) {
            Some(at) => {
                by_recency.remove(at);
                true
            }
            None => {
                if by_recency.len() == frames {
                    by_recency.remove(0);
                }
                false
            }
        };
        by_recency.push(page);
        hit
    })
}

/// Pages stay in the slot they were loaded into, the order in which
/// [`Policy::Opt`] breaks ties.
fn opt(frames: usize, refs: &[u32]) -> Outcome {
    let mut slots: Vec<u32> = Vec::with_capacity(frames);
    count(refs, |i, page| {
        if slots.contains(&page) {
            return true;
        }
        if slots.len() < frames {
            slots.push(page);
            return false;
        }
        let next_use = |p: u32| refs[i + 1..].iter().position(|&r| r == p).unwrap_or(usize::MAX);
        let victim = (0..frames).min_by_key(|&slot| Reverse(next_use(slots[slot]))).expect("frames > 0");
        slots[victim] = page;
        false
    })
}

/// An empty frame has its use bit clear, so the hand fills the frames in
/// order before it evicts anything.
fn clock(frames: usize, refs: &[u32]) -> Outcome {
    let mut slots: Vec<Option<u32>> = vec![None; frames];
    let mut used = vec![false; frames];
    let mut hand = 0;
    count(refs, |_, page| {
        if let Some(slot) = slots.iter().position(|&p| p == Some(page)) {
            used[slot] = true;
            return true;
        }
        while used[hand] {
            used[hand] = false;
            hand = (hand + 1) % frames;
        }
        slots[hand] = Some(page);
        used[hand] = true;
        hand = (hand + 1) % frames;
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn misses(policy: Policy, frames: usize, refs: &[u32]) -> u32 {
        simulate(policy, frames, refs).misses
    }

    #[test]
    fn ostep_policies_chapter_example() {
        let refs = [0, 1, 2, 0, 1, 3, 0, 3, 1, 2, 1];
        assert_eq!(simulate(Policy::Opt, 3, &refs), Outcome { hits: 6, misses: 5 });
        assert_eq!(simulate(Policy::Fifo, 3, &refs), Outcome { hits: 4, misses: 7 });
        assert_eq!(simulate(Policy::Lru, 3, &refs), Outcome { hits: 6, misses: 5 });
    }

    #[test]
    fn fifo_shows_beladys_anomaly_and_stack_algorithms_do_not() {
        let refs = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
        assert_eq!((misses(Policy::Fifo, 3, &refs), misses(Policy::Fifo, 4, &refs)), (9, 10));
        assert_eq!((misses(Policy::Lru, 3, &refs), misses(Policy::Lru, 4, &refs)), (10, 8));
        assert_eq!((misses(Policy::Opt, 3, &refs), misses(Policy::Opt, 4, &refs)), (7, 6));
    }

    #[test]
    fn clock_hand_resumes_where_it_stopped() {
        let trace: [(u32, bool); 16] = [
            (1, false),
            (2, false),
            (3, false),
            (2, true),
            (4, false),
            (2, true),
            (5, false),
            (1, false),
            (3, false),
            (5, true),
            (2, false),
            (3, true),
            (4, false),
            (5, false),
            (2, true),
            (4, true),
        ];
        let refs: Vec<u32> = trace.iter().map(|&(page, _)| page).collect();
        for (i, &(_, hit)) in trace.iter().enumerate() {
            let before = simulate(Policy::Clock, 3, &refs[..i]).hits;
            let after = simulate(Policy::Clock, 3, &refs[..=i]).hits;
            assert_eq!(after - before, u32::from(hit), "reference {i}");
        }
        assert_eq!(simulate(Policy::Clock, 3, &refs), Outcome { hits: 6, misses: 10 });
    }

    #[test]
    fn no_frames_or_no_references() {
        for policy in Policy::ALL {
            assert_eq!(simulate(policy, 0, &[1, 1, 2]), Outcome { hits: 0, misses: 3 });
            assert_eq!(simulate(policy, 4, &[]), Outcome { hits: 0, misses: 0 });
        }
    }

    #[test]
    fn names() {
        let names = Policy::ALL.map(Policy::name);
        assert_eq!(names, ["FIFO", "LRU", "OPT", "CLOCK"]);
    }

    fn xorshift(state: &mut u32) -> u32 {
        *state ^= *state << 13;
        *state ^= *state >> 17;
        *state ^= *state << 5;
        *state
    }

    #[test]
    fn opt_is_best_and_stack_algorithms_never_get_worse_with_more_frames() {
        let (seeds, len) =
            if cfg!(miri) { (&[1][..], 40) } else { (&[1, 0x2545_f491, 0xdead_beef, 7919][..], 200) };
        for &seed in seeds {
            let mut state = seed;
            let refs: Vec<u32> = (0..len).map(|_| xorshift(&mut state) % 9).collect();
            for frames in 1..=6 {
                let optimum = misses(Policy::Opt, frames, &refs);
                for policy in Policy::ALL {
                    let outcome = simulate(policy, frames, &refs);
                    assert_eq!(outcome.hits + outcome.misses, len);
                    assert!(optimum <= outcome.misses, "{policy:?} with {frames} frames, seed {seed}");
                }
                for policy in [Policy::Lru, Policy::Opt] {
                    assert!(
                        misses(policy, frames + 1, &refs) <= misses(policy, frames, &refs),
                        "{policy:?} from {frames} frames, seed {seed}"
                    );
                }
            }
        }
    }
}
