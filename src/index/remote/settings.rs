//! Per-URL settings of object stores, from the configuration file's
//! `[remote."s3://bucket/prefix"]` tables: endpoint, region, allow-http,
//! concurrency, poll interval, full-listing period, keys per listing page.
//! The binary hands them over once at start ([`set_remote_settings`]); a
//! URL takes the table with the longest prefix of it. Credentials are never part of these: they come from the
//! environment and the standard files of each cloud.

use std::sync::OnceLock;

/// How many GETs run at once unless configured.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// The settings for the URLs under one prefix. `None`: not set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemoteSettings {
    /// The server to talk to (`http://127.0.0.1:9000` for a local MinIO);
    /// default: `AWS_ENDPOINT_URL`, else the cloud's own.
    pub endpoint: Option<String>,
    /// The region (S3); default: `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: Option<String>,
    /// Whether an `http://` endpoint may be used (default: yes).
    pub allow_http: Option<bool>,
    /// Requests in flight at once (default [`DEFAULT_CONCURRENCY`]).
    pub concurrency: Option<usize>,
    /// Seconds between polls when following a bucket.
    pub poll_interval: Option<f64>,
    /// Every how many polls the whole bucket is listed again, to catch
    /// rewritten and deleted objects (default [`DEFAULT_FULL_LISTING_EVERY`]);
    /// the polls between only ask for keys after the newest known one.
    pub full_listing_every: Option<u32>,
    /// Keys per page of the store's listings (default [`DEFAULT_LIST_PAGE_KEYS`],
    /// as S3 and GCS): a poll lists the whole bucket when that costs no more
    /// requests than a cheap poll.
    pub list_page_keys: Option<u32>,
}

/// Keys per listing page unless configured (S3's and GCS's page).
pub const DEFAULT_LIST_PAGE_KEYS: u32 = 1000;

/// Every how many polls a bucket is listed whole unless configured.
pub const DEFAULT_FULL_LISTING_EVERY: u32 = 10;

static SETTINGS: OnceLock<Vec<(String, RemoteSettings)>> = OnceLock::new();

/// Hand the configured settings over (once; later calls are ignored).
pub fn set_remote_settings(tables: Vec<(String, RemoteSettings)>) {
    let _ = SETTINGS.set(tables);
}

/// The settings for `url`: the table whose prefix is the longest prefix of it.
pub fn settings_for(url: &str) -> RemoteSettings {
    pick(SETTINGS.get().map(Vec::as_slice).unwrap_or(&[]), url)
}

fn pick(tables: &[(String, RemoteSettings)], url: &str) -> RemoteSettings {
    tables
        .iter()
        .filter(|(prefix, _)| {
            let p = prefix.trim_end_matches('/');
            url == p || url.starts_with(&format!("{p}/"))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, s)| s.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_matching_prefix_wins() {
        let t = vec![
            (
                "s3://b".to_string(),
                RemoteSettings {
                    concurrency: Some(4),
                    ..Default::default()
                },
            ),
            (
                "s3://b/deep/".to_string(),
                RemoteSettings {
                    concurrency: Some(8),
                    ..Default::default()
                },
            ),
        ];
        assert_eq!(pick(&t, "s3://b/x").concurrency, Some(4));
        assert_eq!(pick(&t, "s3://b/deep/ws").concurrency, Some(8));
        assert_eq!(pick(&t, "s3://b").concurrency, Some(4));
        assert_eq!(pick(&t, "s3://bb/x").concurrency, None);
    }
}
