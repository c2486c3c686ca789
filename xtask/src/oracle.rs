//! `cargo xtask oracle PROGRAM [-- ARGS]`: runs a C program of `user/c` or
//! `user/musl` on
//! Debian's i386 Linux kernel instead of vmlab, to see what the real ABI
//! gives (see `grader::oracle`). It prints the program's output, then how
//! init ended, in the words vmlab uses.

use clap::Args;
use grader::{initrd, oracle};

use crate::Result;

#[derive(Args)]
pub struct OracleArgs {
    /// A C program of user/c or user/musl, by name (`chello` for
    /// user/c/chello.c).
    program: String,
    /// Its arguments, after `--`: argv[1..] (argv[0] is "/init").
    #[arg(last = true)]
    args: Vec<String>,
}

pub fn oracle(args: &OracleArgs) -> Result {
    initrd::build_initrd()?;
    let program = initrd::c_program(&args.program)
        .ok_or_else(|| format!("no C program user/c/{0}.c or user/musl/{0}.c", args.program))?;
    let argv: Vec<&str> = args.args.iter().map(String::as_str).collect();
    let run = oracle::run_on_linux(&program, &argv)?;
    print!("{}", run.output);
    // The end goes on a line of its own even after output without a newline.
    if !run.output.is_empty() && !run.output.ends_with('\n') {
        println!();
    }
    println!("{}", run.end());
    Ok(())
}
