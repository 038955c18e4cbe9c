//! The house rules of `src/`, read from the source itself (see
//! `ARCHITECTURE.md`): dependencies between the top-level modules point one
//! way, down the layers `text ← model ← parse ← index ← analysis ← config ←
//! {cmd, tui}`; the files of `src/tui/` depend on each other without cycles;
//! no file in `src/` is over 800 lines.
//!
//! A dependency is any path in code (comments are skipped) that names an
//! item through `crate::…`, `super::…`, `self::…`, or, inside a `mod.rs`,
//! through the name of one of its child modules. It is attributed to the
//! deepest module file the path reaches.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom up; a module may use only modules of a lower rank.
const LAYERS: &[(&str, u8)] = &[
    ("text", 0),
    ("model", 1),
    ("parse", 2),
    ("index", 3),
    ("analysis", 4),
    ("config", 5),
    ("cmd", 6),
    ("tui", 6),
];

const MAX_LINES: usize = 800;

/// One source file: its module path (`["tui", "ui", "now"]`) and its code
/// with comments removed.
struct Source {
    module: Vec<String>,
    path: PathBuf,
    code: String,
    lines: usize,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code with `//` comments (and so doc comments) removed. String
/// literals are kept; none of them spells a module path.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = '\0';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str && c == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

fn sources() -> Vec<Source> {
    let root = src_dir();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read src dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&root).expect("under src").to_path_buf();
                let text = fs::read_to_string(&path).expect("read source");
                out.push(Source {
                    module: module_of(&rel),
                    lines: text.lines().count(),
                    code: strip_comments(&text),
                    path: rel,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Every path of identifiers joined by `::` in `code`, with `use` groups
/// (`a::{b, c::d}`) expanded.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = (c.is_alphabetic() || c == '_')
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
            && (i == 0 || chars[i - 1] != ':');
        if !starts {
            i += 1;
            continue;
        }
        let (paths, end) = read_path(&chars, i);
        out.extend(paths);
        i = end.max(i + 1);
    }
    out
}

fn read_ident(chars: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn skip_ws(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Reads `seg::seg::{…}` from `i`; returns the expanded paths and the end.
fn read_path(chars: &[char], i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut i = i;
    loop {
        let (ident, end) = read_ident(chars, i);
        if ident.is_empty() {
            return (
                vec![prefix].into_iter().filter(|p| p.len() > 1).collect(),
                i,
            );
        }
        prefix.push(ident);
        i = end;
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i = skip_ws(chars, i + 2);
            if chars.get(i) == Some(&'{') {
                let mut all = Vec::new();
                i += 1;
                loop {
                    i = skip_ws(chars, i);
                    match chars.get(i) {
                        Some('}') => {
                            i += 1;
                            break;
                        }
                        Some(',') => i += 1,
                        Some(c) if c.is_alphabetic() || *c == '_' => {
                            let (inner, end) = read_path(chars, i);
                            let (last, _) = read_ident(chars, i);
                            if inner.is_empty() {
                                let mut p = prefix.clone();
                                p.push(last);
                                all.push(p);
                            }
                            for tail in inner {
                                let mut p = prefix.clone();
                                p.extend(tail);
                                all.push(p);
                            }
                            i = end;
                        }
                        Some(_) => i += 1,
                        None => break,
                    }
                }
                return (all, i);
            }
            continue;
        }
        let out = if prefix.len() > 1 {
            vec![prefix]
        } else {
            Vec::new()
        };
        return (out, i);
    }
}

/// The module files that `source` depends on, as module paths.
fn dependencies(source: &Source, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let is_mod_file = source
        .path
        .file_name()
        .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
    // The module whose children `self::` and bare child names refer to.
    let own = &source.module;
    let parent_of_file = if is_mod_file {
        own.clone()
    } else {
        own[..own.len().saturating_sub(1)].to_vec()
    };
    let mut deps = BTreeSet::new();
    for path in paths_in(&source.code) {
        let mut base: Vec<String> = match path[0].as_str() {
            "crate" => Vec::new(),
            "self" => own.clone(),
            "super" => parent_of_file.clone(),
            first => {
                let mut child = own.clone();
                child.push(first.to_string());
                if is_mod_file && modules.contains(&child) {
                    own.clone()
                } else {
                    continue;
                }
            }
        };
        let mut rest = &path[..];
        if matches!(path[0].as_str(), "crate" | "self" | "super") {
            rest = &path[1..];
        }
        // Further `super::` segments climb.
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
        let mut target = base.clone();
        for seg in rest {
            let mut next = target.clone();
            next.push(seg.clone());
            if modules.contains(&next) {
                target = next;
            } else {
                break;
            }
        }
        if !target.is_empty() && &target != own {
            deps.insert(target);
        }
    }
    deps
}

struct Graph {
    deps: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn graph() -> Graph {
    let sources = sources();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    let mut deps = BTreeMap::new();
    for s in &sources {
        deps.insert(s.module.clone(), dependencies(s, &modules));
    }
    Graph { deps }
}

fn rank(top: &str) -> Option<u8> {
    LAYERS.iter().find(|(n, _)| *n == top).map(|(_, r)| *r)
}

/// Cycles among `nodes` under `edges`: each strongly connected component
/// with more than one node, as sorted names.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's algorithm, small enough to write out.
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(st: &mut State<'a>, v: &'a str) {
        st.index.insert(v, st.next);
        st.low.insert(v, st.next);
        st.next += 1;
        st.stack.push(v);
        st.on_stack.insert(v);
        if let Some(ws) = st.edges.get(v) {
            for w in ws {
                let w = w.as_str();
                if !st.edges.contains_key(w) {
                    continue;
                }
                if !st.index.contains_key(w) {
                    visit(st, w);
                    let lw = st.low[w];
                    let lv = st.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if st.on_stack.contains(w) {
                    let iw = st.index[w];
                    let lv = st.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
        }
        if st.low[v] == st.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                st.out.push(comp);
            }
        }
    }
    let mut st = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !st.index.contains_key(v.as_str()) {
            visit(&mut st, v);
        }
    }
    st.out
}

#[test]
fn top_level_modules_depend_only_downwards() {
    let g = graph();
    let mut wrong = Vec::new();
    for (module, deps) in &g.deps {
        let Some(from) = module.first() else { continue };
        if from == "main" {
            continue; // the binary's edge may use every layer
        }
        let Some(from_rank) = rank(from) else {
            wrong.push(format!("src/{from}: not a known layer"));
            continue;
        };
        for dep in deps {
            let to = &dep[0];
            if to == from {
                continue;
            }
            match rank(to) {
                Some(r) if r < from_rank => {}
                _ => wrong.push(format!("{} -> {}", module.join("::"), dep.join("::"))),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies that point up or sideways between layers \
         (allowed: text <- model <- parse <- index <- analysis <- config <- {{cmd, tui}}):\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn tui_files_have_no_cycles() {
    let g = graph();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, deps) in &g.deps {
        if module.first().map(String::as_str) != Some("tui") {
            continue;
        }
        let name = module.join("::");
        let targets = deps
            .iter()
            .filter(|d| d.first().map(String::as_str) == Some("tui"))
            .map(|d| d.join("::"))
            .collect();
        edges.insert(name, targets);
    }
    let found = cycles(&edges);
    assert!(
        found.is_empty(),
        "files of src/tui/ that depend on each other in a cycle:\n  {}",
        found
            .iter()
            .map(|c| c.join(" <-> "))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn top_level_modules_have_no_cycles() {
    let g = graph();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, deps) in &g.deps {
        let Some(from) = module.first() else { continue };
        if from == "main" {
            continue;
        }
        let e = edges.entry(from.clone()).or_default();
        e.extend(deps.iter().map(|d| d[0].clone()).filter(|d| d != from));
    }
    let found: Vec<Vec<String>> = cycles(&edges);
    assert!(found.is_empty(), "top-level modules in a cycle: {found:?}");
}

#[test]
fn no_source_file_is_over_the_limit() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|s| s.lines > MAX_LINES)
        .map(|s| format!("src/{} ({} lines)", s.path.display(), s.lines))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines: {}",
        long.join(", ")
    );
}

/// The checker itself: a path in a `use` group is seen, a comment is not,
/// and a two-module cycle is found.
#[test]
fn checker_reads_paths_and_finds_cycles() {
    let code =
        strip_comments("use crate::a::{b, c::{d, e}};\n// crate::zzz::y\nlet x = super::f::g();");
    let paths = paths_in(&code);
    let names: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert!(names.contains(&"crate::a::b".to_string()), "{names:?}");
    assert!(names.contains(&"crate::a::c::e".to_string()), "{names:?}");
    assert!(names.contains(&"super::f::g".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("zzz")), "{names:?}");

    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string()]]);
}
