//! The client of one bucket: an `opendal` operator with retries (backoff
//! with jitter on throttling, 5xx and dropped connections), timeouts and a
//! bound on requests in flight, driven by a private tokio runtime. The rest
//! of the index calls it through blocking methods from its own threads.
//! Only list and get requests are ever sent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::{StreamExt, TryStreamExt};
use opendal::layers::{ConcurrentLimitLayer, RetryLayer, TimeoutLayer};
use opendal::{ErrorKind, Operator};
use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::index::catalog::{ChangeStamp, Fingerprint};

use super::settings::{settings_for, RemoteSettings, DEFAULT_CONCURRENCY};
use super::url::{RemoteUrl, Scheme};
use super::RemoteError;

/// Retries of one request before it fails (throttling, 5xx, connection errors).
const RETRIES: usize = 5;

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key, relative to the bucket.
    pub key: String,
    /// Size, last-modified and a hash of the ETag (and version).
    pub fingerprint: Fingerprint,
}

/// A connected bucket.
pub struct RemoteStore {
    url: RemoteUrl,
    op: Operator,
    runtime: tokio::runtime::Runtime,
    concurrency: usize,
    /// The fingerprints of the last listing, by object URL.
    listed: std::sync::Mutex<std::collections::BTreeMap<std::path::PathBuf, Fingerprint>>,
    /// The folder names at the top of the last full listing.
    top: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// Every how many polls the bucket is listed whole (at least 1).
    full_listing_every: u32,
    /// Keys per listing page (at least 1).
    list_page_keys: u32,
    /// A listing succeeded before: an empty one now means all was deleted.
    has_listed: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for RemoteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteStore")
            .field("url", &self.url.to_string())
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl RemoteStore {
    /// A client for `url` with its configured settings and the standard
    /// credentials of its cloud. Sends no request.
    pub fn connect(url: &RemoteUrl) -> Result<RemoteStore, RemoteError> {
        // The reqwest transport, process-wide (once; later calls do nothing).
        opendal::install_default();
        let settings = settings_for(&url.to_string());
        let fail = |what: String| RemoteError::fatal(url, what);
        let op = operator(url, &settings).map_err(|e| fail(describe(url, "setting up", &e)))?;
        let op = op
            .layer(
                RetryLayer::new()
                    .with_max_times(RETRIES)
                    .with_min_delay(Duration::from_millis(100))
                    .with_max_delay(Duration::from_secs(5))
                    .with_factor(2.0)
                    .with_jitter(),
            )
            .layer(
                TimeoutLayer::new()
                    .with_timeout(Duration::from_secs(60))
                    .with_io_timeout(Duration::from_secs(20)),
            );
        let concurrency = settings
            .concurrency
            .filter(|&n| n > 0)
            .unwrap_or(DEFAULT_CONCURRENCY);
        let op = op.layer(ConcurrentLimitLayer::new(concurrency));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("snapscope-remote")
            .enable_all()
            .build()
            .map_err(|e| fail(format!("cannot start the network runtime: {e}")))?;
        Ok(RemoteStore {
            url: url.clone(),
            op,
            runtime,
            concurrency,
            listed: Default::default(),
            top: Default::default(),
            full_listing_every: settings
                .full_listing_every
                .filter(|&n| n > 0)
                .unwrap_or(super::settings::DEFAULT_FULL_LISTING_EVERY),
            list_page_keys: settings
                .list_page_keys
                .filter(|&n| n > 0)
                .unwrap_or(super::settings::DEFAULT_LIST_PAGE_KEYS),
            has_listed: Default::default(),
        })
    }

    /// Every object under the root, all pages. A page that fails (after its
    /// retries) fails the whole listing: never a shorter answer.
    pub fn list(&self) -> Result<Vec<ObjectInfo>, RemoteError> {
        let prefix = self.url.list_prefix();
        let path = if prefix.is_empty() {
            "/".to_string()
        } else {
            prefix
        };
        self.list_with(path, true, None)
    }

    /// Whether a listing can start after a key (S3 and GCS can; Azure
    /// cannot, so there every poll lists the whole bucket).
    pub fn lists_after(&self) -> bool {
        self.op.info().capability().list_with_start_after
    }

    /// The objects and folders directly in the folder `dir_key` (a key
    /// relative to the bucket, ending in `/`; empty: the bucket's top) whose
    /// keys sort after `after`, all pages. Folders end in `/`.
    pub fn list_dir(
        &self,
        dir_key: &str,
        after: Option<&str>,
    ) -> Result<Vec<ObjectInfo>, RemoteError> {
        let path = if dir_key.is_empty() {
            "/".to_string()
        } else {
            dir_key.to_string()
        };
        let after = after.filter(|_| self.lists_after()).map(str::to_string);
        let mut found = self.list_with(path.clone(), false, after.clone())?;
        // The folder itself comes back as an entry of a delimited listing.
        found.retain(|o| o.key != path.trim_start_matches('/'));
        if let Some(after) = after {
            found.retain(|o| o.key > after);
        }
        Ok(found)
    }

    fn list_with(
        &self,
        path: String,
        recursive: bool,
        after: Option<String>,
    ) -> Result<Vec<ObjectInfo>, RemoteError> {
        let op = self.op.clone();
        let listed = self.runtime.block_on(async move {
            let mut list = op.lister_with(&path).recursive(recursive);
            if let Some(after) = &after {
                list = list.start_after(after);
            }
            let mut lister = list.await?;
            let mut out = Vec::new();
            while let Some(entry) = lister.try_next().await? {
                let meta = entry.metadata();
                let key = entry.path().trim_start_matches('/').to_string();
                if meta.is_dir() && !key.ends_with('/') {
                    continue;
                }
                out.push(ObjectInfo {
                    key,
                    fingerprint: Fingerprint {
                        len: meta.content_length(),
                        mtime: meta.last_modified().map(SystemTime::from),
                        stamp: ChangeStamp::Object {
                            etag_hash: stamp_hash(meta.etag(), meta.version()),
                        },
                    },
                });
            }
            Ok::<_, opendal::Error>(out)
        });
        listed.map_err(|e| RemoteError::fatal(&self.url, describe(&self.url, "listing", &e)))
    }

    /// Fetch the objects `keys` (relative to the bucket), at most the
    /// configured number at once, handing each result to `each` on rayon's
    /// pool as it arrives (so parsing overlaps fetching). Results come in no
    /// particular order: `each` gets the key's index.
    pub fn fetch_each<T, F>(&self, keys: Vec<String>, each: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize, Result<Vec<u8>, RemoteError>) -> T + Sync + Send,
    {
        let (tx, mut rx) = tokio::sync::mpsc::channel(self.concurrency * 2);
        let (op, concurrency) = (self.op.clone(), self.concurrency);
        // After a failure that ends the scan, no further request is started.
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        self.runtime.spawn(async move {
            let mut results = futures_util::stream::iter(keys.into_iter().enumerate())
                .take_while(move |_| std::future::ready(!stopped.load(Ordering::Relaxed)))
                .map(|(i, key)| {
                    let op = op.clone();
                    async move { (i, key.clone(), op.read(&key).await) }
                })
                .buffer_unordered(concurrency);
            while let Some(r) = results.next().await {
                if tx.send(r).await.is_err() {
                    break;
                }
            }
        });
        let url = &self.url;
        std::iter::from_fn(move || rx.blocking_recv())
            .par_bridge()
            .map(|(i, key, read)| {
                let bytes = read.map(|b| b.to_vec()).map_err(|e| {
                    let what = describe(url, &format!("reading {key}"), &e);
                    if e.kind() == ErrorKind::NotFound {
                        RemoteError::gone(url, what)
                    } else {
                        stop.store(true, Ordering::Relaxed);
                        RemoteError::fatal(url, what)
                    }
                });
                each(i, bytes)
            })
            .collect()
    }
}

/// The operator for `url`'s service; credentials from the environment and
/// the cloud's standard files (the S3 service reads `AWS_*` variables,
/// `AWS_PROFILE` with the shared config and credentials files, web
/// identity, container and instance roles).
fn operator(url: &RemoteUrl, s: &RemoteSettings) -> Result<Operator, opendal::Error> {
    let endpoint = s.endpoint.clone().or_else(|| match url.scheme {
        Scheme::S3 => env("AWS_ENDPOINT_URL").or_else(|| env("AWS_ENDPOINT")),
        Scheme::Gcs => None,
        Scheme::Azure => env("AZURE_STORAGE_ENDPOINT"),
    });
    if let Some(e) = &endpoint {
        if s.allow_http == Some(false) && e.to_ascii_lowercase().starts_with("http://") {
            return Err(opendal::Error::new(
                ErrorKind::ConfigInvalid,
                "the endpoint is http:// but allow-http = false in the configuration",
            ));
        }
    }
    match url.scheme {
        Scheme::S3 => {
            let region = s
                .region
                .clone()
                .or_else(|| env("AWS_REGION"))
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| "us-east-1".to_string());
            let mut b = opendal::services::S3::default()
                .bucket(&url.bucket)
                .root("/")
                .region(&region);
            if let Some(e) = &endpoint {
                b = b.endpoint(e);
            }
            Operator::new(b)
        }
        Scheme::Gcs => {
            let mut b = opendal::services::Gcs::default()
                .bucket(&url.bucket)
                .root("/");
            if let Some(e) = &endpoint {
                b = b.endpoint(e);
            }
            if let Some(p) = env("GOOGLE_APPLICATION_CREDENTIALS") {
                b = b.credential_path(&p);
            }
            Operator::new(b)
        }
        Scheme::Azure => {
            let account =
                env("AZURE_STORAGE_ACCOUNT_NAME").or_else(|| env("AZURE_STORAGE_ACCOUNT"));
            let endpoint = endpoint.or_else(|| {
                account
                    .as_ref()
                    .map(|a| format!("https://{a}.blob.core.windows.net"))
            });
            let Some(endpoint) = endpoint else {
                return Err(opendal::Error::new(
                    ErrorKind::ConfigInvalid,
                    "no storage account: set AZURE_STORAGE_ACCOUNT_NAME (or an endpoint in the configuration)",
                ));
            };
            let mut b = opendal::services::Azblob::default()
                .container(&url.bucket)
                .root("/")
                .endpoint(&endpoint);
            if let Some(a) = &account {
                b = b.account_name(a);
            }
            if let Some(k) = env("AZURE_STORAGE_ACCOUNT_KEY").or_else(|| env("AZURE_STORAGE_KEY")) {
                b = b.account_key(&k);
            }
            Operator::new(b)
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A 64-bit FNV-1a hash of an object's ETag and version: what the cache
/// keeps to tell one write of an object from the next.
pub fn stamp_hash(etag: Option<&str>, version: Option<&str>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in etag
        .unwrap_or("")
        .bytes()
        .chain([0u8])
        .chain(version.unwrap_or("").bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Where to look when credentials are refused, for each cloud.
fn credentials_hint(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::S3 => "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE",
        Scheme::Gcs => "check GOOGLE_APPLICATION_CREDENTIALS",
        Scheme::Azure => "check AZURE_STORAGE_ACCOUNT_NAME / AZURE_STORAGE_ACCOUNT_KEY",
    }
}

fn endpoint_hint(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::S3 => {
            "check AWS_ENDPOINT_URL or the endpoint in the configuration, and the network"
        }
        Scheme::Gcs => "check the endpoint in the configuration and the network",
        Scheme::Azure => {
            "check AZURE_STORAGE_ENDPOINT or the endpoint in the configuration, and the network"
        }
    }
}

/// What failed, in words that name no secret: the kind of failure and
/// what to check. The store's own message is not quoted (it may carry a
/// server's reply); only the innermost cause of a transport error is (a
/// refused connection, a timeout).
fn describe(url: &RemoteUrl, doing: &str, e: &opendal::Error) -> String {
    tracing::debug!(kind = ?e.kind(), "{url}: {doing} failed");
    let code = server_code(e);
    let code = code.as_deref();
    if code == Some("NoSuchBucket") {
        return format!(
            "{doing} failed: bucket {:?} not found (check the bucket name and the endpoint)",
            url.bucket
        );
    }
    if matches!(
        code,
        Some("InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AccessDenied" | "ExpiredToken")
    ) {
        return format!(
            "{doing} failed: access denied, wrong or missing credentials ({})",
            credentials_hint(url.scheme)
        );
    }
    match e.kind() {
        ErrorKind::NotFound if doing == "listing" => format!(
            "{doing} failed: bucket {:?} not found (check the bucket name and the endpoint)",
            url.bucket
        ),
        ErrorKind::NotFound => format!("{doing} failed: object not found"),
        ErrorKind::PermissionDenied => format!(
            "{doing} failed: access denied, wrong or missing credentials ({})",
            credentials_hint(url.scheme)
        ),
        ErrorKind::RateLimited => {
            format!("{doing} failed: throttled by the server, still after {RETRIES} retries")
        }
        // A server's answer is named by its code only.
        _ if code.is_some() => format!(
            "{doing} failed: the server answered {} ({})",
            code.unwrap_or_default(),
            endpoint_hint(url.scheme)
        ),
        ErrorKind::ConfigInvalid => {
            format!(
                "{doing} failed: invalid settings: {}",
                first_line(e.message())
            )
        }
        _ => {
            let cause = innermost_cause(e);
            match cause {
                _ if is_credential_failure(e) => format!(
                    "{doing} failed: no usable credentials ({})",
                    credentials_hint(url.scheme)
                ),
                Some(c) => format!("{doing} failed: {c} ({})", endpoint_hint(url.scheme)),
                None => format!(
                    "{doing} failed: the server answered with an error ({})",
                    endpoint_hint(url.scheme)
                ),
            }
        }
    }
}

/// True when signing failed for want of credentials (none found, or a
/// profile that cannot be used).
fn is_credential_failure(e: &opendal::Error) -> bool {
    let m = e.message().to_ascii_lowercase();
    let cause = innermost_cause(e).unwrap_or_default().to_ascii_lowercase();
    m.contains("credential") || cause.contains("credential")
}

/// The error code of a store's answer (`NoSuchBucket`, `SlowDown`), when
/// the error carries one.
fn server_code(e: &opendal::Error) -> Option<String> {
    let m = e.message();
    let start = m.find("code: \"")? + "code: \"".len();
    let len = m[start..].find('"')?;
    let code = &m[start..start + len];
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .then(|| code.to_string())
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(160).collect()
}

/// The last error in `e`'s source chain, when it has one (a transport error).
fn innermost_cause(e: &opendal::Error) -> Option<String> {
    let mut cause = std::error::Error::source(e)?;
    while let Some(next) = cause.source() {
        cause = next;
    }
    Some(first_line(&cause.to_string()))
}

impl RemoteStore {
    /// The URL this store reads.
    pub fn url(&self) -> &RemoteUrl {
        &self.url
    }

    /// Keep the fingerprints of a listing (for [`listed`](Self::listed)).
    pub fn remember_listed(
        &self,
        files: &std::collections::BTreeMap<std::path::PathBuf, Fingerprint>,
        top: std::collections::BTreeSet<String>,
    ) {
        if let Ok(mut l) = self.listed.lock() {
            l.clone_from(files);
        }
        if let Ok(mut t) = self.top.lock() {
            *t = top;
        }
        self.has_listed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a listing succeeded before.
    pub fn has_listed(&self) -> bool {
        self.has_listed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The folder names at the top of the last full listing.
    pub fn top_dirs(&self) -> std::collections::BTreeSet<String> {
        self.top.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// About how many requests a full listing takes now: the objects of the
    /// last one over the keys per page.
    pub fn full_listing_pages(&self) -> usize {
        let objects = self.listed.lock().map(|l| l.len()).unwrap_or(0);
        objects.div_ceil(self.list_page_keys as usize).max(1)
    }

    /// Every how many polls the bucket is listed whole.
    pub fn full_listing_every(&self) -> u32 {
        self.full_listing_every
    }

    /// Add the fingerprints of objects a partial listing found.
    pub fn remember_more(&self, files: &[(std::path::PathBuf, Fingerprint)]) {
        if let Ok(mut l) = self.listed.lock() {
            l.extend(files.iter().cloned());
        }
    }

    /// The fingerprint the last listing gave the object at `path`.
    pub fn listed(&self, path: &std::path::Path) -> Option<Fingerprint> {
        self.listed.lock().ok()?.get(path).copied()
    }

    /// How many requests run at once.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// Fetch one object (blocking; callable from several threads at once).
    /// A missing object is a [`RemoteError`] with `gone` set.
    pub fn get(&self, key: &str) -> Result<Vec<u8>, RemoteError> {
        let (op, k) = (self.op.clone(), key.to_string());
        let read = self.runtime.block_on(async move { op.read(&k).await });
        read.map(|b| b.to_vec()).map_err(|e| {
            let what = describe(&self.url, &format!("reading {key}"), &e);
            if e.kind() == ErrorKind::NotFound {
                RemoteError::gone(&self.url, what)
            } else {
                RemoteError::fatal(&self.url, what)
            }
        })
    }

    /// The bucket key of a path under the root.
    pub fn key_of(&self, path: &std::path::Path) -> Option<String> {
        self.url.key_of(path)
    }
}
