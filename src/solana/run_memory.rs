//! The memory of one program run, and the hook that grows account data.
//!
//! ```text
//! 0x0 / 0x1_0000_0000  read-only: the program's text and read-only data (borrowed)
//! 0x2_0000_0000        stack: 64 frames of 4 KiB, no gaps
//! 0x3_0000_0000        heap: 32 KiB
//! 0x4_0000_0000        input: metadata and account-data regions (serialize.rs)
//! ```
//!
//! The stack and the heap are mapped whole from the start, as Agave maps them, on clean buffers
//! ([`CleanBuffer`]: zero outside a dirty prefix and suffix that every write widens first) from
//! a per-thread pool. A finished run gives them back zeroing only what it wrote, so an
//! instruction costs what its program touched — a token transfer writes a few KiB of its
//! 288 KiB — and no access ever waits for memory to be materialized.
//!
//! The hook grows account data into its 10 KiB of room (Agave's access-violation handler: the
//! whole room at once, within 10 MiB and the transaction's 20 MiB growth limit).

use super::transaction::{MAX_ACCOUNT_DATA_GROWTH_PER_TRANSACTION, MAX_ACCOUNT_DATA_LEN};
use crate::memory::{
    AccessViolationHook, CleanBuffer, HostMemory, MemoryRegion, MM_HEAP_START, MM_STACK_START,
};
use crate::vm::AccessType;
use std::cell::RefCell;

/// Buffers kept per thread (a transaction nests at most 9 instructions deep, each with a stack
/// and a heap).
const POOL_SIZE: usize = 18;

thread_local! {
    /// Clean buffers of finished runs' stacks and heaps.
    static POOL: RefCell<Vec<CleanBuffer>> = const { RefCell::new(Vec::new()) };
}

/// A clean buffer of `len` bytes, from the pool when it has one.
fn pooled(len: usize) -> CleanBuffer {
    let reused = POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let found = pool.iter().position(|buffer| buffer.len() == len);
        found.map(|index| pool.swap_remove(index))
    });
    reused.unwrap_or_else(|| CleanBuffer::zeroed(len))
}

/// Gives the stack's and heap's buffers of a finished run back to the pool, clean.
pub fn recycle(regions: &mut [Option<MemoryRegion<'_>>]) {
    for slot in regions.iter_mut() {
        let is_pooled = slot
            .as_ref()
            .is_some_and(|region| matches!(region.vm_addr, MM_STACK_START | MM_HEAP_START));
        if !is_pooled {
            continue;
        }
        if let Some(HostMemory::Clean(mut buffer)) = slot.take().map(MemoryRegion::into_memory) {
            POOL.with(|pool| {
                let mut pool = pool.borrow_mut();
                if pool.len() < POOL_SIZE {
                    buffer.clean();
                    pool.push(buffer);
                }
            });
        }
    }
}

/// The stack and heap regions, whole, on clean buffers.
pub fn stack_and_heap(stack_len: usize, heap_len: usize) -> [MemoryRegion<'static>; 2] {
    [
        MemoryRegion::zeroed(pooled(stack_len), MM_STACK_START),
        MemoryRegion::zeroed(pooled(heap_len), MM_HEAP_START),
    ]
}

/// What the hook may grow, and to what size.
pub struct Growth {
    /// Data regions the program may change (sorted guest addresses).
    pub accounts: Vec<u64>,
    /// The transaction's data growth so far.
    pub resize_delta: i64,
}

/// The hook: grows account data.
pub fn growth_hook<'a>(growth: Growth) -> AccessViolationHook<'a> {
    let Growth {
        accounts,
        resize_delta,
    } = growth;
    let mut delta = resize_delta;
    Box::new(move |region, room, access, vm_addr, len| {
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
        HostMemory::Clean(buffer) => buffer.bytes().to_vec(),
    };
    bytes.resize(usize::try_from(len).unwrap_or(usize::MAX), 0);
    *region = MemoryRegion::owned(bytes, start);
}
