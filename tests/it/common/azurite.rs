//! A real Azure Blob service for the tests: Azurite, Microsoft's Azure
//! Storage emulator from npm (`azurite-blob`), started by the test on
//! 127.0.0.1 with a free port and a temp folder, telemetry off, and
//! stopped on drop. Blobs are uploaded with the Azure SDK for JS through
//! `tests/fixtures/azurite/upload.cjs`. Both come from
//! [`tools::npm_dir`](super::tools::npm_dir), which `.ci/run` fills.
//! Azurite's debug log names the operation of every request it served
//! ([`Azurite::operations`]: `Container_ListBlobFlatSegment`,
//! `Blob_Download`, `BlockBlob_Upload`, ...).

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::pty::scaled;
use super::tools::{npm_dir, npm_tool, tool};

/// Azurite's well-known development account.
pub const ACCOUNT: &str = "devstoreaccount1";
/// Its published key (Azurite's documentation; not a secret, but no output
/// may contain it all the same).
pub const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// The container the tests upload into.
pub const CONTAINER: &str = "snapscope-test";

/// A running `azurite-blob`.
pub struct Azurite {
    child: Child,
    port: u16,
    node: PathBuf,
    /// `data/` (Azurite's files), `azurite.log` (its output) and
    /// `debug.log` (its debug log).
    dir: TempDir,
}

impl Azurite {
    /// Start Azurite and wait until it accepts connections; `None` (after a
    /// SKIPPED line naming `test`) when it or node is not installed.
    pub fn start(test: &str) -> Option<Azurite> {
        let node = tool("node", "nodejs", test)?;
        let azurite = npm_tool("azurite-blob", test)?;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let log = std::fs::File::create(dir.path().join("azurite.log")).unwrap();
        let port = free_port();
        let child = Command::new(&azurite)
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .arg("--location")
            .arg(&data)
            .arg("--debug")
            .arg(dir.path().join("debug.log"))
            .args([
                "--silent",
                "--skipApiVersionCheck",
                // It would otherwise send usage data to Microsoft.
                "--disableTelemetry",
                "--disableProductStyleUrl",
            ])
            .env_remove("AZURITE_ACCOUNTS")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut a = Azurite {
            child,
            port,
            node,
            dir,
        };
        a.wait_ready();
        Some(a)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + scaled(Duration::from_secs(60));
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("azurite-blob exited ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "azurite-blob is not listening on 127.0.0.1:{}: {}",
                self.port,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What Azurite printed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("azurite.log")).unwrap_or_default()
    }

    /// How many requests of each operation Azurite has served so far.
    pub fn operations(&self) -> BTreeMap<String, usize> {
        let log = std::fs::read_to_string(self.dir.path().join("debug.log")).unwrap_or_default();
        let mut ops = BTreeMap::new();
        for l in log.lines() {
            if let Some((_, op)) = l.split_once("DispatchMiddleware: Operation=") {
                *ops.entry(op.trim().to_string()).or_default() += 1;
            }
        }
        ops
    }

    /// The account's blob endpoint, as `AZURE_STORAGE_ENDPOINT` takes it.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/{ACCOUNT}", self.port)
    }

    /// A connection string for the Azure SDKs.
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={};",
            self.endpoint()
        )
    }

    /// Upload the file or folder `from` as the blob (or under the prefix)
    /// `key` of [`CONTAINER`], with the Azure SDK for JS.
    pub fn upload(&self, key: &str, from: &Path) {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azurite/upload.cjs");
        let out = Command::new(&self.node)
            .arg(script)
            .args([CONTAINER, key])
            .arg(from)
            .env("NODE_PATH", npm_dir().join("node_modules"))
            .env("AZURE_STORAGE_CONNECTION_STRING", self.connection_string())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "upload {} to {key}: {}{}",
            from.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stop the server (the port then refuses connections).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port on 127.0.0.1 that nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The requests of each operation in `after` that were not in `before`.
pub fn since(
    before: &BTreeMap<String, usize>,
    after: &BTreeMap<String, usize>,
) -> BTreeMap<String, usize> {
    after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Operations that only read: listings, downloads, properties.
pub fn reads_only(ops: &BTreeMap<String, usize>) -> bool {
    ops.keys().all(|op| {
        matches!(
            op.as_str(),
            "Container_ListBlobFlatSegment"
                | "Container_ListBlobHierarchySegment"
                | "Blob_Download"
                | "Blob_GetProperties"
        )
    })
}

/// `az://CONTAINER/prefix`.
pub fn url(prefix: &str) -> String {
    format!("az://{CONTAINER}/{prefix}")
}
