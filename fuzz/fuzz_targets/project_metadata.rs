//! Fuzz project records and dashboard definitions (legacy metadata.json and
//! v2 dashboard.json).
#![no_main]

use libfuzzer_sys::fuzz_target;
use snapscope::dashboard::Dashboard;
use snapscope::parse::{parse_project_metadata, replace_non_finite};

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = parse_project_metadata(data) {
        if let Some(d) = meta.dashboard {
            let _ = Dashboard::from_legacy(&d);
        }
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&replace_non_finite(data)) {
        let _ = Dashboard::from_v2(&v);
        let _ = Dashboard::from_legacy(&v);
    }
});
