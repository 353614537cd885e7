//! The read-only region of a V0–V2 program: `.text`, `.rodata`, `.data.rel.ro` and
//! `.eh_frame`, at 4 GiB plus their addresses.
//!
//! When those sections sit together in the file at offsets equal to their addresses, the region
//! is the file bytes from the lowest to the highest of them; otherwise a zero-filled buffer
//! spanning them, with each section copied to its address. Either way the region must start in
//! the 4 GiB slot of the program. Without `optimize_rodata` (how Agave loads programs) the
//! region always starts at ELF address 0: a zero-filled buffer up to the end of the last
//! section.

use super::error::ElfError;
use super::parse::{file_range, Elf};
use crate::memory::{MM_REGION_SIZE, MM_STACK_START};

const READ_ONLY: [&[u8]; 4] = [b".text", b".rodata", b".data.rel.ro", b".eh_frame"];

/// (guest address, bytes) of the read-only region, from the relocated `image`.
pub(super) fn read_only_region(
    elf: &Elf<'_>,
    image: &[u8],
    optimize_rodata: bool,
) -> Result<(u64, Vec<u8>), ElfError> {
    let mut lowest = usize::MAX;
    let mut highest = 0usize;
    let mut offsets_differ = false;
    let (mut first, mut last, mut count) = (0usize, 0usize, 0usize);
    let mut pieces: Vec<(usize, &[u8])> = Vec::new();
    for (index, section) in elf.sections.iter().enumerate() {
        match elf.section_name(section) {
            Ok(name) if READ_ONLY.contains(&name) => {}
            _ => continue,
        }
        if count == 0 {
            first = index;
        }
        last = index;
        count += 1;
        if section.sh_addr != section.sh_offset {
            offsets_differ = true;
        }
        if section.sh_addr.saturating_add(MM_REGION_SIZE) > MM_STACK_START {
            return Err(ElfError::ValueOutOfBounds);
        }
        let data = image
            .get(file_range(section).unwrap_or(0..0))
            .ok_or(ElfError::ValueOutOfBounds)?;
        let address = section.sh_addr as usize;
        lowest = lowest.min(address);
        highest = highest.max(address.saturating_add(data.len()));
        if !data.is_empty() {
            pieces.push((address, data));
        }
    }
    let region_vaddr = |lowest: usize| {
        let lowest = lowest as u64;
        if lowest >= MM_REGION_SIZE {
            lowest
        } else {
            lowest.saturating_add(MM_REGION_SIZE)
        }
    };
    let contiguous = last.saturating_add(1).saturating_sub(first) == count;
    if !optimize_rodata {
        lowest = 0;
    } else if !offsets_differ && contiguous {
        let bytes = image
            .get(lowest..highest)
            .ok_or(ElfError::ValueOutOfBounds)?;
        return Ok((region_vaddr(lowest), bytes.to_vec()));
    }
    let len = highest.saturating_sub(lowest);
    if len > image.len() {
        return Err(ElfError::ValueOutOfBounds);
    }
    let mut buffer = vec![0u8; len];
    for (address, data) in pieces {
        let start = address.saturating_sub(lowest);
        let end = start.saturating_add(data.len()).min(len);
        if start < end {
            buffer[start..end].copy_from_slice(&data[..end - start]);
        }
    }
    Ok((region_vaddr(lowest), buffer))
}
