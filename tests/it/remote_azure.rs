//! Workspaces in Azure Blob Storage, end to end against Azurite
//! (`common::azurite`: Microsoft's emulator from npm on 127.0.0.1, the
//! blobs uploaded with the Azure SDK for JS): every headless command
//! answers for `az://container/prefix` as for the same folder on disk, in
//! all three layouts, and `abfs://` as `az://`; the endpoint may come from
//! the configuration file; a wrong key, a missing container, an empty
//! prefix and a stopped server end in exit 2 with one clear line; a live
//! `watch` sees a new and a rewritten blob (Azure cannot list after a key:
//! every poll is a full listing). Without Azurite installed the tests say
//! SKIPPED (and fail in CI, where `.ci/run` installs it).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::common::azurite::{reads_only, since, url, Azurite, ACCOUNT, CONTAINER, KEY};
use crate::common::copy_dir;
use crate::common::pty::scaled;
use crate::common::run::{self, Run};
use crate::remote::{assert_fails_without, assert_same_answers_with, remote_config, text};
use crate::remote_live::{event, watch_json_with};

/// The project "Diabetes progression regressor" of `sample_snapshots/`.
const P: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
const A: &str = "01a2230d-cf89-775a-a1a8-46cd6f8ba0dd";
const B: &str = "01a2230d-d042-7e6a-b768-d9370a0473c3";
const C: &str = "01a2230d-d0f9-7724-ac00-4b6c966cbb5e";
/// A new snapshot id (uuid7, later than any sample).
const NEW: &str = "01a2230e-0000-7000-8000-000000000001";

/// The binary with Azurite's account, key and endpoint.
fn with_azurite(run: Run, az: &Azurite) -> Run {
    run.env("AZURE_STORAGE_ACCOUNT_NAME", ACCOUNT)
        .env("AZURE_STORAGE_ACCOUNT_KEY", KEY)
        .env("AZURE_STORAGE_ENDPOINT", az.endpoint())
        .env_remove("AZURE_STORAGE_ACCOUNT")
        .env_remove("AZURE_STORAGE_KEY")
}

/// The command lines to compare, with `{}` for PATH.
fn command_lines(project: &str) -> Vec<Vec<String>> {
    let snap = A;
    let lines: Vec<Vec<&str>> = vec![
        vec!["projects", "{}"],
        vec!["projects", "--json", "{}"],
        vec!["snapshots", "{}"],
        vec!["snapshots", "--json", "{}"],
        vec!["show", "--json", "{}", snap],
        vec!["series", "--project", project, "{}"],
        vec!["series", "--json", "--project", project, "{}"],
        vec!["trend", "--project", project, "{}", "AbsMaxError.value"],
        vec!["scan", "--json", "{}"],
        vec!["tests", "--project", project, "{}"],
        vec!["tests", "--json", "--project", project, "{}"],
        vec!["check", "{}"],
        vec!["check", "--json", "{}"],
        vec!["compare", "--project", project, "{}"],
        vec!["compare", "--json", "--project", project, "{}"],
        vec!["metrics", "{}"],
    ];
    lines
        .into_iter()
        .map(|l| l.into_iter().map(str::to_string).collect())
        .collect()
}

/// Every command line gives the same exit code, stdout and stderr for the
/// container as for the folder (paths aside), prints something, and never
/// prints the key.
fn assert_same_answers(az: &Azurite, local: &Path, remote: &str, project: &str) {
    let outputs = assert_same_answers_with(command_lines(project), local, remote, || {
        with_azurite(run::snapscope(), az)
    });
    for r in outputs {
        assert!(
            !r.stdout.is_empty(),
            "a command on {remote} printed nothing"
        );
        assert!(!text(&r.stdout).contains(KEY) && !text(&r.stderr).contains(KEY));
    }
}

/// `sample_snapshots/` as `ws`, one project as `one/<P>` and its snapshot
/// files as `flat`, each copied to that folder of a temp folder (the local
/// side: a flat folder is named by its folder) and uploaded from there.
fn upload_layouts(az: &Azurite) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let sample = Path::new("sample_snapshots");
    let one = format!("one/{P}");
    for (to, from) in [
        ("ws", sample.to_path_buf()),
        (one.as_str(), sample.join(P)),
        ("flat", sample.join(P).join("snapshots")),
    ] {
        copy_dir(&from, &tmp.path().join(to));
        az.upload(to, &tmp.path().join(to));
    }
    tmp
}

#[test]
fn every_headless_command_answers_for_a_container_as_for_the_folder() {
    let test = "remote_azure::every_headless_command_answers_for_a_container_as_for_the_folder";
    let Some(az) = Azurite::start(test) else {
        return;
    };
    let local = upload_layouts(&az);
    let local = local.path();
    let before = az.operations();
    assert_same_answers(&az, &local.join("ws"), &url("ws"), P);
    let one = format!("one/{P}");
    assert_same_answers(&az, &local.join(&one), &url(&one), P);
    assert_same_answers(&az, &local.join("flat"), &url("flat"), "flat");

    // abfs:// names the same container.
    let cache = tempfile::tempdir().unwrap();
    let run_line = |path: &str| {
        let run = with_azurite(run::snapscope(), &az).env("XDG_CACHE_HOME", cache.path());
        projects(run, path)
    };
    let az_out = run_line(&url("ws"));
    let abfs = format!("abfs://{CONTAINER}/ws");
    let abfs_out = run_line(&abfs);
    assert_eq!(
        abfs_out.status.code(),
        Some(0),
        "{}",
        text(&abfs_out.stderr)
    );
    assert_eq!(
        text(&abfs_out.stdout),
        text(&az_out.stdout).replace(&url("ws"), &abfs)
    );
    assert!(text(&az_out.stdout).contains("Diabetes progression regressor"));
    std::thread::sleep(Duration::from_millis(500));
    let ops = since(&before, &az.operations());
    assert!(ops.contains_key("Blob_Download"), "{ops:?}");
    assert!(reads_only(&ops), "only listings and reads: {ops:?}");
}

/// Exit 2 with one line on stderr that names `url` and says `what`, and
/// holds neither key.
fn assert_fails(out: &Output, url: &str, what: &str, wrong_key: &str) {
    assert_fails_without(out, url, what, &[KEY, wrong_key]);
}

fn projects(run: Run, path: &str) -> Output {
    run.args(["--no-cache", "projects", path]).output().unwrap()
}

#[test]
fn faults_end_in_one_clear_line_and_the_endpoint_may_come_from_the_config() {
    let test =
        "remote_azure::faults_end_in_one_clear_line_and_the_endpoint_may_come_from_the_config";
    let Some(mut az) = Azurite::start(test) else {
        return;
    };
    az.upload("ws", Path::new("sample_snapshots"));
    let ws = url("ws");
    let good = projects(with_azurite(run::snapscope(), &az), &ws);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stderr));
    assert!(text(&good.stdout).contains("Diabetes progression regressor"));

    // Another valid base64 key of the same 64 bytes: the first one differs.
    let wrong_key = KEY.replacen("Eby8", "Fby8", 1);
    assert_ne!(wrong_key, KEY);
    let wrong = projects(
        with_azurite(run::snapscope(), &az).env("AZURE_STORAGE_ACCOUNT_KEY", &wrong_key),
        &ws,
    );
    assert_fails(&wrong, &ws, "credentials", &wrong_key);
    assert!(text(&wrong.stderr).contains("AZURE_STORAGE_ACCOUNT_KEY"));

    let missing = projects(
        with_azurite(run::snapscope(), &az),
        "az://no-such-container/ws",
    );
    assert_fails(
        &missing,
        "az://no-such-container/ws",
        "not found",
        &wrong_key,
    );

    let empty = projects(with_azurite(run::snapscope(), &az), &url("nothing-here"));
    assert_fails(
        &empty,
        &url("nothing-here"),
        "no objects under this prefix",
        &wrong_key,
    );

    // The endpoint from `[remote."az://…"] endpoint`, none in the environment.
    let (_cfg_dir, cfg) = remote_config(
        &format!("az://{CONTAINER}"),
        &format!("endpoint = \"{}\"", az.endpoint()),
    );
    let configured = projects(
        with_azurite(run::snapscope(), &az)
            .env_remove("AZURE_STORAGE_ENDPOINT")
            .env("SNAPSCOPE_CONFIG", &cfg),
        &ws,
    );
    assert_eq!(
        configured.status.code(),
        Some(0),
        "{}",
        text(&configured.stderr)
    );
    assert_eq!(text(&configured.stdout), text(&good.stdout));

    az.stop();
    let down = projects(with_azurite(run::snapscope(), &az), &ws);
    assert_fails(&down, &ws, "listing failed", &wrong_key);
    assert!(
        text(&down.stderr).contains("AZURE_STORAGE_ENDPOINT"),
        "{}",
        text(&down.stderr)
    );
}

#[test]
fn watch_sees_a_new_and_a_rewritten_blob() {
    let test = "remote_azure::watch_sees_a_new_and_a_rewritten_blob";
    let Some(az) = Azurite::start(test) else {
        return;
    };
    az.upload("ws", Path::new("sample_snapshots"));
    // Were its listings pages of 7 keys, 47 keys would be 7 requests and a
    // cheap poll of 4 projects 5: S3 would poll cheaply here. Azure cannot
    // list after a key, so it lists whole all the same.
    let (_cfg_dir, cfg) = remote_config(&format!("az://{CONTAINER}/ws"), "list-page-keys = 7");
    let (mut child, ev) = watch_json_with(
        with_azurite(run::snapscope(), &az).env("SNAPSCOPE_CONFIG", &cfg),
        &url("ws"),
    );
    let mut seen = Vec::new();
    let t = scaled(Duration::from_secs(30));
    // The summary first: 40 snapshots (`ls sample_snapshots/*/snapshots | grep -c json`).
    ev.until(t, &mut seen, |v| v["snapshots"] == 40);

    // Idle polls are listings only, and each one lists the prefix whole.
    // Azurite writes its log behind: the first scan's downloads may still be
    // arriving in it, so the idle count starts once their number holds.
    let mut before = az.operations();
    for _ in 0..20 {
        std::thread::sleep(scaled(Duration::from_millis(300)));
        let now = az.operations();
        let settled = now.get("Blob_Download") == before.get("Blob_Download");
        before = now;
        if settled {
            break;
        }
    }
    std::thread::sleep(scaled(Duration::from_millis(3500)));
    let idle = since(&before, &az.operations());
    eprintln!("idle: {idle:?}");
    let flat = idle.get("Container_ListBlobFlatSegment").copied();
    assert!(flat.is_some_and(|n| n >= 2), "it polls: {idle:?}");
    assert_eq!(idle.len(), 1, "no download, no delimited listing: {idle:?}");

    let snaps = Path::new("sample_snapshots").join(P).join("snapshots");
    let key = |id: &str| format!("ws/{P}/snapshots/{id}.json");
    az.upload(&key(NEW), &snaps.join(format!("{A}.json")));
    ev.until(t, &mut seen, |v| event(v, "added", NEW));

    // B rewritten with C's bytes: another ETag, another size.
    az.upload(&key(B), &snaps.join(format!("{C}.json")));
    ev.until(t, &mut seen, |v| event(v, "updated", B));
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        !seen.iter().any(|v| v["event"] == "removed"),
        "nothing removed: {seen:#?}"
    );
    let mut ops = since(&before, &az.operations());
    // The upload script's: it creates the container when missing, then uploads.
    for op in ["Container_Create", "BlockBlob_Upload"] {
        assert_eq!(ops.remove(op), Some(2), "{op}: {ops:?}");
    }
    assert!(reads_only(&ops), "watch only lists and reads: {ops:?}");
}
