//! The lab generator: derives each lab's files from the reference kernel.
//!
//! A region of a file in `solution/src` between `// LAB N BEGIN: hint` and
//! `// LAB N END` (a whole function body, or the tail of a block) becomes, in
//! `labs/NN-name/<file>`, a `TODO` comment with the hint and
//! `todo!("lab N: function")`. Everything else is copied, so signatures, doc
//! comments and tests stay. The reference declares the module with
//! `#[cfg_attr(lab = "N", path = ".../labs/NN-name/<file>")]`, which is how
//! the `labs` package builds the kernel with the student's file in place.
//!
//! Students edit these files, so the generator remembers the hash of what it
//! last wrote (`labs/generated.sha256`) and never overwrites a file that
//! differs from it unless told to.
//!
//! The labs are declared once, in `labs/labs.toml`: the generator checks that
//! the marked regions make exactly the files each lab declares, writes
//! `labs/Cargo.toml` with a feature per lab, and checks the book's summary.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use grader::lab::{Lab, labs as declared_labs};
use grader::workspace_root;
use sha2::{Digest, Sha256};

use crate::Result;

const MANIFEST: &str = "labs/generated.sha256";
/// The lab crate's manifest, generated from the reference's.
const CARGO_TOML: &str = "labs/Cargo.toml";
const SUMMARY: &str = "book/src/SUMMARY.md";

#[derive(Args)]
pub struct LabsArgs {
    /// Only check that the lab files match what solution/ generates.
    #[arg(long)]
    check: bool,
    /// Overwrite lab files even where they were edited since generated.
    #[arg(long, conflicts_with = "check")]
    force: bool,
}

impl LabsArgs {
    /// The arguments of `labs --check`.
    pub fn check_only() -> Self {
        Self { check: true, force: false }
    }
}

/// Puts lab `n`'s reference files in place of its stubs, for the test that
/// the reference passes the lab; `restore_labs` undoes it.
pub fn paste_back(n: u8) -> Result {
    let root = workspace_root();
    for (path, file) in generate_all()?.iter().filter(|(_, file)| file.lab == n) {
        fs::copy(root.join(&file.source), root.join(path)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Rewrites every lab file as generated, whatever is there now.
pub fn restore_labs() -> Result {
    write(&generate_all()?, true)
}

pub fn labs(args: &LabsArgs) -> Result {
    let generated = generate_all()?;
    check_summary(
        &fs::read_to_string(workspace_root().join(SUMMARY)).map_err(|e| format!("{SUMMARY}: {e}"))?,
    )?;
    if args.check {
        return check(&generated);
    }
    write(&generated, args.force)
}

/// A lab file as the generator makes it.
pub struct Generated {
    pub lab: u8,
    /// The reference file it comes from, relative to the repository root.
    pub source: PathBuf,
    /// The file with its regions replaced by stubs.
    pub stub: String,
}

/// Every lab file, keyed by its path relative to the repository root.
pub fn generate_all() -> Result<BTreeMap<PathBuf, Generated>> {
    let root = workspace_root();
    let mut files = BTreeMap::new();
    for source in rust_files(&root.join("solution/src"))? {
        let text = fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let relative = source.strip_prefix(&root).unwrap_or(&source).to_path_buf();
        if let Some((lab, stub)) = generate(&relative, &text)? {
            let target = Path::new("labs").join(&lab.dir).join(source.file_name().unwrap());
            let generated = Generated { lab: lab.number, source: relative, stub };
            if files.insert(target.clone(), generated).is_some() {
                return Err(format!("two reference files generate {}", target.display()));
            }
        }
    }
    check_files(&root, &files)?;
    check_lab_paths(&lab_paths(&root)?, &files)?;
    Ok(files)
}

/// The generated files of each lab are the ones `labs/labs.toml` declares,
/// and each lab has its assignment.
fn check_files(root: &Path, files: &BTreeMap<PathBuf, Generated>) -> Result {
    for lab in declared_labs() {
        let mut made: Vec<String> = files
            .iter()
            .filter(|(_, file)| file.lab == lab.number)
            .map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let mut declared = lab.files.clone();
        made.sort();
        declared.sort();
        if made != declared {
            return Err(format!(
                "lab {}: labs/labs.toml declares the files {declared:?}, the `// LAB {} BEGIN` regions of solution/src make {made:?}",
                lab.number, lab.number
            ));
        }
        let assignment = Path::new("labs").join(&lab.dir).join("README.md");
        if !root.join(&assignment).is_file() {
            return Err(format!("lab {}: no assignment at {}", lab.number, assignment.display()));
        }
    }
    Ok(())
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The marker lines of a region, for lab `n`.
fn begin_marker(line: &str) -> Option<(u8, &str)> {
    let rest = line.trim_start().strip_prefix("// LAB ")?;
    let (number, hint) = rest.split_once(" BEGIN")?;
    Some((number.parse().ok()?, hint.trim_start_matches(':').trim()))
}

fn is_end_marker(line: &str, n: u8) -> bool {
    line.trim() == format!("// LAB {n} END")
}

fn is_book_anchor(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("// ANCHOR:") || line.starts_with("// ANCHOR_END:")
}

/// The lab file for reference file `source`, or `None` if it has no markers.
fn generate(source: &Path, text: &str) -> Result<Option<(&'static Lab, String)>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut lab: Option<u8> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let at = |i: usize| format!("{}:{}", source.display(), i + 1);
        if let Some((n, hint)) = begin_marker(line) {
            if lab.is_some_and(|l| l != n) {
                return Err(format!("{}: markers of two labs in one file", at(i)));
            }
            lab = Some(n);
            let end = (i + 1..lines.len())
                .find(|&j| is_end_marker(lines[j], n))
                .ok_or_else(|| format!("{}: `// LAB {n} BEGIN` has no `// LAB {n} END`", at(i)))?;
            if let Some(j) = (i + 1..end).find(|&j| begin_marker(lines[j]).is_some()) {
                return Err(format!("{}: a lab region inside another", at(j)));
            }
            let function = enclosing_function(&lines[..i])
                .ok_or_else(|| format!("{}: marker outside a function", at(i)))?;
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push(format!("{indent}// TODO(lab {n}): {hint}"));
            out.push(format!("{indent}todo!(\"lab {n}: {function}\")"));
            i = end + 1;
            continue;
        }
        if line.trim_start().starts_with("// LAB ") {
            return Err(format!("{}: `{}` without a matching BEGIN", at(i), line.trim()));
        }
        if !is_book_anchor(line) {
            out.push(line.to_string());
        }
        i += 1;
    }
    let Some(n) = lab else { return Ok(None) };
    let lab = declared_labs()
        .iter()
        .find(|l| l.number == n)
        .ok_or_else(|| format!("{}: lab {n} is not declared in labs/labs.toml", source.display()))?;
    Ok(Some((lab, with_header(source, n, out))))
}

/// The name of the last `fn` declared in `before`.
fn enclosing_function(before: &[&str]) -> Option<String> {
    before.iter().rev().find_map(|line| {
        let after = line.split("fn ").nth(1)?;
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        (!name.is_empty()).then_some(name)
    })
}

/// Puts the generated-file header first and, after the module's doc
/// comment, the allowance for the stubs' unused parameters.
fn with_header(source: &Path, n: u8, body: Vec<String>) -> String {
    let docs = body.iter().take_while(|l| l.starts_with("//!")).count();
    let mut text = format!(
        "// Lab {n}: generated from {} by `cargo xtask labs`.\n\
         // Replace each todo!() with your code; the rest is the reference kernel's.\n",
        source.display()
    );
    for line in &body[..docs] {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("\n// Until the todo!()s are written, their parameters and imports go unused.\n");
    text.push_str("#![allow(unused_variables, unused_imports)]\n");
    for line in &body[docs..] {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// A module the reference declares with `#[cfg_attr(lab = "N", path = ...)]`.
struct LabPath {
    lab: u8,
    /// The file it names, relative to the repository root.
    target: PathBuf,
    /// Where it is declared, for error messages.
    at: String,
}

/// Every `cfg_attr(lab = "N", path = ...)` of the reference.
fn lab_paths(root: &Path) -> Result<Vec<LabPath>> {
    let mut found = Vec::new();
    for source in rust_files(&root.join("solution/src"))? {
        let text = fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        for line in text.lines() {
            let lab =
                line.split("cfg_attr(lab = \"").nth(1).and_then(|rest| rest.split('"').next()?.parse().ok());
            let path = line.split("path = \"").nth(1).and_then(|rest| rest.split('"').next());
            let (Some(lab), Some(path)) = (lab, path) else { continue };
            let target = lexical_join(source.parent().unwrap(), path);
            let target = target.strip_prefix(root).unwrap_or(&target).to_path_buf();
            found.push(LabPath { lab, target, at: format!("{}: `{}`", source.display(), line.trim()) });
        }
    }
    Ok(found)
}

/// Each generated file is declared with its lab's path, and each declared
/// path names a file that its lab's regions generate.
fn check_lab_paths(declared: &[LabPath], files: &BTreeMap<PathBuf, Generated>) -> Result {
    for (target, file) in files {
        if !declared.iter().any(|d| d.lab == file.lab && d.target == *target) {
            return Err(format!(
                "no module is declared with #[cfg_attr(lab = \"{}\", path = \".../{}\")]",
                file.lab,
                target.display()
            ));
        }
    }
    match declared.iter().find(|d| files.get(&d.target).is_none_or(|file| file.lab != d.lab)) {
        Some(d) => Err(format!("{}: names a file no lab {} region generates", d.at, d.lab)),
        None => Ok(()),
    }
}

fn lexical_join(base: &Path, relative: &str) -> PathBuf {
    let mut path = base.to_path_buf();
    for part in relative.split('/') {
        match part {
            ".." => {
                path.pop();
            }
            "." | "" => {}
            _ => path.push(part),
        }
    }
    path
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `path -> hash` of what the generator last wrote.
fn read_manifest(root: &Path) -> BTreeMap<PathBuf, String> {
    let text = fs::read_to_string(root.join(MANIFEST)).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(hash, path)| (PathBuf::from(path), hash.to_string()))
        .collect()
}

fn manifest_text(generated: &BTreeMap<PathBuf, Generated>) -> String {
    generated.iter().map(|(path, file)| format!("{}  {}\n", sha256(&file.stub), path.display())).collect()
}

fn check(generated: &BTreeMap<PathBuf, Generated>) -> Result {
    let root = workspace_root();
    let mut stale: Vec<String> = generated
        .iter()
        .filter(|(path, file)| fs::read_to_string(root.join(path)).ok().as_ref() != Some(&file.stub))
        .map(|(path, _)| path.display().to_string())
        .collect();
    if fs::read_to_string(root.join(MANIFEST)).unwrap_or_default() != manifest_text(generated) {
        stale.push(MANIFEST.into());
    }
    if fs::read_to_string(root.join(CARGO_TOML)).ok() != Some(cargo_toml(&root)?) {
        stale.push(CARGO_TOML.into());
    }
    if stale.is_empty() {
        println!("The lab crates match solution/ ({} files).", generated.len());
        return Ok(());
    }
    Err(format!("out of date with solution/: {}; run `cargo xtask labs`", stale.join(", ")))
}

fn write(generated: &BTreeMap<PathBuf, Generated>, force: bool) -> Result {
    let root = workspace_root();
    let manifest = read_manifest(&root);
    let edited: Vec<&PathBuf> = generated
        .iter()
        .filter(|(path, file)| {
            let Ok(on_disk) = fs::read_to_string(root.join(path)) else {
                return false;
            };
            on_disk != file.stub && manifest.get(*path) != Some(&sha256(&on_disk))
        })
        .map(|(path, _)| path)
        .collect();
    if !edited.is_empty() && !force {
        let names: Vec<String> = edited.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "not overwriting files you edited: {}; use --force to replace them",
            names.join(", ")
        ));
    }
    for (path, file) in generated {
        let (full, text) = (root.join(path), &file.stub);
        if fs::read_to_string(&full).ok().as_ref() != Some(text) {
            fs::create_dir_all(full.parent().unwrap()).map_err(|e| e.to_string())?;
            fs::write(&full, text).map_err(|e| format!("{}: {e}", full.display()))?;
            println!("wrote {}", path.display());
        }
    }
    fs::write(root.join(MANIFEST), manifest_text(generated)).map_err(|e| e.to_string())?;
    let cargo = cargo_toml(&root)?;
    if fs::read_to_string(root.join(CARGO_TOML)).ok().as_ref() != Some(&cargo) {
        fs::write(root.join(CARGO_TOML), cargo).map_err(|e| format!("{CARGO_TOML}: {e}"))?;
        println!("wrote {CARGO_TOML}");
    }
    println!("The lab crates match solution/ ({} files).", generated.len());
    Ok(())
}

/// The lab crate's package, up to its features: the kernel's crate root is
/// the reference's, built with the enabled labs' files from `labs/`.
const CARGO_TOML_HEAD: &str = r#"# Generated by `cargo xtask labs` from solution/Cargo.toml and labs/labs.toml.
[package]
name = "labs"
version = "0.1.0"
description = "The student's kernel: the reference kernel with the enabled labs' files taken from this directory"
edition.workspace = true
license.workspace = true
build = "../solution/build.rs"

# The kernel's crate root is the reference's; `cfg(lab = "N")` (one per enabled
# feature) swaps lab N's modules for the files under `labs/NN-*/`.
# The host tests run on the library, as in solution/.
[lib]
path = "../solution/src/host.rs"
bench = false

[[bin]]
name = "lab-kernel"
path = "../solution/src/main.rs"
test = false
bench = false

[features]
# One feature per lab of labs/labs.toml.
"#;

/// `labs/Cargo.toml`: the lab crate's package, a feature per declared lab,
/// then the reference's features and dependencies as they are.
fn cargo_toml(root: &Path) -> Result<String> {
    let path = root.join("solution/Cargo.toml");
    let solution = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (_, rest) =
        solution.split_once("\n[features]\n").ok_or("solution/Cargo.toml has no [features] table")?;
    if rest.contains("\n[lints") {
        return Err(
            "solution/Cargo.toml: the lab crate's [lints] table is generated; move the lints there".into()
        );
    }
    let features: String = declared_labs().iter().map(|lab| format!("lab{} = []\n", lab.number)).collect();
    let lints = "\n[lints.rust]\n# A stub leaves the reference code that would call it, or that it would call, unused.\ndead_code = \"allow\"\n";
    Ok(format!("{CARGO_TOML_HEAD}{features}{rest}{lints}"))
}

/// The book's summary lists each declared lab as `[Lab N: TITLE](labs/CHAPTER)`
/// in order; a lab not yet declared may appear as a draft, `[Lab N: ...]()`.
fn check_summary(summary: &str) -> Result {
    let mut listed = Vec::new();
    for line in summary.lines() {
        let Some(entry) = line.trim().strip_prefix("- [Lab ") else { continue };
        let (number, rest) =
            entry.split_once(": ").ok_or_else(|| format!("{SUMMARY}: `{line}`: no `Lab N: `"))?;
        let (title, link) = rest.split_once("](").ok_or_else(|| format!("{SUMMARY}: `{line}`: no link"))?;
        let number: u8 = number.parse().map_err(|_| format!("{SUMMARY}: `{line}`: no lab number"))?;
        match declared_labs().iter().find(|lab| lab.number == number) {
            Some(lab) if title == lab.title && link == format!("labs/{})", lab.chapter) => {
                listed.push(number)
            }
            Some(lab) => {
                return Err(format!(
                    "{SUMMARY}: lab {number} must read `- [Lab {number}: {}](labs/{})`",
                    lab.title, lab.chapter
                ));
            }
            None if link == ")" => {}
            None => {
                return Err(format!(
                    "{SUMMARY}: lab {number} is not in labs/labs.toml, so it can only be a draft, `()`"
                ));
            }
        }
    }
    let declared: Vec<u8> = declared_labs().iter().map(|lab| lab.number).collect();
    if listed != declared {
        return Err(format!("{SUMMARY} lists the labs {listed:?}; labs/labs.toml declares {declared:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "//! Docs.\n\nuse x::y;\n\n/// Adds.\npub fn add(a: u32, b: u32) -> u32 {\n    // LAB 1 BEGIN: add them\n    a + b\n    // LAB 1 END\n}\n// ANCHOR: end\n";

    #[test]
    fn replaces_a_region_by_a_stub_naming_lab_and_function() {
        let (lab, text) = generate(Path::new("solution/src/a.rs"), SOURCE).unwrap().unwrap();
        assert_eq!(lab.number, 1);
        assert_eq!(
            text,
            "// Lab 1: generated from solution/src/a.rs by `cargo xtask labs`.\n\
             // Replace each todo!() with your code; the rest is the reference kernel's.\n\
             //! Docs.\n\n\
             // Until the todo!()s are written, their parameters and imports go unused.\n\
             #![allow(unused_variables, unused_imports)]\n\n\
             use x::y;\n\n/// Adds.\npub fn add(a: u32, b: u32) -> u32 {\n    // TODO(lab 1): add them\n    todo!(\"lab 1: add\")\n}\n"
        );
    }

    #[test]
    fn files_without_markers_generate_nothing() {
        assert!(generate(Path::new("a.rs"), "fn f() {}\n").unwrap().is_none());
    }

    #[test]
    fn unmatched_markers_are_errors() {
        let missing_end = "fn f() {\n    // LAB 1 BEGIN: x\n}\n";
        assert!(generate(Path::new("a.rs"), missing_end).unwrap_err().contains("has no `// LAB 1 END`"));
        let stray_end = "fn f() {\n    // LAB 1 END\n}\n";
        assert!(generate(Path::new("a.rs"), stray_end).unwrap_err().contains("without a matching BEGIN"));
        let nested = "fn f() {\n    // LAB 1 BEGIN: x\n    // LAB 1 BEGIN: y\n    // LAB 1 END\n}\n";
        assert!(generate(Path::new("a.rs"), nested).unwrap_err().contains("inside another"));
    }

    #[test]
    fn lab_paths_and_generated_files_match_both_ways() {
        let file = |lab| Generated { lab, source: PathBuf::from("solution/src/a.rs"), stub: String::new() };
        let files = BTreeMap::from([(PathBuf::from("labs/01-paging/a.rs"), file(1))]);
        let path = |lab, target: &str| LabPath { lab, target: PathBuf::from(target), at: "mod.rs".into() };
        assert_eq!(check_lab_paths(&[path(1, "labs/01-paging/a.rs")], &files), Ok(()));
        assert!(check_lab_paths(&[], &files).unwrap_err().contains("no module is declared"));
        let wrong_lab = [path(1, "labs/01-paging/a.rs"), path(2, "labs/01-paging/a.rs")];
        assert!(check_lab_paths(&wrong_lab, &files).unwrap_err().contains("no lab 2 region"));
        let stray = [path(1, "labs/01-paging/a.rs"), path(1, "labs/01-paging/b.rs")];
        assert!(check_lab_paths(&stray, &files).unwrap_err().contains("no lab 1 region"));
    }

    #[test]
    fn the_summary_lists_the_declared_labs() {
        let lab1 = "- [Lab 1: Paging and zones](labs/lab1-paging.md)\n";
        let rest: String = declared_labs()[1..]
            .iter()
            .map(|lab| format!("- [Lab {}: {}](labs/{})\n", lab.number, lab.title, lab.chapter))
            .collect();
        assert_eq!(check_summary(&format!("{lab1}{rest}- [Lab 99: Later]()\n")), Ok(()));
        assert!(check_summary(&rest).unwrap_err().contains("lists the labs"));
        assert!(
            check_summary(&format!("{}{rest}", lab1.replace("zones", "Zones")))
                .unwrap_err()
                .contains("must read")
        );
        assert!(
            check_summary(&format!("{lab1}{rest}- [Lab 99: Later](labs/x.md)\n"))
                .unwrap_err()
                .contains("draft")
        );
    }
}
