//! The object's sections: the header checks, each section's role decided from its name and
//! flags, and its bytes read by offset with checked arithmetic.
//!
//! clang puts each `SEC("…")` function in a section of that name (flags `AX`), non-inlined
//! subprograms in `.text`, globals in `.rodata*`, `.data*` and `.bss*`, map definitions in
//! `maps` (legacy) or `.maps` (BTF), and the license string in `license`:
//!
//! ```text
//!   role          how it is recognised                         what the loader makes of it
//!   Code          SHT_PROGBITS with SHF_EXECINSTR             a program, or subprograms (.text)
//!   Data          .rodata* / .data* / .bss* (PROGBITS|NOBITS)  a guest region, data_address(i)
//!   LegacyMaps    named `maps`                                 struct bpf_map_def array
//!   BtfMaps       named `.maps`                                maps described in .BTF
//!   Btf           named `.BTF`                                 types (read only for .maps)
//!   License       named `license`                              the license string
//!   Other         everything else (.BTF.ext, .debug_*, …)     ignored, with its relocations
//! ```

use super::error::ObjectError;
use goblin::elf::header::{EM_BPF, ET_REL};
use goblin::elf::section_header::{SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS};
use goblin::elf::{Elf, SectionHeader};

/// What a section is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Instructions.
    Code,
    /// Global data; `.rodata*` is read-only.
    Data {
        /// Whether the section has `SHF_WRITE`.
        writable: bool,
    },
    /// The legacy `maps` section.
    LegacyMaps,
    /// The BTF-defined `.maps` section.
    BtfMaps,
    /// The `.BTF` type information.
    Btf,
    /// The `license` string.
    License,
    /// Anything else: ignored.
    Other,
}

/// One section: its name, role and header.
#[derive(Debug, Clone)]
pub(super) struct Section {
    /// The name, from the section-name string table.
    pub name: String,
    /// What it is for.
    pub role: Role,
    /// Its header.
    pub header: SectionHeader,
}

/// Parses the file with goblin and checks the header: 64-bit, little-endian, `ET_REL`,
/// `EM_BPF`.
pub(super) fn parse_elf(bytes: &[u8]) -> Result<Elf<'_>, ObjectError> {
    let elf = Elf::parse(bytes).map_err(|error| ObjectError::Elf {
        reason: error.to_string(),
    })?;
    if !elf.is_64 || !elf.little_endian {
        return Err(ObjectError::NotElf64Le {
            is_64: elf.is_64,
            little_endian: elf.little_endian,
        });
    }
    if elf.header.e_type != ET_REL {
        return Err(ObjectError::NotRelocatable {
            e_type: elf.header.e_type,
        });
    }
    if elf.header.e_machine != EM_BPF {
        return Err(ObjectError::WrongMachine {
            machine: elf.header.e_machine,
        });
    }
    Ok(elf)
}

/// Every section with its name and role, indexed as in the file (index 0 is the null section).
pub(super) fn sections(elf: &Elf<'_>) -> Result<Vec<Section>, ObjectError> {
    elf.section_headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let name = elf
                .shdr_strtab
                .get_at(header.sh_name)
                .ok_or(ObjectError::BadName {
                    what: "section",
                    index,
                    offset: header.sh_name,
                })?
                .to_owned();
            let role = role(&name, header);
            Ok(Section {
                name,
                role,
                header: header.clone(),
            })
        })
        .collect()
}

/// The role of a section named `name` with `header`.
fn role(name: &str, header: &SectionHeader) -> Role {
    let progbits = header.sh_type == SHT_PROGBITS;
    if progbits && header.sh_flags & u64::from(SHF_EXECINSTR) != 0 {
        return Role::Code;
    }
    match name {
        "maps" => Role::LegacyMaps,
        ".maps" => Role::BtfMaps,
        ".BTF" => Role::Btf,
        "license" => Role::License,
        _ if (progbits || header.sh_type == SHT_NOBITS)
            && [".rodata", ".data", ".bss"]
                .iter()
                .any(|prefix| name.starts_with(prefix)) =>
        {
            Role::Data {
                writable: header.sh_flags & u64::from(SHF_WRITE) != 0,
            }
        }
        _ => Role::Other,
    }
}

/// The bytes of `section` in the file; an error when they lie outside it or the section is
/// `SHT_NOBITS`.
pub(super) fn bytes<'a>(file: &'a [u8], section: &Section) -> Result<&'a [u8], ObjectError> {
    let header = &section.header;
    if header.sh_type == SHT_NOBITS {
        return Err(ObjectError::NoBits {
            section: section.name.clone(),
        });
    }
    let out_of_bounds = || ObjectError::SectionOutOfBounds {
        section: section.name.clone(),
        offset: header.sh_offset,
        size: header.sh_size,
    };
    let start = usize::try_from(header.sh_offset).map_err(|_| out_of_bounds())?;
    let size = usize::try_from(header.sh_size).map_err(|_| out_of_bounds())?;
    let end = start.checked_add(size).ok_or_else(out_of_bounds)?;
    file.get(start..end).ok_or_else(out_of_bounds)
}
