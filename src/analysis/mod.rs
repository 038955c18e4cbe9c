//! Analysis: pure functions of the index's catalog that answer questions
//! about it: per-test and per-column history, on-call triage, what changed
//! between two runs, a project dashboard's panels, and the figures a
//! monitoring system scrapes (`metrics`). No I/O, no UI.

pub mod compare;
pub mod dashboard;
pub mod history;
pub mod metrics;
pub mod pair;
pub mod series;
pub mod triage;
