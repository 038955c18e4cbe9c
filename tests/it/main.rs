//! The integration tests as one test binary (`cargo test --test it`; filter
//! by module, e.g. `cargo test --test it cli::`). One module per area; the
//! shared helpers, including the one runner that starts the `snapscope`
//! binary with an isolated environment, are in [`common`].

// Tools and tests may stop at the first surprise; the library may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod alerts;
mod architecture;
mod cache;
mod cli;
mod cli_bad_input;
mod compare_onset;
mod config;
mod corpus;
mod dashboard;
mod drift_count;
mod failing_now;
mod future_dated;
mod hostile;
mod junit;
mod limits;
mod live;
mod live_churn;
mod live_folders;
mod live_rewrite;
mod metrics;
mod oncall;
mod oncall_streak;
mod oncall_tests_csv;
mod own_files;
mod parse;
mod proptest_parse;
mod python_json;
mod remote;
mod remote_azure;
mod remote_live;
mod series_keys;
mod serve;
mod signals;
mod snapshot_ids;
mod snapshots_folder;
mod tui_e2e;
mod tui_render;
mod tui_startup;
mod tui_state;
mod tui_views;
mod tui_width;
mod unreadable;
