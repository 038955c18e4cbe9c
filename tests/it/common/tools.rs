//! External tools the tests drive (Debian's `prometheus` package for
//! `promtool` and `prometheus`, `libxml2-utils` for `xmllint`; npm's
//! `azurite` and `@azure/storage-blob` in a project-local folder), and a
//! reader of the Prometheus text format for checking what `snapscope`
//! printed. `.ci/run` installs the tools, so in CI (`CI` set) a missing
//! one fails the test; elsewhere the test says SKIPPED and why.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The path of `name` on `PATH`. Absent: a panic in CI, else `None` after a
/// SKIPPED line naming `test` and the Debian package that has it.
pub fn tool(name: &str, package: &str, test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: `{name}` is not installed; .ci/run must install Debian's {package}"
        );
        eprintln!("SKIPPED {test}: `{name}` is absent (apt-get install {package})");
    }
    found
}

/// The npm packages `.ci/run` installs into [`npm_dir`]: Azurite (the
/// Azure Storage emulator) and the Azure SDK for JS. The newest that run on
/// Node 20.
pub const NPM_PACKAGES: &str = "azurite@3.35.0 @azure/storage-blob@12.32.0";

/// The folder npm installed [`NPM_PACKAGES`] into: `SNAPSCOPE_AZURITE_DIR`
/// (`.ci/run` exports it), else `.ci/node` in the package root. Its
/// `node_modules/.bin` has `azurite-blob`.
pub fn npm_dir() -> PathBuf {
    std::env::var_os("SNAPSCOPE_AZURITE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/node"))
}

/// The program `name` of [`npm_dir`]'s `node_modules/.bin`. Absent: a
/// panic in CI, else `None` after a SKIPPED line naming `test` and the
/// command that installs it.
pub fn npm_tool(name: &str, test: &str) -> Option<PathBuf> {
    let dir = npm_dir();
    let path = dir.join("node_modules/.bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    let install = format!("npm install --prefix {} {NPM_PACKAGES}", dir.display());
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: `{}` is not installed; .ci/run must run `{install}`",
        path.display()
    );
    eprintln!(
        "SKIPPED {test}: `{}` is absent (bash .ci/run installs it, or `{install}`)",
        path.display()
    );
    None
}

/// One sample of a text exposition: name, labels, value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// The samples of a text exposition (format 0.0.4). Panics on a line it
/// cannot read: the tests want to know.
pub fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => panic!("no value on {line:?}"),
        };
        let mut labels = BTreeMap::new();
        let mut rest = rest;
        if let Some(r) = rest.strip_prefix('{') {
            let mut chars = r.char_indices();
            let mut key = String::new();
            let end = loop {
                let (i, c) = chars.next().unwrap_or_else(|| panic!("unclosed {line:?}"));
                match c {
                    '}' => break i + 1,
                    ',' => {}
                    '=' => {
                        assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line:?}");
                        let mut value = String::new();
                        loop {
                            match chars.next().map(|(_, c)| c) {
                                Some('\\') => match chars.next().map(|(_, c)| c) {
                                    Some('n') => value.push('\n'),
                                    Some('\\') => value.push('\\'),
                                    Some('"') => value.push('"'),
                                    other => panic!("bad escape {other:?} in {line:?}"),
                                },
                                Some('"') => break,
                                Some(c) => value.push(c),
                                None => panic!("unclosed value in {line:?}"),
                            }
                        }
                        labels.insert(std::mem::take(&mut key), value);
                    }
                    c => key.push(c),
                }
            };
            rest = &r[end..];
        }
        let value = rest.trim();
        let value: f64 = match value {
            "NaN" => f64::NAN,
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v
                .parse()
                .unwrap_or_else(|e| panic!("{v:?} in {line:?}: {e}")),
        };
        out.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    out
}

/// The value of the one sample named `name` whose labels include `with`.
pub fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            with.iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert!(found.len() <= 1, "{name} {with:?}: {found:?}");
    found.first().map(|s| s.value)
}
