//! What the object's sections contain, each read once: the data sections (in file order,
//! `.bss` zero-filled), the maps (legacy `maps` first, then BTF `.maps`), the license, and
//! the code sections with their function starts.

use super::error::ObjectError;
use super::sections::{self, Role, Section};
use super::symbols::{self, Symbol};
use super::{btf, btf_maps, legacy_maps, slots, CodeSection, DataSection, LocatedMap};
use crate::ebpf::layout::{self, data_address, MAX_DATA_SECTIONS, MAX_MAPS};
use goblin::elf::section_header::SHT_NOBITS;
use std::collections::{BTreeMap, HashSet};

/// The data sections in file order with their ELF indices; `.bss` zero-filled.
pub(super) fn data_sections(
    bytes: &[u8],
    sections: &[Section],
) -> Result<Vec<(usize, DataSection)>, ObjectError> {
    let mut data = Vec::new();
    for (shndx, section) in sections.iter().enumerate() {
        let Role::Data { writable } = section.role else {
            continue;
        };
        let address = data_address(data.len()).ok_or(ObjectError::TooMany {
            what: "data sections",
            limit: MAX_DATA_SECTIONS,
        })?;
        let size = section.header.sh_size;
        let too_large = || ObjectError::DataTooLarge {
            section: section.name.clone(),
            size,
        };
        let length = usize::try_from(size)
            .ok()
            .filter(|_| size <= layout::SPAN)
            .ok_or_else(too_large)?;
        let contents = if section.header.sh_type == SHT_NOBITS {
            // `vec![0; n]` asks for zeroed memory (calloc): a large one is fresh pages, not
            // bytes written here.
            vec![0; length]
        } else {
            sections::bytes(bytes, section)?.to_vec()
        };
        data.push((
            shndx,
            DataSection {
                name: section.name.clone(),
                address,
                bytes: contents,
                writable,
            },
        ));
    }
    Ok(data)
}

/// The maps: legacy `maps` first, then BTF `.maps`; names unique, at most `MAX_MAPS`.
pub(super) fn maps(
    bytes: &[u8],
    sections: &[Section],
    symbols: &[Symbol],
) -> Result<Vec<LocatedMap>, ObjectError> {
    let by_section = symbols::by_section(symbols);
    let symbols_of = |shndx: usize| by_section.get(&shndx).map_or(&[][..], Vec::as_slice);
    let mut maps = Vec::new();
    for (shndx, section) in sections.iter().enumerate() {
        if section.role == Role::LegacyMaps {
            let contents = sections::bytes(bytes, section)?;
            maps.extend(legacy_maps::legacy_maps(
                shndx,
                contents,
                symbols_of(shndx),
            )?);
        }
    }
    let mut btf = None;
    for (shndx, section) in sections.iter().enumerate() {
        if section.role == Role::BtfMaps {
            if btf.is_none() {
                let btf_section = sections
                    .iter()
                    .find(|section| section.role == Role::Btf)
                    .ok_or(ObjectError::MissingBtf)?;
                btf = Some(btf::Btf::parse(sections::bytes(bytes, btf_section)?)?);
            }
            if let Some(btf) = &btf {
                maps.extend(btf_maps::btf_maps(btf, shndx, symbols_of(shndx))?);
            }
        }
    }
    if maps.len() > MAX_MAPS {
        return Err(ObjectError::TooMany {
            what: "maps",
            limit: MAX_MAPS,
        });
    }
    let mut names = HashSet::new();
    let mut places = HashSet::new();
    for map in &maps {
        if !names.insert(map.def.name.as_str()) || !places.insert((map.section, map.offset)) {
            return Err(ObjectError::DuplicateMap {
                name: map.def.name.clone(),
            });
        }
    }
    Ok(maps)
}

/// The `license` string, up to its first NUL.
pub(super) fn license(bytes: &[u8], sections: &[Section]) -> Result<Option<String>, ObjectError> {
    let Some(section) = sections.iter().find(|s| s.role == Role::License) else {
        return Ok(None);
    };
    let contents = sections::bytes(bytes, section)?;
    let text = contents.split(|&byte| byte == 0).next().unwrap_or(&[]);
    let text = std::str::from_utf8(text).map_err(|_| ObjectError::License)?;
    Ok(Some(text.to_owned()))
}

/// Every executable section with its bytes and function starts.
pub(super) fn code_sections(
    bytes: &[u8],
    sections: &[Section],
    symbols: &[Symbol],
) -> Result<Vec<CodeSection>, ObjectError> {
    let by_section = symbols::by_section(symbols);
    let mut code = Vec::new();
    for (shndx, section) in sections.iter().enumerate() {
        if section.role != Role::Code {
            continue;
        }
        let contents = sections::bytes(bytes, section)?;
        if contents.len() % slots::SLOT != 0 {
            return Err(ObjectError::CodeSize {
                section: section.name.clone(),
                size: section.header.sh_size,
            });
        }
        let mut functions = Vec::new();
        for symbol in by_section.get(&shndx).into_iter().flatten() {
            if !symbol.is_function() {
                continue;
            }
            let index = slots::at_offset(symbol.value)
                .filter(|&index| index < slots::count(contents))
                .ok_or_else(|| ObjectError::BadFunction {
                    name: symbol.name.clone(),
                    section: section.name.clone(),
                    value: symbol.value,
                })?;
            functions.push((index, symbol.name.clone()));
        }
        functions.sort();
        functions.dedup();
        code.push(CodeSection {
            name: section.name.clone(),
            shndx,
            bytes: contents.to_vec(),
            functions,
            relocations: BTreeMap::new(),
        });
    }
    Ok(code)
}
