//! Relocation (V0–V2): what the loader rewrites in the file's bytes.
//!
//! 1. Every `call imm` in `.text` with `imm != -1` is a relative call: its target (`pc + 1 +
//!    imm`) must lie in the text, and the immediate becomes the function's key, murmur3 of the
//!    target's index.
//! 2. Dynamic relocations:
//!    * `R_BPF_64_64` (1): an `lddw` gets symbol value + addend (the low immediate), moved up by
//!      4 GiB if below it, split over the two halves;
//!    * `R_BPF_64_RELATIVE` (8): in `.text`, an `lddw` whose 64-bit address (non-zero) is moved
//!      up by 4 GiB if below it; elsewhere, the old toolchains' form: the 32-bit value at
//!      `r_offset + 4` plus 4 GiB, written as 64 bits at `r_offset`;
//!    * `R_BPF_64_32` (10): a `call` to a defined function gets the function's key (registered
//!      by index hash), any other symbol the murmur3 hash of its name (a syscall);
//!    * anything else is an unknown relocation.

use super::error::ElfError;
use super::format::{r_type, st_type, R_BPF_64_32, R_BPF_64_64, R_BPF_64_RELATIVE, STT_FUNC};
use super::parse::{file_range, vm_range, Elf};
use crate::isa::hash::{function_key, symbol_hash};
use crate::isa::insn::jump_target;
use crate::isa::Insn;
use crate::memory::MM_REGION_SIZE;
use crate::vm::{FunctionRegistry, SyscallRegistry};
use goblin::elf64::section_header::SectionHeader;

/// Registers `pc` as a function keyed by hash (of the name `entrypoint`, else of the index).
pub(super) fn register_hashed<C>(
    functions: &mut FunctionRegistry,
    syscalls: &SyscallRegistry<C>,
    name: &str,
    pc: usize,
) -> Result<u32, ElfError> {
    let key = function_key(name, pc as u64);
    if syscalls.lookup(key).is_some() {
        return Err(ElfError::SymbolHashCollision { key });
    }
    functions
        .register(key, name, pc)
        .map_err(|collision| ElfError::SymbolHashCollision { key: collision.key })?;
    Ok(key)
}

fn read_u32(image: &[u8], offset: usize) -> Result<u32, ElfError> {
    let bytes = image
        .get(offset..offset.saturating_add(4))
        .ok_or(ElfError::ValueOutOfBounds)?;
    Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn write(image: &mut [u8], offset: usize, bytes: &[u8]) -> Result<(), ElfError> {
    image
        .get_mut(offset..offset.saturating_add(bytes.len()))
        .ok_or(ElfError::ValueOutOfBounds)?
        .copy_from_slice(bytes);
    Ok(())
}

pub(super) fn relocate<C>(
    elf: &Elf<'_>,
    text: &SectionHeader,
    image: &mut [u8],
    functions: &mut FunctionRegistry,
    syscalls: &SyscallRegistry<C>,
) -> Result<(), ElfError> {
    let text_range = file_range(text).unwrap_or(0..0);
    let text_bytes = image
        .get_mut(text_range.clone())
        .ok_or(ElfError::ValueOutOfBounds)?;
    let count = text_bytes.len() / 8;
    for pc in 0..count {
        let insn = Insn::at(text_bytes, pc).unwrap_or_default();
        if insn.opcode != 0x85 || insn.imm == -1 {
            continue;
        }
        let target = jump_target(pc, insn.imm.into());
        if target < 0 || target >= count as i128 {
            return Err(ElfError::RelativeJumpOutOfBounds { pc });
        }
        let key = register_hashed(
            functions,
            syscalls,
            &format!("function_{target}"),
            target as usize,
        )?;
        write(text_bytes, pc * 8 + 4, &key.to_le_bytes())?;
    }

    let no_relocations = Vec::new();
    for relocation in elf.dynamic_relocations.as_ref().unwrap_or(&no_relocations) {
        let r_offset = relocation.r_offset as usize;
        let r_type = (relocation.r_info & 0xffff_ffff) as u32;
        let r_sym = (relocation.r_info >> 32) as usize;
        let imm_offset = r_offset.saturating_add(4);
        let symbol = |index: usize| {
            elf.dynamic_symbols
                .as_ref()
                .and_then(|symbols| symbols.get(index).cloned())
                .ok_or(ElfError::UnknownSymbol(index))
        };
        match r_type {
            R_BPF_64_64 => {
                let addend = u64::from(read_u32(image, imm_offset)?);
                let mut address = symbol(r_sym)?.st_value.saturating_add(addend);
                if address < MM_REGION_SIZE {
                    address = address.saturating_add(MM_REGION_SIZE);
                }
                write(image, imm_offset, &(address as u32).to_le_bytes())?;
                write(
                    image,
                    imm_offset.saturating_add(8),
                    &((address >> 32) as u32).to_le_bytes(),
                )?;
            }
            R_BPF_64_RELATIVE if text_range.contains(&r_offset) => {
                let high_offset = r_offset.saturating_add(8).saturating_add(4);
                let low = u64::from(read_u32(image, imm_offset)?);
                let high = u64::from(read_u32(image, high_offset)?);
                let mut address = (high << 32) | low;
                if address == 0 {
                    return Err(ElfError::InvalidVirtualAddress(address));
                }
                if address < MM_REGION_SIZE {
                    address = address.saturating_add(MM_REGION_SIZE);
                }
                write(image, imm_offset, &(address as u32).to_le_bytes())?;
                write(image, high_offset, &((address >> 32) as u32).to_le_bytes())?;
            }
            R_BPF_64_RELATIVE => {
                let address =
                    MM_REGION_SIZE.saturating_add(u64::from(read_u32(image, imm_offset)?));
                write(image, r_offset, &address.to_le_bytes())?;
            }
            R_BPF_64_32 => {
                let symbol = symbol(r_sym)?;
                let name = elf
                    .dynamic_symbol_name(symbol.st_name)
                    .map_err(|_| ElfError::UnknownSymbol(symbol.st_name as usize))?;
                let name = String::from_utf8_lossy(name).into_owned();
                let key = if st_type(symbol.st_info) == STT_FUNC && symbol.st_value != 0 {
                    if !vm_range(text).contains(&symbol.st_value) {
                        return Err(ElfError::ValueOutOfBounds);
                    }
                    let target = (symbol.st_value.saturating_sub(text.sh_addr) / 8) as usize;
                    register_hashed(functions, syscalls, &name, target)?
                } else {
                    symbol_hash(&name)
                };
                write(image, imm_offset, &key.to_le_bytes())?;
            }
            other => return Err(ElfError::UnknownRelocation(other)),
        }
    }
    Ok(())
}

/// Addresses of the 8-byte words outside the text that the loader fills with an address (the
/// old toolchains' `R_BPF_64_RELATIVE`), for the disassembler to write them as `.quad LABEL`.
/// Best effort: an unreadable file has none.
pub(super) fn address_words(bytes: &[u8]) -> Vec<u64> {
    let Ok(elf) = Elf::parse(bytes) else {
        return Vec::new();
    };
    let text_range = elf.section(b".text").and_then(file_range).unwrap_or(0..0);
    elf.dynamic_relocations
        .iter()
        .flatten()
        .filter(|relocation| r_type(relocation.r_info) == R_BPF_64_RELATIVE)
        .map(|relocation| relocation.r_offset)
        .filter(|offset| !text_range.contains(&(*offset as usize)))
        .collect()
}
