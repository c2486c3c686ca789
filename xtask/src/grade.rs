//! `grade`: score the student's lab crates (or, with `--reference`, the
//! reference kernel) with the grader's scenarios.

use clap::Args;
use grader::build::Kernel;
use grader::grade::{Outcome, Verdict, grade as run_grade, write_report};
use grader::scenario::{self, Scenario};

use crate::{Result, setup};
use grader::lab::{find as find_lab, labs as declared_labs};

#[derive(Args)]
pub struct GradeArgs {
    /// The lab to grade; without it, every lab.
    #[arg(value_name = "N")]
    lab: Option<u8>,
    /// Grade every lab (the default when no lab is given).
    #[arg(long, conflicts_with = "lab")]
    all: bool,
    /// Grade the reference kernel instead of your lab crates.
    #[arg(long)]
    reference: bool,
    /// Build your labs 1..N together instead of lab N alone.
    #[arg(long, conflicts_with = "reference")]
    cumulative: bool,
    /// Only the scenario of this name.
    #[arg(long, value_name = "NAME")]
    only: Option<String>,
    /// Boot each scenario this many times and require identical output.
    #[arg(long, default_value_t = 1, value_name = "K")]
    repeat: u32,
}

pub fn grade(args: &GradeArgs) -> Result {
    setup::ensure_rust_src()?;
    setup::ensure_qemu()?;
    if let Some(name) = &args.only {
        scenario::find(name)?;
    }
    let labs: Vec<u8> = match args.lab {
        Some(n) => vec![find_lab(n)?.number],
        None => declared_labs().iter().map(|lab| lab.number).collect(),
    };
    let selected = |lab: Option<u8>, s: &Scenario| {
        s.lab == lab && args.only.as_deref().is_none_or(|name| name == s.name)
    };
    let mut outcomes = Vec::new();
    let mut runs: Vec<(Kernel, Vec<Scenario>)> = Vec::new();
    if args.reference {
        let wanted = |s: &Scenario| {
            (args.lab.is_none() && selected(None, s)) || labs.iter().any(|&n| selected(Some(n), s))
        };
        runs.push((Kernel::Reference, scenario::all()?.into_iter().filter(wanted).collect()));
    } else {
        for &n in &labs {
            let kernel = Kernel::lab(n, args.cumulative);
            let upto = if args.cumulative { 1..=n } else { n..=n };
            let scenarios =
                scenario::all()?.into_iter().filter(|s| upto.clone().any(|m| selected(Some(m), s))).collect();
            runs.push((kernel, scenarios));
        }
    }
    for (kernel, scenarios) in runs.iter().filter(|(_, s)| !s.is_empty()) {
        let kernel_outcomes = run_grade(kernel, scenarios, args.repeat)?;
        println!("Report: {}\n", write_report(kernel, &kernel_outcomes)?.display());
        outcomes.extend(kernel_outcomes);
    }
    if outcomes.is_empty() {
        return Err("no scenario matches".into());
    }
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.verdict != Verdict::Passed).collect();
    if failed.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = failed.iter().map(|o| o.scenario.name.as_str()).collect();
    Err(format!("{} of {} scenarios did not pass: {}", failed.len(), outcomes.len(), names.join(", ")))
}
