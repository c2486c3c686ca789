//! The scenarios: what each boots, what it is worth, how it must end, and
//! where a student reads about it. They are data, one TOML file per lab in
//! `grader/scenarios/` beside `foundation.toml` (whose header describes the
//! fields), next to the snapshots they are compared with.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::disk::Disk;
use crate::initrd::ARCHIVE as USER_INITRD;
use crate::lab::labs;
use crate::qemu::{End, Machine};
use crate::workspace_root;

/// Where the scenario files live, relative to the repository.
pub const DIR: &str = "grader/scenarios";

/// One graded boot of the kernel.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The snapshot's file name.
    pub name: String,
    /// The kernel's `test=` name (one kernel test may run on several
    /// machines), or, when it starts with `/`, a program of the initrd that
    /// the kernel runs as `init`.
    pub test: String,
    /// The lab whose code it tests; `None` for the foundation.
    pub lab: Option<u8>,
    pub points: u32,
    /// RAM of the machine.
    pub memory: String,
    /// Kernel options besides `test=NAME`.
    pub options: String,
    /// A file, relative to the repository, loaded as the boot module.
    pub initrd: Option<String>,
    /// What is typed on the console.
    pub input: Option<String>,
    /// The first IDE disk.
    pub disk: Option<Disk>,
    /// Wall-clock limit; a kernel still running then is stopped.
    pub timeout: Duration,
    /// Serial output limit in bytes; a kernel that prints more is stopped.
    pub output_limit: usize,
    /// How a correct kernel ends this scenario.
    pub expect: End,
    /// What to check first when the scenario fails.
    pub hint: String,
    /// The book section that explains it.
    pub book: String,
}

impl Scenario {
    /// Whether the scenario runs a program as `init` rather than a kernel test.
    pub fn runs_init(&self) -> bool {
        self.test.starts_with('/')
    }

    /// The line the transcript starts at; `None` for `boot`, whose
    /// transcript is the whole boot log.
    pub fn scope(&self) -> Option<String> {
        match self.test.as_str() {
            "boot" => None,
            path if self.runs_init() => Some(format!("Run {path} as init process")),
            test => Some(format!("test {test}: start")),
        }
    }

    pub fn machine(&self) -> Machine {
        let key = if self.runs_init() { "init" } else { "test" };
        let append = format!("{key}={} {}", self.test, self.options).trim_end().to_string();
        let initrd = self.initrd.as_ref().map(|path| workspace_root().join(path));
        Machine {
            memory: self.memory.clone(),
            append,
            initrd,
            input: self.input.clone(),
            disk: self.disk,
            output_limit: self.output_limit,
        }
    }
}

/// A scenario as its file writes it; the defaults are `foundation.toml`'s.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    test: Option<String>,
    init: Option<String>,
    #[serde(default)]
    options: String,
    #[serde(default = "default_memory")]
    memory: String,
    initrd: Option<String>,
    input: Option<String>,
    disk: Option<String>,
    #[serde(default = "default_timeout")]
    timeout: u64,
    #[serde(default = "default_output_limit")]
    output_limit: usize,
    #[serde(default)]
    expect: Expect,
    #[serde(default)]
    points: u32,
    hint: String,
    book: String,
}

fn default_memory() -> String {
    "2G".into()
}

fn default_timeout() -> u64 {
    30
}

fn default_output_limit() -> usize {
    crate::qemu::OUTPUT_LIMIT
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expect {
    #[default]
    Success,
    /// A kernel panic, whatever its message (the snapshot holds the message).
    Panic,
    Timeout,
    Reset,
    /// Stopped at its output limit.
    #[serde(rename = "output-limit")]
    OutputLimit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    scenario: Vec<Entry>,
}

impl Entry {
    fn into_scenario(self, lab: Option<u8>) -> Result<Scenario, String> {
        let test = match (self.test, self.init) {
            (Some(test), None) if !test.starts_with('/') => test,
            (None, Some(init)) if init.starts_with('/') => init,
            (None, None) => self.name.clone(),
            _ => {
                return Err(format!(
                    "{}: give `test` (a kernel test) or `init` (a /path), not both",
                    self.name
                ));
            }
        };
        let initrd = match self.initrd.as_deref() {
            Some("user") => Some(USER_INITRD.to_string()),
            None if test.starts_with('/') => Some(USER_INITRD.to_string()),
            other => other.map(String::from),
        };
        let expect = match self.expect {
            Expect::Success => End::Success,
            Expect::Panic => End::Panic(String::new()),
            Expect::Timeout => End::Timeout,
            Expect::Reset => End::Reset,
            Expect::OutputLimit => End::OutputLimit,
        };
        let disk =
            self.disk.as_deref().map(Disk::parse).transpose().map_err(|e| format!("{}: {e}", self.name))?;
        Ok(Scenario {
            name: self.name,
            test,
            lab,
            points: self.points,
            memory: self.memory,
            options: self.options,
            initrd,
            input: self.input,
            disk,
            timeout: Duration::from_secs(self.timeout),
            output_limit: self.output_limit,
            expect,
            hint: self.hint,
            book: self.book,
        })
    }
}

/// The scenarios of one file, which belong to `lab`.
fn parse(text: &str, lab: Option<u8>) -> Result<Vec<Scenario>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let scenarios: Vec<Scenario> =
        file.scenario.into_iter().map(|entry| entry.into_scenario(lab)).collect::<Result<_, _>>()?;
    if let Some(s) = scenarios.iter().find(|s| (lab.is_some()) != (s.points > 0)) {
        return Err(format!("{}: a lab's scenarios carry points and the foundation's none", s.name));
    }
    Ok(scenarios)
}

/// The scenarios in `dir`: `foundation.toml`, then `labN.toml` for each
/// lab of the manifest. Any other file there is an error, so that a lab's
/// scenarios cannot be left out by a typo in a name.
pub fn load(dir: &Path) -> Result<Vec<Scenario>, String> {
    let mut files: Vec<(PathBuf, Option<u8>)> = vec![(dir.join("foundation.toml"), None)];
    files.extend(labs().iter().map(|lab| (dir.join(format!("lab{}.toml", lab.number)), Some(lab.number))));
    let listed = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in listed {
        let path = entry.map_err(|e| e.to_string())?.path();
        if !files.iter().any(|(known, _)| *known == path) {
            return Err(format!(
                "{}: not a scenario file; they are foundation.toml and labN.toml for each lab of labs/labs.toml",
                path.display()
            ));
        }
    }
    let mut scenarios: Vec<Scenario> = Vec::new();
    for (path, lab) in files {
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for scenario in parse(&text, lab).map_err(|e| format!("{}: {e}", path.display()))? {
            if scenarios.iter().any(|s| s.name == scenario.name) {
                return Err(format!("{}: a second scenario called {}", path.display(), scenario.name));
            }
            scenarios.push(scenario);
        }
    }
    Ok(scenarios)
}

/// Every scenario, foundation first, then by lab.
pub fn all() -> Result<Vec<Scenario>, String> {
    load(&workspace_root().join(DIR))
}

/// The scenario called `name`.
pub fn find(name: &str) -> Result<Scenario, String> {
    all()?.into_iter().find(|s| s.name == name).ok_or_else(|| format!("there is no scenario '{name}'"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_scenario_has_a_snapshot_and_every_snapshot_a_scenario() {
        let scenarios: BTreeSet<String> = all().unwrap().into_iter().map(|s| s.name).collect();
        let snapshots: BTreeSet<String> = fs::read_dir(workspace_root().join("grader/snapshots"))
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".snap").map(String::from))
            .collect();
        assert_eq!(
            scenarios.difference(&snapshots).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "scenarios without a snapshot"
        );
        assert_eq!(
            snapshots.difference(&scenarios).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "snapshots without a scenario"
        );
    }

    #[test]
    fn every_lab_has_scenarios_and_every_book_section_exists() {
        let scenarios = all().unwrap();
        for lab in labs() {
            assert!(
                scenarios.iter().any(|s| s.lab == Some(lab.number)),
                "lab {} has no scenario",
                lab.number
            );
        }
        for s in &scenarios {
            let (file, anchor) = s.book.split_once('#').unwrap_or((&s.book, ""));
            let text = fs::read_to_string(workspace_root().join(file))
                .unwrap_or_else(|e| panic!("{}: {file}: {e}", s.name));
            let anchors: Vec<String> =
                text.lines().filter_map(|l| l.strip_prefix('#')).map(heading_id).collect();
            assert!(
                anchor.is_empty() || anchors.iter().any(|a| a == anchor),
                "{}: no heading #{anchor} in {file}",
                s.name
            );
        }
    }

    /// The id mdBook gives a heading: lower case, spaces to `-`, other
    /// punctuation dropped.
    fn heading_id(heading: &str) -> String {
        let text = heading.trim_start_matches('#').trim().to_lowercase();
        text.chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn defaults_and_errors() {
        let one = |body: &str| format!("[[scenario]]\nname = \"x\"\nhint = \"h\"\nbook = \"b\"\n{body}");
        let s = &parse(&one("init = \"/bin/x\"\noptions = \"-- a\""), None).unwrap()[0];
        assert_eq!(
            (s.test.as_str(), s.memory.as_str(), s.timeout),
            ("/bin/x", "2G", Duration::from_secs(30))
        );
        assert_eq!((s.initrd.as_deref(), s.machine().append), (Some(USER_INITRD), "init=/bin/x -- a".into()));
        let s = &parse(&one("expect = \"panic\"\npoints = 5"), Some(1)).unwrap()[0];
        assert_eq!((s.test.as_str(), &s.expect, s.initrd.as_ref()), ("x", &End::Panic(String::new()), None));
        assert!(parse(&one("test = \"a\"\ninit = \"/b\""), None).unwrap_err().contains("not both"));
        assert!(parse(&one(""), Some(1)).unwrap_err().contains("carry points"));
        assert!(parse(&one("expect = \"maybe\""), None).unwrap_err().contains("unknown variant"));
        assert!(parse(&one("memroy = \"1G\""), None).unwrap_err().contains("unknown field"));
    }
}
