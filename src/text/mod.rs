//! Text: the leaf every layer may use. Sanitizing untrusted strings for the
//! terminal, formatting numbers and durations, and parsing sizes,
//! durations and times written by the user, and matching the patterns
//! users type (`glob`).

pub mod duration;
pub mod glob;
pub mod num;
pub mod sanitize;
pub mod size;
pub mod time;
pub mod width;
