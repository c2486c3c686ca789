//! The layers of `mm`, checked on the sources: `src/mm/mod.rs` lists the
//! modules under numbered layer headings (`// 3. Page tables ...`), and a
//! module may use only modules of its own layer or of a lower one, with no
//! cycle among them. A new upward `use` fails here with the edge named, so
//! the list in `mod.rs` stays a true reading order.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Each module of `mod.rs` and its layer; host-only modules are left out.
fn layers(mod_rs: &str) -> BTreeMap<String, u32> {
    let mut layer = None;
    let mut layers = BTreeMap::new();
    for line in mod_rs.lines() {
        if let Some(heading) = line.strip_prefix("// ") {
            let number = heading.split_once(". ").and_then(|(n, _)| n.parse().ok());
            layer = number;
        }
        let declared = line.strip_prefix("pub mod ").or_else(|| line.strip_prefix("mod "));
        if let (Some(name), Some(layer)) = (declared.and_then(|rest| rest.strip_suffix(';')), layer) {
            layers.insert(name.to_string(), layer);
        }
    }
    layers
}

/// The sibling modules `source` uses (`super::x` or `crate::mm::x`),
/// its test module left out.
fn uses(source: &str, modules: &BTreeMap<String, u32>) -> Vec<String> {
    let code = source.split("#[cfg(test)]\nmod tests").next().unwrap_or(source);
    let mut found = Vec::new();
    for prefix in ["super::", "crate::mm::"] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if modules.contains_key(&name) && !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

/// The module graph of `src/mm`, from its sources.
fn graph() -> (BTreeMap<String, u32>, BTreeMap<String, Vec<String>>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/mm");
    let modules = layers(&fs::read_to_string(dir.join("mod.rs")).expect("src/mm/mod.rs"));
    let edges = modules
        .keys()
        .map(|name| {
            let source = fs::read_to_string(dir.join(format!("{name}.rs"))).expect("a module's file");
            (name.clone(), uses(&source, &modules).into_iter().filter(|used| used != name).collect())
        })
        .collect();
    (modules, edges)
}

#[test]
fn mod_rs_gives_every_module_a_layer() {
    let (modules, _) = graph();
    assert!(modules.len() > 20, "the layer headings of mod.rs were not found: {modules:?}");
    for name in ["types", "zone", "pgwalk", "mmap", "memory", "do_mmap", "mm_struct"] {
        assert!(modules.contains_key(name), "{name} has no layer");
    }
}

#[test]
fn no_module_uses_a_higher_layer() {
    let (modules, edges) = graph();
    let upward: Vec<String> = edges
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |to| (from, to)))
        .filter(|(from, to)| modules[*to] > modules[*from])
        .map(|(from, to)| format!("{from} (layer {}) uses {to} (layer {})", modules[from], modules[to]))
        .collect();
    assert!(upward.is_empty(), "uses that go up a layer:\n{}", upward.join("\n"));
}

#[test]
fn no_modules_use_each_other() {
    let (_, edges) = graph();
    /// Depth-first search; `path` holds the modules on the way to `at`.
    fn visit<'a>(
        at: &'a str,
        edges: &'a BTreeMap<String, Vec<String>>,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|&name| name == at) {
            panic!("a cycle: {} -> {at}", path[start..].join(" -> "));
        }
        if done.contains(&at) {
            return;
        }
        path.push(at);
        for next in &edges[at] {
            visit(next, edges, path, done);
        }
        path.pop();
        done.push(at);
    }
    let mut done = Vec::new();
    for name in edges.keys() {
        visit(name, &edges, &mut Vec::new(), &mut done);
    }
}
