//! Source lines from an ELF file's DWARF line table (`.debug_line`, found through
//! `.debug_info`'s compile units), by instruction index.
//!
//! A line-table row says that the instructions from its address up to the next row's belong to
//! its file and line. Addresses are the file's own (what its symbols say), so instruction `pc`
//! is at `.text`'s section address + 8 × pc, as for the function symbols. Best effort: a file
//! without DWARF, or with DWARF that does not read, has no lines.

use goblin::elf::Elf;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A source position: the file (joined with its compile directory) and the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceLine {
    /// The source file.
    pub file: PathBuf,
    /// The line.
    pub line: u64,
}

/// The source line of each instruction index the line table covers; empty without DWARF.
pub fn source_lines(elf_bytes: &[u8]) -> BTreeMap<usize, SourceLine> {
    read_lines(elf_bytes).unwrap_or_default()
}

type Slice<'a> = gimli::EndianSlice<'a, gimli::LittleEndian>;

fn read_lines(bytes: &[u8]) -> Option<BTreeMap<usize, SourceLine>> {
    let elf = Elf::parse(bytes).ok()?;
    if !elf.little_endian {
        return None;
    }
    let section_bytes = |name: &str| -> &[u8] {
        elf.section_headers
            .iter()
            .find(|header| elf.shdr_strtab.get_at(header.sh_name) == Some(name))
            .filter(|header| header.sh_type != goblin::elf::section_header::SHT_NOBITS)
            .and_then(|header| {
                let start = usize::try_from(header.sh_offset).ok()?;
                let end = start.checked_add(usize::try_from(header.sh_size).ok()?)?;
                bytes.get(start..end)
            })
            .unwrap_or(&[])
    };
    let text = elf
        .section_headers
        .iter()
        .find(|header| elf.shdr_strtab.get_at(header.sh_name) == Some(".text"))?;
    let (text_start, text_len) = (text.sh_addr, text.sh_size);
    if section_bytes(".debug_line").is_empty() {
        return None;
    }
    let dwarf = gimli::Dwarf::load(|id: gimli::SectionId| {
        Ok::<_, gimli::Error>(Slice::new(section_bytes(id.name()), gimli::LittleEndian))
    })
    .ok()?;
    // Each row's address and source line (None: the end of a sequence, or no line); where rows
    // share an address the first wins.
    let mut rows_by_address: BTreeMap<u64, Option<SourceLine>> = BTreeMap::new();
    let mut units = dwarf.units();
    while let Ok(Some(header)) = units.next() {
        let Ok(unit) = dwarf.unit(header) else {
            continue;
        };
        let Some(program) = unit.line_program.clone() else {
            continue;
        };
        let comp_dir = unit
            .comp_dir
            .map(|dir| PathBuf::from(dir.to_string_lossy().into_owned()));
        let mut rows = program.rows();
        while let Ok(Some((header, row))) = rows.next_row() {
            let source = (!row.end_sequence())
                .then(|| {
                    let line = row.line()?;
                    let file = row.file(header)?;
                    let name = dwarf.attr_string(&unit, file.path_name()).ok()?;
                    let mut path = comp_dir.clone().unwrap_or_default();
                    if let Some(directory) = file.directory(header) {
                        if let Ok(directory) = dwarf.attr_string(&unit, directory) {
                            path.push(directory.to_string_lossy().as_ref());
                        }
                    }
                    path.push(name.to_string_lossy().as_ref());
                    Some(SourceLine {
                        file: path,
                        line: line.get(),
                    })
                })
                .flatten();
            rows_by_address.entry(row.address()).or_insert(source);
        }
    }
    // Each instruction takes the row at or before its address (one lookup per instruction:
    // the work is bounded by the text and the table, whatever addresses the rows claim).
    // A section header may claim more than the file holds: the text is never longer than it.
    let text_len = text_len.min(u64::try_from(bytes.len()).ok()?);
    let slots = usize::try_from(text_len / 8).ok()?;
    let mut lines = BTreeMap::new();
    for pc in 0..slots {
        let address = text_start.saturating_add(8u64.saturating_mul(pc as u64));
        if let Some((_, Some(source))) = rows_by_address.range(..=address).next_back() {
            lines.insert(pc, source.clone());
        }
    }
    Some(lines)
}
