//! Selection: indexing PATH, then finding what the command line names in
//! the catalog: a project by id, name or prefix, a snapshot by id or
//! prefix, the snapshots in `--since` / `--until` carrying every `--tag`, a
//! test's condition.

use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::analysis::history::TestHistory;
use crate::cmd::args::GlobalOpts;
use crate::cmd::error::{HeadlessError, Result};
use crate::index::{self, ScanReport};
use crate::index::{Catalog, ProjectEntry, SnapshotEntry};
use crate::model::Snapshot;
use crate::parse::TimeZoneChoice;
use crate::text::sanitize::{clean, clean_path};
use crate::text::time;
pub use crate::text::time::BoundKind;

/// Index PATH with the command line's options (`--no-cache`: the cache
/// of PATH is neither read nor written, and removed if there is one).
pub(crate) fn load(path: &Path, global: &GlobalOpts) -> Result<(Indexed, ScanReport)> {
    if global.no_cache {
        index::discard_cache(path);
    }
    let (catalog, report) = index::index_path(path, &global.index_options())?;
    Ok((Indexed(ManuallyDrop::new(catalog)), report))
}

/// The index a one-shot command answers from. It is never freed: the
/// process ends right after the command, and freeing every snapshot one by
/// one took a tenth of a warm `projects` on 10,000 wide snapshots.
pub(crate) struct Indexed(ManuallyDrop<Catalog>);

impl Deref for Indexed {
    type Target = Catalog;
    fn deref(&self) -> &Catalog {
        &self.0
    }
}

/// Find a project by id, or else by the first of these that matches exactly one
/// project: name, name ignoring case, id prefix (4+ characters), part of the name.
pub fn resolve_project<'a>(catalog: &'a Catalog, query: &str) -> Result<&'a ProjectEntry> {
    if let Some(p) = catalog.project(query) {
        return Ok(p);
    }
    let all = catalog.projects();
    let lower = query.to_lowercase();
    let tiers: [&dyn Fn(&ProjectEntry) -> bool; 4] = [
        &|p| p.project.name == query,
        &|p| p.project.name.to_lowercase() == lower,
        &|p| query.len() >= 4 && p.project.id.starts_with(query),
        &|p| !lower.is_empty() && p.project.name.to_lowercase().contains(&lower),
    ];
    for matches in tiers {
        let found: Vec<&ProjectEntry> = all.iter().copied().filter(|p| matches(p)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            many => {
                return Err(HeadlessError::AmbiguousProject {
                    query: query.to_string(),
                    candidates: many
                        .iter()
                        .map(|p| format!("{:?} ({})", clean(&p.project.name), clean(&p.project.id)))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
    Err(HeadlessError::ProjectNotFound(query.to_string()))
}

/// The shortest snapshot id prefix that names a snapshot (a whole id of
/// any length always does).
pub const MIN_SNAPSHOT_PREFIX: usize = 8;

/// Candidates an error message names before "and N more".
const SHOWN_CANDIDATES: usize = 5;

/// The snapshots `query` names in `projects`: those with exactly that id,
/// else those whose id starts with it, ignoring case (a prefix of at least
/// [`MIN_SNAPSHOT_PREFIX`] characters; a shorter one is an error). Empty
/// when nothing matches.
pub(crate) fn snapshot_matches<'a>(
    projects: &[&'a ProjectEntry],
    query: &str,
) -> Result<Vec<(&'a ProjectEntry, &'a SnapshotEntry)>> {
    let all = || {
        projects
            .iter()
            .flat_map(|p| p.snapshots.iter().map(move |s| (*p, s)))
    };
    let exact: Vec<_> = all().filter(|(_, s)| s.snapshot.id == query).collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    if query.chars().count() < MIN_SNAPSHOT_PREFIX {
        return Err(HeadlessError::SnapshotPrefixTooShort {
            query: query.to_string(),
            min: MIN_SNAPSHOT_PREFIX,
        });
    }
    let lower = query.to_lowercase();
    Ok(all()
        .filter(|(_, s)| s.snapshot.id.to_lowercase().starts_with(&lower))
        .collect())
}

/// Find a snapshot by exact id or unique id prefix (see
/// [`snapshot_matches`]), in one project or in all of them.
pub fn resolve_snapshot<'a>(
    catalog: &'a Catalog,
    project: Option<&'a ProjectEntry>,
    query: &str,
) -> Result<(&'a ProjectEntry, &'a SnapshotEntry)> {
    let projects = match project {
        Some(p) => vec![p],
        None => catalog.projects(),
    };
    match snapshot_matches(&projects, query)?.as_slice() {
        [] => Err(HeadlessError::SnapshotNotFound(query.to_string())),
        [one] => Ok(*one),
        many => Err(ambiguous_snapshot(query, many)),
    }
}

/// The error for a snapshot id or prefix that names several snapshots: how
/// many, in which project(s), the first few and how many more.
pub(crate) fn ambiguous_snapshot(
    query: &str,
    many: &[(&ProjectEntry, &SnapshotEntry)],
) -> HeadlessError {
    let mut projects: Vec<&ProjectEntry> = Vec::new();
    for (p, _) in many {
        if !projects.iter().any(|q| q.project.id == p.project.id) {
            projects.push(p);
        }
    }
    let exact = many.iter().all(|(_, s)| s.snapshot.id == query);
    let one_project = projects.len() == 1;
    let names: Vec<String> = many
        .iter()
        .take(SHOWN_CANDIDATES)
        .map(|(p, s)| {
            if one_project {
                clean(&s.snapshot.id).into_owned()
            } else {
                format!("{}/{}", clean(&p.project.id), clean(&s.snapshot.id))
            }
        })
        .collect();
    let mut list = names.join(", ");
    if many.len() > SHOWN_CANDIDATES {
        list.push_str(&format!(" and {} more", many.len() - SHOWN_CANDIDATES));
    }
    let message = match (exact && !one_project, one_project) {
        (true, _) => format!(
            "snapshot {:?} exists in {} projects: {list}; add --project",
            clean(query),
            projects.len()
        ),
        (false, true) => format!(
            "{:?} matches {} snapshots of project {:?}: {list}; give more of the id",
            clean(query),
            many.len(),
            clean(&projects[0].project.name)
        ),
        (false, false) => format!(
            "{:?} matches {} snapshots in {} projects: {list}; give more of the id or add --project",
            clean(query),
            many.len(),
            projects.len()
        ),
    };
    HeadlessError::AmbiguousSnapshot(message)
}

/// A time flag's value, or the error naming the flag.
fn time_arg(
    flag: &'static str,
    value: Option<&str>,
    tz: TimeZoneChoice,
    now: DateTime<Utc>,
    kind: BoundKind,
) -> Result<Option<DateTime<Utc>>> {
    value
        .map(|v| {
            parse_time_bound(v, tz, now, kind).map_err(|reason| HeadlessError::BadTime {
                flag,
                value: v.to_string(),
                reason,
            })
        })
        .transpose()
}

/// [`time::parse_time_bound`] with wall-clock times read in `tz`.
pub fn parse_time_bound(
    s: &str,
    tz: TimeZoneChoice,
    now: DateTime<Utc>,
    kind: BoundKind,
) -> std::result::Result<DateTime<Utc>, String> {
    time::parse_time_bound(s, |n| tz.to_utc(n), now, kind)
}

/// The snapshots `--since`, `--until` and `--tag` select (all when none given).
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection<'a> {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Every one of these must be on the snapshot.
    pub tags: &'a [String],
}

impl<'a> Selection<'a> {
    /// Read the flags' values (`--since` checked first), before any scan.
    pub fn from_flags(
        since: Option<&str>,
        until: Option<&str>,
        tags: &'a [String],
        tz: TimeZoneChoice,
        now: DateTime<Utc>,
    ) -> Result<Selection<'a>> {
        Ok(Selection {
            since: time_arg("--since", since, tz, now, BoundKind::Since)?,
            until: time_arg("--until", until, tz, now, BoundKind::Until)?,
            tags,
        })
    }

    /// True when `s` is in the time range and carries every tag.
    pub fn keeps(&self, s: &Snapshot) -> bool {
        self.since.is_none_or(|t| s.timestamp >= t)
            && self.until.is_none_or(|t| s.timestamp <= t)
            && self.tags.iter().all(|tag| s.tags.contains(tag))
    }
}

/// The project named by `--project`, or the only one in the catalog.
pub(crate) fn project_or_only<'a>(
    catalog: &'a Catalog,
    query: Option<&str>,
    root: &Path,
) -> Result<&'a ProjectEntry> {
    if let Some(q) = query {
        return resolve_project(catalog, q);
    }
    match catalog.projects().as_slice() {
        [] => Err(HeadlessError::NoProjects(clean_path(root))),
        [one] => Ok(one),
        many => Err(project_needed(many, root)),
    }
}

/// The error for a PATH of several projects and no `--project`: names them.
pub(crate) fn project_needed(projects: &[&ProjectEntry], root: &Path) -> HeadlessError {
    HeadlessError::ProjectNeeded {
        path: clean_path(root),
        candidates: projects
            .iter()
            .map(|p| p.project.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The condition of the test with this identity in a snapshot, when known.
pub(crate) fn condition<'a>(s: &'a Snapshot, identity: &str) -> Option<&'a str> {
    s.tests
        .iter()
        .find(|t| &*t.identity == identity)
        .and_then(|t| t.condition.as_deref())
}

/// The condition of a test in the newest snapshot that ran it.
pub(crate) fn latest_condition<'a>(p: &'a ProjectEntry, h: &TestHistory) -> Option<&'a str> {
    let i = h.cells.iter().rposition(Option::is_some)?;
    condition(&p.snapshots.get(i)?.snapshot, &h.identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn time_bounds_are_inclusive_in_the_chosen_zone() {
        let now = at("2024-04-10T12:00:00Z");
        let utc = TimeZoneChoice::Utc;
        let b = |s: &str, k| parse_time_bound(s, utc, now, k).unwrap();
        assert_eq!(
            b("2024-03-25", BoundKind::Since),
            at("2024-03-25T00:00:00Z")
        );
        assert_eq!(
            b("2024-03-25", BoundKind::Until),
            at("2024-03-25T23:59:59.999999999Z")
        );
        assert_eq!(
            b("2024-03-25T02:10", BoundKind::Until),
            at("2024-03-25T02:10:59.999999999Z")
        );
        assert_eq!(
            b("2024-03-25 02:10:58", BoundKind::Until),
            at("2024-03-25T02:10:58.999999999Z")
        );
        assert_eq!(
            b("2024-03-25T02:10:58", BoundKind::Since),
            at("2024-03-25T02:10:58Z")
        );
        assert_eq!(
            b("2024-03-25T02:10:58+02:00", BoundKind::Until),
            at("2024-03-25T00:10:58Z")
        );
        assert_eq!(b("7d", BoundKind::Since), at("2024-04-03T12:00:00Z"));
        assert_eq!(b("24h", BoundKind::Until), at("2024-04-09T12:00:00Z"));
        assert_eq!(b("30m", BoundKind::Since), at("2024-04-10T11:30:00Z"));
        let berlin: TimeZoneChoice = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            parse_time_bound("2024-03-25", berlin, now, BoundKind::Since).unwrap(),
            Utc.with_ymd_and_hms(2024, 3, 24, 23, 0, 0).unwrap()
        );
        for bad in [
            "yesterday",
            "7x",
            "-3d",
            "2024-13-01",
            "",
            "99999999999999999d",
        ] {
            assert!(
                parse_time_bound(bad, utc, now, BoundKind::Since).is_err(),
                "{bad}"
            );
        }
    }
}
