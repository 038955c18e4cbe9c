//! The domain model: what snapscope knows about projects and snapshots,
//! independent of the Evidently generation that wrote them and of any UI.

pub mod dashboard;
pub mod drift;
pub mod intern;
pub mod metadata;
pub mod packed;
pub mod series;
mod test_outcome;

pub use drift::{DriftCount, DriftSource};
pub use metadata::Metadata;
pub use series::{SeriesRef, SeriesSet};
pub use test_outcome::{TestOutcome, TestSpec};

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Which Evidently generation wrote a snapshot file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Generation {
    /// Evidently 0.4.0 – 0.6.x (`suite` at the top level), including backported v2.
    Legacy,
    /// Evidently 0.7.x (`metric_results` at the top level).
    V2,
}

impl Generation {
    /// The JSON / display name: `legacy` or `v2`.
    pub fn as_str(self) -> &'static str {
        match self {
            Generation::Legacy => "legacy",
            Generation::V2 => "v2",
        }
    }
}

/// What kind of run a snapshot records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotKind {
    /// A legacy Report (non-empty `metrics_ids`).
    Report,
    /// A legacy TestSuite.
    TestSuite,
    /// A v2 run (metrics, possibly with tests).
    Run,
}

impl SnapshotKind {
    /// The JSON name: `report`, `test_suite` or `run`.
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Report => "report",
            SnapshotKind::TestSuite => "test_suite",
            SnapshotKind::Run => "run",
        }
    }

    /// The short label every view shows: `report`, `suite` or `run`.
    pub fn label(self) -> &'static str {
        match self {
            SnapshotKind::Report => "report",
            SnapshotKind::TestSuite => "suite",
            SnapshotKind::Run => "run",
        }
    }
}

/// Outcome of one test in one snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestStatus {
    /// The test failed (critical).
    Fail,
    /// The test could not be computed.
    Error,
    /// A non-critical test failed.
    Warning,
    /// The test passed.
    Success,
    /// The test was skipped.
    Skipped,
}

impl TestStatus {
    /// Parse Evidently's status string (any case).
    pub fn parse(s: &str) -> Option<TestStatus> {
        match s.to_ascii_uppercase().as_str() {
            "SUCCESS" => Some(TestStatus::Success),
            "FAIL" => Some(TestStatus::Fail),
            "WARNING" => Some(TestStatus::Warning),
            "ERROR" => Some(TestStatus::Error),
            "SKIPPED" => Some(TestStatus::Skipped),
            _ => None,
        }
    }

    /// Evidently's spelling: `SUCCESS`, `FAIL`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Success => "SUCCESS",
            TestStatus::Fail => "FAIL",
            TestStatus::Warning => "WARNING",
            TestStatus::Error => "ERROR",
            TestStatus::Skipped => "SKIPPED",
        }
    }

    /// FAIL or ERROR: the statuses that make a run "broken".
    pub fn is_failure(self) -> bool {
        matches!(self, TestStatus::Fail | TestStatus::Error)
    }
}

impl fmt::Display for TestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Number of tests per status in one snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TestCounts {
    pub success: u32,
    pub fail: u32,
    pub warning: u32,
    pub error: u32,
    pub skipped: u32,
}

impl TestCounts {
    /// Count one outcome.
    pub fn add(&mut self, status: TestStatus) {
        match status {
            TestStatus::Success => self.success += 1,
            TestStatus::Fail => self.fail += 1,
            TestStatus::Warning => self.warning += 1,
            TestStatus::Error => self.error += 1,
            TestStatus::Skipped => self.skipped += 1,
        }
    }

    /// Total number of tests.
    pub fn total(&self) -> u32 {
        self.success + self.fail + self.warning + self.error + self.skipped
    }

    /// The worst status present, if any test ran.
    pub fn worst(&self) -> Option<TestStatus> {
        if self.fail > 0 {
            Some(TestStatus::Fail)
        } else if self.error > 0 {
            Some(TestStatus::Error)
        } else if self.warning > 0 {
            Some(TestStatus::Warning)
        } else if self.success > 0 {
            Some(TestStatus::Success)
        } else if self.skipped > 0 {
            Some(TestStatus::Skipped)
        } else {
            None
        }
    }
}

/// A test's display label: its name, with the column added when the name
/// does not mention it (`Mean Value (age)`). Test names are not unique.
pub fn test_label(name: &str, column: Option<&str>) -> String {
    match column {
        Some(c) if !name.contains(c) => format!("{name} ({c})"),
        _ => name.to_string(),
    }
}

/// One row of a per-column drift table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftRow {
    pub column: Arc<str>,
    /// `num`, `cat`, `text`, `datetime`, ... when the file says.
    pub column_type: Option<Arc<str>>,
    /// Stat test name as written, e.g. `K-S p_value`, `Wasserstein distance (normed)`.
    pub method: Option<Arc<str>>,
    /// Drift score; `None` when missing or non-finite.
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    /// Whether the column drifted; `None` when unknown.
    pub drifted: Option<bool>,
    /// True when `drifted` was inferred from method direction, not read from the file.
    pub inferred: bool,
}

/// Whether a drift method's score is a p-value (small = drift) or a distance (large = drift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    PValue,
    Distance,
    Unknown,
}

impl ScoreKind {
    /// Short label for a score column header.
    pub fn label(self) -> &'static str {
        match self {
            ScoreKind::PValue => "p-value",
            ScoreKind::Distance => "distance",
            ScoreKind::Unknown => "score",
        }
    }
}

/// One numeric value of a snapshot, keyed by its series key
/// (`MetricType{param=value,...}.field.path`, see the README).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesValue {
    /// Interned: the same key is shared by every snapshot that has it.
    pub key: Arc<str>,
    /// `None` for null / NaN / Infinity in the file.
    pub value: Option<f64>,
}

/// A parsed snapshot: the index entry plus everything the views need,
/// with none of the heavy plot data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The file stem (the id Evidently uses), as on disk.
    pub id: String,
    /// The id written inside the file (legacy only), when it differs from the stem.
    pub inner_id_mismatch: Option<String>,
    pub project_id: String,
    /// Timestamp in UTC (naive timestamps were interpreted in the chosen zone).
    pub timestamp: DateTime<Utc>,
    /// True when the file's timestamp carried no zone.
    pub timestamp_naive: bool,
    pub name: Option<String>,
    pub tags: Vec<String>,
    /// Metadata as written (values are strings, lists or objects).
    pub metadata: Metadata,
    pub generation: Generation,
    pub kind: SnapshotKind,
    pub tests: Vec<TestOutcome>,
    /// The numeric values, in file order.
    pub series: SeriesSet,
    pub drift: Vec<DriftRow>,
}

impl Snapshot {
    /// Test counts by status.
    pub fn test_counts(&self) -> TestCounts {
        let mut c = TestCounts::default();
        for t in &self.tests {
            c.add(t.status);
        }
        c
    }

    /// Look up a series value by key.
    pub fn series_value(&self, key: &str) -> Option<SeriesRef<'_>> {
        self.series.get(key)
    }

    /// Share of drifted columns: the share of [`Snapshot::drift_count`].
    pub fn drift_share(&self) -> Option<f64> {
        self.drift_count().and_then(|c| c.share)
    }
}

/// A project (one folder of a workspace, or a flat folder of snapshot files).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// The project id: `metadata.json` id, else the folder name.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// The project's folder on disk.
    pub folder: PathBuf,
    pub created_at: Option<DateTime<Utc>>,
    /// A warning about the project record (folder name differs from id, ...).
    pub warning: Option<String>,
    /// The dashboard the team configured in Evidently (legacy `metadata.json`
    /// → `dashboard`, or v2 `dashboard.json`), when there is a readable one.
    #[serde(skip)]
    pub dashboard: Option<Arc<crate::model::dashboard::Dashboard>>,
}
