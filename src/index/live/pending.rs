//! Pending files: a file that fails to parse while it may still be being
//! written (empty, truncated, or modified within the settle time) is
//! *pending*. It is retried when its fingerprint changes (at most once per
//! retry gap), and once the fingerprint has stayed still for the settle
//! time it gets a final attempt, after which it is unreadable. Pure rules
//! over the tracked state and the clock; the indexer does the reading.

use std::time::{Duration, Instant, SystemTime};

use super::files::FileKind;
use crate::index::catalog::Fingerprint;

#[derive(Debug, Clone)]
pub(super) enum FileState {
    /// The current content parsed.
    Good,
    /// Broken, maybe still being written; retried.
    Pending {
        /// Fingerprint of the last parse attempt.
        attempted: Fingerprint,
        last_attempt: Instant,
        /// Since when the fingerprint has been `seen`.
        stable_since: Instant,
    },
    /// Broken after settling.
    Unreadable,
}

#[derive(Debug, Clone)]
pub(super) struct Tracked {
    pub(super) kind: FileKind,
    /// The latest fingerprint observed.
    pub(super) seen: Fingerprint,
    /// A good entry (snapshot) or record (metadata/dashboard) exists for this path.
    pub(super) has_good: bool,
    pub(super) state: FileState,
    /// The listing generation that last saw this file (see `Indexer::confirm_missing`).
    pub(super) listed: u64,
}

/// The timing rules: how long a broken file must hold still, and the
/// shortest gap between two attempts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settle {
    settle: Duration,
    retry_gap: Duration,
}

impl Settle {
    pub(super) fn new(settle: Duration) -> Settle {
        Settle {
            settle,
            retry_gap: (settle / 4).clamp(Duration::from_millis(10), Duration::from_millis(250)),
        }
    }

    /// When a pending file is due for another look (`None`: not pending).
    pub(super) fn deadline(&self, t: &Tracked) -> Option<Instant> {
        match t.state {
            FileState::Pending {
                attempted,
                last_attempt,
                stable_since,
            } => Some(if t.seen != attempted {
                last_attempt + self.retry_gap
            } else {
                stable_since + self.settle
            }),
            _ => None,
        }
    }

    /// A due pending file now has fingerprint `fp`: whether to read it now
    /// (`Some`), and if so whether as the final attempt for the fingerprint
    /// it settled with (`Some(Some(fp))`).
    pub(super) fn attempt(
        &self,
        t: &mut Tracked,
        fp: Fingerprint,
        now: Instant,
    ) -> Option<Option<Fingerprint>> {
        let FileState::Pending {
            attempted,
            last_attempt,
            stable_since,
        } = &mut t.state
        else {
            return None;
        };
        if fp != t.seen {
            t.seen = fp;
            *stable_since = now;
        }
        if t.seen != *attempted {
            // Too soon after the last attempt: `deadline` brings us back.
            (now >= *last_attempt + self.retry_gap).then_some(None)
        } else if now >= *stable_since + self.settle {
            Some(Some(fp))
        } else {
            None
        }
    }

    /// The state of a file whose read with fingerprint `fp` failed, and
    /// whether it just became pending. `final_fp`: this was the final
    /// attempt for a file that had settled with that fingerprint.
    pub(super) fn after_failure(
        &self,
        prev: Option<&Tracked>,
        fp: Fingerprint,
        incomplete: bool,
        final_fp: Option<Fingerprint>,
        now: Instant,
    ) -> (FileState, bool) {
        let recent = fp.mtime.is_some_and(|m| {
            SystemTime::now()
                .duration_since(m)
                .map_or(true, |age| age < self.settle)
        });
        let settled = final_fp == Some(fp);
        if settled || !(incomplete || recent) {
            return (FileState::Unreadable, false);
        }
        let stable_since = match prev {
            Some(Tracked {
                seen,
                state: FileState::Pending { stable_since, .. },
                ..
            }) if *seen == fp => *stable_since,
            _ => now,
        };
        let was_pending = prev.is_some_and(|t| matches!(t.state, FileState::Pending { .. }));
        (
            FileState::Pending {
                attempted: fp,
                last_attempt: now,
                stable_since,
            },
            !was_pending,
        )
    }
}
