//! The lenient loader (V0–V2): section-based, with relocations.
//!
//! After the structural checks ([`super::parse`]): 64-bit, little-endian, OS ABI none, machine
//! EM_BPF or EM_SBPF, type ET_DYN, exactly one `.text`, no `.bss*` and no writable `.data*`
//! (`.data.rel*` is fine), every section inside the file, the entry point inside `.text`. Then
//! the text is relocated ([`super::relocate`]), the entry point registered as `entrypoint`, and
//! the read-only sections gathered into one region at 4 GiB ([`super::rodata`]).

use super::error::ElfError;
use super::format::{EM_BPF, EM_SBPF, ET_DYN};
use super::parse::{file_range, is_writable, vm_range, Elf};
use super::relocate::{register_hashed, relocate};
use super::rodata::read_only_region;
use crate::isa::hash::symbol_hash;
use crate::isa::SbpfVersion;
use crate::memory::{MM_REGION_SIZE, MM_STACK_START};
use crate::vm::{FunctionRegistry, Parts, Runtime};
use std::sync::Arc;

pub(super) fn load<C>(
    bytes: &[u8],
    version: SbpfVersion,
    runtime: Arc<Runtime<C>>,
) -> Result<Parts<C>, ElfError> {
    let elf = Elf::parse(bytes)?;
    validate(&elf)?;
    let text = elf
        .section(b".text")
        .cloned()
        .ok_or_else(|| ElfError::SectionNotFound(".text".into()))?;
    let text_vaddr = text.sh_addr.saturating_add(MM_REGION_SIZE);
    if text_vaddr >= MM_STACK_START {
        return Err(ElfError::ValueOutOfBounds);
    }
    let mut image = bytes.to_vec();
    let mut functions = FunctionRegistry::default();
    relocate(&elf, &text, &mut image, &mut functions, &runtime.syscalls)?;

    let entry = elf.header.e_entry;
    let offset = entry.saturating_sub(text.sh_addr);
    if offset % 8 != 0 {
        return Err(ElfError::InvalidEntrypoint { entry });
    }
    let entry_pc = (offset / 8) as usize;
    functions.unregister(symbol_hash("entrypoint"));
    register_hashed(&mut functions, &runtime.syscalls, "entrypoint", entry_pc)?;

    let (ro_vaddr, ro_bytes) = read_only_region(&elf, &image, runtime.config.optimize_rodata)?;
    if ro_vaddr >> 32 != 1 {
        return Err(ElfError::ValueOutOfBounds);
    }
    let text_len = file_range(&text).map_or(0, |range| range.len());
    let text_start = text_vaddr
        .checked_sub(ro_vaddr)
        .ok_or(ElfError::ValueOutOfBounds)? as usize;
    let text_bytes = ro_bytes
        .get(text_start..text_start.saturating_add(text_len))
        .ok_or(ElfError::ValueOutOfBounds)?
        .to_vec();
    Ok(Parts {
        runtime,
        version,
        ro_bytes,
        ro_vaddr,
        text: text_bytes,
        text_vaddr,
        symbol_base: text.sh_addr,
        entry_pc,
        functions,
    })
}

/// The lenient loader's header and section rules.
fn validate(elf: &Elf<'_>) -> Result<(), ElfError> {
    let header = &elf.header;
    if header.e_ident[4] != 2 {
        return Err(ElfError::WrongClass);
    }
    if header.e_ident[5] != 1 {
        return Err(ElfError::WrongEndianess);
    }
    if header.e_ident[7] != 0 {
        return Err(ElfError::WrongAbi);
    }
    if header.e_machine != EM_BPF && header.e_machine != EM_SBPF {
        return Err(ElfError::WrongMachine {
            machine: header.e_machine,
        });
    }
    if header.e_type != ET_DYN {
        return Err(ElfError::WrongType {
            e_type: header.e_type,
        });
    }
    let text_sections = elf
        .sections
        .iter()
        .filter(|section| elf.section_name(section).ok() == Some(b".text"))
        .count();
    if text_sections != 1 {
        return Err(ElfError::NotOneTextSection {
            count: text_sections,
        });
    }
    for section in &elf.sections {
        if let Ok(name) = elf.section_name(section) {
            let writable_data = is_writable(section)
                && name.starts_with(b".data")
                && !name.starts_with(b".data.rel");
            if name.starts_with(b".bss") || writable_data {
                return Err(ElfError::WritableSectionNotSupported(
                    String::from_utf8_lossy(name).into_owned(),
                ));
            }
        }
    }
    for section in &elf.sections {
        let end = section
            .sh_offset
            .checked_add(section.sh_size)
            .ok_or(ElfError::ValueOutOfBounds)?;
        elf.bytes
            .get(section.sh_offset as usize..end as usize)
            .ok_or(ElfError::ValueOutOfBounds)?;
    }
    let text = elf
        .section(b".text")
        .ok_or_else(|| ElfError::SectionNotFound(".text".into()))?;
    if !vm_range(text).contains(&header.e_entry) {
        return Err(ElfError::EntrypointOutOfBounds {
            entry: header.e_entry,
        });
    }
    Ok(())
}
