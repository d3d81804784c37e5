//! The crate's rooms, checked rather than kept by comments: every module of `src/` and the modules it names
//! (`crate::…`, `super::…`, a parent's own children), outside its tests. No module may name one that names it
//! back, directly or round a longer circle; the kit names no family or stage; the stages name no family; the
//! families name nothing above them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every module file: its path (`families::component::records`) → its source without the test module.
fn modules() -> BTreeMap<Module, (bool, String)> {
    let mut out = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Module = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            let is_dir = matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main"));
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let code = code.split("#[cfg(test)]\npub(crate) mod tests").next().unwrap();
            out.insert(module, (is_dir, code.to_owned()));
        }
    }
    out
}

/// The longest known module that `path` starts with.
fn resolve(known: &BTreeMap<Module, (bool, String)>, path: &[String]) -> Option<Module> {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| known.contains_key(m))
}

/// `a::b::{c, d::e}` after a prefix → the paths it names (`a::b::c`, `a::b::d`).
fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &text[at + prefix.len()..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
        let head: Vec<String> = rest[..end].split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
        if rest[end..].starts_with('{') {
            let group = &rest[end + 1..rest[end..].find('}').map_or(end + 1, |i| end + i)];
            for item in group.split(',').map(|s| s.trim().split("::").next().unwrap_or("").trim()) {
                let mut path = head.clone();
                if !item.is_empty() && item != "self" {
                    path.push(item.to_owned());
                }
                out.push(path);
            }
        } else {
            out.push(head);
        }
    }
    out
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let known = modules();
    let mut edges = BTreeMap::new();
    for (module, (is_dir, code)) in &known {
        let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
        let own: Module = if *is_dir { module.clone() } else { parent.clone() };
        let mut named = BTreeSet::new();
        let mut add = |base: &Module, rest: Vec<String>| {
            let full: Module = base.iter().cloned().chain(rest).collect();
            if let Some(target) = resolve(&known, &full).filter(|t| t != module && !t.is_empty()) {
                named.insert(target);
            }
        };
        paths_after(code, "crate::").into_iter().for_each(|p| add(&Vec::new(), p));
        paths_after(code, "super::").into_iter().for_each(|p| add(&parent, p));
        if *is_dir {
            // A parent naming its own children by relative path: `use queue::Fault`, `counters::FAMILY`.
            for child in known.keys().filter(|k| k.len() == own.len() + 1 && k.starts_with(&own)) {
                let name = child.last().unwrap();
                for (at, _) in code.match_indices(&format!("{name}::")) {
                    if !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                        let rest = paths_after(&code[at..], &format!("{name}::"));
                        add(&own, std::iter::once(name.clone()).chain(rest.into_iter().next().unwrap_or_default()).collect());
                    }
                }
            }
        }
        edges.insert(module.clone(), named);
    }
    edges
}

fn shown(m: &Module) -> String {
    if m.is_empty() { "lib".into() } else { m.join("::") }
}

#[test]
fn no_module_names_one_that_names_it_back() {
    let edges = graph();
    // Depth-first search for a circle of any length.
    fn visit(m: &Module, edges: &BTreeMap<Module, BTreeSet<Module>>, path: &mut Vec<Module>, done: &mut BTreeSet<Module>) -> Option<Vec<Module>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            return Some(path[at..].iter().cloned().chain([m.clone()]).collect());
        }
        if !done.insert(m.clone()) {
            return None;
        }
        path.push(m.clone());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        let circle = visit(m, &edges, &mut Vec::new(), &mut done);
        assert!(circle.is_none(), "a circle: {}", circle.unwrap().iter().map(shown).collect::<Vec<_>>().join(" -> "));
    }
    assert!(edges[&vec!["families".to_owned()]].len() >= 10, "the family list names the families: {:?}", edges[&vec!["families".to_owned()]]);
}

#[test]
fn the_kit_names_no_family_the_stages_no_family_and_the_families_nothing_above_them() {
    let edges = graph();
    let above = ["control", "server", "pipeline", "main"];
    for (module, named) in &edges {
        for target in named {
            let (from, to) = (module.first().map(String::as_str), target.first().map(String::as_str));
            if from == Some("kit") {
                assert!(matches!(to, Some("kit" | "wire" | "config")), "{} names {}", shown(module), shown(target));
            }
            if from == Some("stages") {
                assert!(matches!(to, Some("stages" | "kit" | "wire" | "config")), "{} names {}", shown(module), shown(target));
            }
            if from == Some("families") {
                assert!(!above.contains(&to.unwrap_or("")), "{} names {}", shown(module), shown(target));
            }
            if matches!(from, Some("wire" | "config")) {
                panic!("{} names {}: it is the bottom layer", shown(module), shown(target));
            }
        }
    }
}
