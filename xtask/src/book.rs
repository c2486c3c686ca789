//! `book`: build the mdBook in `book/` (or serve it while you write).

use std::process::Command;

use clap::Args;
use grader::workspace_root;

use crate::{Result, setup};

#[derive(Args)]
pub struct BookArgs {
    /// Serve the book on localhost:3000 and rebuild it on changes.
    #[arg(long)]
    serve: bool,
}

pub fn book(args: &BookArgs) -> Result {
    setup::ensure_mdbook()?;
    build_book(args.serve)
}

/// Runs `mdbook build` (or `serve`) on `book/`; failures, including missing
/// `{{#include}}` files, are errors.
pub fn build_book(serve: bool) -> Result {
    let action = if serve { "serve" } else { "build" };
    let output = Command::new("mdbook")
        .args([action, "book"])
        .current_dir(workspace_root())
        .output()
        .map_err(|e| format!("cannot run mdbook: {e}"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    eprint!("{log}");
    if !output.status.success() || log.contains("ERROR") || log.contains("WARN") {
        return Err(format!("mdbook {action} reported problems (see above)"));
    }
    if !serve {
        println!("The book is in book/build/index.html.");
    }
    Ok(())
}
