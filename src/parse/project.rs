//! Project records: legacy and v2 `metadata.json`.
use serde_json::{Map, Value};

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

fn as_string(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Parse a project's `metadata.json`. As Python's `json` reads it: a
/// repeated key keeps its last value, `1e400` and lone surrogate escapes
/// are rewritten (see `json::repair`).
pub fn parse_project_metadata(bytes: &[u8]) -> Result<ProjectMeta, ParseError> {
    let text = super::json::prepare(bytes)?;
    let read = |t: &[u8]| {
        serde_json::from_slice::<Map<String, Value>>(t).map_err(|e| ParseError::from_serde(&e))
    };
    let mut raw = match read(&text) {
        Err(e @ ParseError::Syntax { .. }) => match super::json::repair(&text) {
            Some(fixed) => read(&fixed)?,
            None => return Err(e),
        },
        other => other?,
    };
    Ok(ProjectMeta {
        id: as_string(raw.remove("id")),
        name: as_string(raw.remove("name")),
        description: as_string(raw.remove("description")),
        created_at: as_string(raw.remove("created_at")),
        dashboard: raw.remove("dashboard").filter(|d| !d.is_null()),
    })
}
