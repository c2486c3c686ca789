//! `cargo xtask`: every workflow of the project behind one command.
//!
//! Students use `run`, `gdb` and `grade`; maintainers also `labs` and `test`.

mod bench;
mod bench_linux;
mod book;
mod fuzz;
mod grade;
mod labs;
mod oracle;
mod run;
mod setup;
mod test;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, run, debug and grade the vmlab kernel")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Boot a kernel in QEMU with the serial console on this terminal (Ctrl-A X quits).
    Run(run::RunArgs),
    /// Like `run`, but QEMU waits for gdb on localhost:1234.
    Gdb(run::RunArgs),
    /// Grade your lab crates (or the reference kernel) and print a scored table.
    Grade(grade::GradeArgs),
    /// Generate the lab crates from solution/, or check that they are in sync.
    Labs(labs::LabsArgs),
    /// Run every test of the project (maintainers: expects unmodified lab crates).
    Test,
    /// Print benchmark figures: buddy allocator, find_vma, fork with COW against copying, boot time;
    /// with --linux, vmlab's memory paths against Linux's.
    Bench(bench::BenchArgs),
    /// Run the system-call fuzzer on the reference kernel over a range of seeds.
    Fuzz(fuzz::FuzzArgs),
    /// Build the book into book/build, or serve it.
    Book(book::BookArgs),
    /// Install what the other commands need (rust-src, QEMU, mdBook).
    Setup,
    /// Run a C program of user/c on Debian's i386 Linux kernel, for comparison.
    Oracle(oracle::OracleArgs),
}

/// The result of a command: `Err` holds the one line to show the user.
pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        Err(error) => {
            // clap's first line says what is wrong; when it ends with a colon,
            // the next line says which arguments.
            let rendered = error.to_string();
            let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
            let first = lines.next().unwrap_or("bad arguments");
            let detail = if first.ends_with(':') { lines.next().map(|l| format!(" {l}")) } else { None };
            eprintln!("{first}{} (see `cargo xtask --help`)", detail.unwrap_or_default());
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(&args, false),
        Command::Gdb(args) => run::run(&args, true),
        Command::Grade(args) => grade::grade(&args),
        Command::Labs(args) => labs::labs(&args),
        Command::Test => test::test(),
        Command::Bench(args) => bench::bench(&args),
        Command::Fuzz(args) => fuzz::fuzz(&args),
        Command::Book(args) => book::book(&args),
        Command::Setup => setup::setup_all(),
        Command::Oracle(args) => oracle::oracle(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
