//! The browse screen's vocabulary: which pane has the focus (Now panel,
//! projects, snapshots timeline) and how the filters match projects and
//! snapshots. Its selection (by id, so live insertions never move the user)
//! is kept on `App`, whose fields are part of the public state.

pub use crate::tui::state::screen::Pane;

pub(crate) fn lc_contains(hay: &str, needle_lc: &str) -> bool {
    hay.to_lowercase().contains(needle_lc)
}

/// True when a snapshot matches a filter text (name, id, kind, tags, metadata keys and values).
pub fn snapshot_matches(s: &crate::model::Snapshot, needle_lc: &str) -> bool {
    if needle_lc.is_empty() {
        return true;
    }
    if s.name.as_deref().is_some_and(|n| lc_contains(n, needle_lc))
        || lc_contains(&s.id, needle_lc)
        || s.kind.as_str().contains(needle_lc)
        || s.tags.iter().any(|t| lc_contains(t, needle_lc))
    {
        return true;
    }
    s.metadata.iter().any(|(k, v)| {
        let vs = match v {
            serde_json::Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        lc_contains(k, needle_lc)
            || lc_contains(&vs, needle_lc)
            || lc_contains(&format!("{k}={vs}"), needle_lc)
    })
}
