//! The index: locating projects and snapshot files ([`scan`]), reading and
//! parsing them ([`read`]), the in-memory [`catalog`], the persistent
//! [`cache`], watching folders ([`watch`]) and the [`live`] index that keeps
//! a catalog up to date and tells consumers through [`events`]. Knows
//! nothing of analysis or terminals.

pub mod cache;
pub mod catalog;
pub mod events;
pub mod live;
pub mod read;
pub mod scan;
pub mod watch;

pub use read::{
    index_file, index_path, index_path_with_cache, load_project, project_record, read_limited,
    read_limited_into, with_read_buffer, FileError, IndexOptions, ScanReport,
    DEFAULT_MAX_FILE_SIZE,
};
