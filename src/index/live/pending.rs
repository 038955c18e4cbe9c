//! Pending files: a file that fails to parse while it may still be being
//! written (empty, truncated, or modified within the settle time) is
//! *pending*. It is retried when its fingerprint changes (at most once per
//! retry gap), and once the fingerprint has stayed still for the settle
//! time it gets a final attempt, after which it is unreadable. Any tracked
//! file is read again when its fingerprint moves or a native event says it
//! was written ([`Tracked::needs_read`]). Pure rules over the tracked state
//! and the clock; the indexer does the reading.

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
    /// When it was last read (or, taken from the cache, adopted).
    pub(super) read_at: Instant,
    /// A native event came for the file after `read_at`: read it again even
    /// if its fingerprint did not move (a write within one clock tick of
    /// the last can leave even the ctime as it was).
    pub(super) written: bool,
}

impl Tracked {
    /// A native event for the file arrived at `at`: it counts as a write
    /// when it came after the file was last read (an event for a write the
    /// last read already saw, delivered late, does not).
    pub(super) fn saw_event(&mut self, at: Instant) {
        self.written |= at > self.read_at;
    }

    /// The file was seen with fingerprint `fp`: whether to read it now.
    /// An unchanged fingerprint needs no read unless the file was `written`.
    /// A pending file is never read here: it is still moving, so its settle
    /// clock starts again, and [`Settle`] retries it.
    pub(super) fn needs_read(&mut self, fp: Fingerprint, now: Instant) -> bool {
        let written = std::mem::take(&mut self.written);
        if self.seen == fp && !written {
            return false;
        }
        if let FileState::Pending { stable_since, .. } = &mut self.state {
            self.seen = fp;
            *stable_since = now;
            return false;
        }
        true
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::catalog::ChangeStamp;

    fn fp(ctime_nsec: u32) -> Fingerprint {
        Fingerprint {
            len: 10,
            mtime: Some(SystemTime::UNIX_EPOCH),
            stamp: ChangeStamp::Inode {
                ino: 7,
                ctime_sec: 1,
                ctime_nsec,
            },
        }
    }

    fn tracked(state: FileState) -> Tracked {
        Tracked {
            kind: FileKind::Snapshot {
                project_id: "p".into(),
                id: "s".into(),
            },
            seen: fp(0),
            has_good: true,
            state,
            listed: 0,
            read_at: Instant::now(),
            written: false,
        }
    }

    #[test]
    fn an_unchanged_file_is_read_again_only_after_a_write_event() {
        let now = Instant::now();
        let mut t = tracked(FileState::Good);
        assert!(!t.needs_read(fp(0), now));
        // Same size, mtime and ctime, but an event said it was written.
        t.written = true;
        assert!(t.needs_read(fp(0), now));
        // The event is used up by that read.
        assert!(!t.needs_read(fp(0), now));
        // Only the ctime moved: a rewrite that put size and mtime back.
        assert!(t.needs_read(fp(1), now));
        let mut t = tracked(FileState::Unreadable);
        t.written = true;
        assert!(t.needs_read(fp(0), now));
    }

    #[test]
    fn only_events_after_the_last_read_count_as_writes() {
        let mut t = tracked(FileState::Good);
        let read = t.read_at;
        t.saw_event(read - Duration::from_millis(5));
        assert!(!t.needs_read(fp(0), read));
        t.saw_event(read + Duration::from_millis(5));
        assert!(t.needs_read(fp(0), read));
    }

    #[test]
    fn a_pending_file_written_again_waits_to_settle_anew() {
        let then = Instant::now();
        let later = then + Duration::from_millis(500);
        let pending = FileState::Pending {
            attempted: fp(0),
            last_attempt: then,
            stable_since: then,
        };
        let mut t = tracked(pending);
        t.written = true;
        assert!(!t.needs_read(fp(0), later));
        let FileState::Pending { stable_since, .. } = t.state else {
            panic!("still pending");
        };
        assert_eq!(stable_since, later);
        assert!(!t.written);
    }
}
