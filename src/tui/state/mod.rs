//! The explorer's state, one file per screen: each holds what its screen
//! shows (computed from the catalog when it opens and again when the index
//! changes), the cursor over it, its key handling (an
//! [`screen::Outcome`] for the router when the change crosses screens) and
//! what `y` copies there. The full-screen views implement [`view::View`];
//! [`screen`] is the vocabulary they share with the router. Nothing here
//! draws or touches the terminal; `ui` renders these, `update` routes to
//! them.

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
