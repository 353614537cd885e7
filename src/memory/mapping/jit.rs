//! What compiled code sees of the mapping: per-slot windows and, per slot, the list of every
//! window it may fall back on (the layout is drawn in [`crate::jit::context`]).
//!
//! A window handed to compiled code is always a whole contiguous region's host bytes (or the
//! window of a recent lookup, which lies in one region), stores only for writable regions; the
//! JIT asks again whenever [`MemoryMapping::regions_generation`] moves. A clean buffer (whose
//! writes must widen its dirty range, [`crate::memory::CleanBuffer`]) is never a store window
//! of the table: it is in the store list with the address of its range, for compiled code's
//! second chance to widen.

use super::{window_slot, MemoryMapping, Window};
use crate::jit::context::{JitList, JitWindow};
use crate::vm::AccessType;

/// The 4 GiB slot of a guest address, as an index (saturating on 32-bit hosts).
fn slot_of(vm_addr: u64) -> usize {
    usize::try_from(vm_addr >> 32).unwrap_or(usize::MAX)
}

impl MemoryMapping<'_> {
    /// Every region compiled code may reach directly, in address order: the non-empty
    /// contiguous ones, as windows (`dirty` set for clean buffers), each with whether it is
    /// writable.
    fn jit_regions(&self) -> impl Iterator<Item = (JitWindow, bool)> + '_ {
        self.regions
            .iter()
            .filter(|region| region.gap_shift().is_none() && !region.is_empty())
            .map(|region| {
                let span = region.span_ref();
                let mut window = JitWindow::new(region.vm_addr, region.len(), span.host_address());
                window.dirty = span.dirty_address();
                (window, span.is_writable())
            })
    }

    /// Fills the JIT's per-slot windows: every non-empty contiguous region for its slot (the
    /// first one wins; stores only for writable regions), then the windows of the most recent
    /// slow-path load and store, which cover gapped stack frames and the unaligned mapping's
    /// other regions. Call it again whenever host code may have replaced a region.
    pub(crate) fn jit_windows(&self, loads: &mut [JitWindow], stores: &mut [JitWindow]) {
        loads.fill(JitWindow::default());
        stores.fill(JitWindow::default());
        for (mut window, writable) in self.jit_regions() {
            let clean = window.dirty != 0;
            window.dirty = 0;
            if let Some(slot) = loads.get_mut(slot_of(window.vm_start)) {
                if slot.vm_len == 0 {
                    *slot = window;
                }
            }
            if let Some(slot) = stores.get_mut(slot_of(window.vm_start)) {
                if slot.vm_len == 0 && writable && !clean {
                    *slot = window;
                }
            }
        }
        self.jit_recent_windows(loads, stores);
    }

    /// Fills `windows` with every window of [`MemoryMapping::jit_regions`] that starts in a
    /// slot the lists cover — the loads' first, then the stores' (writable regions only) — and
    /// points each slot's list at its run of them (sorted by address, as the regions are, and
    /// disjoint). The lists hold addresses into `windows`: they are valid until it next changes.
    pub(crate) fn jit_lists(
        &self,
        windows: &mut Vec<JitWindow>,
        load_lists: &mut [JitList],
        store_lists: &mut [JitList],
    ) {
        windows.clear();
        let mut runs = [(0usize, 0usize); 2 * crate::jit::context::WINDOW_SLOTS];
        let slots = runs.len() / 2;
        for store in [false, true] {
            for (mut window, writable) in self.jit_regions() {
                let slot = slot_of(window.vm_start);
                if slot >= slots || (store && !writable) {
                    continue;
                }
                if !store {
                    window.dirty = 0;
                }
                let run = &mut runs[usize::from(store) * slots + slot];
                if run.1 == 0 {
                    run.0 = windows.len();
                }
                run.1 += 1;
                windows.push(window);
            }
        }
        // Addresses only now: pushing may have moved the buffer.
        let base = windows.as_ptr() as u64;
        let size = std::mem::size_of::<JitWindow>() as u64;
        for (index, (first, count)) in runs.into_iter().enumerate() {
            let list = JitList {
                windows: base.wrapping_add(first as u64 * size),
                count: count as u64,
            };
            let lists = if index < slots {
                &mut *load_lists
            } else {
                &mut *store_lists
            };
            if let Some(entry) = lists.get_mut(index % slots) {
                *entry = list;
            }
        }
    }

    /// Makes the region holding `[vm_addr, vm_addr + len)` the lookup window of its slot, if the
    /// access needs no hook and would not fault (a store needs a writable region); says whether
    /// it did. The JIT calls it when compiled code hands over an access its table missed.
    pub(crate) fn warm_window(&mut self, access: AccessType, vm_addr: u64, len: u64) -> bool {
        let Some(index) = self.find_pure(vm_addr) else {
            return false;
        };
        let region = &self.regions[index];
        if region.host_range(vm_addr, len).is_none()
            || (access == AccessType::Store && !region.is_writable())
        {
            return false;
        }
        let window = Window::around(region, vm_addr);
        if window.vm_start > vm_addr || vm_addr - window.vm_start + len > window.vm_len {
            return false;
        }
        let windows = match access {
            AccessType::Load => &mut self.load_windows,
            AccessType::Store => &mut self.store_windows,
        };
        windows[window_slot(vm_addr)] = window;
        self.windows_generation = self.windows_generation.wrapping_add(1);
        true
    }

    /// Puts the windows of the most recent lookups into the JIT's table (what changes after a
    /// slow path; but no store window of a clean buffer); the rest of the table stays valid
    /// while the regions do ([`MemoryMapping::regions_generation`]).
    pub(crate) fn jit_recent_windows(&self, loads: &mut [JitWindow], stores: &mut [JitWindow]) {
        for (recents, table, store) in [
            (&self.load_windows, loads, false),
            (&self.store_windows, stores, true),
        ] {
            let usable = |recent: &&Window<'_>| {
                recent.vm_len != 0 && !(store && recent.span.dirty_address() != 0)
            };
            for recent in recents.iter().filter(usable) {
                if let Some(slot) = table.get_mut(slot_of(recent.vm_start)) {
                    *slot = JitWindow::new(
                        recent.vm_start,
                        recent.vm_len,
                        recent.span.host_address().wrapping_add(recent.host_offset),
                    );
                }
            }
        }
    }
}
