//! The module graph has no cycles (issue 13): between the engine's top modules
//! (`config`, `check`, `report`, `compute`, `metrics`, `input`), and between the files
//! of `input/`. Read from the sources' `use` paths (test modules left out), so a new
//! import that closes a cycle fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file below `dir`, with its code (no comment lines) before the first
/// `#[cfg(test)]`.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            // Comments (doc links) are not imports.
            let code = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            out.push((path.display().to_string(), code));
        }
    }
}

/// The names after `prefix` in `text` (`crate::` → `config`, `super::` → `table`).
fn referenced<'a>(text: &'a str, prefix: &str) -> BTreeSet<&'a str> {
    text.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

/// A cycle in the graph, if there is one (depth-first search).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut found = path[i..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_engine_modules_import_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let tops = ["config", "check", "report", "compute", "metrics", "input", "sql"];
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, code) in &files {
        let relative = path.strip_prefix(&format!("{}/", src.display())).unwrap_or(path);
        let top = relative.split(['/', '.']).next().unwrap_or("");
        if !tops.contains(&top) {
            continue;
        }
        for other in referenced(code, "crate::").into_iter().filter(|m| tops.contains(m) && *m != top) {
            graph.entry(top.to_string()).or_default().insert(other.to_string());
        }
    }
    assert_eq!(cycle(&graph), None, "{graph:?}");
}

/// The engine (`compute`, `metrics`, `input`) takes its own options type, never the
/// commands' `config::Settings`, and no KPI is named in `compute` outside the customer
/// family (issue 13): the interaction and survey loops read the registry.
#[test]
fn the_engine_neither_reads_config_nor_names_a_kpi() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for dir in ["compute", "metrics", "input"] {
        let mut files = Vec::new();
        sources(&src.join(dir), &mut files);
        for (path, code) in files {
            assert!(!code.contains("crate::config"), "{path} imports config");
            if dir == "compute" && !path.ends_with("customers.rs") {
                assert!(!code.replace("MetricId::ALL", "").contains("MetricId::"), "{path} names a KPI");
            }
        }
    }
}

#[test]
fn the_files_of_input_import_each_other_without_a_cycle() {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/input");
    let mut files = Vec::new();
    sources(&input, &mut files);
    let names: Vec<String> =
        files.iter().map(|(p, _)| Path::new(p).file_stem().unwrap().to_string_lossy().into_owned()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((_, code), name) in files.iter().zip(&names) {
        if name == "mod" {
            continue;
        }
        for other in referenced(code, "super::").into_iter().filter(|m| names.iter().any(|n| n == m) && *m != name) {
            graph.entry(name.clone()).or_default().insert(other.to_string());
        }
    }
    assert_eq!(cycle(&graph), None, "{graph:?}");
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(a, b)| (a.to_string(), BTreeSet::from([b.to_string()])))
        .collect();
    assert_eq!(cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
