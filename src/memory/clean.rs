//! Zero-filled memory that costs what a run wrote, not what it mapped.
//!
//! A [`CleanBuffer`] is all zeros outside its *dirty range*: a prefix `[0, low)` and a suffix
//! `[high, len)`. Whatever writes to it first widens the range over what it writes — host
//! writes through the region's span ([`super::host`]), compiled code in its store routine
//! (`jit::lower::memory`) — so the bytes between stay zero, and making the buffer clean again
//! for the next run ([`CleanBuffer::clean`]) zeroes only the two ends.
//!
//! ```text
//! 0            low                              high            len
//! | dirty ───► |  zero: never written this run  | ◄─── dirty    |
//! ```
//!
//! Two ends fit how programs use their memory: a stack with fixed frames fills up from the
//! bottom, one with dynamic frames down from the top, and a bump allocator hands out the heap
//! from its top while its cursor sits at the bottom. A write between the ends widens the one
//! it is nearer to (in steps of [`DIRTY_GRANULE`]); when they meet, all of it is dirty.

/// The step in which a dirty end widens (a power of two).
pub const DIRTY_GRANULE: u64 = 1024;

/// The dirty prefix and suffix of a [`CleanBuffer`]. `repr(C)`: compiled code reads and widens
/// it (the offsets are in `jit::context::offsets`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct DirtyRange {
    /// `[0, low)` may hold written bytes.
    pub low: u64,
    /// `[high, len)` may hold written bytes (`low <= high` always).
    pub high: u64,
}

impl DirtyRange {
    /// Nothing written in a buffer of `len` bytes.
    pub fn clean(len: u64) -> Self {
        DirtyRange { low: 0, high: len }
    }

    /// Widens the range over `[start, end)` (within `len`): the nearer end moves, by whole
    /// granules; when the ends meet, everything is dirty (`low == high == len`). Compiled code
    /// does exactly this (`lower::memory::second_chance`).
    #[inline(always)]
    pub fn cover(&mut self, start: u64, end: u64, len: u64) {
        if end <= self.low || start >= self.high || start >= end {
            return;
        }
        // end > low and start < high here, so neither difference wraps.
        if end.wrapping_sub(self.low) <= self.high.wrapping_sub(start) {
            self.low = end.wrapping_add(DIRTY_GRANULE - 1) & !(DIRTY_GRANULE - 1);
            self.low = self.low.min(len);
            if self.low >= self.high {
                *self = DirtyRange {
                    low: len,
                    high: len,
                };
            }
        } else {
            self.high = start & !(DIRTY_GRANULE - 1);
            if self.high <= self.low {
                *self = DirtyRange {
                    low: len,
                    high: len,
                };
            }
        }
    }
}

/// Owned, writable bytes that are zero outside their [`DirtyRange`] (see the module docs).
pub struct CleanBuffer {
    bytes: Vec<u8>,
    /// One range, on the heap so that its address, which spans and compiled code keep,
    /// survives moves (in a `Vec`, whose moves do not assert uniqueness as a `Box`'s do).
    dirty: Vec<DirtyRange>,
}

impl std::fmt::Debug for CleanBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CleanBuffer")
            .field("len", &self.bytes.len())
            .field("dirty", &self.dirty())
            .finish()
    }
}

impl CleanBuffer {
    /// `len` zero bytes (fresh from the allocator, which hands large zeroed blocks out as
    /// untouched pages).
    pub fn zeroed(len: usize) -> Self {
        CleanBuffer {
            bytes: vec![0; len],
            dirty: vec![DirtyRange::clean(len as u64)],
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the buffer has no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// What may have been written since the buffer was last clean.
    pub fn dirty(&self) -> DirtyRange {
        self.dirty
            .first()
            .copied()
            .unwrap_or(DirtyRange::clean(self.bytes.len() as u64))
    }

    /// Zeroes the dirty range and marks the whole buffer clean: ready for another run.
    pub fn clean(&mut self) {
        let len = self.bytes.len();
        let dirty = self.dirty();
        let low = usize::try_from(dirty.low).unwrap_or(len).min(len);
        let high = usize::try_from(dirty.high).unwrap_or(len).clamp(low, len);
        self.bytes[..low].fill(0);
        self.bytes[high..].fill(0);
        if let Some(range) = self.dirty.first_mut() {
            *range = DirtyRange::clean(len as u64);
        }
    }

    /// The bytes and the range, for the span that takes the buffer over.
    pub(crate) fn parts(&mut self) -> (&mut [u8], &mut DirtyRange) {
        if self.dirty.is_empty() {
            self.dirty.push(DirtyRange::clean(self.bytes.len() as u64));
        }
        (&mut self.bytes, &mut self.dirty[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearer_end_widens_by_granules_until_they_meet() {
        let len = 32 * DIRTY_GRANULE;
        let mut range = DirtyRange::clean(len);
        range.cover(0, 8, len);
        assert_eq!(
            range,
            DirtyRange {
                low: 1024,
                high: len
            }
        );
        range.cover(len - 100, len - 92, len);
        assert_eq!(range.high, len - 1024);
        range.cover(100, 108, len);
        assert_eq!(
            range,
            DirtyRange {
                low: 1024,
                high: len - 1024
            },
            "already dirty"
        );
        range.cover(5000, 5008, len);
        assert_eq!(range.low, 5 * 1024, "nearer the prefix");
        range.cover(20 * 1024 + 4, 20 * 1024 + 8, len);
        assert_eq!(range.high, 20 * 1024, "nearer the suffix");
        range.cover(5 * 1024 + 10, 20 * 1024 - 10, len);
        assert_eq!(
            range,
            DirtyRange {
                low: len,
                high: len
            },
            "met"
        );
        range.cover(7, 9, len);
        assert_eq!(
            range,
            DirtyRange {
                low: len,
                high: len
            }
        );
    }

    #[test]
    fn a_length_off_the_granule_caps_the_ends() {
        let len = 1500;
        let mut range = DirtyRange::clean(len);
        range.cover(1100, 1200, len);
        assert_eq!(range, DirtyRange { low: 0, high: 1024 });
        range.cover(10, 20, len);
        assert_eq!(
            range,
            DirtyRange {
                low: len,
                high: len
            }
        );
        let mut range = DirtyRange::clean(len);
        range.cover(0, 1450, len);
        assert_eq!(
            range,
            DirtyRange {
                low: len,
                high: len
            }
        );
    }

    #[test]
    fn cleaning_zeroes_the_dirty_ends() {
        let mut buffer = CleanBuffer::zeroed(4096);
        {
            let (bytes, dirty) = buffer.parts();
            bytes[3] = 1;
            bytes[4000] = 2;
            dirty.cover(3, 4, 4096);
            dirty.cover(4000, 4001, 4096);
        }
        buffer.clean();
        assert!(buffer.bytes().iter().all(|byte| *byte == 0));
        assert_eq!(buffer.dirty(), DirtyRange::clean(4096));
    }
}
