//! Giving freed memory back to the system once a burst of work is over.
//!
//! The allocator (mimalloc, chosen by the binary) keeps pages it has freed
//! for reuse. After indexing, that is the read buffers of ten thousand
//! files, or a cache file read whole, which would otherwise stay resident
//! for the whole session.

/// Return this thread's free pages, and the pages waiting to be purged, to
/// the system. Costs a few milliseconds, so it is called after bursts of
/// work (a scan, a cache load, every few tens of MiB a parser thread
/// parsed), never per file. Harmless when mimalloc is not the global
/// allocator: its heaps are then empty.
pub fn return_free_memory() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any
    // thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Bytes a thread parses between two [`return_free_memory`] calls of its
/// own (see [`parsed`]).
const PARSED_BETWEEN_RETURNS: u64 = 32 << 20;

/// Note that this thread parsed `bytes` of snapshot files; every
/// [`PARSED_BETWEEN_RETURNS`] bytes, give its free pages back. The
/// allocator keeps the pages a file's parse freed pending for reuse, and on
/// heavy snapshots they add up to several MiB per thread on top of the
/// growing index: returning them now and then keeps a cold scan's peak near
/// its steady state, at the cost of faulting a few pages in again.
pub fn parsed(bytes: u64) {
    thread_local! {
        static SINCE_RETURN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    SINCE_RETURN.with(|n| {
        let total = n.get().saturating_add(bytes);
        if total >= PARSED_BETWEEN_RETURNS {
            return_free_memory();
            n.set(0);
        } else {
            n.set(total);
        }
    });
}
