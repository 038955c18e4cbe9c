//! Giving freed memory back to the system once a burst of work is over.
//!
//! The allocator (mimalloc, chosen by the binary) keeps pages it has freed
//! for reuse. After indexing, that is the read buffers of ten thousand
//! files, or a cache file read whole, which would otherwise stay resident
//! for the whole session.

/// Return the allocator's free pages to the system. Costs a few
/// milliseconds, so it is called once after each burst (a scan, a cache
/// load), not in loops. Harmless when mimalloc is not the global allocator:
/// its heaps are then empty.
pub fn return_free_memory() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any
    // thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
