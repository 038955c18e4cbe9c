//! The index: locating projects and snapshot files (`scan`), reading and
//! parsing them (`read`: the one [`FileError`], the one project and
//! dashboard reader), opening files so that none can block or flood the
//! process, and snapscope's private files (`open`), the in-memory
//! [`Catalog`], the persistent index cache (`cache`), watching folders
//! (`watch`) and the [`LiveIndex`] that keeps a catalog up to date and
//! tells consumers through [`IndexEvent`]s (or, once, [`start_one_shot`]).
//! Knows nothing of analysis or terminals. This file is its one public
//! entry point: the submodules are private and what the layers above use
//! is re-exported here.

mod cache;
mod catalog;
mod events;
mod live;
pub mod memory;
mod one_shot;
mod open;
mod read;
mod remote;
mod scan;
mod watch;

pub use cache::{cache_dir, cache_file, discard_cache};
pub use catalog::{Catalog, ChangeStamp, Fingerprint, ProjectEntry, SnapshotEntry, Unreadable};
pub use events::{apply as apply_event, IndexEvent};
pub use live::{LiveError, LiveIndex, LiveOptions, REMOTE_POLL_INTERVAL, REMOTE_UNREACHABLE};
pub use one_shot::{send_one_shot, start_one_shot};
pub use open::{create_private_dir, open_log, read_regular, tighten, Links, PRIVATE_DIR};
pub use remote::{
    is_remote, set_remote_settings, RemoteError, RemoteSettings, DEFAULT_CONCURRENCY,
};
pub use scan::{Layout, ProjectDir, ScanError, SnapshotFile};
pub use watch::WatchMode;

pub use read::{
    index_file, index_path, index_path_with_cache, load_project, project_record, read_limited,
    read_limited_into, with_read_buffer, FileError, IndexOptions, ScanReport,
    DEFAULT_MAX_FILE_SIZE,
};
