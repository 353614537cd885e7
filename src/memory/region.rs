//! One memory region: a run of host bytes mapped at a guest virtual address.
//!
//! A region is either contiguous or *gapped*. A gapped region (the V0 stack) interleaves its
//! frames with unmapped gaps of the same size, while the host bytes stay compact:
//!
//! ```text
//! guest:  | frame 0 | gap | frame 1 | gap | frame 2 | gap | ...
//!              │            ╱             ╱
//! host:   | frame 0 | frame 1 | frame 2 | ...
//! ```
//!
//! Translation follows the reference exactly, quirks included: only the *first* byte's frame
//! decides whether an access is in a gap, so an access that starts at the end of a frame and
//! runs on reads the start of the next host frame.

use super::clean::CleanBuffer;
use super::host::{HostBytes, HostMemory, HostSpan};

/// A region of guest memory.
#[derive(Debug)]
pub struct MemoryRegion<'a> {
    /// First guest address.
    pub vm_addr: u64,
    bytes: HostBytes<'a>,
    /// log2 of the gap size, or `None` for a contiguous region.
    gap_shift: Option<u32>,
}

impl<'a> MemoryRegion<'a> {
    /// A contiguous region backed by `memory`.
    pub fn new(memory: HostMemory<'a>, vm_addr: u64) -> Self {
        MemoryRegion {
            vm_addr,
            bytes: HostBytes::new(memory),
            gap_shift: None,
        }
    }

    /// A region whose `frame_size`-byte frames are separated by gaps of the same size.
    /// `frame_size` must be a power of two; any other value (or 0) gives a contiguous region.
    pub fn new_gapped(memory: HostMemory<'a>, vm_addr: u64, frame_size: u64) -> Self {
        let gap_shift = frame_size
            .is_power_of_two()
            .then(|| frame_size.trailing_zeros());
        MemoryRegion {
            vm_addr,
            bytes: HostBytes::new(memory),
            gap_shift,
        }
    }

    /// A read-only region borrowing `bytes`.
    pub fn read_only(bytes: &'a [u8], vm_addr: u64) -> Self {
        Self::new(HostMemory::ReadOnly(bytes), vm_addr)
    }

    /// A writable region borrowing `bytes`.
    pub fn writable(bytes: &'a mut [u8], vm_addr: u64) -> Self {
        Self::new(HostMemory::Writable(bytes), vm_addr)
    }

    /// A writable region owning `bytes`.
    pub fn owned(bytes: Vec<u8>, vm_addr: u64) -> Self {
        Self::new(
            HostMemory::Owned {
                bytes,
                writable: true,
            },
            vm_addr,
        )
    }

    /// A writable region owning a clean buffer (see [`CleanBuffer`]).
    pub fn zeroed(buffer: CleanBuffer, vm_addr: u64) -> Self {
        Self::new(HostMemory::Clean(buffer), vm_addr)
    }

    /// An empty placeholder region.
    pub fn empty(vm_addr: u64) -> Self {
        Self::new(HostMemory::ReadOnly(&[]), vm_addr)
    }

    /// Host bytes backing the region.
    pub fn len(&self) -> u64 {
        self.bytes.span().len() as u64
    }

    /// Whether the region has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the guest may store here.
    pub fn is_writable(&self) -> bool {
        self.bytes.span().is_writable()
    }

    /// The gap size of a gapped region, or 0.
    pub fn gap_size(&self) -> u64 {
        self.gap_shift.map_or(0, |shift| 1u64 << shift)
    }

    /// The guest addresses the region spans (twice its length when gapped).
    pub fn vm_range(&self) -> std::ops::Range<u64> {
        let span = if self.gap_shift.is_some() {
            self.len().saturating_mul(2)
        } else {
            self.len()
        };
        self.vm_addr..self.vm_addr.saturating_add(span)
    }

    /// The host bytes.
    pub fn host_bytes(&self) -> &[u8] {
        let len = self.bytes.span().len();
        self.bytes.span_ref().slice(0, len).unwrap_or_default()
    }

    /// The host bytes, writable if the region is.
    pub fn host_bytes_mut(&mut self) -> Option<&mut [u8]> {
        let span = self.bytes.span_mut();
        let len = span.len();
        span.slice_mut(0, len)
    }

    /// Takes the host memory out (for a host that wants its owned bytes back).
    pub fn into_memory(self) -> HostMemory<'a> {
        self.bytes.into_memory()
    }

    /// Host byte range of the guest access `[vm_addr, vm_addr + len)`, if it lies inside the
    /// region (and, when gapped, starts outside a gap).
    #[inline(always)]
    pub(crate) fn host_range(&self, vm_addr: u64, len: u64) -> Option<std::ops::Range<usize>> {
        let begin = vm_addr.checked_sub(self.vm_addr)?;
        let begin = match self.gap_shift {
            None => begin,
            Some(shift) => {
                if (begin >> shift) & 1 == 1 {
                    return None;
                }
                let frame_mask = u64::MAX << shift;
                ((begin & frame_mask) >> 1) | (begin & !frame_mask)
            }
        };
        let end = begin.checked_add(len)?;
        if end > self.len() {
            return None;
        }
        Some(begin as usize..end as usize)
    }

    /// The span of the region's bytes.
    #[inline(always)]
    pub(crate) fn span(&self) -> HostSpan<'a> {
        self.bytes.span()
    }

    /// The span, for writing and for slices that borrow the region.
    #[inline(always)]
    pub(crate) fn span_ref(&self) -> &HostSpan<'a> {
        self.bytes.span_ref()
    }

    /// The span, for writing.
    #[inline(always)]
    pub(crate) fn span_mut(&mut self) -> &mut HostSpan<'a> {
        self.bytes.span_mut()
    }

    /// log2 of the gap size of a gapped region.
    pub(crate) fn gap_shift(&self) -> Option<u32> {
        self.gap_shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gapped_translation_compacts_frames() {
        let region = MemoryRegion::new_gapped(
            HostMemory::Owned {
                bytes: vec![0; 3 * 16],
                writable: true,
            },
            0x100,
            16,
        );
        assert_eq!(region.vm_range(), 0x100..0x100 + 96);
        assert_eq!(region.host_range(0x100, 8), Some(0..8));
        assert_eq!(region.host_range(0x110, 1), None, "first gap");
        assert_eq!(region.host_range(0x120, 4), Some(16..20), "frame 1");
        // Reference quirk: the start decides; the access may run into the next host frame.
        assert_eq!(region.host_range(0x10e, 4), Some(14..18));
        assert_eq!(region.host_range(0x140, 17), None, "past the end");
        assert_eq!(region.host_range(0xff, 1), None, "below the start");
        assert_eq!(region.host_range(u64::MAX, 2), None, "wraps");
    }
}
