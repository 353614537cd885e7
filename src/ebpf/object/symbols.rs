//! The symbol table, with names read from the string table its `sh_link` names.
//!
//! goblin takes the string table from the symbol table's `sh_link`, as the ELF specification
//! says, so an object whose symbols name into `.shstrtab` (the conformance runner writes
//! `sh_link = 1` and no `.strtab`) reads like one from clang. A section symbol
//! (`STT_SECTION`) has no name of its own; it takes its section's, as llvm-objdump prints it.

use super::error::ObjectError;
use super::sections::Section;
use goblin::elf::sym::{st_type, STT_FILE, STT_FUNC, STT_SECTION};
use goblin::elf::Elf;
use std::collections::HashMap;

/// One symbol, as the loader needs it.
#[derive(Debug, Clone)]
pub(super) struct Symbol {
    /// The name (a section symbol's is its section's).
    pub name: String,
    /// `st_shndx`: the section it is defined in (0 = undefined).
    pub section: usize,
    /// `st_value`: its offset in that section.
    pub value: u64,
    /// `st_type`.
    pub kind: u8,
}

impl Symbol {
    /// Whether the symbol is a function.
    pub fn is_function(&self) -> bool {
        self.kind == STT_FUNC
    }

    /// Whether the symbol names a variable or function (not a section or a file).
    pub fn is_named_object(&self) -> bool {
        self.kind != STT_SECTION && self.kind != STT_FILE
    }
}

/// Every symbol, in table order (index 0 is the null symbol).
pub(super) fn symbols(elf: &Elf<'_>, sections: &[Section]) -> Result<Vec<Symbol>, ObjectError> {
    elf.syms
        .iter()
        .enumerate()
        .map(|(index, sym)| {
            let kind = st_type(sym.st_info);
            let section = sym.st_shndx;
            let name = if kind == STT_SECTION {
                sections
                    .get(section)
                    .map(|section| section.name.clone())
                    .unwrap_or_default()
            } else if sym.st_name == 0 {
                String::new()
            } else {
                elf.strtab
                    .get_at(sym.st_name)
                    .ok_or(ObjectError::BadName {
                        what: "symbol",
                        index,
                        offset: sym.st_name,
                    })?
                    .to_owned()
            };
            Ok(Symbol {
                name,
                section,
                value: sym.st_value,
                kind,
            })
        })
        .collect()
}

/// The symbols of each section, by section index, in table order (one pass, so that looking
/// up a section's symbols does not scan the whole table again).
pub(super) fn by_section(symbols: &[Symbol]) -> HashMap<usize, Vec<&Symbol>> {
    let mut by_section: HashMap<usize, Vec<&Symbol>> = HashMap::new();
    for symbol in symbols {
        by_section.entry(symbol.section).or_default().push(symbol);
    }
    by_section
}
