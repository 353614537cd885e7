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
//! up), the heap with nothing, and each doubles, zero-filled, whenever an access reaches past
//! it. Their buffers come from a per-thread pool with room for the full size, so growing never
//! copies and a run zeroes only what it mapped. A program sees exactly the memory Agave gives
//! it; the runtime no longer zeroes 288 KiB for every instruction when a token transfer touches
//! a few hundred bytes.
//!
//! The same hook grows account data into its 10 KiB of room (Agave's access-violation handler:
//! the whole room at once, within 10 MiB and the transaction's 20 MiB growth limit).

use super::transaction::{MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION, MAX_ACCOUNT_DATA_LEN};
use crate::memory::{AccessViolationHook, HostMemory, MemoryRegion, MM_HEAP_START, MM_STACK_START};
use crate::vm::AccessType;
use std::cell::RefCell;

/// Stack bytes mapped before first use beyond them: frame 0 for fixed-frame versions.
pub const INITIAL_STACK_BYTES: usize = 4096;
/// Least a stack or heap grows to.
const MIN_GROWTH: u64 = 4096;
/// Buffers kept per thread (a transaction nests at most 9 instructions deep, each with a stack
/// and a heap).
const POOL_SIZE: usize = 18;

thread_local! {
    /// Empty buffers with room to reuse: stacks and heaps of finished runs.
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A zeroed buffer of `len` bytes with room for `capacity`, from the pool when it has one.
fn pooled(len: usize, capacity: usize) -> Vec<u8> {
    let reused = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let found = pool.iter().position(|buffer| buffer.capacity() >= capacity);
        found.map(|index| pool.swap_remove(index))
    });
    let mut buffer = reused.unwrap_or_else(|| Vec::with_capacity(capacity));
    buffer.resize(len, 0);
    buffer
}

/// Gives the stack's and heap's buffers of a finished run back to the pool.
pub fn recycle(regions: &mut [Option<MemoryRegion<'_>>]) {
    for slot in regions.iter_mut() {
        let is_pooled = slot
            .as_ref()
            .is_some_and(|region| matches!(region.vm_addr, MM_STACK_START | MM_HEAP_START));
        if !is_pooled {
            continue;
        }
        if let Some(HostMemory::Owned { mut bytes, .. }) =
            slot.take().map(MemoryRegion::into_memory)
        {
            bytes.clear();
            POOL.with(|pool| {
                let mut pool = pool.borrow_mut();
                if pool.len() < POOL_SIZE {
                    pool.push(bytes);
                }
            });
        }
    }
}

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
pub fn lazy_stack_and_heap(
    stack_len: usize,
    heap_len: usize,
    dynamic_frames: bool,
) -> [MemoryRegion<'static>; 2] {
    let initial = if dynamic_frames {
        stack_len
    } else {
        stack_len.min(INITIAL_STACK_BYTES)
    };
    [
        MemoryRegion::owned(pooled(initial, stack_len), MM_STACK_START),
        MemoryRegion::owned(pooled(0, heap_len), MM_HEAP_START),
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
            let offset = vm_addr.wrapping_sub(region.vm_addr);
            if offset >= full || region.len() >= full {
                return false;
            }
            let new_len = offset
                .saturating_add(len)
                .max(region.len().saturating_mul(2))
                .max(MIN_GROWTH)
                .checked_next_power_of_two()
                .unwrap_or(full)
                .min(full);
            extend(region, new_len);
            return true;
        }
        if access == AccessType::Load || accounts.binary_search(&region.vm_addr).is_err() {
            return false;
        }
        let requested = vm_addr.saturating_add(len).saturating_sub(region.vm_addr);
        let old_len = region.len();
        if requested > room || requested <= old_len {
            return false;
        }
        let allowed = MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION
            .saturating_sub(delta)
            .max(0) as u64;
        let new_len = room
            .min(MAX_ACCOUNT_DATA_LEN)
            .min(old_len.saturating_add(allowed));
        if new_len < requested {
            return false;
        }
        delta = delta.saturating_add(new_len.saturating_sub(old_len) as i64);
        extend(region, new_len);
        true
    })
}

/// Grows `region` to `len` bytes, zero-filled and writable, in place when its buffer has room.
fn extend(region: &mut MemoryRegion<'_>, len: u64) {
    let start = region.vm_addr;
    let taken = std::mem::replace(region, MemoryRegion::empty(start));
    let mut bytes = match taken.into_memory() {
        HostMemory::Owned { bytes, .. } => bytes,
        HostMemory::ReadOnly(bytes) => bytes.to_vec(),
        HostMemory::Writable(bytes) => bytes.to_vec(),
    };
    bytes.resize(usize::try_from(len).unwrap_or(usize::MAX), 0);
    *region = MemoryRegion::owned(bytes, start);
}
