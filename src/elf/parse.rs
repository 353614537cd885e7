//! The structural view of an ELF file: headers and tables read with goblin's ELF64 types, and
//! the reference's structural rules checked on the bytes themselves (goblin's own parser is
//! more lenient in some places and stricter in others, so it is not used to decide).
//!
//! Rules, in the order they are checked:
//!
//! 1. the file header: magic, 64-bit, little-endian, version 1, entry sizes 64/56/64, a
//!    section-name table index below the section count;
//! 2. the program and section header tables lie inside the file, 8-aligned, and do not overlap
//!    the file header or each other; the first section is `SHT_NULL`;
//! 3. `PT_LOAD` segments ascend in address and lie inside the file;
//! 4. section contents (other than `SHT_NOBITS`) lie inside the file, in ascending order,
//!    overlapping none of the header tables;
//! 5. every section name reads from the name table within 16 bytes; at most one `.symtab`,
//!    `.strtab` and `.dynstr`;
//! 6. the dynamic table (from `PT_DYNAMIC`, else `SHT_DYNAMIC`) gives the relocation table
//!    (`DT_REL`, entries of 16 bytes, non-empty) and the dynamic symbol table (`DT_SYMTAB`).

use super::error::ParseError;
use super::format::{
    is_elf64_le, DT_NULL, DT_NUM, DT_REL, DT_RELENT, DT_RELSZ, DT_SYMTAB, DYN_SIZE, EHDR_SIZE,
    EV_CURRENT, PHDR_SIZE, PT_DYNAMIC, PT_LOAD, REL_SIZE, SHDR_SIZE, SHF_ALLOC, SHF_WRITE,
    SHT_DYNAMIC, SHT_DYNSYM, SHT_NOBITS, SHT_NULL, SHT_STRTAB, SHT_SYMTAB, SYM_SIZE,
};
use goblin::elf64::dynamic::Dyn;
use goblin::elf64::header::Header;
use goblin::elf64::program_header::ProgramHeader;
use goblin::elf64::reloc::Rel;
use goblin::elf64::section_header::SectionHeader;
use goblin::elf64::sym::Sym;
use scroll::{Pread, LE};
use std::ops::Range;

/// Longest section name, in bytes.
pub(crate) const SECTION_NAME_MAX: usize = 16;
/// Longest dynamic symbol name, in bytes.
pub(crate) const SYMBOL_NAME_MAX: usize = 64;
/// Longest debug symbol name, in bytes.
pub(crate) const DEBUG_SYMBOL_NAME_MAX: usize = 255;

/// Reads one structure at `offset`.
pub(crate) fn read<'a, T, E>(bytes: &'a [u8], offset: usize) -> Result<T, ParseError>
where
    T: scroll::ctx::TryFromCtx<'a, scroll::Endian, Error = E>,
    E: From<scroll::Error>,
{
    bytes
        .pread_with::<T>(offset, LE)
        .map_err(|_| ParseError::OutOfBounds)
}

/// Reads a table of `size`-byte structures filling `range`, with the reference's checks: the
/// length is a multiple of the size, the range is inside the file, the start is 8-aligned.
pub(crate) fn table<'a, T, E>(
    bytes: &'a [u8],
    range: Range<usize>,
    size: usize,
) -> Result<Vec<T>, ParseError>
where
    T: scroll::ctx::TryFromCtx<'a, scroll::Endian, Error = E>,
    E: From<scroll::Error>,
{
    if range.end < range.start || range.len() % size != 0 {
        return Err(ParseError::InvalidSize);
    }
    bytes.get(range.clone()).ok_or(ParseError::OutOfBounds)?;
    if range.start % 8 != 0 {
        return Err(ParseError::InvalidAlignment);
    }
    (0..range.len() / size)
        .map(|i| read(bytes, range.start + i * size))
        .collect()
}

fn checked_range(start: u64, len: u64) -> Result<Range<usize>, ParseError> {
    let start = usize::try_from(start).map_err(|_| ParseError::OutOfBounds)?;
    let len = usize::try_from(len).map_err(|_| ParseError::OutOfBounds)?;
    let end = start.checked_add(len).ok_or(ParseError::OutOfBounds)?;
    Ok(start..end)
}

fn no_overlap(a: &Range<usize>, b: &Range<usize>) -> Result<(), ParseError> {
    if a.end <= b.start || b.end <= a.start {
        Ok(())
    } else {
        Err(ParseError::Overlap)
    }
}

/// The file header, read field by field (goblin's own reader rejects a bad magic number before
/// the rules below get to say what is wrong).
pub(crate) fn file_header(bytes: &[u8]) -> Result<Header, ParseError> {
    if bytes.len() < EHDR_SIZE {
        return Err(ParseError::OutOfBounds);
    }
    let field =
        |offset: usize| -> Result<u64, ParseError> { read::<u64, scroll::Error>(bytes, offset) };
    let half =
        |offset: usize| -> Result<u16, ParseError> { read::<u16, scroll::Error>(bytes, offset) };
    let word =
        |offset: usize| -> Result<u32, ParseError> { read::<u32, scroll::Error>(bytes, offset) };
    let mut e_ident = [0u8; 16];
    e_ident.copy_from_slice(&bytes[..16]);
    Ok(Header {
        e_ident,
        e_type: half(16)?,
        e_machine: half(18)?,
        e_version: word(20)?,
        e_entry: field(24)?,
        e_phoff: field(32)?,
        e_shoff: field(40)?,
        e_flags: word(48)?,
        e_ehsize: half(52)?,
        e_phentsize: half(54)?,
        e_phnum: half(56)?,
        e_shentsize: half(58)?,
        e_shnum: half(60)?,
        e_shstrndx: half(62)?,
    })
}

/// The range of `count` table entries of `size` bytes at `offset`.
pub(crate) fn table_range(
    offset: u64,
    count: u16,
    size: usize,
) -> Result<Range<usize>, ParseError> {
    let bytes = size
        .checked_mul(usize::from(count))
        .ok_or(ParseError::OutOfBounds)?;
    checked_range(offset, bytes as u64)
}

/// Where a section's contents lie in the file (`SHT_NOBITS` has none).
pub(crate) fn file_range(section: &SectionHeader) -> Option<Range<usize>> {
    (section.sh_type != SHT_NOBITS).then(|| {
        let start = section.sh_offset as usize;
        start..start.saturating_add(section.sh_size as usize)
    })
}

/// The section's guest addresses.
pub(crate) fn vm_range(section: &SectionHeader) -> Range<u64> {
    section.sh_addr..section.sh_addr.saturating_add(section.sh_size)
}

/// A section the guest could write to.
pub(crate) fn is_writable(section: &SectionHeader) -> bool {
    let alloc_write = u64::from(SHF_ALLOC | SHF_WRITE);
    section.sh_flags & alloc_write == alloc_write
}

/// A NUL-terminated string at `offset` of a string-table section, at most `max` bytes long.
pub(crate) fn string_in<'a>(
    bytes: &'a [u8],
    section: &SectionHeader,
    offset: u32,
    max: usize,
) -> Result<&'a [u8], ParseError> {
    if section.sh_type != SHT_STRTAB {
        return Err(ParseError::InvalidSectionHeader);
    }
    let start = (section.sh_offset as usize)
        .checked_add(offset as usize)
        .ok_or(ParseError::OutOfBounds)?;
    let section_end = (section.sh_offset as usize)
        .checked_add(section.sh_size as usize)
        .ok_or(ParseError::OutOfBounds)?;
    let end = section_end.min(start.checked_add(max).ok_or(ParseError::OutOfBounds)?);
    let window = bytes.get(start..end).ok_or(ParseError::OutOfBounds)?;
    match window.iter().position(|byte| *byte == 0) {
        Some(len) => Ok(&window[..len]),
        None => Err(ParseError::StringTooLong(
            String::from_utf8_lossy(window).into_owned(),
            max,
        )),
    }
}

/// A structurally valid ELF file (the lenient loader's view).
pub(crate) struct Elf<'a> {
    pub bytes: &'a [u8],
    pub header: Header,
    pub program_headers: Vec<ProgramHeader>,
    pub sections: Vec<SectionHeader>,
    section_names: Option<SectionHeader>,
    symbol_table: Option<SectionHeader>,
    symbol_names: Option<SectionHeader>,
    dynamic_symbol_names: Option<SectionHeader>,
    pub dynamic_relocations: Option<Vec<Rel>>,
    pub dynamic_symbols: Option<Vec<Sym>>,
}

impl<'a> Elf<'a> {
    /// Parses and checks the structure (module docs, rules 1–6).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let header = file_header(bytes)?;
        let ident = &header.e_ident;
        if !is_elf64_le(ident)
            || header.e_version != u32::from(EV_CURRENT)
            || usize::from(header.e_ehsize) != EHDR_SIZE
            || usize::from(header.e_phentsize) != PHDR_SIZE
            || usize::from(header.e_shentsize) != SHDR_SIZE
            || header.e_shstrndx >= header.e_shnum
        {
            return Err(ParseError::InvalidFileHeader);
        }
        let header_range = 0..EHDR_SIZE;
        let program_range = table_range(header.e_phoff, header.e_phnum, PHDR_SIZE)?;
        no_overlap(&header_range, &program_range)?;
        let program_headers: Vec<ProgramHeader> = table(bytes, program_range.clone(), PHDR_SIZE)?;
        let section_range = table_range(header.e_shoff, header.e_shnum, SHDR_SIZE)?;
        no_overlap(&header_range, &section_range)?;
        no_overlap(&program_range, &section_range)?;
        let sections: Vec<SectionHeader> = table(bytes, section_range.clone(), SHDR_SIZE)?;
        if sections
            .first()
            .is_none_or(|first| first.sh_type != SHT_NULL)
        {
            return Err(ParseError::InvalidSectionHeader);
        }
        let mut vaddr = 0;
        for segment in program_headers
            .iter()
            .filter(|segment| segment.p_type == PT_LOAD)
        {
            if segment.p_vaddr < vaddr {
                return Err(ParseError::InvalidProgramHeader);
            }
            let end = segment
                .p_offset
                .checked_add(segment.p_filesz)
                .ok_or(ParseError::OutOfBounds)?;
            if end > bytes.len() as u64 {
                return Err(ParseError::OutOfBounds);
            }
            vaddr = segment.p_vaddr;
        }
        let mut offset = 0usize;
        for section in sections
            .iter()
            .filter(|section| section.sh_type != SHT_NOBITS)
        {
            let range = checked_range(section.sh_offset, section.sh_size)?;
            no_overlap(&range, &header_range)?;
            no_overlap(&range, &program_range)?;
            no_overlap(&range, &section_range)?;
            if range.start < offset {
                return Err(ParseError::SectionNotInOrder);
            }
            offset = range.end;
            if offset > bytes.len() {
                return Err(ParseError::OutOfBounds);
            }
        }
        let section_names = (header.e_shstrndx != 0)
            .then(|| {
                sections
                    .get(usize::from(header.e_shstrndx))
                    .cloned()
                    .ok_or(ParseError::OutOfBounds)
            })
            .transpose()?;
        let mut elf = Elf {
            bytes,
            header,
            program_headers,
            sections,
            section_names,
            symbol_table: None,
            symbol_names: None,
            dynamic_symbol_names: None,
            dynamic_relocations: None,
            dynamic_symbols: None,
        };
        elf.find_named_sections()?;
        elf.parse_dynamic()?;
        Ok(elf)
    }

    fn find_named_sections(&mut self) -> Result<(), ParseError> {
        let names = self
            .section_names
            .ok_or(ParseError::NoSectionNameStringTable)?;
        for section in &self.sections {
            let name = string_in(self.bytes, &names, section.sh_name, SECTION_NAME_MAX)?;
            let slot = match name {
                b".symtab" => &mut self.symbol_table,
                b".strtab" => &mut self.symbol_names,
                b".dynstr" => &mut self.dynamic_symbol_names,
                _ => continue,
            };
            if slot.is_some() {
                return Err(ParseError::InvalidSectionHeader);
            }
            *slot = Some(*section);
        }
        Ok(())
    }

    fn parse_dynamic(&mut self) -> Result<(), ParseError> {
        let from_segment = self
            .program_headers
            .iter()
            .find(|segment| segment.p_type == PT_DYNAMIC)
            .and_then(|segment| {
                let range = checked_range(segment.p_offset, segment.p_filesz).ok()?;
                table::<Dyn, _>(self.bytes, range, DYN_SIZE).ok()
            });
        let entries = match from_segment {
            Some(entries) => entries,
            None => match self
                .sections
                .iter()
                .find(|section| section.sh_type == SHT_DYNAMIC)
            {
                Some(section) => checked_range(section.sh_offset, section.sh_size)
                    .and_then(|range| table::<Dyn, _>(self.bytes, range, DYN_SIZE))
                    .map_err(|_| ParseError::InvalidDynamicSectionTable)?,
                None => return Ok(()),
            },
        };
        let mut dynamic = [0u64; DT_NUM];
        for entry in entries {
            if entry.d_tag == DT_NULL {
                break;
            }
            if let Some(slot) = usize::try_from(entry.d_tag)
                .ok()
                .and_then(|tag| dynamic.get_mut(tag))
            {
                *slot = entry.d_val;
            }
        }
        self.dynamic_relocations = self.parse_relocations(&dynamic)?;
        self.dynamic_symbols = self.parse_dynamic_symbols(&dynamic)?;
        Ok(())
    }

    fn parse_relocations(&self, dynamic: &[u64; DT_NUM]) -> Result<Option<Vec<Rel>>, ParseError> {
        let vaddr = dynamic[DT_REL as usize];
        if vaddr == 0 {
            return Ok(None);
        }
        if dynamic[DT_RELENT as usize] != REL_SIZE as u64 {
            return Err(ParseError::InvalidDynamicSectionTable);
        }
        let size = dynamic[DT_RELSZ as usize];
        if size == 0 {
            return Err(ParseError::InvalidDynamicSectionTable);
        }
        let mut offset = None;
        for segment in &self.program_headers {
            let end = segment
                .p_vaddr
                .checked_add(segment.p_memsz)
                .ok_or(ParseError::OutOfBounds)?;
            if (segment.p_vaddr..end).contains(&vaddr) {
                let relative = vaddr
                    .checked_sub(segment.p_vaddr)
                    .ok_or(ParseError::OutOfBounds)?;
                offset = Some(
                    relative
                        .checked_add(segment.p_offset)
                        .ok_or(ParseError::OutOfBounds)?,
                );
                break;
            }
        }
        let offset = match offset {
            Some(offset) => offset,
            // Old toolchains put DT_REL outside every segment: fall back to the section headers.
            None => {
                self.sections
                    .iter()
                    .find(|section| section.sh_addr == vaddr)
                    .ok_or(ParseError::InvalidDynamicSectionTable)?
                    .sh_offset
            }
        };
        checked_range(offset, size)
            .and_then(|range| table::<Rel, _>(self.bytes, range, REL_SIZE))
            .map(Some)
            .map_err(|_| ParseError::InvalidDynamicSectionTable)
    }

    fn parse_dynamic_symbols(
        &self,
        dynamic: &[u64; DT_NUM],
    ) -> Result<Option<Vec<Sym>>, ParseError> {
        let vaddr = dynamic[DT_SYMTAB as usize];
        if vaddr == 0 {
            return Ok(None);
        }
        let section = self
            .sections
            .iter()
            .find(|section| section.sh_addr == vaddr)
            .ok_or(ParseError::InvalidDynamicSectionTable)?;
        symbols_of(self.bytes, section).map(Some)
    }

    /// A section's name (at most 16 bytes).
    pub fn section_name(&self, section: &SectionHeader) -> Result<&'a [u8], ParseError> {
        let names = self
            .section_names
            .as_ref()
            .ok_or(ParseError::NoSectionNameStringTable)?;
        string_in(self.bytes, names, section.sh_name, SECTION_NAME_MAX)
    }

    /// The first section with this name.
    pub fn section(&self, name: &[u8]) -> Option<&SectionHeader> {
        self.sections
            .iter()
            .find(|section| self.section_name(section).ok() == Some(name))
    }

    /// A dynamic symbol's name (at most 64 bytes).
    pub fn dynamic_symbol_name(&self, offset: u32) -> Result<&'a [u8], ParseError> {
        let names = self
            .dynamic_symbol_names
            .as_ref()
            .ok_or(ParseError::NoDynamicStringTable)?;
        string_in(self.bytes, names, offset, SYMBOL_NAME_MAX)
    }

    /// `.symtab` entries and their names, for labels (best effort).
    pub fn debug_symbols(&self) -> Vec<(Sym, &'a [u8])> {
        let (Some(table), Some(names)) = (&self.symbol_table, &self.symbol_names) else {
            return Vec::new();
        };
        let Ok(symbols) = symbols_of(self.bytes, table) else {
            return Vec::new();
        };
        symbols
            .into_iter()
            .filter_map(|symbol| {
                let name =
                    string_in(self.bytes, names, symbol.st_name, DEBUG_SYMBOL_NAME_MAX).ok()?;
                Some((symbol, name))
            })
            .collect()
    }
}

/// The symbols of a `SHT_SYMTAB` or `SHT_DYNSYM` section.
pub(crate) fn symbols_of(bytes: &[u8], section: &SectionHeader) -> Result<Vec<Sym>, ParseError> {
    if section.sh_type != SHT_SYMTAB && section.sh_type != SHT_DYNSYM {
        return Err(ParseError::InvalidSectionHeader);
    }
    table::<Sym, _>(
        bytes,
        checked_range(section.sh_offset, section.sh_size)?,
        SYM_SIZE,
    )
}
