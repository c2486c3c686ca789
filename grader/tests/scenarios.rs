//! Every scenario on the reference kernel, compared with its snapshot by
//! `insta`: `cargo test -p grader` runs them, `cargo insta review` shows and
//! accepts changed output. A snapshot holds the normalised transcript,
//! including how the run ended.

use std::path::PathBuf;
use std::sync::OnceLock;

use grader::build::{Kernel, build};
use grader::initrd::build_initrd;
use grader::normalize::transcript;
use grader::{qemu, scenario};

/// The reference kernel and the user programs' initrd, built once for all
/// tests in this binary.
fn reference_kernel() -> &'static PathBuf {
    static KERNEL: OnceLock<PathBuf> = OnceLock::new();
    KERNEL.get_or_init(|| {
        build_initrd().expect("the user programs build");
        build(&Kernel::Reference).expect("the reference kernel builds")
    })
}

fn check(name: &str) {
    let scenario = scenario::find(name).expect("a scenario of that name exists");
    let run = qemu::run(reference_kernel(), &scenario.machine(), scenario.timeout).expect("QEMU runs");
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, transcript(scenario.scope().as_deref(), &run));
    });
    assert!(run.end.same_kind(&scenario.expect), "{name} ended with {:?}", run.end);
}

macro_rules! scenario_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*

        #[test]
        fn every_scenario_has_a_test() {
            let tested = [$($name),*];
            for scenario in scenario::all() {
                assert!(tested.contains(&scenario.name), "add {} to scenario_tests!", scenario.name);
            }
        }
    };
}

scenario_tests! {
    boot => "boot",
    modules => "modules",
    panic => "panic",
    pagefault => "pagefault",
    hang => "hang",
    triple_fault => "triple-fault",
    monitor => "monitor",
    zones_2g => "zones-2g",
    zones_512m => "zones-512m",
    zones_12m => "zones-12m",
    buddy => "buddy",
    exhaust => "exhaust",
    double_free => "double-free",
    kmalloc => "kmalloc",
    pgwalk => "pgwalk",
    pgmap => "pgmap",
    hello => "hello",
    chello => "chello",
    cabi => "cabi",
    badptr => "badptr",
    nullpage => "nullpage",
    badexec => "badexec",
    kheap => "kheap",
    segv => "segv",
    cmman => "cmman",
    cpopulate => "cpopulate",
    forkbomb => "forkbomb",
    forkwait => "forkwait",
    fuzz => "fuzz",
    shell => "shell",
    mmsteps => "mmsteps",
    regions => "regions",
    maxmaps => "maxmaps",
    cmaps => "cmaps",
    demand => "demand",
    lazytext => "lazytext",
    stackgrow => "stackgrow",
    cfault => "cfault",
    oom => "oom",
    cow => "cow",
    zeropage => "zeropage",
    ccow => "ccow",
    cthread => "cthread",
    manyfork => "manyfork",
    kthread => "kthread",
}
