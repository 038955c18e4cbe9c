//! snapscope: a terminal explorer for Evidently ML monitoring snapshots.
//!
//! Layers, bottom up: [`model`] (domain types), [`parse`] (Evidently files →
//! model, no I/O), [`catalog`] (the in-memory index), then scanning, watching
//! and the user interfaces on top.

pub mod cache;
pub mod catalog;
pub mod cli;
pub mod compare;
pub mod config;
pub mod dashboard;
pub mod events;
pub mod headless;
pub mod history;
pub mod index;
pub mod intern;
pub mod live;
pub mod logging;
pub mod model;
pub mod oncall;
pub mod parse;
pub mod sanitize;
pub mod scan;
pub mod triage;
pub mod tui;
pub mod watch;
pub mod watch_cmd;
