//! Guest memory kept for going back: the writable regions' bytes at one moment, in pages that
//! consecutive images share when they did not change.
//!
//! ```text
//!   image at 40,000   [a][b][c][d]      a page is 4 KiB of one region's host bytes
//!   image at 80,000   [a][b'][c][d]     only b changed: a, c, d are the same allocations
//! ```
//!
//! Taking an image compares each page with the same page of the previous image and keeps the
//! old allocation when the bytes are equal, so an image costs a comparison of the writable
//! memory and a copy of what changed since the last one. Putting an image back compares again
//! and writes only the pages that differ (through the region's host bytes, which also keeps a
//! clean buffer's dirty range right). Read-only regions are not kept: only the host can
//! change them, and it does so by replacing regions, which the layout records.

use crate::memory::MemoryMapping;
use std::rc::Rc;

/// Bytes a page holds (the last page of a region may hold fewer).
const PAGE: usize = 4096;

/// Where the regions are, and which are writable: two images with equal layouts can be put
/// back over each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout(Vec<(u64, usize, bool)>);

impl Layout {
    pub fn of(memory: &MemoryMapping<'_>) -> Self {
        Layout(
            memory
                .regions()
                .iter()
                .map(|region| {
                    let bytes = region.host_bytes().len();
                    (region.vm_range().start, bytes, region.is_writable())
                })
                .collect(),
        )
    }
}

/// The writable regions' bytes at one moment.
#[derive(Debug, Clone)]
pub(super) struct MemoryImage {
    pub layout: Layout,
    /// For each writable region: its index and its pages.
    regions: Vec<(usize, Vec<Rc<[u8]>>)>,
}

impl MemoryImage {
    /// The memory now, sharing the pages `previous` has with the same bytes. Returns the image
    /// and the bytes it newly allocated.
    pub fn take(memory: &MemoryMapping<'_>, previous: Option<&MemoryImage>) -> (Self, usize) {
        let layout = Layout::of(memory);
        let comparable = previous.filter(|previous| previous.layout == layout);
        let mut allocated = 0;
        let mut regions = Vec::new();
        for (index, region) in memory.regions().iter().enumerate() {
            if !region.is_writable() {
                continue;
            }
            let old = comparable.and_then(|previous| previous.pages_of(index));
            let pages = region
                .host_bytes()
                .chunks(PAGE)
                .enumerate()
                .map(
                    |(number, bytes)| match old.and_then(|old| old.get(number)) {
                        Some(page) if **page == *bytes => Rc::clone(page),
                        _ => {
                            allocated += bytes.len();
                            Rc::from(bytes)
                        }
                    },
                )
                .collect();
            regions.push((index, pages));
        }
        (MemoryImage { layout, regions }, allocated)
    }

    fn pages_of(&self, index: usize) -> Option<&Vec<Rc<[u8]>>> {
        self.regions
            .iter()
            .find(|(region, _)| *region == index)
            .map(|(_, pages)| pages)
    }

    /// Puts the bytes back, writing only pages that differ. False (and nothing written) when
    /// the regions are no longer laid out as they were.
    pub fn restore(&self, memory: &mut MemoryMapping<'_>) -> bool {
        if Layout::of(memory) != self.layout {
            return false;
        }
        for (index, pages) in &self.regions {
            for (number, page) in pages.iter().enumerate() {
                let offset = number.saturating_mul(PAGE);
                let same = memory
                    .regions()
                    .get(*index)
                    .and_then(|region| region.host_bytes().get(offset..offset + page.len()))
                    .is_some_and(|bytes| *bytes == **page);
                if same {
                    continue;
                }
                if let Some(bytes) = memory.region_bytes_mut(*index, offset, page.len()) {
                    bytes.copy_from_slice(page);
                }
            }
        }
        true
    }

    /// Bytes this image alone holds (pages no other image shares).
    pub fn own_bytes(&self) -> usize {
        self.regions
            .iter()
            .flat_map(|(_, pages)| pages)
            .filter(|page| Rc::strong_count(page) == 1)
            .map(|page| page.len())
            .sum()
    }
}
