//! A project's configured Evidently dashboard evaluated against its parsed
//! snapshots into terminal-ready panel data. Pure: takes the
//! [`Dashboard`] model and a [`ProjectEntry`](crate::index::ProjectEntry),
//! does no I/O and draws nothing.

mod eval;
mod key;
mod used;

pub use crate::model::dashboard::*;
pub use eval::{
    evaluate, evaluate_panel, CounterValue, DetailedTest, Line, PanelContent, PanelView, Point,
    StatusBucket,
};
pub use key::SeriesKey;
pub use used::used_series;

#[cfg(test)]
mod tests;
