//! Project records: legacy and v2 `metadata.json`.
use serde::Deserialize;

use super::ParseError;

/// What a project's `metadata.json` says.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectMeta {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `created_at` as written (naive ISO), if present.
    pub created_at: Option<String>,
    /// Legacy: the `dashboard` object embedded in metadata.json.
    pub dashboard: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Raw {
    id: Option<serde_json::Value>,
    name: Option<serde_json::Value>,
    description: Option<serde_json::Value>,
    created_at: Option<serde_json::Value>,
    dashboard: Option<serde_json::Value>,
}

fn as_string(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Parse a project's `metadata.json`.
pub fn parse_project_metadata(bytes: &[u8]) -> Result<ProjectMeta, ParseError> {
    let text = super::json::prepare(bytes)?;
    let raw: Raw = serde_json::from_slice(&text).map_err(|e| ParseError::from_serde(&e))?;
    Ok(ProjectMeta {
        id: as_string(raw.id),
        name: as_string(raw.name),
        description: as_string(raw.description),
        created_at: as_string(raw.created_at),
        dashboard: raw.dashboard.filter(|d| !d.is_null()),
    })
}
