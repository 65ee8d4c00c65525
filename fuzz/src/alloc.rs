//! The allocation cap: a global allocator that aborts on one request larger
//! than [`MAX_SINGLE_ALLOCATION`], so that a length field taken at its word
//! (a multi-gigabyte `Vec::with_capacity`) is a finding, not a slow swap.
//!
//! Binaries and tests declare it with
//! `#[global_allocator] static A: CappedAllocator = CappedAllocator;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The largest single allocation a parser may ask for (1 GiB): the largest
/// outside input is a 10-million-entry hotlist of 190 MB, and image import lets
/// the decoder allocate up to its 512 MB default limit for a 20 000 px scan.
pub const MAX_SINGLE_ALLOCATION: usize = 1 << 30;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The system allocator with a cap on each request and a count of live bytes.
pub struct CappedAllocator;

impl CappedAllocator {
    fn check(size: usize) {
        if size > MAX_SINGLE_ALLOCATION {
            // No allocation here: the message is static.
            let message = b"tdverify-fuzz: allocation over the cap (a length field was trusted)\n";
            // SAFETY: writing a static buffer to standard error.
            unsafe {
                libc_write(2, message.as_ptr(), message.len());
            }
            std::process::abort();
        }
    }

    fn count(size: usize) {
        let live = LIVE_BYTES.fetch_add(size, Ordering::Relaxed) + size;
        PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
    }
}

unsafe extern "C" {
    #[link_name = "write"]
    fn libc_write(fd: i32, buf: *const u8, count: usize) -> isize;
}

// SAFETY: every call forwards to the system allocator with the same layout.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::check(layout.size());
        Self::count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::check(layout.size());
        Self::count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::check(new_size);
        if new_size >= layout.size() {
            Self::count(new_size - layout.size());
        } else {
            LIVE_BYTES.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Peak of live heap bytes since the process started (when the cap allocator is
/// the global one), for the report.
pub fn peak_bytes() -> usize {
    PEAK_BYTES.load(Ordering::Relaxed)
}
