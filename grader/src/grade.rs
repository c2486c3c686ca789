//! Grading: run scenarios on a kernel, judge each run against its snapshot,
//! print a table with points and, for each failure, a diff and a hint, and
//! write a JSON report.

use std::path::{Path, PathBuf};

use serde::Serialize;
use similar::TextDiff;

use crate::build::{self, Kernel};
use crate::disk::Disk;
use crate::initrd;
use crate::normalize::transcript;
use crate::qemu::{self, End};
use crate::scenario::Scenario;
use crate::snapshot;

/// What a scenario's run came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// It ended as expected but printed something else.
    Failed,
    /// It ended in a way the scenario does not expect.
    Unexpected(End),
    /// Two runs of the same kernel printed different bytes.
    Nondeterministic,
    /// No snapshot exists yet for the scenario.
    NoSnapshot,
    /// QEMU could not run.
    Error(String),
}

impl Verdict {
    /// One line for the table.
    pub fn describe(&self) -> String {
        match self {
            Self::Passed => "passed".into(),
            Self::Failed => "failed: output differs".into(),
            Self::Unexpected(End::Panic(message)) => format!("kernel panic: {message}"),
            Self::Unexpected(end) => end.summary(),
            Self::Nondeterministic => "failed: output differs between runs".into(),
            Self::NoSnapshot => "no snapshot (run `cargo insta review`)".into(),
            Self::Error(message) => format!("error: {message}"),
        }
    }
}

/// A judged scenario.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub scenario: Scenario,
    pub verdict: Verdict,
    /// How the (first) run ended; `None` if QEMU could not run.
    pub end: Option<End>,
    /// The normalised transcript of the (first) run.
    pub transcript: String,
}

impl Outcome {
    /// The verdict, with the panic message when a run that should have
    /// printed something else panicked instead.
    pub fn describe(&self) -> String {
        match (&self.verdict, &self.end) {
            (Verdict::Failed, Some(End::Panic(message))) => {
                format!("failed: kernel panic: {message}")
            }
            (verdict, _) => verdict.describe(),
        }
    }

    pub fn earned(&self) -> u32 {
        if self.verdict == Verdict::Passed { self.scenario.points } else { 0 }
    }
}

/// Boots `kernel` for `scenario` `repeat` times (at least once) and judges it.
pub fn run_scenario(kernel: &Path, scenario: &Scenario, repeat: u32) -> Outcome {
    let judged = |verdict, end, transcript| Outcome { scenario: scenario.clone(), verdict, end, transcript };
    let first = match qemu::run(kernel, &scenario.machine(), scenario.timeout) {
        Ok(run) => run,
        Err(message) => return judged(Verdict::Error(message), None, String::new()),
    };
    let text = transcript(scenario.scope().as_deref(), &first);
    let end = Some(first.end.clone());
    for _ in 1..repeat {
        match qemu::run(kernel, &scenario.machine(), scenario.timeout) {
            Ok(again) if again.output == first.output && again.end == first.end => {}
            Ok(_) => return judged(Verdict::Nondeterministic, end, text),
            Err(message) => return judged(Verdict::Error(message), end, text),
        }
    }
    judged(judge(scenario, &first.end, &text), end, text)
}

fn judge(scenario: &Scenario, end: &End, text: &str) -> Verdict {
    if !end.same_kind(&scenario.expect) {
        return Verdict::Unexpected(end.clone());
    }
    match snapshot::expected(&scenario.name) {
        None => Verdict::NoSnapshot,
        Some(expected) if snapshot::matches(&expected, text) => Verdict::Passed,
        Some(_) => Verdict::Failed,
    }
}

/// Builds `kernel`, runs `scenarios` on it and prints a row per scenario as
/// it finishes, then the details of each failure.
pub fn grade(kernel: &Kernel, scenarios: &[Scenario], repeat: u32) -> Result<Vec<Outcome>, String> {
    println!("Building {kernel}...");
    let image = build::build(kernel)?;
    if scenarios.iter().any(|s| s.initrd.as_deref() == Some(initrd::ARCHIVE)) {
        initrd::build_initrd()?;
    }
    println!("Grading {kernel}:");
    println!("  {:<14} {:<6} {:>6}  verdict", "scenario", "lab", "points");
    let outcomes: Vec<Outcome> = scenarios
        .iter()
        .map(|scenario| {
            let outcome = run_scenario(&image, scenario, repeat);
            let lab = scenario.lab.map_or("-".into(), |n| n.to_string());
            let points = format!("{}/{}", outcome.earned(), scenario.points);
            println!("  {:<14} {lab:<6} {points:>6}  {}", scenario.name, outcome.describe());
            outcome
        })
        .collect();
    for outcome in outcomes.iter().filter(|o| o.verdict != Verdict::Passed) {
        print_failure(outcome);
    }
    let (earned, max): (u32, u32) =
        outcomes.iter().fold((0, 0), |(e, m), o| (e + o.earned(), m + o.scenario.points));
    let passed = outcomes.iter().filter(|o| o.verdict == Verdict::Passed).count();
    println!("{passed}/{} scenarios passed, {earned}/{max} points.", outcomes.len());
    Ok(outcomes)
}

fn print_failure(outcome: &Outcome) {
    let scenario = &outcome.scenario;
    println!("\n=== {}: {}", scenario.name, outcome.describe());
    if let Some(expected) = snapshot::expected(&scenario.name) {
        let (expected, actual) =
            (format!("{}\n", expected.trim_end()), format!("{}\n", outcome.transcript.trim_end()));
        let diff = TextDiff::from_lines(&expected, &actual);
        print!("{}", diff.unified_diff().context_radius(4).header("expected (snapshot)", "your kernel"));
        println!();
    } else {
        print!("{}", outcome.transcript);
    }
    println!("hint: {}", scenario.hint);
    println!("read: {}", scenario.book);
    let machine = scenario.machine();
    // `run` always loads the user programs' initrd; any other file must be named.
    let initrd = match scenario.initrd.as_deref() {
        Some(path) if path != initrd::ARCHIVE => format!(" (with -initrd {path})"),
        _ => String::new(),
    };
    // `run` makes only swap disks; a blank one must be named, as an initrd.
    let (swap, blank) = match machine.disk {
        Some(Disk::Swap { mib }) => (format!(" --swap {mib}M"), String::new()),
        Some(Disk::Blank { mib }) => (String::new(), format!(" (with a blank {mib} MiB disk)")),
        None => (String::new(), String::new()),
    };
    println!(
        "rerun: cargo xtask run{} --mem {}{swap} -- {}{initrd}{blank}",
        lab_flag(scenario),
        machine.memory,
        machine.append
    );
}

fn lab_flag(scenario: &Scenario) -> String {
    scenario.lab.map_or(String::new(), |n| format!(" --lab {n}"))
}

#[derive(Serialize)]
struct ReportRow<'a> {
    name: &'a str,
    lab: Option<u8>,
    points: u32,
    earned: u32,
    passed: bool,
    verdict: String,
}

#[derive(Serialize)]
struct Report<'a> {
    kernel: String,
    earned: u32,
    max: u32,
    scenarios: Vec<ReportRow<'a>>,
}

/// Writes the machine-readable report of `outcomes` on `kernel` to
/// `target/grade/<kernel>.json` and returns its path.
pub fn write_report(kernel: &Kernel, outcomes: &[Outcome]) -> Result<PathBuf, String> {
    let scenarios: Vec<ReportRow> = outcomes
        .iter()
        .map(|o| ReportRow {
            name: &o.scenario.name,
            lab: o.scenario.lab,
            points: o.scenario.points,
            earned: o.earned(),
            passed: o.verdict == Verdict::Passed,
            verdict: o.describe(),
        })
        .collect();
    let report = Report {
        kernel: kernel.name(),
        earned: scenarios.iter().map(|r| r.earned).sum(),
        max: scenarios.iter().map(|r| r.points).sum(),
        scenarios,
    };
    let path = crate::workspace_root().join("target/grade").join(format!("{}.json", kernel.name()));
    std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&path, json + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
