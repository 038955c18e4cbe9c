//! Top-level snapshot parsing (stub; being written).
use super::{ParseError, ParseOptions};
use crate::model::Snapshot;

pub(crate) fn parse(
    _text: &[u8],
    _id: &str,
    _project_id: &str,
    _opts: &ParseOptions,
) -> Result<Snapshot, ParseError> {
    Err(ParseError::WrongShape("parser not written yet".into()))
}
