//! Fuzz project records and dashboard definitions (legacy metadata.json and
//! v2 dashboard.json).
#![no_main]

use libfuzzer_sys::fuzz_target;
use snapscope::analysis::dashboard::Dashboard;
use snapscope::parse::{parse_project_metadata, replace_non_finite};

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = parse_project_metadata(data) {
        if let Some(d) = meta.dashboard {
            let _ = snapscope::parse::dashboard::legacy(&d);
        }
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&replace_non_finite(data)) {
        let _ = snapscope::parse::dashboard::v2(&v);
        let _ = snapscope::parse::dashboard::legacy(&v);
    }
});
