//! A real S3 server for the tests: `s3s-fs` serving a temp folder (bucket =
//! top-level folder, key = path) over HTTP on 127.0.0.1, with SigV4 auth
//! (`SimpleAuth`, a recognisable secret), started inside the test binary
//! on its own tokio runtime. Wrapped twice: the `S3` trait (delegating to
//! `s3s-fs`) caps listing pages at [`PAGE`] keys so that pagination is
//! exercised and gives listed objects an ETag (a hash of their bytes), as
//! real servers do; the HTTP service counts every request by method and
//! kind and injects faults (a listing error on every page after the first,
//! `503 SlowDown` for the first N object GETs).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, S3};
use tempfile::TempDir;

/// The access key id of the test server.
pub const ACCESS_KEY: &str = "SNAPSCOPETESTKEY";
/// The secret of the test server: no output, log or cache may contain it.
pub const SECRET: &str = "SNAPSCOPE-TEST-SECRET-do-not-print";
/// The bucket the tests upload into.
pub const BUCKET: &str = "snapscope-test";
/// Keys per listing page.
pub const PAGE: i32 = 7;

/// Faults to inject, changeable while the server runs.
#[derive(Debug, Default)]
pub struct Faults {
    /// Every listing request after the first page fails with 500.
    pub page2_error: AtomicBool,
    /// This many object GETs answer `503 SlowDown` first.
    pub slow_down_gets: AtomicUsize,
}

/// Requests the server saw: (method, kind) → count, kind being `list` (the
/// first page of a listing), `list-page2+` (a later page), `list-after` (the
/// first page of a listing that starts after a key), `list-top` (the first
/// page of a delimited listing of one folder), `get-object`, `head`, or the
/// path for anything else.
#[derive(Debug, Default)]
pub struct Requests {
    seen: Mutex<BTreeMap<(String, String), usize>>,
}

impl Requests {
    fn record(&self, method: &str, kind: &str) {
        let mut m = self.seen.lock().unwrap();
        *m.entry((method.to_string(), kind.to_string())).or_default() += 1;
    }
    /// A copy of the counts.
    pub fn counts(&self) -> BTreeMap<(String, String), usize> {
        self.seen.lock().unwrap().clone()
    }
    /// Object GETs so far.
    pub fn gets(&self) -> usize {
        self.count("GET", "get-object")
    }
    /// Listing requests so far (all pages, all kinds).
    pub fn lists(&self) -> usize {
        ["list", "list-page2+", "list-after", "list-top"]
            .iter()
            .map(|k| self.count("GET", k))
            .sum::<usize>()
    }
    /// Requests of one method and kind so far.
    pub fn count(&self, method: &str, kind: &str) -> usize {
        self.counts()
            .get(&(method.to_string(), kind.to_string()))
            .copied()
            .unwrap_or(0)
    }
    /// Requests that are not GET or HEAD (writes, deletes, posts).
    pub fn writes(&self) -> Vec<(String, String)> {
        self.counts()
            .into_keys()
            .filter(|(m, _)| m != "GET" && m != "HEAD")
            .collect()
    }
    /// Forget what was seen.
    pub fn reset(&self) {
        self.seen.lock().unwrap().clear();
    }
}

/// A running server; stopped on drop (or by [`S3Server::stop`]).
pub struct S3Server {
    pub addr: SocketAddr,
    /// The served folder: `root/BUCKET/...` are the objects.
    pub root: TempDir,
    pub requests: Arc<Requests>,
    pub faults: Arc<Faults>,
    runtime: Option<tokio::runtime::Runtime>,
    listing: Listing,
}

/// How the server lists.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    /// Keys per page at most (S3's own: 1000).
    pub page: i32,
    /// ETags hashed from the bytes (as real servers: a rewrite changes it);
    /// else from size and modification time (cheap for big workspaces).
    pub content_etags: bool,
}

impl S3Server {
    /// Serve a fresh temp folder with an empty bucket [`BUCKET`], listing
    /// pages of [`PAGE`] keys, ETags hashed from each object's bytes.
    pub fn start() -> S3Server {
        S3Server::start_with(Listing {
            page: PAGE,
            content_etags: true,
        })
    }

    /// Serve a fresh temp folder with an empty bucket [`BUCKET`], listing as told.
    pub fn start_with(listing: Listing) -> S3Server {
        let root = tempfile::Builder::new()
            .prefix("snapscope-s3-")
            .tempdir()
            .unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let requests = Arc::new(Requests::default());
        let faults = Arc::new(Faults::default());
        let (addr, runtime) = serve(root.path(), "127.0.0.1:0", &requests, &faults, listing);
        S3Server {
            addr,
            root,
            requests,
            faults,
            runtime: Some(runtime),
            listing,
        }
    }

    /// Serve the same folder on the same port again after [`S3Server::stop`].
    pub fn restart(&mut self) {
        self.stop();
        let addr = self.addr.to_string();
        let (_, runtime) = serve(
            self.root.path(),
            &addr,
            &self.requests,
            &self.faults,
            self.listing,
        );
        self.runtime = Some(runtime);
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The served folder of key `prefix` (created), to copy files into.
    pub fn folder(&self, prefix: &str) -> PathBuf {
        let p = self.root.path().join(BUCKET).join(prefix);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// Stop serving: the port refuses connections from now on.
    pub fn stop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}

/// Serve `root` over S3 on `bind` (`127.0.0.1:0`: any free port).
fn serve(
    root: &Path,
    bind: &str,
    requests: &Arc<Requests>,
    faults: &Arc<Faults>,
    listing: Listing,
) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(bind))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let wrapped = Paged {
        inner: fs,
        root: root.to_path_buf(),
        listing,
    };
    let mut b = s3s::service::S3ServiceBuilder::new(wrapped);
    b.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET));
    let service = b.build();
    let (reqs, flts) = (Arc::clone(requests), Arc::clone(faults));
    runtime.spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let (service, reqs, flts) = (service.clone(), Arc::clone(&reqs), Arc::clone(&flts));
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let (service, reqs, flts) =
                        (service.clone(), Arc::clone(&reqs), Arc::clone(&flts));
                    async move { handle(&service, &reqs, &flts, req).await }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(socket), svc)
                    .await;
            });
        }
    });
    (addr, runtime)
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An S3 error answer with this status and code.
fn error_response(status: u16, code: &str) -> http::Response<s3s::Body> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>injected by the test</Message></Error>"
    );
    http::Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .body(s3s::Body::from(body))
        .unwrap()
}

async fn handle(
    service: &s3s::service::S3Service,
    reqs: &Requests,
    faults: &Faults,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<s3s::Body>, s3s::HttpError> {
    let method = req.method().as_str().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let path = req.uri().path().to_string();
    let is_list =
        query.contains("list-type=") || (path.trim_matches('/') == BUCKET && method == "GET");
    let kind = if is_list && query.contains("continuation-token=") {
        "list-page2+".to_string()
    } else if is_list && query.contains("start-after=") {
        "list-after".to_string()
    } else if is_list && query.contains("delimiter=") {
        "list-top".to_string()
    } else if is_list {
        "list".to_string()
    } else if method == "GET" && path.trim_matches('/').contains('/') {
        "get-object".to_string()
    } else if method == "HEAD" {
        "head".to_string()
    } else {
        path.clone()
    };
    reqs.record(&method, &kind);
    if kind == "list-page2+" && faults.page2_error.load(Ordering::SeqCst) {
        return Ok(error_response(500, "InternalError"));
    }
    if kind == "get-object"
        && faults
            .slow_down_gets
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    {
        return Ok(error_response(503, "SlowDown"));
    }
    hyper::service::Service::call(service, req).await
}

/// `s3s-fs` with small listing pages and ETags in listings.
struct Paged {
    inner: s3s_fs::FileSystem,
    root: PathBuf,
    listing: Listing,
}

/// An ETag for a file: of its bytes (what a real server lists), or of its
/// size and modification time.
fn etag_of(path: &Path, content: bool) -> Option<ETag> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if content {
        std::fs::read(path).ok()?.hash(&mut h);
    } else {
        let m = std::fs::metadata(path).ok()?;
        (m.len(), m.modified().ok()).hash(&mut h);
    }
    Some(ETag::Strong(format!("{:016x}", h.finish())))
}

#[async_trait::async_trait]
impl S3 for Paged {
    async fn list_objects_v2(
        &self,
        mut req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let page = self.listing.page;
        req.input.max_keys = Some(req.input.max_keys.unwrap_or(page).min(page));
        let bucket = req.input.bucket.clone();
        let mut resp = self.inner.list_objects_v2(req).await?;
        for o in resp.output.contents.iter_mut().flatten() {
            if let Some(key) = &o.key {
                o.e_tag = etag_of(
                    &self.root.join(&bucket).join(key),
                    self.listing.content_etags,
                );
            }
        }
        Ok(resp)
    }
    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.inner.list_objects(req).await
    }
    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.inner.get_object(req).await
    }
    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.inner.head_object(req).await
    }
    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.inner.head_bucket(req).await
    }
    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.inner.list_buckets(req).await
    }
    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.inner.get_bucket_location(req).await
    }
}
