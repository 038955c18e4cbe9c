//! Sets `SNAPSCOPE_VERSION`: the crate version, plus `git describe --always
//! --dirty --tags` when building from a git checkout. Never fails: without
//! git or a `.git`, the crate version alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    let pkg = env!("CARGO_PKG_VERSION");
    // Only describe the checkout this crate lives in, not some enclosing repository.
    let canon = |p: &str| std::fs::canonicalize(p).ok();
    let inside = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        std::env::var("CARGO_MANIFEST_DIR").is_ok_and(|dir| {
            let (a, b) = (canon(&dir), canon(&top));
            a.is_some() && a == b
        })
    });
    let described = inside
        .then(|| git(&["describe", "--always", "--dirty", "--tags"]))
        .flatten();
    let version = match described {
        Some(d) if d.trim_start_matches('v') == pkg => pkg.to_string(),
        Some(d) => format!("{pkg} ({d})"),
        None => pkg.to_string(),
    };
    println!("cargo:rustc-env=SNAPSCOPE_VERSION={version}");
    println!("cargo:rerun-if-changed=build.rs");
    if inside {
        for (flag, file) in [
            ("--git-dir", "HEAD"),
            ("--git-dir", "index"),
            ("--git-common-dir", "refs"),
            ("--git-common-dir", "packed-refs"),
        ] {
            if let Some(dir) = git(&["rev-parse", flag]) {
                let p = std::path::Path::new(&dir).join(file);
                let p = if p.is_absolute() {
                    p
                } else {
                    std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
                        .join(p)
                };
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
}
