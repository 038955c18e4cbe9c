//! A poll tick of a bucket. Most polls are cheap ([`remote::poll_recent`]):
//! they ask only for the snapshot keys created since about the newest known
//! one, so an idle poll costs `1 + projects` LIST requests and no GET. Every
//! `full-listing-every`-th poll, the first after a failure, whenever a
//! cheap poll cannot tell, and whenever a full listing would cost no more
//! requests (`objects / list-page-keys` pages: few objects, many projects),
//! the bucket is listed whole and reconciled, which also catches rewritten
//! and deleted objects.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::sync::atomic::Ordering;

use super::files::FileKind;
use super::indexer::Indexer;
use super::source::Source;
use crate::index::remote::{self, Polled};
use crate::index::scan::Layout;

impl Indexer {
    /// One poll of a bucket (a folder: a rescan).
    pub(super) fn poll_bucket(&mut self) {
        let Source::Remote(store, down) = &self.source else {
            self.rescan();
            return;
        };
        let (store, down) = (store.clone(), down.clone());
        self.polls = self.polls.wrapping_add(1);
        let every = store.full_listing_every();
        // A cheap poll costs one listing per project (and one of the top);
        // when a full listing costs no more, list whole.
        let cheap = match self.layout {
            Layout::Workspace => 1 + self.projects.len(),
            Layout::Project | Layout::Flat => 1,
        };
        if self.scan_error.is_some()
            || self.polls.is_multiple_of(every)
            || cheap >= store.full_listing_pages()
        {
            self.rescan();
            return;
        }
        let mut names: HashMap<&str, Vec<&OsStr>> = HashMap::new();
        for (path, t) in &self.files {
            if let (FileKind::Snapshot { project_id, .. }, Some(name)) = (&t.kind, path.file_name())
            {
                names.entry(project_id.as_str()).or_default().push(name);
            }
        }
        let projects = self.projects.values().map(|ps| {
            let known = names.remove(ps.dir.id.as_str()).unwrap_or_default();
            (&ps.dir, known)
        });
        let polled = remote::poll_recent(&store, self.layout, projects);
        match polled {
            Ok(Polled::Relist) => self.rescan(),
            Ok(Polled::Recent(files)) => {
                down.store(false, Ordering::Relaxed);
                self.listing_succeeded();
                for f in files {
                    let kind = FileKind::Snapshot {
                        project_id: f.project_id.to_string(),
                        id: f.id,
                    };
                    self.observe(&f.path, kind, Some(f.fingerprint));
                }
            }
            Err(e) => self.listing_failed(&e.to_string()),
        }
    }
}
