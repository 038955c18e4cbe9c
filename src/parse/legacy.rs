//! Legacy (0.4–0.6) snapshot details (stub).
