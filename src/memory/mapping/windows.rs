//! The mapping's runs of host bytes, described for a reader that keeps its own copy of them (a
//! table of windows compiled code reads): every contiguous region, and the lookup windows of
//! the most recent accesses. The reader asks again whenever
//! [`MemoryMapping::regions_generation`] or [`MemoryMapping::windows_generation`] moves.

use super::{window_slot, MemoryMapping, Window};
use crate::memory::AccessType;

/// A run of guest addresses mapped contiguously onto host bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HostWindow {
    /// First guest address.
    pub vm_start: u64,
    /// Length in bytes.
    pub vm_len: u64,
    /// Host address of `vm_start`.
    pub host: u64,
    /// Whether guest stores may go there.
    pub writable: bool,
    /// The address of the region's [`crate::memory::DirtyRange`] when its bytes are a clean
    /// buffer (a store there must widen the range first), else 0.
    pub dirty: u64,
}

impl MemoryMapping<'_> {
    /// Every non-empty contiguous region (not a gapped stack), in address order, as a whole
    /// window.
    pub(crate) fn contiguous_windows(&self) -> impl Iterator<Item = HostWindow> + '_ {
        self.regions
            .iter()
            .filter(|region| region.gap_shift().is_none() && !region.is_empty())
            .map(|region| {
                let span = region.span_ref();
                HostWindow {
                    vm_start: region.vm_addr,
                    vm_len: region.len(),
                    host: span.host_address(),
                    writable: span.is_writable(),
                    dirty: span.dirty_address(),
                }
            })
    }

    /// The non-empty lookup windows of the most recent loads or stores (one per slot they
    /// landed in): they cover gapped stack frames and the regions of a slot after its first.
    #[inline]
    pub(crate) fn recent_windows(
        &self,
        access: AccessType,
    ) -> impl Iterator<Item = HostWindow> + '_ {
        let recents = match access {
            AccessType::Load => &self.load_windows,
            AccessType::Store => &self.store_windows,
        };
        recents
            .iter()
            .filter(|recent| recent.vm_len != 0)
            .map(|recent| HostWindow {
                vm_start: recent.vm_start,
                vm_len: recent.vm_len,
                host: recent.span.host_address().wrapping_add(recent.host_offset),
                writable: recent.span.is_writable(),
                dirty: recent.span.dirty_address(),
            })
    }

    /// Makes the region holding `[vm_addr, vm_addr + len)` the lookup window of its slot, if the
    /// access needs no hook and would not fault (a store needs a writable region); says whether
    /// it did. For a reader whose copy of the windows missed an access it then hands over.
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
        // `host_range` placed `len` bytes at `vm_addr` inside the region, so once the window
        // starts at or before `vm_addr`, the offset into it plus `len` does not wrap.
        if window.vm_start > vm_addr
            || vm_addr.wrapping_sub(window.vm_start).wrapping_add(len) > window.vm_len
        {
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
}
