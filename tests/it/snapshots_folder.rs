//! What else may sit in a `snapshots/` folder (format doc §2.3: a project's
//! snapshots are exactly `<uuid>.json`): another `*.json` is listed as
//! unreadable ("file name is not a snapshot id"), a FIFO or a link to a
//! device as "not a regular file", never opened; `.links.json`, hidden and
//! temp files and other extensions stay ignored. In a flat folder any name
//! is a snapshot, but a FIFO is still no file. A huge file that is not JSON
//! fails on its first bytes.

use crate::common;
use common::deadline::{mkfifo, output_within};
use common::run;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

const DIABETES: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
const RUN: &str = "01a2230d-cf89-775a-a1a8-46cd6f8ba0dd";

/// `scan --json` of `ws` (killed if it hangs): file name → reason of each
/// unreadable entry, and the snapshot count.
fn unreadable(ws: &Path) -> (BTreeMap<String, String>, u64) {
    let (o, _) = output_within(
        run::snapscope().args(["scan", ws.to_str().unwrap(), "--json", "--no-cache"]),
        "scan",
        Duration::from_secs(30),
        1 << 30,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let map = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let p = Path::new(u["path"].as_str().unwrap());
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, u["reason"].as_str().unwrap().to_string())
        })
        .collect();
    (map, v["snapshots"].as_u64().unwrap())
}

#[test]
fn odd_entries_of_a_project_snapshots_folder_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    common::copy_dir(
        &Path::new("sample_snapshots").join(DIABETES),
        &ws.join(DIABETES),
    );
    let snaps = ws.join(DIABETES).join("snapshots");
    let real = snaps.join(format!("{RUN}.json"));
    // A real snapshot under a name that is not a snapshot id.
    fs::copy(&real, snaps.join("x.json")).unwrap();
    mkfifo(&snaps.join("0aaaaaaa-0000-4000-8000-00000000f1f0.json"));
    std::os::unix::fs::symlink(
        "/dev/zero",
        snaps.join("0aaaaaaa-0000-4000-8000-000000000000.json"),
    )
    .unwrap();
    // Ignored, as before: Evidently's own extras, temp and other files.
    fs::write(snaps.join(format!("{RUN}.links.json")), b"{}").unwrap();
    fs::write(snaps.join(".x.json.swp"), b"").unwrap();
    fs::write(snaps.join("notes.txt"), b"hello").unwrap();
    let (got, snapshots) = unreadable(&ws);
    let want: BTreeMap<String, String> = [
        (
            "x.json",
            "file name is not a snapshot id (a project's snapshots/ holds <uuid>.json files)",
        ),
        (
            "0aaaaaaa-0000-4000-8000-00000000f1f0.json",
            "not a regular file (a FIFO)",
        ),
        (
            "0aaaaaaa-0000-4000-8000-000000000000.json",
            "not a regular file (a device)",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
    // The 8 real runs (ls sample_snapshots/01a2230d-b8d2-*/snapshots | wc -l).
    assert_eq!(snapshots, 8);
}

#[test]
fn a_flat_folder_takes_any_name_but_no_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let flat = tmp.path().join("flat");
    fs::create_dir(&flat).unwrap();
    let real = Path::new("sample_snapshots")
        .join(DIABETES)
        .join("snapshots")
        .join(format!("{RUN}.json"));
    fs::copy(&real, flat.join("x.json")).unwrap();
    mkfifo(&flat.join("y.json"));
    let (got, snapshots) = unreadable(&flat);
    assert_eq!(snapshots, 1, "x.json is a snapshot here");
    let want: BTreeMap<String, String> = [(
        "y.json".to_string(),
        "not a regular file (a FIFO)".to_string(),
    )]
    .into();
    assert_eq!(got, want);
}

#[test]
fn a_huge_file_that_is_not_json_fails_on_its_first_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    common::copy_dir(
        &Path::new("sample_snapshots").join(DIABETES),
        &ws.join(DIABETES),
    );
    // 3 GiB that start like a zip archive (sparse: no disk used), under a
    // size limit raised above it.
    let big = ws
        .join(DIABETES)
        .join("snapshots")
        .join("0aaaaaaa-0000-4000-8000-0000000000b1.json");
    fs::write(&big, b"PK\x03\x04").unwrap();
    fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    // Reading it whole would take 3 GiB of memory and seconds; its first
    // bytes suffice.
    let (o, took) = output_within(
        run::snapscope().args([
            "scan",
            ws.to_str().unwrap(),
            "--json",
            "--no-cache",
            "--max-file-size",
            "4G",
        ]),
        "scan with a 3 GiB zip",
        Duration::from_secs(30),
        150 << 20,
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let reasons: Vec<&str> = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["invalid JSON at line 1, column 1: does not start with a JSON object"]
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}
