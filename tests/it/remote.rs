//! Workspaces in object storage, end to end against a real S3 server
//! (`common::s3`: `s3s-fs` on 127.0.0.1 with SigV4 auth): every headless
//! command answers for `s3://bucket/prefix` as for the same folder on disk,
//! in all three layouts; a warm start is a listing only; a rewritten
//! object is fetched again; faults end in exit 2 with one clear line; only
//! reads reach the server; the secret is never printed or cached.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::copy_dir;
use crate::common::run::{self, Run};
use crate::common::s3::{S3Server, ACCESS_KEY, BUCKET, SECRET};

const P: &str = "01a2230d-b8d2-7113-98bf-36daa2d1f948";
const SNAP: &str = "01a2230d-cf89-775a-a1a8-46cd6f8ba0dd";

/// The binary with the test server's endpoint and credentials.
pub(crate) fn with_server(run: Run, server: &S3Server) -> Run {
    run.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", server.endpoint())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_EC2_METADATA_DISABLED", "true")
}

/// A configuration file holding one `[remote."PREFIX"]` table of `lines`
/// (TOML), for `SNAPSCOPE_CONFIG`; it lasts as long as the folder returned.
pub(crate) fn remote_config(prefix: &str, lines: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, format!("[remote.\"{prefix}\"]\n{lines}\n")).unwrap();
    (dir, file)
}

pub(crate) fn url(prefix: &str) -> String {
    format!("s3://{BUCKET}/{prefix}")
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Timings differ from run to run: `in 12 ms`, `"elapsed_ms": 12`.
pub(crate) fn untimed(s: &str) -> String {
    s.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("\"elapsed_ms\"") || t.starts_with("\"checked_at\"") {
                t.split(':').next().unwrap_or("").to_string()
            } else if l.starts_with("snapscope_index_scan_duration_seconds ")
                || l.starts_with("snapscope_index_updated_timestamp_seconds ")
            {
                l.split(' ').next().unwrap_or("").to_string()
            } else if let Some(i) = l.find(" in ").filter(|_| l.ends_with(" ms")) {
                format!("{} in _ ms", &l[..i])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The same text, or the first line that differs.
pub(crate) fn same_lines(remote: &str, local: &str, what: &str) {
    for (i, (r, l)) in remote.lines().zip(local.lines()).enumerate() {
        assert_eq!(r, l, "{what}: line {}", i + 1);
    }
    assert_eq!(remote.lines().count(), local.lines().count(), "{what}");
}

/// Copy `from` into the served folder `to`, dated an hour ago (files
/// changed in the last moments are left out of the index cache).
pub(crate) fn upload(from: &Path, to: &Path) {
    copy_dir(from, to);
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for f in files_under(to) {
        std::fs::File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(past)
            .unwrap();
    }
}

/// Upload `sample_snapshots/` as `ws/`, a project as `one/<P>` (the
/// project layout) and its snapshot files as `flat/`.
fn upload_layouts(server: &S3Server) {
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    upload(
        &Path::new("sample_snapshots").join(P),
        &server.folder(&format!("one/{P}")),
    );
    upload(
        &Path::new("sample_snapshots").join(P).join("snapshots"),
        &server.folder("flat"),
    );
}

/// The command lines to compare, with `{}` for PATH.
fn command_lines(project: &str) -> Vec<Vec<String>> {
    let lines: Vec<Vec<&str>> = vec![
        vec!["projects", "{}"],
        vec!["projects", "--json", "{}"],
        vec!["snapshots", "{}"],
        vec!["snapshots", "--json", "{}"],
        vec!["show", "{}", SNAP],
        vec!["show", "--json", "{}", SNAP],
        vec!["series", "--project", project, "{}"],
        vec!["trend", "--project", project, "{}", "AbsMaxError.value"],
        vec!["scan", "{}"],
        vec!["scan", "--json", "{}"],
        vec!["tests", "--project", project, "{}"],
        vec!["check", "{}"],
        vec!["check", "--json", "{}"],
        vec!["compare", "--project", project, "{}"],
        vec!["metrics", "{}"],
    ];
    lines
        .into_iter()
        .map(|l| l.into_iter().map(str::to_string).collect())
        .collect()
}

/// Every command line of `lines` (`{}` for PATH) gives the same exit code,
/// stdout and stderr for `remote` as for the folder `local` (paths aside),
/// each run from `run` (the binary with the store's credentials); returns
/// every remote output.
pub(crate) fn assert_same_answers_with(
    lines: Vec<Vec<String>>,
    local: &Path,
    remote: &str,
    run: impl Fn() -> Run,
) -> Vec<Output> {
    let cache = tempfile::tempdir().unwrap();
    let local_s = local.to_str().unwrap();
    let run_line = |line: &[String], path: &str| {
        let args: Vec<String> = line.iter().map(|a| a.replace("{}", path)).collect();
        run()
            .args(["--tz", "utc", "--no-cache"])
            .args(&args)
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap()
    };
    let mut outputs = Vec::new();
    for line in lines {
        let l = run_line(&line, local_s);
        let r = run_line(&line, remote);
        let shown = line.join(" ");
        assert_eq!(
            r.status.code(),
            l.status.code(),
            "{shown} on {remote}: {}",
            text(&r.stderr)
        );
        same_lines(
            &untimed(&text(&r.stdout)),
            &untimed(&text(&l.stdout).replace(local_s, remote)),
            &format!("{shown} on {remote}"),
        );
        assert_eq!(
            text(&r.stderr),
            text(&l.stderr).replace(local_s, remote),
            "{shown} on {remote}"
        );
        outputs.push(r);
    }
    outputs
}

fn assert_same_answers(server: &S3Server, local: &Path, remote: &str, project: &str) {
    assert_same_answers_with(command_lines(project), local, remote, || {
        with_server(run::snapscope(), server)
    });
}

#[test]
fn every_headless_command_answers_for_a_bucket_as_for_the_folder() {
    let server = S3Server::start();
    upload_layouts(&server);
    let root = server.root.path().join(BUCKET);
    assert_same_answers(&server, &root.join("ws"), &url("ws"), P);
    assert_same_answers(
        &server,
        &root.join("one").join(P),
        &url(&format!("one/{P}")),
        P,
    );
    assert_same_answers(&server, &root.join("flat"), &url("flat"), "flat");
    // A trailing slash names the same place.
    let out = with_server(run::snapscope(), &server)
        .args(["--no-cache", "projects", &format!("{}/", url("ws"))])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        server.requests.writes().is_empty(),
        "{:?}",
        server.requests.counts()
    );
}

#[test]
fn the_shared_workspaces_answer_the_same_from_a_bucket() {
    let server = S3Server::start();
    let mut any = false;
    for ws in ["legacy-0.4", "current-0.7"] {
        let Some(src) = crate::common::shared(ws) else {
            continue;
        };
        any = true;
        upload(&src, &server.folder(ws));
        let local = server.root.path().join(BUCKET).join(ws);
        let lines = [
            vec!["projects", "--json", "{}"],
            vec!["check", "{}"],
            vec!["scan", "--json", "{}"],
            vec!["metrics", "{}"],
        ];
        let lines = lines
            .into_iter()
            .map(|l| l.into_iter().map(str::to_string).collect())
            .collect();
        assert_same_answers_with(lines, &local, &url(ws), || {
            with_server(run::snapscope(), &server)
        });
    }
    if any {
        assert!(server.requests.writes().is_empty());
    }
}

/// Objects in `sample_snapshots/` that a cold index fetches: every file
/// but the README (snapshots, `metadata.json`, `dashboard.json`).
fn sample_objects() -> usize {
    fn count(p: &Path) -> usize {
        std::fs::read_dir(p)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    count(&e.path())
                } else {
                    usize::from(e.file_name() != "README.md")
                }
            })
            .sum()
    }
    count(Path::new("sample_snapshots"))
}

fn scan_json(server: &S3Server, path: &str, cache: &Path) -> Output {
    with_server(run::snapscope(), server)
        .args(["--tz", "utc", "scan", "--json", path])
        .env("XDG_CACHE_HOME", cache)
        .output()
        .unwrap()
}

#[test]
fn a_warm_start_is_a_listing_only_and_a_rewritten_object_is_fetched_again() {
    let server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let cache = tempfile::tempdir().unwrap();
    let cold = scan_json(&server, &url("ws"), cache.path());
    assert_eq!(cold.status.code(), Some(0), "{}", text(&cold.stderr));
    assert_eq!(
        server.requests.gets(),
        sample_objects(),
        "{:?}",
        server.requests.counts()
    );
    // 46 keys in pages of 7.
    let pages = sample_objects().div_ceil(crate::common::s3::PAGE as usize);
    assert_eq!(
        server.requests.lists(),
        pages,
        "{:?}",
        server.requests.counts()
    );
    server.requests.reset();

    let warm = scan_json(&server, &url("ws"), cache.path());
    assert_eq!(server.requests.gets(), 0, "{:?}", server.requests.counts());
    assert_eq!(server.requests.lists(), pages);
    let v = |o: &Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["elapsed_ms"] = 0.into();
        v["bytes_read"] = 0.into();
        v
    };
    assert_eq!(v(&warm), v(&cold));
    let projects = |c: &Path| {
        with_server(run::snapscope(), &server)
            .args(["--tz", "utc", "snapshots", "--json", &url("ws")])
            .env("XDG_CACHE_HOME", c)
            .output()
            .unwrap()
            .stdout
    };
    let fresh = tempfile::tempdir().unwrap();
    assert_eq!(
        projects(cache.path()),
        projects(fresh.path()),
        "warm equals cold"
    );
    server.requests.reset();

    // Rewrite one snapshot with the same size and mtime: only its ETag moves.
    let file = server
        .folder(&format!("ws/{P}/snapshots"))
        .join(format!("{SNAP}.json"));
    let before = std::fs::metadata(&file).unwrap();
    let old = std::fs::read_to_string(&file).unwrap();
    let new = old.replacen("\"id\"", "\"Id\"", 1);
    assert_eq!(new.len(), old.len());
    assert_ne!(new, old);
    std::fs::write(&file, &new).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let again = scan_json(&server, &url("ws"), cache.path());
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(server.requests.gets(), 1, "{:?}", server.requests.counts());
    assert!(server.requests.writes().is_empty());
}

/// Exit 2 with one line on stderr that names `url` and says `what`.
fn assert_fails(out: &Output, url: &str, what: &str) {
    assert_fails_without(out, url, what, &[SECRET]);
}

/// Exit 2 with one line on stderr that names `url`, says `what` and holds
/// none of `secrets`; nothing on stdout.
pub(crate) fn assert_fails_without(out: &Output, url: &str, what: &str, secrets: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        out.stdout.is_empty(),
        "no partial answer: {}",
        text(&out.stdout)
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(url), "{err}");
    assert!(err.contains(what), "{err}");
    for secret in secrets {
        assert!(!err.contains(secret), "{err}");
    }
}

#[test]
fn faults_end_in_one_clear_line_and_exit_2() {
    let mut server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let cache = tempfile::tempdir().unwrap();
    let ws = url("ws");

    let wrong = with_server(run::snapscope(), &server)
        .env("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        .args(["projects", &ws])
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    assert_fails(&wrong, &ws, "credentials");
    assert!(text(&wrong.stderr).contains("AWS_SECRET_ACCESS_KEY"));

    let missing = scan_json(&server, "s3://no-such-bucket/ws", cache.path());
    assert_fails(&missing, "s3://no-such-bucket/ws", "not found");

    let empty = scan_json(&server, &url("nothing-here"), cache.path());
    assert_fails(&empty, &url("nothing-here"), "no objects under this prefix");

    server
        .faults
        .page2_error
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let halfway = scan_json(&server, &ws, cache.path());
    assert_fails(&halfway, &ws, "listing failed");
    assert!(
        server.requests.lists() > 1,
        "{:?}",
        server.requests.counts()
    );
    server
        .faults
        .page2_error
        .store(false, std::sync::atomic::Ordering::SeqCst);

    // Throttled GETs are retried to success.
    server
        .faults
        .slow_down_gets
        .store(3, std::sync::atomic::Ordering::SeqCst);
    server.requests.reset();
    let throttled = scan_json(&server, &ws, tempfile::tempdir().unwrap().path());
    assert_eq!(
        throttled.status.code(),
        Some(0),
        "{}",
        text(&throttled.stderr)
    );
    assert_eq!(server.requests.gets(), sample_objects() + 3);
    let v: serde_json::Value = serde_json::from_slice(&throttled.stdout).unwrap();
    assert_eq!(v["snapshots"], 40);

    assert!(
        server.requests.writes().is_empty(),
        "{:?}",
        server.requests.counts()
    );
    let endpoint = server.endpoint();
    server.stop();
    let down = scan_json(&server, &ws, cache.path());
    assert_fails(&down, &ws, "listing failed");
    assert!(
        text(&down.stderr).contains("AWS_ENDPOINT_URL"),
        "{}",
        text(&down.stderr)
    );
    drop(endpoint);
}

#[test]
fn a_named_profile_in_the_shared_files_is_used() {
    let server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let aws = tempfile::tempdir().unwrap();
    let creds = aws.path().join("credentials");
    let config = aws.path().join("config");
    std::fs::write(
        &creds,
        format!("[default]\naws_access_key_id = nobody\naws_secret_access_key = nothing\n\n[snapscope-test]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    std::fs::write(&config, "[profile snapscope-test]\nregion = us-east-1\n").unwrap();
    let run = || {
        run::snapscope()
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", server.endpoint())
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
            .env("AWS_CONFIG_FILE", &config)
            .args(["--no-cache", "projects", &url("ws")])
    };
    let out = run().env("AWS_PROFILE", "snapscope-test").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let with_keys = with_server(run::snapscope(), &server)
        .args(["--no-cache", "projects", &url("ws")])
        .output()
        .unwrap();
    assert_eq!(with_keys.status.code(), Some(0));
    assert_eq!(text(&out.stdout), text(&with_keys.stdout));
    assert!(text(&out.stdout).contains("Diabetes progression regressor"));
    // The default profile holds wrong keys: refused.
    let out = run().env_remove("AWS_PROFILE").output().unwrap();
    assert_fails(&out, &url("ws"), "credentials");
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn the_secret_is_in_no_output_log_or_cache_file() {
    let server = S3Server::start();
    upload(Path::new("sample_snapshots"), &server.folder("ws"));
    let xdg = tempfile::tempdir().unwrap();
    let log = xdg.path().join("snapscope.log");
    let mut outputs = Vec::new();
    for args in [vec!["scan", "--json"], vec!["check"], vec!["projects"]] {
        let out = with_server(run::snapscope(), &server)
            .args(["--log-file", log.to_str().unwrap()])
            .args(&args)
            .arg(url("ws"))
            .env("XDG_CACHE_HOME", xdg.path())
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        outputs.push(out);
    }
    // A watch that polls a few times and is stopped.
    let mut watch = with_server(run::snapscope(), &server)
        .args(["--log-file", log.to_str().unwrap()])
        .args(["watch", "--json", "--poll-interval", "0.2", &url("ws")])
        .env("XDG_CACHE_HOME", xdg.path())
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(1));
    std::process::Command::new("kill")
        .args(["-TERM", &watch.id().to_string()])
        .status()
        .unwrap();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    use std::io::Read;
    watch
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    watch
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    let status = watch.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", text(&stderr));
    outputs.push(Output {
        status,
        stdout,
        stderr,
    });
    let wrong = with_server(run::snapscope(), &server)
        .env("AWS_ACCESS_KEY_ID", "SNAPSCOPE-TEST-SECRET-do-not-print")
        .args(["projects", &url("ws")])
        .env("XDG_CACHE_HOME", xdg.path())
        .output()
        .unwrap();
    outputs.push(wrong);
    for o in &outputs {
        assert!(!text(&o.stdout).contains(SECRET));
        assert!(!text(&o.stderr).contains(SECRET), "{}", text(&o.stderr));
    }
    let files = files_under(xdg.path());
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|x| x == "idx")),
        "a cache was written: {files:?}"
    );
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "{} holds the secret",
            f.display()
        );
    }
}

#[test]
fn other_clouds_build_a_client_and_fail_clearly_without_credentials() {
    let gs = run::snapscope()
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .args(["projects", "gs://snapscope-none/ws"])
        .output()
        .unwrap();
    assert_fails(
        &gs,
        "gs://snapscope-none/ws",
        "GOOGLE_APPLICATION_CREDENTIALS",
    );
    let az = run::snapscope()
        .env_remove("AZURE_STORAGE_ACCOUNT_NAME")
        .args(["check", "az://container/ws"])
        .output()
        .unwrap();
    assert_fails(&az, "az://container/ws", "AZURE_STORAGE_ACCOUNT_NAME");
    let abfs = run::snapscope()
        .env("AZURE_STORAGE_ACCOUNT_NAME", "snapscopenone")
        .env_remove("AZURE_STORAGE_ACCOUNT_KEY")
        .args(["scan", "abfs://container/ws"])
        .output()
        .unwrap();
    assert_fails(&abfs, "abfs://container/ws", "credentials");
}
