//! The memory mapping: guest address → region → host bytes, with the reference's two lookups
//! and its exact access-violation reports.
//!
//! * **Aligned**: region `i` owns the 4 GiB slot `i` (`vm_addr >> 32`); empty placeholder
//!   regions fill missing slots. One shift and one compare find the region.
//! * **Unaligned**: regions sorted by start; the region for an address is the one with the
//!   greatest start not above it (binary search), with a one-entry cache in front.
//!
//! Either way the whole access must lie inside that one region: its offset in the region plus
//! its length, computed without overflow, must not pass the region's length (which also refuses
//! an access whose guest end would wrap past `u64::MAX`, as no region reaches beyond it); a
//! store needs a writable region.

mod restore;
pub(crate) mod windows;

use super::fault::{AccessFault, AccessType, FaultPlace};
use super::host::HostSpan;
use super::region::MemoryRegion;
use crate::isa::SbpfVersion;

/// Guest address where the stack region starts.
pub const MM_STACK_START: u64 = 0x2_0000_0000;
/// Guest address where program text starts (and, before V3, read-only data).
pub const MM_BYTECODE_START: u64 = 0x1_0000_0000;
/// Guest address where read-only data starts from V3 on.
pub const MM_RODATA_START: u64 = 0;
/// Guest address of the heap.
pub const MM_HEAP_START: u64 = 0x3_0000_0000;
/// Guest address of the input (serialized accounts and instruction data).
pub const MM_INPUT_START: u64 = 0x4_0000_0000;
/// Size of one region slot.
pub const MM_REGION_SIZE: u64 = 1 << 32;

/// The regions could not form a mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// Two regions overlap, or (aligned) two regions share a slot, or a replacement region does
    /// not fit where the old one was.
    #[error("memory region {index} overlaps another or leaves its slot")]
    InvalidMemoryRegion {
        /// Index of the offending region (in address order).
        index: usize,
    },
}

/// A hook run when an access misses: it may change the region the address falls in
/// (copy-on-write, growth, memory materialized on first use) and says whether it did; the access
/// is then retried on the region as left. The region must keep its start and not reach the next
/// region (else it is unmapped). Arguments: the region, the most bytes it may span (up to the
/// next region), the access, the address and length.
pub type AccessViolationHook<'a> =
    Box<dyn FnMut(&mut MemoryRegion<'a>, u64, AccessType, u64, u64) -> bool + 'a>;

/// What a mapping takes from the VM's configuration (a `Config` converts into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappingSettings {
    /// Whether to use the aligned (slot) lookup even where the version does not require it.
    pub aligned: bool,
    /// Bytes of one stack frame (to name the frame of a violation next to the stack).
    pub stack_frame_size: usize,
    /// Most stack frames.
    pub max_call_depth: usize,
}

/// What the mapping needs to know to report violations the way the reference does.
#[derive(Debug, Clone, Copy)]
struct ViolationReport {
    dynamic_stack_frames: bool,
    stack_frame_size: i64,
    max_call_depth: i64,
}

/// Guest memory: a set of regions and how to find them.
pub struct MemoryMapping<'a> {
    /// Sorted by start address; in aligned mode, region `i` is slot `i`.
    regions: Vec<MemoryRegion<'a>>,
    aligned: bool,
    /// Per 4 GiB slot (modulo [`WINDOW_SLOTS`]), where the last load and the last store in it
    /// landed: the next access to the same run of addresses skips the lookup, and a program
    /// moving between stack, heap and input keeps one window in each.
    load_windows: [Window<'a>; WINDOW_SLOTS],
    store_windows: [Window<'a>; WINDOW_SLOTS],
    /// Count changes of the regions (which invalidate every window) and of the windows, so that
    /// a copy of them (`windows.rs`) is rebuilt, or only its recent windows refreshed, in time.
    regions_generation: u64,
    windows_generation: u64,
    report: ViolationReport,
    hook: Option<AccessViolationHook<'a>>,
}

impl std::fmt::Debug for MemoryMapping<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryMapping")
            .field("aligned", &self.aligned)
            .field("regions", &self.regions)
            .finish_non_exhaustive()
    }
}

impl<'a> MemoryMapping<'a> {
    /// Builds a mapping for a program of `version` under `settings` (a VM `Config` converts):
    /// aligned when the settings ask for it or the version requires it (V4).
    pub fn new(
        regions: Vec<MemoryRegion<'a>>,
        settings: impl Into<MappingSettings>,
        version: SbpfVersion,
    ) -> Result<Self, MappingError> {
        let settings = settings.into();
        let aligned = settings.aligned || version.force_aligned_memory_mapping();
        let mut regions = regions;
        regions.sort_by_key(|region| region.vm_addr);
        let regions = if aligned {
            fill_slots(regions)?
        } else {
            for (index, pair) in (1..).zip(regions.windows(2)) {
                if pair[0].vm_range().end > pair[1].vm_addr {
                    return Err(MappingError::InvalidMemoryRegion { index });
                }
            }
            regions
        };
        let mut mapping = MemoryMapping {
            regions,
            aligned,
            load_windows: [Window::EMPTY; WINDOW_SLOTS],
            store_windows: [Window::EMPTY; WINDOW_SLOTS],
            regions_generation: 0,
            windows_generation: 0,
            report: ViolationReport {
                dynamic_stack_frames: version.dynamic_stack_frames(),
                stack_frame_size: i64::try_from(settings.stack_frame_size).unwrap_or(i64::MAX),
                max_call_depth: i64::try_from(settings.max_call_depth).unwrap_or(i64::MAX),
            },
            hook: None,
        };
        mapping.seed_windows();
        Ok(mapping)
    }

    /// Starts every slot's windows at the first contiguous, non-empty region of the slot
    /// (stores: the first writable one), so that first accesses skip the lookup too.
    fn seed_windows(&mut self) {
        self.load_windows = [Window::EMPTY; WINDOW_SLOTS];
        self.store_windows = [Window::EMPTY; WINDOW_SLOTS];
        for region in &self.regions {
            if region.gap_shift().is_some() || region.is_empty() {
                continue;
            }
            let slot = window_slot(region.vm_addr);
            if self.load_windows[slot].vm_len == 0 {
                self.load_windows[slot] = Window::around(region, region.vm_addr);
            }
            if self.store_windows[slot].vm_len == 0 && region.is_writable() {
                self.store_windows[slot] = Window::around(region, region.vm_addr);
            }
        }
    }

    /// Drops the windows after a region changed (and seeds them again).
    fn forget_windows(&mut self) {
        self.seed_windows();
        self.regions_generation = self.regions_generation.wrapping_add(1);
        self.windows_generation = self.windows_generation.wrapping_add(1);
    }

    /// Installs the hook run before an access violation is reported.
    pub fn set_access_violation_hook(&mut self, hook: AccessViolationHook<'a>) {
        self.hook = Some(hook);
    }

    /// Whether lookups use the aligned (slot) scheme.
    pub fn is_aligned(&self) -> bool {
        self.aligned
    }

    /// The regions in address order (aligned mappings include the placeholders).
    pub fn regions(&self) -> &[MemoryRegion<'a>] {
        &self.regions
    }

    /// The region starting at `vm_addr`, if any.
    pub fn region(&self, vm_addr: u64) -> Option<&MemoryRegion<'a>> {
        self.regions.iter().find(|region| region.vm_addr == vm_addr)
    }

    /// Takes the regions back (to read owned memory after a run).
    pub fn into_regions(self) -> Vec<MemoryRegion<'a>> {
        self.regions
    }

    /// Takes the regions out, leaving a mapping of nothing (its lookup windows, which point
    /// into the regions' bytes, go with them): for a host that is done with the run but not
    /// with the VM that owns the mapping.
    pub fn take_regions(&mut self) -> Vec<MemoryRegion<'a>> {
        let regions = std::mem::take(&mut self.regions);
        self.forget_windows();
        regions
    }

    /// Index of the region an address belongs to, by the mapping's lookup rule.
    fn find_pure(&self, vm_addr: u64) -> Option<usize> {
        if self.aligned {
            let index = (vm_addr >> 32) as usize;
            return (index < self.regions.len()).then_some(index);
        }
        self.regions
            .partition_point(|region| region.vm_addr <= vm_addr)
            .checked_sub(1)
    }

    /// Changes whenever a lookup window changed (a copy of the recent windows must be refreshed).
    pub(crate) fn windows_generation(&self) -> u64 {
        self.windows_generation
    }

    /// Reads `N` bytes at `vm_addr`.
    #[inline(always)]
    pub fn load<const N: usize>(&mut self, vm_addr: u64) -> Result<[u8; N], AccessFault> {
        if let Some(bytes) = self.load_windows[window_slot(vm_addr)].read::<N>(vm_addr) {
            return Ok(bytes);
        }
        self.load_slow(vm_addr)
    }

    /// Writes `bytes` at `vm_addr`.
    #[inline(always)]
    pub fn store<const N: usize>(
        &mut self,
        vm_addr: u64,
        bytes: [u8; N],
    ) -> Result<(), AccessFault> {
        if self.store_windows[window_slot(vm_addr)].write::<N>(vm_addr, bytes) {
            return Ok(());
        }
        self.store_slow(vm_addr, bytes)
    }

    #[inline(never)]
    fn load_slow<const N: usize>(&mut self, vm_addr: u64) -> Result<[u8; N], AccessFault> {
        let (index, range) = self.slow_path(AccessType::Load, vm_addr, N as u64)?;
        let region = &self.regions[index];
        let bytes = region.span().read::<N>(range.start as u64);
        self.load_windows[window_slot(vm_addr)] = Window::around(region, vm_addr);
        self.windows_generation = self.windows_generation.wrapping_add(1);
        bytes.ok_or_else(|| self.violation(Some(index), AccessType::Load, vm_addr, N as u64))
    }

    #[inline(never)]
    fn store_slow<const N: usize>(
        &mut self,
        vm_addr: u64,
        bytes: [u8; N],
    ) -> Result<(), AccessFault> {
        let (index, range) = self.slow_path(AccessType::Store, vm_addr, N as u64)?;
        if self.regions[index]
            .span_mut()
            .write::<N>(range.start as u64, bytes)
        {
            self.store_windows[window_slot(vm_addr)] =
                Window::around(&self.regions[index], vm_addr);
            self.windows_generation = self.windows_generation.wrapping_add(1);
            return Ok(());
        }
        Err(self.violation(Some(index), AccessType::Store, vm_addr, N as u64))
    }

    /// Guest bytes `[vm_addr, vm_addr + len)` for reading, with the same checks as a load (no
    /// hook): what syscalls use.
    pub fn read_bytes(&self, vm_addr: u64, len: u64) -> Result<&[u8], AccessFault> {
        let found = self.find_pure(vm_addr);
        if let Some(index) = found {
            let region = &self.regions[index];
            if let Some(slice) = region
                .host_range(vm_addr, len)
                .and_then(|range| region.span_ref().slice(range.start, range.len()))
            {
                return Ok(slice);
            }
        }
        Err(self.violation(found, AccessType::Load, vm_addr, len))
    }

    /// Guest bytes `[vm_addr, vm_addr + len)` for writing (no hook).
    pub fn write_bytes(&mut self, vm_addr: u64, len: u64) -> Result<&mut [u8], AccessFault> {
        let found = self.find_pure(vm_addr);
        let range = found.and_then(|index| {
            self.regions[index]
                .host_range(vm_addr, len)
                .map(|range| (index, range))
        });
        // The error is built only for a failure (it divides to find the stack frame), from
        // what it needs taken before the region is borrowed for writing.
        let report = self.report;
        let found_range = found.map(|index| self.regions[index].vm_range());
        let error = move || violation(report, found_range, AccessType::Store, vm_addr, len);
        match range {
            Some((index, range)) => self.regions[index]
                .span_mut()
                .slice_mut(range.start, range.len())
                .ok_or_else(error),
            None => Err(error()),
        }
    }

    /// Makes `[vm_addr, vm_addr + len)` storable the way a guest store would: the same lookup,
    /// and on a miss the same hook (which may grow or replace the region), without writing.
    /// Syscalls call it before writing guest memory so that a store into room the host can
    /// grow behaves as if the guest had made it.
    pub fn prepare_store(&mut self, vm_addr: u64, len: u64) -> Result<(), AccessFault> {
        self.slow_path(AccessType::Store, vm_addr, len).map(|_| ())
    }

    /// The region index and host byte range an access would use (no hook, no writability
    /// check); two accesses share host bytes only if they share a region and their ranges meet.
    pub fn locate(&self, vm_addr: u64, len: u64) -> Option<(usize, std::ops::Range<usize>)> {
        let index = self.find_pure(vm_addr)?;
        let range = self.regions[index].host_range(vm_addr, len)?;
        Some((index, range))
    }

    /// The access missed: give the hook a chance, else report the violation.
    #[cold]
    #[inline(never)]
    fn slow_path(
        &mut self,
        access: AccessType,
        vm_addr: u64,
        len: u64,
    ) -> Result<(usize, std::ops::Range<usize>), AccessFault> {
        let Some(index) = self.find_pure(vm_addr) else {
            return Err(self.violation(None, access, vm_addr, len));
        };
        let region = &self.regions[index];
        if let Some(range) = region.host_range(vm_addr, len) {
            if access == AccessType::Load || region.is_writable() {
                return Ok((index, range));
            }
        }
        if let Some(hook) = self.hook.as_mut() {
            let start = self.regions[index].vm_addr;
            let max_len = next_start(&self.regions, index).saturating_sub(start);
            if hook(&mut self.regions[index], max_len, access, vm_addr, len) {
                // The region changed: whatever the hook left stands, even when this access
                // still misses it (memory the host materializes lazily then fails exactly as if
                // it had been mapped from the start); a region that no longer fits its place is
                // unmapped.
                self.forget_windows();
                if !self.fits_at(index, start, &self.regions[index]) {
                    self.regions[index] = MemoryRegion::empty(start);
                }
                let region = &self.regions[index];
                let usable = region
                    .host_range(vm_addr, len)
                    .filter(|_| access == AccessType::Load || region.is_writable());
                if let Some(range) = usable {
                    return Ok((index, range));
                }
            }
        }
        Err(self.violation(Some(index), access, vm_addr, len))
    }

    /// Whether `replacement` may take the place of region `index`.
    fn fits(&self, index: usize, replacement: &MemoryRegion<'a>) -> bool {
        self.fits_at(index, self.regions[index].vm_addr, replacement)
    }

    /// Whether `replacement` may be region `index`, which starts at `start`.
    fn fits_at(&self, index: usize, start: u64, replacement: &MemoryRegion<'a>) -> bool {
        let next_start = next_start(&self.regions, index);
        if replacement.vm_addr != start || replacement.vm_range().end > next_start {
            return false;
        }
        if self.aligned {
            let last = replacement
                .vm_addr
                .saturating_add(replacement.len().saturating_sub(1));
            return (replacement.vm_addr >> 32) as usize == index && (last >> 32) as usize == index;
        }
        true
    }

    /// Replaces region `index` (same start, must not reach the next region).
    pub fn replace_region(
        &mut self,
        index: usize,
        region: MemoryRegion<'a>,
    ) -> Result<(), MappingError> {
        if index >= self.regions.len() || !self.fits(index, &region) {
            return Err(MappingError::InvalidMemoryRegion { index });
        }
        self.regions[index] = region;
        self.forget_windows();
        Ok(())
    }

    /// Puts `region` in the place of the region that starts exactly at its address and returns
    /// that one (a host lending a region's bytes elsewhere and taking them back: a Solana
    /// program's account data while a program it invokes runs). When no region starts there,
    /// or `region` would reach the next one, nothing changes and `region` comes back as the
    /// error.
    pub fn swap_region(
        &mut self,
        region: MemoryRegion<'a>,
    ) -> Result<MemoryRegion<'a>, MemoryRegion<'a>> {
        let swapped = self.swap_in_place(region);
        self.forget_windows();
        swapped
    }

    /// [`MemoryMapping::swap_region`] for each of `regions` in turn, the lookup windows
    /// forgotten once for all.
    pub fn swap_regions(
        &mut self,
        regions: impl IntoIterator<Item = MemoryRegion<'a>>,
    ) -> Vec<Result<MemoryRegion<'a>, MemoryRegion<'a>>> {
        let swapped = regions
            .into_iter()
            .map(|region| self.swap_in_place(region))
            .collect();
        self.forget_windows();
        swapped
    }

    /// Swaps without forgetting the windows (which may point into the region swapped out).
    fn swap_in_place(
        &mut self,
        region: MemoryRegion<'a>,
    ) -> Result<MemoryRegion<'a>, MemoryRegion<'a>> {
        let found = self
            .find_pure(region.vm_addr)
            .filter(|&index| self.regions[index].vm_addr == region.vm_addr);
        match found {
            Some(index) if self.fits(index, &region) => {
                Ok(std::mem::replace(&mut self.regions[index], region))
            }
            _ => Err(region),
        }
    }

    /// The error the reference reports for a failed access (see [`violation`]).
    fn violation(
        &self,
        found: Option<usize>,
        access: AccessType,
        vm_addr: u64,
        len: u64,
    ) -> AccessFault {
        let found_range = found.map(|index| self.regions[index].vm_range());
        violation(self.report, found_range, access, vm_addr, len)
    }
}

/// The fault the reference reports for a failed access: a stack violation with the frame number
/// near the stack (fixed-frame versions), else an access violation naming the region, given the
/// guest range of the region the lookup found.
fn violation(
    report: ViolationReport,
    found_range: Option<std::ops::Range<u64>>,
    access: AccessType,
    vm_addr: u64,
    len: u64,
) -> AccessFault {
    let frame = (vm_addr as i64)
        .saturating_sub(MM_STACK_START as i64)
        .checked_div(report.stack_frame_size)
        .unwrap_or(0);
    if !report.dynamic_stack_frames
        && (-1..report.max_call_depth.saturating_add(1)).contains(&frame)
    {
        return AccessFault {
            access,
            vaddr: vm_addr,
            len,
            place: FaultPlace::StackFrame(frame),
        };
    }
    let contains = found_range.is_some_and(|range| range.contains(&vm_addr));
    let region = if !contains {
        "unallocated"
    } else {
        match vm_addr & !(MM_REGION_SIZE - 1) {
            MM_BYTECODE_START => "program",
            MM_STACK_START => "stack",
            MM_HEAP_START => "heap",
            MM_INPUT_START => "input",
            _ => "allocated",
        }
    };
    AccessFault {
        access,
        vaddr: vm_addr,
        len,
        place: FaultPlace::Region(region),
    }
}

/// Lookup windows kept per mapping and access kind: one per 4 GiB slot of the standard layout
/// (read-only data, text, stack, heap, input) and room to spare.
const WINDOW_SLOTS: usize = 8;

/// The window an access to `vm_addr` uses: its 4 GiB slot, modulo [`WINDOW_SLOTS`] (a window
/// is only a cache; an aliased slot just misses).
#[inline(always)]
fn window_slot(vm_addr: u64) -> usize {
    (vm_addr >> 32) as usize % WINDOW_SLOTS
}

/// Where the region after `regions[index]` starts; after the last, the end of the address space.
fn next_start(regions: &[MemoryRegion<'_>], index: usize) -> u64 {
    let next = index.checked_add(1).and_then(|next| regions.get(next));
    next.map_or(u64::MAX, |next| next.vm_addr)
}

/// Highest slot an aligned mapping fills up to (placeholders cost memory; 64 TiB of address
/// space is far beyond any layout the runtime uses).
const MAX_ALIGNED_SLOTS: usize = 1 << 14;

/// Aligned layout: one region per 4 GiB slot from slot 0, placeholders where none is given.
fn fill_slots(regions: Vec<MemoryRegion<'_>>) -> Result<Vec<MemoryRegion<'_>>, MappingError> {
    let mut slots: Vec<MemoryRegion<'_>> = Vec::with_capacity(regions.len());
    for region in regions {
        let slot = (region.vm_addr >> 32) as usize;
        if slot < slots.len() || slot > MAX_ALIGNED_SLOTS {
            return Err(MappingError::InvalidMemoryRegion { index: slot });
        }
        while slots.len() < slot {
            slots.push(MemoryRegion::empty((slots.len() as u64) << 32));
        }
        slots.push(region);
    }
    Ok(slots)
}

/// A run of guest addresses that maps contiguously onto one region's host bytes: a whole
/// contiguous region, or one frame of a gapped one. `host_offset + vm_len` fits in the span.
#[derive(Debug, Clone, Copy)]
struct Window<'a> {
    vm_start: u64,
    vm_len: u64,
    host_offset: u64,
    span: HostSpan<'a>,
}

impl<'a> Window<'a> {
    const EMPTY: Window<'static> = Window {
        vm_start: 0,
        vm_len: 0,
        host_offset: 0,
        span: HostSpan::EMPTY,
    };

    /// The window of `region` that contains `vm_addr` (which an access just reached).
    fn around(region: &MemoryRegion<'a>, vm_addr: u64) -> Self {
        let span = region.span();
        let host_len = region.len();
        match region.gap_shift() {
            None => Window {
                vm_start: region.vm_addr,
                vm_len: host_len,
                host_offset: 0,
                span,
            },
            Some(shift) => {
                let frame = vm_addr.saturating_sub(region.vm_addr) >> shift;
                let host_offset = (frame >> 1) << shift;
                Window {
                    vm_start: region.vm_addr.saturating_add(frame << shift),
                    vm_len: (1u64 << shift).min(host_len.saturating_sub(host_offset)),
                    host_offset,
                    span,
                }
            }
        }
    }

    #[inline(always)]
    fn read<const N: usize>(&self, vm_addr: u64) -> Option<[u8; N]> {
        let offset = vm_addr.wrapping_sub(self.vm_start);
        if offset >= self.vm_len || self.vm_len.wrapping_sub(offset) < N as u64 {
            return None;
        }
        self.span.read::<N>(self.host_offset.wrapping_add(offset))
    }

    #[inline(always)]
    fn write<const N: usize>(&mut self, vm_addr: u64, bytes: [u8; N]) -> bool {
        let offset = vm_addr.wrapping_sub(self.vm_start);
        if offset >= self.vm_len || self.vm_len.wrapping_sub(offset) < N as u64 {
            return false;
        }
        self.span
            .write::<N>(self.host_offset.wrapping_add(offset), bytes)
    }
}
