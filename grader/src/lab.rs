//! The lab manifest, `labs/labs.toml`: the one declaration of each lab, from
//! which the lab crate, its scenarios and its book entry are generated or
//! checked.

use std::sync::OnceLock;

use serde::Deserialize;

/// A lab as the manifest declares it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    pub number: u8,
    /// Its directory under `labs/`.
    pub dir: String,
    /// Its title in the book's summary, after `Lab N: `.
    pub title: String,
    /// Its chapter, under `book/src/labs/`.
    pub chapter: String,
    /// The files the student writes, in `labs/DIR/`.
    pub files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    lab: Vec<Lab>,
}

/// The manifest's text; the grader is rebuilt when it changes.
const MANIFEST: &str = include_str!("../../labs/labs.toml");

/// Every lab, in order.
pub fn labs() -> &'static [Lab] {
    static LABS: OnceLock<Vec<Lab>> = OnceLock::new();
    LABS.get_or_init(|| parse(MANIFEST).unwrap_or_else(|e| panic!("labs/labs.toml: {e}")))
}

/// Lab `n`, or the one-line error for an unknown lab.
pub fn find(n: u8) -> Result<&'static Lab, String> {
    labs().iter().find(|lab| lab.number == n).ok_or_else(|| {
        let known: Vec<String> = labs().iter().map(|lab| lab.number.to_string()).collect();
        format!("there is no lab {n}; the labs are {}", known.join(", "))
    })
}

fn parse(text: &str) -> Result<Vec<Lab>, String> {
    let labs = toml::from_str::<Manifest>(text).map_err(|e| e.to_string())?.lab;
    for (i, lab) in labs.iter().enumerate() {
        if usize::from(lab.number) != i + 1 {
            return Err(format!(
                "lab {} is declared where lab {} belongs: number them 1, 2, ...",
                lab.number,
                i + 1
            ));
        }
        if lab.files.is_empty() {
            return Err(format!("lab {} names no files", lab.number));
        }
    }
    Ok(labs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_parses() {
        assert_eq!(labs()[0].dir, "01-paging");
        assert_eq!(find(9).unwrap_err(), format!("there is no lab 9; the labs are {}", numbers()));
    }

    fn numbers() -> String {
        labs().iter().map(|lab| lab.number.to_string()).collect::<Vec<_>>().join(", ")
    }

    #[test]
    fn labs_are_numbered_in_order_and_name_files() {
        let lab = |n: u8| {
            format!(
                "[[lab]]\nnumber = {n}\ndir = \"d\"\ntitle = \"t\"\nchapter = \"c.md\"\nfiles = [\"f.rs\"]\n"
            )
        };
        assert!(parse(&(lab(1) + &lab(2))).is_ok());
        assert!(parse(&lab(2)).unwrap_err().contains("where lab 1 belongs"));
        assert!(parse(&lab(1).replace("[\"f.rs\"]", "[]")).unwrap_err().contains("names no files"));
        assert!(parse(&(lab(1) + "extra = 1\n")).unwrap_err().contains("unknown field"));
    }
}
