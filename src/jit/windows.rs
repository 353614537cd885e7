//! What compiled code sees of the mapping: per-slot windows and, per slot, the list of every
//! window it may fall back on (the layout is drawn in [`super::context`]), built from the
//! mapping's own description of its host bytes ([`MemoryMapping::contiguous_windows`],
//! [`MemoryMapping::recent_windows`]).
//!
//! A window handed to compiled code is always a whole contiguous region's host bytes (or the
//! window of a recent lookup, which lies in one region), stores only for writable regions; the
//! run loop asks again whenever [`MemoryMapping::regions_generation`] moves. A clean buffer
//! (whose writes must widen its dirty range, [`crate::memory::CleanBuffer`]) is never a store
//! window of the table: it is in the store list with the address of its range, for compiled
//! code's second chance to widen.

use super::context::{JitContext, JitList, JitWindow, ListBuffers, WINDOW_SLOTS};
use crate::memory::{AccessType, HostWindow, MemoryMapping};

/// Bytes of a window.
const WINDOW_BYTES: u64 = std::mem::size_of::<JitWindow>() as u64;

/// The 4 GiB slot of a guest address, as an index (saturating on 32-bit hosts).
fn slot_of(vm_addr: u64) -> usize {
    usize::try_from(vm_addr >> 32).unwrap_or(usize::MAX)
}

/// Appends `window` to `buffer` as the next of a slot's run `(first, count)` (regions come in
/// address order, so a slot's windows are contiguous).
fn add_to_run(run: &mut (usize, usize), buffer: &mut Vec<JitWindow>, window: JitWindow) {
    if run.1 == 0 {
        run.0 = buffer.len();
    }
    run.1 = run.1.wrapping_add(1); // at most the buffer's length
    buffer.push(window);
}

/// Fills the window table and lists of `context`, in one pass over the regions: every
/// non-empty contiguous region starting in a slot of the table is in its slot's load list and,
/// when writable, store list (a clean buffer's with the address of its dirty range), and the
/// first such region of a slot is its table window (stores: the first writable one that is not
/// a clean buffer); then the windows of the most recent slow-path load and store, which cover
/// gapped stack frames and the unaligned mapping's other regions, go in the table. The lists
/// point into `buffers`: valid until it next changes. Call it again whenever host code may have
/// replaced a region.
pub(super) fn build_windows(
    memory: &MemoryMapping<'_>,
    context: &mut JitContext,
    buffers: &mut ListBuffers,
) {
    context.loads = [JitWindow::default(); WINDOW_SLOTS];
    context.stores = [JitWindow::default(); WINDOW_SLOTS];
    buffers.loads.clear();
    buffers.stores.clear();
    // Per slot: (first index, count) in each buffer.
    let mut load_runs = [(0usize, 0usize); WINDOW_SLOTS];
    let mut store_runs = [(0usize, 0usize); WINDOW_SLOTS];
    for region in memory.contiguous_windows() {
        let slot = slot_of(region.vm_start);
        if slot >= WINDOW_SLOTS {
            continue;
        }
        let window = JitWindow::new(region.vm_start, region.vm_len, region.host);
        if context.loads[slot].vm_len == 0 {
            context.loads[slot] = window;
        }
        add_to_run(&mut load_runs[slot], &mut buffers.loads, window);
        if region.writable {
            let dirty = region.dirty;
            if dirty == 0 && context.stores[slot].vm_len == 0 {
                context.stores[slot] = window;
            }
            let window = JitWindow { dirty, ..window };
            add_to_run(&mut store_runs[slot], &mut buffers.stores, window);
        }
    }
    // Addresses only now: pushing may have moved the buffers.
    for (runs, buffer, lists) in [
        (&load_runs, &buffers.loads, &mut context.load_lists),
        (&store_runs, &buffers.stores, &mut context.store_lists),
    ] {
        let base = buffer.as_ptr() as u64;
        for (list, (first, count)) in lists.iter_mut().zip(runs) {
            *list = JitList {
                windows: base.wrapping_add((*first as u64).wrapping_mul(WINDOW_BYTES)),
                count: *count as u64,
            };
        }
    }
    refresh_recent_windows(memory, context);
}

/// Puts the windows of the most recent lookups into the table (what changes after a slow path;
/// but no store window of a clean buffer); the rest of the table stays valid while the regions
/// do ([`MemoryMapping::regions_generation`]).
pub(super) fn refresh_recent_windows(memory: &MemoryMapping<'_>, context: &mut JitContext) {
    for (access, table) in [
        (AccessType::Load, &mut context.loads),
        (AccessType::Store, &mut context.stores),
    ] {
        let usable = |recent: &HostWindow| !(access == AccessType::Store && recent.dirty != 0);
        for recent in memory.recent_windows(access).filter(usable) {
            if let Some(slot) = table.get_mut(slot_of(recent.vm_start)) {
                *slot = JitWindow::new(recent.vm_start, recent.vm_len, recent.host);
            }
        }
    }
}

/// The mapping's generations when the context's windows were last copied from it, so that a
/// run copies again only what moved since.
#[derive(Debug, Clone, Copy)]
pub(super) struct CopiedAt {
    regions: u64,
    windows: u64,
}

impl CopiedAt {
    /// The mapping's generations now (right after `build_windows`).
    pub(super) fn now(memory: &MemoryMapping<'_>) -> Self {
        CopiedAt {
            regions: memory.regions_generation(),
            windows: memory.windows_generation(),
        }
    }

    /// After the host stepped: the whole table again if a region changed, else the recent
    /// lookup windows if they moved.
    pub(super) fn catch_up(
        &mut self,
        memory: &MemoryMapping<'_>,
        context: &mut JitContext,
        lists: &mut ListBuffers,
    ) {
        if memory.regions_generation() != self.regions {
            build_windows(memory, context, lists);
        } else if memory.windows_generation() != self.windows {
            refresh_recent_windows(memory, context);
        }
        *self = CopiedAt::now(memory);
    }

    /// Copies the recent lookup windows in (a window was just warmed for compiled code).
    pub(super) fn refresh_recent(&mut self, memory: &MemoryMapping<'_>, context: &mut JitContext) {
        refresh_recent_windows(memory, context);
        self.windows = memory.windows_generation();
    }
}
