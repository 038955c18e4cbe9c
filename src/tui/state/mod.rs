//! The explorer's state, one file per screen: each holds what its screen
//! shows (computed from the catalog when it opens and again when the index
//! changes) and the cursor over it. Nothing here draws or touches the
//! terminal; `ui` renders these, `update` changes them.

pub mod browse;
pub mod compare;
pub mod cursor;
pub mod dashboard;
pub mod detail;
pub mod filter;
pub mod history;
pub mod now;
pub mod popup;
pub mod screen;
pub mod trend;
pub mod view;
