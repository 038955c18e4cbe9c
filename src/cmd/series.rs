//! `snapscope series`: every series key of a project with its number of
//! points.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::cmd::args::GlobalOpts;
use crate::cmd::error::Result;
use crate::cmd::output::{write_json, Table};
use crate::cmd::select::{load, resolve_project};
use crate::text::sanitize::clean;

/// One row of `snapscope series --json`.
#[derive(Debug, Serialize)]
pub struct SeriesJson {
    pub key: String,
    pub points: usize,
}

/// `snapscope series`.
pub fn series(
    path: &Path,
    project: &str,
    global: &GlobalOpts,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let (catalog, _) = load(path, global)?;
    let p = resolve_project(&catalog, project)?;
    let rows: Vec<SeriesJson> = catalog
        .series_keys(&p.project.id)
        .into_iter()
        .map(|(key, points)| SeriesJson { key, points })
        .collect();
    if json {
        return write_json(out, &rows);
    }
    writeln!(
        out,
        "{}  ({} series over {} snapshots)",
        clean(&p.project.name),
        rows.len(),
        p.snapshots.len()
    )?;
    let mut t = Table::new(&["POINTS", "KEY"]);
    t.right(&[0]);
    for r in &rows {
        t.row(vec![r.points.to_string(), clean(&r.key).into_owned()]);
    }
    t.write(out)?;
    Ok(())
}
