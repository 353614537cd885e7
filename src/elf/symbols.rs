//! Function names for the disassembler and the debugger: `STT_FUNC` symbols of `.symtab` and
//! the dynamic symbol table, by instruction index (best effort: an unreadable table means no
//! names, never an error).

use super::format::{st_type, STT_FUNC};
use super::parse::{vm_range, Elf};
use std::collections::BTreeMap;

/// Function names by instruction index.
pub fn function_symbols(bytes: &[u8]) -> BTreeMap<usize, String> {
    let mut names = BTreeMap::new();
    let Ok(elf) = Elf::parse(bytes) else {
        return names;
    };
    let Some(text) = elf.section(b".text") else {
        return names;
    };
    let text_range = vm_range(text);
    let mut add = |value: u64, name: &[u8]| {
        if !name.is_empty() && text_range.contains(&value) {
            let pc = ((value - text.sh_addr) / 8) as usize;
            names
                .entry(pc)
                .or_insert_with(|| String::from_utf8_lossy(name).into_owned());
        }
    };
    for (symbol, name) in elf.debug_symbols() {
        if st_type(symbol.st_info) == STT_FUNC {
            add(symbol.st_value, name);
        }
    }
    for symbol in elf.dynamic_symbols.iter().flatten() {
        if st_type(symbol.st_info) == STT_FUNC {
            if let Ok(name) = elf.dynamic_symbol_name(symbol.st_name) {
                add(symbol.st_value, name);
            }
        }
    }
    names
}
