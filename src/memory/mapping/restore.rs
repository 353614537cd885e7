//! What a host that keeps copies needs beyond guest accesses: how to tell that the regions
//! may have changed, and writable host bytes of one region by index (a debugger restoring a
//! region's bytes to an earlier state writes them here, never through guest addresses, which
//! for a gapped stack do not map the bytes contiguously).

use super::MemoryMapping;

impl MemoryMapping<'_> {
    /// A counter that moves whenever a region may have been added, replaced, grown or swapped
    /// (a hook, a syscall, the host): while it stays, the regions are the same ones (and a copy
    /// of their windows, which compiled code keeps, holds).
    pub fn regions_generation(&self) -> u64 {
        self.regions_generation
    }

    /// Host bytes `[offset, offset + len)` of region `index` for writing, if the region is
    /// writable and holds them. A clean buffer's dirty range is widened over them.
    pub fn region_bytes_mut(
        &mut self,
        index: usize,
        offset: usize,
        len: usize,
    ) -> Option<&mut [u8]> {
        self.regions
            .get_mut(index)?
            .span_mut()
            .slice_mut(offset, len)
    }
}
