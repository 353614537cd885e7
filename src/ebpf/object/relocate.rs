//! The relocations of code sections, resolved once at load time to what each patches in
//! (kernel `Documentation/bpf/llvm_reloc.rst`).
//!
//! ```text
//!   type             on        symbol in              resolved to
//!   R_BPF_64_64 (1)  lddw      maps / .maps           the map's handle, map_address(i)
//!                              .rodata* .data* .bss*  data_address(j) + st_value + imm (as u32)
//!   R_BPF_64_32 (10) call      a code section         instruction st_value/8 + imm + 1 of it
//!   R_BPF_NONE (0)   —         —                      nothing
//! ```
//!
//! The addend is implicit: it is the immediate already in the instruction. A global callee
//! has `imm = -1`; a static one is reached through its section's `STT_SECTION` symbol with
//! `imm = offset/8 - 1`, so one rule (libbpf's `sym_off/8 + imm + 1`) serves both.
//! Relocations of sections that are not code (`.BTF`, `.BTF.ext`, `.debug_*`, `.eh_frame`:
//! ABS64, ABS32, NODYLD32) are ignored; in code, any other type is an error, and so is an
//! `SHT_RELA` section (its explicit addend is not where BPF keeps it).

use super::error::ObjectError;
use super::sections::{Role, Section};
use super::slots::{self, CALL, LDDW};
use super::symbols::Symbol;
use super::{CodeSection, DataSection, LocatedMap, RelocationKind, Resolved, Target};
use crate::ebpf::layout::map_address;
use goblin::elf::section_header::SHT_RELA;
use goblin::elf::Elf;
use std::collections::HashMap;

/// `R_BPF_NONE`: no relocation.
const R_BPF_NONE: u32 = 0;
/// `R_BPF_64_64`: an `lddw` of a symbol's address.
const R_BPF_64_64: u32 = 1;
/// `R_BPF_64_32`: a call to a function.
const R_BPF_64_32: u32 = 10;

/// What the resolver reads: the object's sections and symbols, and lookups by ELF section
/// index built once (so a file with many sections and relocations stays linear).
pub(super) struct Context<'a> {
    /// All sections, by index.
    pub sections: &'a [Section],
    /// All symbols, by index.
    pub symbols: &'a [Symbol],
    /// Map index by (ELF section, offset of its definition).
    map_at: HashMap<(usize, u64), usize>,
    /// Data section index and section by ELF section index.
    data_at: HashMap<usize, (usize, &'a DataSection)>,
    /// Code section index by ELF section index.
    code_at: HashMap<usize, usize>,
}

impl<'a> Context<'a> {
    /// The lookups over `maps` (in handle order), `data` (with their ELF indices) and `code`.
    pub fn new(
        sections: &'a [Section],
        symbols: &'a [Symbol],
        maps: &[LocatedMap],
        data: &'a [(usize, DataSection)],
        code: &[CodeSection],
    ) -> Context<'a> {
        Context {
            sections,
            symbols,
            map_at: maps
                .iter()
                .enumerate()
                .map(|(index, map)| ((map.section, map.offset), index))
                .collect(),
            data_at: data
                .iter()
                .enumerate()
                .map(|(index, (shndx, data))| (*shndx, (index, data)))
                .collect(),
            code_at: code
                .iter()
                .enumerate()
                .map(|(index, code)| (code.shndx, index))
                .collect(),
        }
    }
}

/// Resolves the relocations of every code section into `code[i].relocations`.
pub(super) fn resolve(
    elf: &Elf<'_>,
    context: &Context<'_>,
    code: &mut [CodeSection],
) -> Result<(), ObjectError> {
    for (rel_index, relocations) in &elf.shdr_relocs {
        let Some(rel_section) = context.sections.get(*rel_index) else {
            continue;
        };
        let patched = rel_section.header.sh_info as usize;
        let Some(&code_index) = context.code_at.get(&patched) else {
            continue;
        };
        if rel_section.header.sh_type == SHT_RELA {
            // BPF toolchains write SHT_REL: the addend is the instruction's immediate.
            return Err(ObjectError::RelaInCode {
                section: code[code_index].name.clone(),
            });
        }
        for relocation in relocations.iter() {
            let resolved = resolve_one(
                context,
                code,
                &code[code_index],
                relocation.r_offset,
                relocation.r_type,
                relocation.r_sym,
            )?;
            if let Some((index, resolved)) = resolved {
                code[code_index].relocations.insert(index, resolved);
            }
        }
    }
    Ok(())
}

/// One relocation of `section`: the instruction index it patches and what goes there.
fn resolve_one(
    context: &Context<'_>,
    code: &[CodeSection],
    section: &CodeSection,
    offset: u64,
    r_type: u32,
    r_sym: usize,
) -> Result<Option<(usize, Resolved)>, ObjectError> {
    if r_type == R_BPF_NONE {
        return Ok(None);
    }
    let slot_count = slots::count(&section.bytes);
    let index = slots::at_offset(offset)
        .filter(|&index| index < slot_count)
        .ok_or_else(|| ObjectError::RelocationOffset {
            section: section.name.clone(),
            offset,
        })?;
    let (expected, opcode_wanted) = match r_type {
        R_BPF_64_64 => ("lddw", LDDW),
        R_BPF_64_32 => ("call", CALL),
        _ => {
            return Err(ObjectError::UnknownRelocation {
                section: section.name.clone(),
                offset,
                r_type,
            })
        }
    };
    let slot = slots::read(&section.bytes, index);
    let opcode = slot.map_or(0, |slot| slot.opcode);
    if opcode != opcode_wanted || (r_type == R_BPF_64_64 && index.saturating_add(1) >= slot_count) {
        return Err(ObjectError::RelocatedInstruction {
            section: section.name.clone(),
            offset,
            r_type,
            opcode,
            expected,
        });
    }
    let symbol = context
        .symbols
        .get(r_sym)
        .ok_or_else(|| ObjectError::RelocationSymbol {
            section: section.name.clone(),
            offset,
            symbol: r_sym,
        })?;
    let addend = slot.map_or(0, |slot| slot.imm);
    let place = Place {
        section,
        offset,
        symbol,
    };
    let resolved = if r_type == R_BPF_64_64 {
        lddw_target(context, &place, addend)?
    } else {
        call_target(context, code, &place, addend)?
    };
    Ok(Some((index, resolved)))
}

/// Where a relocation is, for its errors.
struct Place<'a> {
    section: &'a CodeSection,
    offset: u64,
    symbol: &'a Symbol,
}

impl Place<'_> {
    /// The error for a symbol in a section this relocation cannot refer to.
    fn bad_target(&self, context: &Context<'_>, what: &str) -> ObjectError {
        let target = match context.sections.get(self.symbol.section) {
            _ if self.symbol.section == 0 => "undefined".to_owned(),
            Some(section) => format!("{what} {}", section.name),
            None => format!("in section index {}", self.symbol.section),
        };
        ObjectError::RelocationTarget {
            section: self.section.name.clone(),
            offset: self.offset,
            symbol: self.symbol.name.clone(),
            target,
        }
    }
}

/// The 64-bit value an `lddw` relocation loads: a map handle or a data address.
fn lddw_target(
    context: &Context<'_>,
    place: &Place<'_>,
    addend: i32,
) -> Result<Resolved, ObjectError> {
    let symbol = place.symbol;
    let value = symbol.value.checked_add(u64::from(addend as u32));
    let role = context
        .sections
        .get(symbol.section)
        .map(|section| section.role);
    match role {
        Some(Role::LegacyMaps | Role::BtfMaps) if symbol.section != 0 => {
            let &index = value
                .and_then(|value| context.map_at.get(&(symbol.section, value)))
                .ok_or_else(|| place.bad_target(context, "not a map's start in section"))?;
            let address = map_address(index).ok_or(ObjectError::TooMany {
                what: "maps",
                limit: crate::ebpf::layout::MAX_MAPS,
            })?;
            Ok(Resolved {
                kind: RelocationKind::Map { index },
                target: Target::Value(address),
                symbol: symbol.name.clone(),
            })
        }
        Some(Role::Data { .. }) if symbol.section != 0 => {
            let &(index, data) = context
                .data_at
                .get(&symbol.section)
                .ok_or_else(|| place.bad_target(context, "in section"))?;
            let size = data.bytes.len() as u64;
            let offset =
                value
                    .filter(|&value| value <= size)
                    .ok_or_else(|| ObjectError::DataOffset {
                        section: place.section.name.clone(),
                        offset: place.offset,
                        target: data.name.clone(),
                        value: value.unwrap_or(u64::MAX),
                        size,
                    })?;
            Ok(Resolved {
                kind: RelocationKind::Data { index },
                // Below data_address(MAX_DATA_SECTIONS) + a span: cannot overflow.
                target: Target::Value(data.address.wrapping_add(offset)),
                symbol: symbol.name.clone(),
            })
        }
        _ => Err(place.bad_target(context, "in section")),
    }
}

/// The instruction a call relocation targets: `st_value/8 + imm + 1` of the symbol's section.
fn call_target(
    context: &Context<'_>,
    code: &[CodeSection],
    place: &Place<'_>,
    addend: i32,
) -> Result<Resolved, ObjectError> {
    let symbol = place.symbol;
    let target = context
        .code_at
        .get(&symbol.section)
        .filter(|_| symbol.section != 0)
        .and_then(|&index| Some((index, code.get(index)?)));
    let Some((target_code, target_section)) = target else {
        return Err(place.bad_target(context, "in the non-code section"));
    };
    // libbpf's rule: instruction st_value/8 + imm + 1 of the symbol's section.
    let base = slots::at_offset(symbol.value).and_then(|base| i64::try_from(base).ok());
    let target = base.map_or(i64::MAX, |base| {
        base.saturating_add(i64::from(addend)).saturating_add(1)
    });
    let index = usize::try_from(target)
        .ok()
        .filter(|&index| index < slots::count(&target_section.bytes))
        .ok_or_else(|| ObjectError::CallOutOfBounds {
            section: place.section.name.clone(),
            index: slots::at_offset(place.offset).unwrap_or(usize::MAX),
            target_section: target_section.name.clone(),
            target,
        })?;
    Ok(Resolved {
        kind: RelocationKind::Call,
        target: Target::Call {
            section: target_code,
            index,
        },
        symbol: symbol.name.clone(),
    })
}
