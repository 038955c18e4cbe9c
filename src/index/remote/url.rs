//! Bucket URLs: `s3://bucket/prefix`, `gs://bucket/prefix`,
//! `az://container/prefix` (or `abfs://`, `azblob://`). Parsing only; no
//! request is made here.

use std::fmt;
use std::path::{Path, PathBuf};

/// Which object store a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Amazon S3 and S3-compatible servers (MinIO, Ceph, R2, ...).
    S3,
    /// Google Cloud Storage.
    Gcs,
    /// Azure Blob Storage.
    Azure,
}

/// The URL schemes snapscope reads, and what each names.
const SCHEMES: &[(&str, Scheme)] = &[
    ("s3://", Scheme::S3),
    ("gs://", Scheme::Gcs),
    ("gcs://", Scheme::Gcs),
    ("az://", Scheme::Azure),
    ("abfs://", Scheme::Azure),
    ("azblob://", Scheme::Azure),
];

/// A parsed bucket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    pub scheme: Scheme,
    /// The scheme as written, with `://` (`s3://`).
    pub scheme_text: &'static str,
    pub bucket: String,
    /// The key prefix without leading or trailing `/` (empty: the whole bucket).
    pub prefix: String,
}

/// Why a bucket URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("{0}: no bucket named (write s3://BUCKET/PREFIX)")]
    NoBucket(String),
    #[error("{0}: not valid UTF-8")]
    NotText(String),
}

/// True when `path` is written as a bucket URL (`s3://...` and the others).
pub fn is_remote(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|s| SCHEMES.iter().any(|(p, _)| starts_with_ignore_case(s, p)))
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

impl RemoteUrl {
    /// Parse a bucket URL; `None` when `path` is not one (a local path).
    pub fn parse(path: &Path) -> Option<Result<RemoteUrl, UrlError>> {
        let Some(s) = path.to_str() else {
            return is_remote(path)
                .then(|| Err(UrlError::NotText(path.to_string_lossy().into_owned())));
        };
        let (scheme_text, scheme) = SCHEMES
            .iter()
            .find(|(p, _)| starts_with_ignore_case(s, p))
            .copied()?;
        let rest = &s[scheme_text.len()..];
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Some(Err(UrlError::NoBucket(s.to_string())));
        }
        Some(Ok(RemoteUrl {
            scheme,
            scheme_text,
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        }))
    }

    /// The root as a path, written one way (`s3://bucket/prefix`, no
    /// trailing slash): what catalog paths start with and the cache is keyed by.
    pub fn root_path(&self) -> PathBuf {
        PathBuf::from(self.to_string())
    }

    /// The object key that `path` (a path under [`root_path`](Self::root_path)) names.
    pub fn key_of(&self, path: &Path) -> Option<String> {
        let s = path.to_str()?;
        let head = format!("{}{}/", self.scheme_text, self.bucket);
        s.strip_prefix(&head).map(str::to_string)
    }

    /// The key prefix to list: `prefix/`, or empty for the whole bucket.
    pub fn list_prefix(&self) -> String {
        if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        }
    }
}

impl fmt::Display for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.scheme_text, self.bucket)?;
        if !self.prefix.is_empty() {
            write!(f, "/{}", self.prefix)?;
        }
        Ok(())
    }
}

/// The root as the cache keys it: the URL written one way; a path that is
/// not a valid URL as given.
pub fn normalized_root(path: &Path) -> PathBuf {
    match RemoteUrl::parse(path) {
        Some(Ok(u)) => u.root_path(),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_into_bucket_and_prefix() {
        let u = RemoteUrl::parse(Path::new("s3://bkt/a/b/"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (u.scheme, u.bucket.as_str(), u.prefix.as_str()),
            (Scheme::S3, "bkt", "a/b")
        );
        assert_eq!(u.to_string(), "s3://bkt/a/b");
        assert_eq!(u.list_prefix(), "a/b/");
        assert_eq!(
            u.key_of(Path::new("s3://bkt/a/b/p/snapshots/x.json"))
                .as_deref(),
            Some("a/b/p/snapshots/x.json")
        );
        let whole = RemoteUrl::parse(Path::new("gs://bkt")).unwrap().unwrap();
        assert_eq!(
            (whole.scheme, whole.list_prefix().as_str()),
            (Scheme::Gcs, "")
        );
        let az = RemoteUrl::parse(Path::new("abfs://c/p")).unwrap().unwrap();
        assert_eq!(az.scheme, Scheme::Azure);
        assert_eq!(
            RemoteUrl::parse(Path::new("s3:///x")),
            Some(Err(UrlError::NoBucket("s3:///x".into())))
        );
        assert!(RemoteUrl::parse(Path::new("sample_snapshots")).is_none());
        assert!(RemoteUrl::parse(Path::new("./s3://x")).is_none());
        assert!(is_remote(Path::new("S3://Bkt")));
    }
}
