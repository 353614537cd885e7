//! The memory of one program run, and the hook that grows it.
//!
//! ```text
//! 0x0 / 0x1_0000_0000  read-only: the program's text and read-only data (borrowed)
//! 0x2_0000_0000        stack: 64 frames of 4 KiB, no gaps
//! 0x3_0000_0000        heap: 32 KiB
//! 0x4_0000_0000        input: metadata and account-data regions (serialize.rs)
//! ```
//!
//! The stack and the heap are materialized on first use: the stack starts with its first
//! frames (in versions with fixed frames r10 starts in frame 0 and each call moves one frame
//! up), the heap with nothing, and the first access beyond grows the region to its full size,
//! zero-filled. A program sees exactly the memory Agave gives it; the runtime no longer zeroes
//! 288 KiB for every instruction when a token transfer touches a few hundred bytes.
//!
//! The same hook grows account data into its 10 KiB of room (Agave's access-violation handler:
//! the whole room at once, within 10 MiB and the transaction's 20 MiB growth limit).

use super::transaction::{MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION, MAX_ACCOUNT_DATA_LEN};
use crate::memory::{AccessViolationHook, MemoryRegion, MM_HEAP_START, MM_STACK_START};
use crate::vm::AccessType;

/// Stack bytes mapped before first use beyond them: frames 0–3 for fixed-frame versions.
pub const INITIAL_STACK_BYTES: usize = 4 * 4096;

/// What the hook may grow, and to what size.
pub struct Growth {
    /// Full stack size.
    pub stack_len: u64,
    /// Full heap size.
    pub heap_len: u64,
    /// Data regions the program may change (sorted guest addresses).
    pub accounts: Vec<u64>,
    /// The transaction's data growth so far.
    pub resize_delta: i64,
}

/// The stack and heap regions as first mapped: the stack's first frames (all of it for
/// versions with dynamic frames, whose r10 starts at the top) and an empty heap.
pub fn lazy_stack_and_heap(stack_len: usize, dynamic_frames: bool) -> [MemoryRegion<'static>; 2] {
    let initial = if dynamic_frames {
        stack_len
    } else {
        stack_len.min(INITIAL_STACK_BYTES)
    };
    [
        MemoryRegion::owned(vec![0; initial], MM_STACK_START),
        MemoryRegion::owned(Vec::new(), MM_HEAP_START),
    ]
}

/// The hook: materializes the stack and heap, grows account data.
pub fn growth_hook<'a>(growth: Growth) -> AccessViolationHook<'a> {
    let Growth {
        stack_len,
        heap_len,
        accounts,
        resize_delta,
    } = growth;
    let mut delta = resize_delta;
    Box::new(move |region, room, access, vm_addr, len| {
        let full = match region.vm_addr {
            MM_STACK_START => Some(stack_len),
            MM_HEAP_START => Some(heap_len),
            _ => None,
        };
        if let Some(full) = full {
            let starts_inside = vm_addr.wrapping_sub(region.vm_addr) < full;
            return (starts_inside && region.len() < full).then(|| extended(region, full));
        }
        if access == AccessType::Load || accounts.binary_search(&region.vm_addr).is_err() {
            return None;
        }
        let requested = vm_addr.saturating_add(len).saturating_sub(region.vm_addr);
        let old_len = region.len();
        if requested > room || requested <= old_len {
            return None;
        }
        let allowed = MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION
            .saturating_sub(delta)
            .max(0) as u64;
        let new_len = room
            .min(MAX_ACCOUNT_DATA_LEN)
            .min(old_len.saturating_add(allowed));
        if new_len < requested {
            return None;
        }
        delta = delta.saturating_add(new_len.saturating_sub(old_len) as i64);
        Some(extended(region, new_len))
    })
}

/// `region`'s bytes followed by zeros up to `len`, writable.
fn extended<'a>(region: &MemoryRegion<'_>, len: u64) -> MemoryRegion<'a> {
    let mut bytes = Vec::with_capacity(len as usize);
    bytes.extend_from_slice(region.host_bytes());
    bytes.resize(len as usize, 0);
    MemoryRegion::owned(bytes, region.vm_addr)
}
