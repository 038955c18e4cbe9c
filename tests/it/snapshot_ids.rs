//! Naming a snapshot on the command line (`show`, `compare`): a prefix
//! shorter than the minimum says it is too short and what the minimum is;
//! an ambiguous prefix says how many snapshots it matches and in which
//! project(s), names a few and counts the rest (one short line, however
//! many), in `compare` as in `show`. Expected counts come from the file
//! names in sample_snapshots/.

use crate::common;
use common::run;

use std::fs;
use std::path::Path;

/// Ids (file stems) of each project folder of sample_snapshots/, by folder.
fn sample_ids() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for e in fs::read_dir("sample_snapshots").unwrap() {
        let dir = e.unwrap().path();
        if !dir.join("snapshots").is_dir() {
            continue;
        }
        let ids = fs::read_dir(dir.join("snapshots"))
            .unwrap()
            .map(|f| {
                let name = f.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".json").unwrap().to_string()
            })
            .collect();
        out.push((dir.file_name().unwrap().to_str().unwrap().to_string(), ids));
    }
    out
}

/// (matching snapshots, projects holding them) for a prefix, from the files.
fn count(prefix: &str) -> (usize, usize) {
    let per: Vec<usize> = sample_ids()
        .iter()
        .map(|(_, ids)| ids.iter().filter(|i| i.starts_with(prefix)).count())
        .filter(|&n| n > 0)
        .collect();
    (per.iter().sum(), per.len())
}

/// Run; expect exit 2 and return stderr.
fn fails(args: &[&str]) -> String {
    let o = run::snapscope()
        .args(args)
        .arg("--no-cache")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    err
}

const DIABETES: &str = "Diabetes progression regressor";

#[test]
fn an_ambiguous_prefix_in_one_project_says_so() {
    let prefix = "01a2230d-d";
    assert_eq!(count(prefix), (7, 1));
    for args in [
        vec!["show", "sample_snapshots", prefix],
        vec!["compare", "sample_snapshots", prefix, "latest"],
        vec![
            "compare",
            "sample_snapshots",
            prefix,
            "latest",
            "--project",
            "Diabetes",
        ],
    ] {
        let err = fails(&args);
        assert!(
            err.contains(&format!(
                "\"{prefix}\" matches 7 snapshots of project \"{DIABETES}\": "
            )),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(" and 2 more; give more of the id"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("several projects"), "{args:?}: {err}");
        assert!(!err.contains("no snapshot"), "{args:?}: {err}");
        // Five ids named, each of the project's.
        let named = err.matches("01a2230d-d").count() - 1;
        assert_eq!(named, 5, "{err}");
    }
}

#[test]
fn a_prefix_matching_in_several_projects_says_how_many() {
    let prefix = "01a2230d-";
    let (n, projects) = count(prefix);
    assert_eq!((n, projects), (26, 3));
    let err = fails(&["show", "sample_snapshots", prefix]);
    assert!(
        err.contains(&format!(
            "\"{prefix}\" matches {n} snapshots in {projects} projects: "
        )),
        "{err}"
    );
    assert!(err.contains(&format!("and {} more", n - 5)), "{err}");
    assert!(
        err.trim_end()
            .ends_with("give more of the id or add --project"),
        "{err}"
    );
}

#[test]
fn many_matches_make_one_short_line() {
    // 300 more runs of Diabetes, hard links to one file under ids that
    // share a 32-character prefix.
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let folder = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
    common::copy_dir(
        &Path::new("sample_snapshots").join(folder),
        &ws.join(folder),
    );
    let snaps = ws.join(folder).join("snapshots");
    let one = snaps.join("01a2230d-d0f9-7724-ac00-4b6c966cbb5e.json");
    for i in 0..300 {
        fs::hard_link(
            &one,
            snaps.join(format!("01a2230d-d0f9-7724-ac00-4b6c966c{i:04x}.json")),
        )
        .unwrap();
    }
    let err = fails(&["show", ws.to_str().unwrap(), "01a2230d-d0f9"]);
    assert!(err.contains("matches 301 snapshots of project"), "{err}");
    assert!(err.contains("and 296 more"), "{err}");
    assert!(err.len() < 600, "{} bytes: {err}", err.len());
}

#[test]
fn a_prefix_shorter_than_eight_characters_is_too_short() {
    for args in [
        vec!["show", "sample_snapshots", "01a2230"],
        vec![
            "compare",
            "sample_snapshots",
            "01a2230",
            "latest",
            "--project",
            "Diabetes",
        ],
        vec![
            "compare",
            "sample_snapshots",
            "latest",
            "01a2230",
            "--project",
            "Diabetes",
        ],
    ] {
        let err = fails(&args);
        assert!(
            err.contains("snapshot id prefix \"01a2230\" is too short: give at least 8 characters"),
            "{args:?}: {err}"
        );
    }
    // Eight are enough, and so is a whole id of any case.
    let o = run::snapscope()
        .args(["show", "sample_snapshots", "01a2230c-9c", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run::snapscope()
        .args([
            "compare",
            "sample_snapshots",
            "01A2230D-D549",
            "01a2230d-d61a-7165-b788-ed9c16680031",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
