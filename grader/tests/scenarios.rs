//! Every scenario on the reference kernel, compared with its snapshot by
//! `insta`: `cargo test -p grader --test scenarios` runs them (`-- NAME`
//! runs one), `cargo insta review` shows and accepts changed output. A
//! snapshot holds the normalised transcript, including how the run ended.
//! The tests are made from the scenario files, one per scenario, so a new
//! scenario needs no code here.

use std::path::PathBuf;
use std::sync::OnceLock;

use grader::build::{Kernel, build};
use grader::initrd::build_initrd;
use grader::normalize::transcript;
use grader::qemu;
use grader::scenario::{self, Scenario};
use libtest_mimic::{Arguments, Failed, Trial};

/// The reference kernel and the user programs' initrd, built once for all
/// tests in this binary.
fn reference_kernel() -> Result<&'static PathBuf, Failed> {
    static KERNEL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = KERNEL.get_or_init(|| {
        build_initrd()?;
        build(&Kernel::Reference)
    });
    built.as_ref().map_err(|e| e.as_str().into())
}

fn check(scenario: &Scenario) -> Result<(), Failed> {
    let run = qemu::run(reference_kernel()?, &scenario.machine(), scenario.timeout)?;
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(scenario.name.as_str(), transcript(scenario.scope().as_deref(), &run));
    });
    if !run.end.same_kind(&scenario.expect) {
        return Err(format!("{} ended with {:?}", scenario.name, run.end).into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let scenarios = scenario::all().unwrap_or_else(|e| panic!("{e}"));
    let trials = scenarios.into_iter().map(|s| Trial::test(s.name.clone(), move || check(&s))).collect();
    libtest_mimic::run(&args, trials).exit();
}
