//! v2 (0.7) snapshot details (stub).
