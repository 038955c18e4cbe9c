//! Series keys: `MetricType{param=value,...}.field.path` (stub).

/// Canonical `{k=v,...}` form of metric parameters (stub).
pub fn canonical_params(_params: &serde_json::Value) -> String {
    String::new()
}
