//! snapscope: a terminal explorer for Evidently ML monitoring snapshots.
//!
//! Layers, bottom up; each uses only the ones before it (see `ARCHITECTURE.md`):
//! - [`text`]: formatting, sanitizing and parsing of sizes, durations and times
//!   (a leaf every layer may use);
//! - [`model`]: domain types;
//! - [`parse`]: Evidently files → model, no I/O;
//! - [`index`]: scanning, reading, caching and watching a workspace;
//! - [`analysis`]: history, triage, compare and dashboard evaluation;
//! - [`config`]: the configuration file and the user's folders;
//! - [`cmd`] and [`tui`]: the two front ends, the headless commands and the
//!   interactive explorer.

pub mod analysis;
pub mod cmd;
pub mod config;
pub mod index;
pub mod model;
pub mod parse;
pub mod text;
pub mod tui;
