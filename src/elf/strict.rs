//! The strict loader (V3+, SIMD-0189): only the file header and two program headers matter.
//!
//! * The file header is exact: magic, 64-bit, little-endian, version 1, OS ABI none, ABI
//!   version 0, zero padding, machine EM_BPF, program headers right after the file header,
//!   sizes 64 and 56, at least one program header, all inside the file.
//! * Program headers, in order: optionally read-only data (`PT_LOAD`, `PF_R`, vaddr 0), then
//!   the text (`PT_LOAD`, `PF_X`, vaddr 0x1_0000_0000); each starts where the previous one
//!   ends (the first right after the header table), 8-aligned, inside the file, with
//!   `p_paddr == p_vaddr`, `p_filesz == p_memsz`, a multiple of 8 and under 4 GiB.
//! * The entry point is 8-aligned inside the text.
//!
//! No relocations, no sections: read-only data is mapped at 0, the text at 4 GiB.

use super::error::{ElfError, ParseError};
use super::format::{
    is_elf64_le, EHDR_SIZE, EI_OSABI, EM_BPF, EV_CURRENT, PF_R, PF_X, PHDR_SIZE, PT_LOAD,
    SIZEOF_IDENT,
};
use super::parse::{file_header, table};
use crate::isa::SbpfVersion;
use crate::memory::{MM_BYTECODE_START, MM_REGION_SIZE, MM_RODATA_START};
use crate::vm::{FunctionRegistry, Parts, Runtime};
use goblin::elf64::program_header::ProgramHeader;
use std::sync::Arc;

pub(super) fn load<C>(
    bytes: &[u8],
    version: SbpfVersion,
    runtime: Arc<Runtime<C>>,
) -> Result<Parts<C>, ElfError> {
    let header = file_header(bytes)?;
    let table_end = PHDR_SIZE
        .saturating_mul(usize::from(header.e_phnum))
        .saturating_add(EHDR_SIZE);
    let ident = &header.e_ident;
    // After the version: OS ABI none, ABI version 0, zero padding.
    if !is_elf64_le(ident)
        || ident[EI_OSABI..SIZEOF_IDENT].iter().any(|byte| *byte != 0)
        || header.e_machine != EM_BPF
        || header.e_version != u32::from(EV_CURRENT)
        || header.e_phoff != EHDR_SIZE as u64
        || usize::from(header.e_ehsize) != EHDR_SIZE
        || usize::from(header.e_phentsize) != PHDR_SIZE
        || header.e_phnum == 0
        || table_end > bytes.len()
    {
        return Err(ParseError::InvalidFileHeader.into());
    }
    let segments: Vec<ProgramHeader> = table(bytes, EHDR_SIZE..table_end, PHDR_SIZE)?;
    let expected = [(PF_R, MM_RODATA_START), (PF_X, MM_BYTECODE_START)];
    let has_rodata = segments[0].p_flags == PF_R;
    let expected = if has_rodata {
        &expected[..]
    } else {
        &expected[1..]
    };
    if has_rodata && header.e_phnum < 2 {
        return Err(ParseError::InvalidFileHeader.into());
    }
    let mut expected_offset = table_end as u64;
    for (segment, (flags, vaddr)) in segments.iter().zip(expected) {
        let inside = segment.p_offset < bytes.len() as u64
            && segment.p_filesz <= (bytes.len() as u64).saturating_sub(segment.p_offset);
        if segment.p_type != PT_LOAD
            || segment.p_flags != *flags
            || segment.p_offset != expected_offset
            || !inside
            || segment.p_offset % 8 != 0
            || segment.p_vaddr != *vaddr
            || segment.p_paddr != *vaddr
            || segment.p_filesz != segment.p_memsz
            || segment.p_filesz % 8 != 0
            || segment.p_memsz >= MM_REGION_SIZE
        {
            return Err(ElfError::InvalidProgramHeader);
        }
        expected_offset = expected_offset.saturating_add(segment.p_filesz);
    }
    let file_range = |segment: &ProgramHeader| {
        let start = segment.p_offset as usize;
        start..start.saturating_add(segment.p_filesz as usize)
    };
    let (rodata, text_segment) = if has_rodata {
        (file_range(&segments[0]), &segments[1])
    } else {
        (table_end..table_end, &segments[0])
    };
    let text_range = file_range(text_segment);
    let text_vm = text_segment.p_vaddr..text_segment.p_vaddr.saturating_add(text_segment.p_memsz);
    let entry = header.e_entry;
    if !text_vm.contains(&entry.saturating_add(7)) || entry % 8 != 0 {
        return Err(ParseError::InvalidFileHeader.into());
    }
    let entry_pc = (entry.saturating_sub(text_segment.p_vaddr) / 8) as usize;
    Ok(Parts {
        runtime,
        version,
        ro_bytes: bytes.get(rodata).unwrap_or_default().to_vec(),
        ro_vaddr: MM_RODATA_START,
        text: bytes.get(text_range).unwrap_or_default().to_vec(),
        text_vaddr: text_segment.p_vaddr,
        symbol_base: text_segment.p_vaddr,
        entry_pc,
        functions: FunctionRegistry::default(),
    })
}
