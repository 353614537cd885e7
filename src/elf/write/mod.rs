//! ELF output: an assembled program as a shared object the reference runtime loads.
//!
//! V0–V2 (the lenient loader's kind), every section at a file offset equal to its address:
//!
//! ```text
//! | ELF header | 3 program headers | .text | .rodata | .dynamic | .dynsym | .dynstr | .rel.dyn |
//! | .symtab | .strtab | .shstrtab | section headers |
//! ```
//!
//! Calls become `call -1` (keeping their `src` field) with an `R_BPF_64_32` relocation (to an
//! undefined symbol: a syscall; to a defined function: a bpf-to-bpf call; a `hashcall LABEL`
//! against the label itself, since the loader derives the key from the name). `lddw` of a
//! read-only data label is an `R_BPF_64_64` against the label's symbol, `lddw` of a text label
//! an `R_BPF_64_RELATIVE` in `.text`, and a `.quad label` in `.rodata` the old toolchains'
//! `R_BPF_64_RELATIVE` outside `.text`. So one program can show every relocation kind the loader
//! knows.
//!
//! V3+ (SIMD-0189), no relocations: the file header, a read-only program header at vaddr 0
//! (when there is data), the text's at 0x1_0000_0000, then the bytes with every address already
//! filled in. Section headers with `.symtab` follow for the disassembler's labels; the strict
//! loader ignores them.

mod lenient;
mod strict;

use super::format::{
    global, DYN_SIZE, EHDR_SIZE as EHDR, EI_CLASS, EI_DATA, EI_VERSION, ELFCLASS64, ELFDATA2LSB,
    ELFMAG, EM_BPF, ET_DYN, EV_CURRENT, PHDR_SIZE as PHDR, REL_SIZE, SELFMAG, SHDR_SIZE as SHDR,
    SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB, SIZEOF_IDENT, STT_FUNC,
    SYM_SIZE as SYM,
};
use crate::isa::asm::{Assembled, CallTarget};
use goblin::elf64::dynamic::Dyn;
use goblin::elf64::header::Header as FileHeader;
use goblin::elf64::program_header::ProgramHeader;
use goblin::elf64::reloc::{r_info, Rel};
use goblin::elf64::section_header::SectionHeader;
use goblin::elf64::sym::Sym;
use scroll::ctx::TryIntoCtx;
use scroll::{Endian, Pwrite, LE};
use std::collections::BTreeMap;

/// The program cannot be written as ELF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// Before V3 a syscall is linked by name; this one was given as a bare number.
    #[error("syscall {hash:#010x} at instruction {pc} has no name; ELF output before V3 links syscalls by name")]
    UnnamedSyscall {
        /// The hash.
        hash: u32,
        /// Instruction index.
        pc: usize,
    },
    /// A reference to a label that does not exist.
    #[error("label {0:?} is not defined")]
    UnknownLabel(String),
    /// An ELF record the encoder refused (never expected: each is written into room of its size).
    #[error("an ELF record could not be encoded: {0}")]
    Record(String),
}

/// Writes `assembled` as an ELF shared object for its version.
pub fn write_elf(assembled: &Assembled) -> Result<Vec<u8>, WriteError> {
    if assembled.version.enable_stricter_elf_headers() {
        strict::write_strict(assembled)
    } else {
        lenient::write_lenient(assembled)
    }
}

fn align8(value: usize) -> usize {
    value.div_ceil(8) * 8
}

/// Appends one ELF64 record of `size` bytes in goblin's layout (the one the loader reads),
/// little-endian.
fn put<T, E>(out: &mut Vec<u8>, record: T, size: usize) -> Result<(), WriteError>
where
    T: TryIntoCtx<Endian, Error = E>,
    E: From<scroll::Error> + std::fmt::Debug,
{
    let at = out.len();
    out.resize(at + size, 0);
    // A record always fits the room of its own size; should the encoder refuse one anyway, the
    // output is refused rather than written with a hole.
    out.pwrite_with(record, at, LE)
        .map(|_| ())
        .map_err(|error| WriteError::Record(format!("{error:?}")))
}
fn patch(out: &mut [u8], at: usize, bytes: &[u8]) {
    out[at..at + bytes.len()].copy_from_slice(bytes);
}

struct Header {
    entry: u64,
    flags: u32,
    phnum: u16,
    shoff: u64,
    shnum: u16,
    shstrndx: u16,
}

fn file_header(out: &mut Vec<u8>, header: &Header) -> Result<(), WriteError> {
    let mut ident = [0u8; SIZEOF_IDENT];
    ident[..SELFMAG].copy_from_slice(ELFMAG);
    ident[EI_CLASS] = ELFCLASS64;
    ident[EI_DATA] = ELFDATA2LSB;
    ident[EI_VERSION] = EV_CURRENT;
    put(
        out,
        FileHeader {
            e_ident: ident,
            e_type: ET_DYN,
            e_machine: EM_BPF,
            e_version: u32::from(EV_CURRENT),
            e_entry: header.entry,
            e_phoff: EHDR as u64,
            e_shoff: header.shoff,
            e_flags: header.flags,
            e_ehsize: EHDR as u16,
            e_phentsize: PHDR as u16,
            e_phnum: header.phnum,
            e_shentsize: SHDR as u16,
            e_shnum: header.shnum,
            e_shstrndx: header.shstrndx,
        },
        EHDR,
    )
}

/// A segment as the layouts give it: loaded where it lies (physical address = virtual, memory
/// size = file size), 8-aligned; written as goblin's `ProgramHeader`.
struct Segment {
    kind: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    size: u64,
}

fn program_header(out: &mut Vec<u8>, segment: &Segment) -> Result<(), WriteError> {
    put(
        out,
        ProgramHeader {
            p_type: segment.kind,
            p_flags: segment.flags,
            p_offset: segment.offset,
            p_vaddr: segment.vaddr,
            p_paddr: segment.vaddr,
            p_filesz: segment.size,
            p_memsz: segment.size,
            p_align: 8,
        },
        PHDR,
    )
}

/// A section as the layouts give it, 8-aligned; written as goblin's `SectionHeader`.
#[derive(Default)]
struct Section {
    name: u32,
    kind: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    entsize: u64,
}

/// Flags of `.text` (alloc, exec) and of `.rodata` and the other loaded sections (alloc).
const TEXT_FLAGS: u64 = (SHF_ALLOC | SHF_EXECINSTR) as u64;
const ALLOC_FLAGS: u64 = SHF_ALLOC as u64;

/// A `PROGBITS` section (`.text`, `.rodata`) of `size` bytes at file `offset` and `addr`.
fn progbits(name: u32, flags: u64, addr: u64, offset: usize, size: usize) -> Section {
    Section {
        name,
        kind: SHT_PROGBITS,
        flags,
        addr,
        offset: offset as u64,
        size: size as u64,
        ..Default::default()
    }
}

fn section_header(out: &mut Vec<u8>, section: &Section) -> Result<(), WriteError> {
    put(
        out,
        SectionHeader {
            sh_name: section.name,
            sh_type: section.kind,
            sh_flags: section.flags,
            sh_addr: section.addr,
            sh_offset: section.offset,
            sh_size: section.size,
            sh_link: section.link,
            sh_info: section.info,
            sh_addralign: 8,
            sh_entsize: section.entsize,
        },
        SHDR,
    )
}

/// A string table under construction.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    offsets: BTreeMap<String, u32>,
}

impl Strings {
    fn new() -> Self {
        Strings {
            bytes: vec![0],
            offsets: BTreeMap::new(),
        }
    }
    fn add(&mut self, name: &str) -> u32 {
        if let Some(offset) = self.offsets.get(name) {
            return *offset;
        }
        let offset = self.bytes.len() as u32;
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(0);
        self.offsets.insert(name.to_string(), offset);
        offset
    }
}

struct Symbol {
    name: u32,
    info: u8,
    section: u16,
    value: u64,
}

fn symbol(out: &mut Vec<u8>, symbol: &Symbol) -> Result<(), WriteError> {
    put(
        out,
        Sym {
            st_name: symbol.name,
            st_info: symbol.info,
            st_other: 0,
            st_shndx: symbol.section,
            st_value: symbol.value,
            st_size: 0,
        },
        SYM,
    )
}

/// A dynamic-table entry.
fn dynamic_entry(out: &mut Vec<u8>, d_tag: u64, d_val: u64) -> Result<(), WriteError> {
    put(out, Dyn { d_tag, d_val }, DYN_SIZE)
}

/// A relocation of `kind` at `offset` against dynamic symbol `index`.
fn relocation(out: &mut Vec<u8>, offset: u64, kind: u32, index: u32) -> Result<(), WriteError> {
    put(
        out,
        Rel {
            r_offset: offset,
            r_info: r_info(u64::from(index), u64::from(kind)),
        },
        REL_SIZE,
    )
}

/// Names of the text's functions by instruction index: registered functions, call targets and
/// the entry point.
fn function_names(assembled: &Assembled) -> BTreeMap<usize, String> {
    let mut names = BTreeMap::new();
    for function in &assembled.functions {
        names.insert(function.pc, function.name.clone());
    }
    let by_pc: BTreeMap<usize, &String> = assembled
        .labels
        .iter()
        .map(|(name, pc)| (*pc, name))
        .collect();
    for call in &assembled.calls {
        match &call.target {
            CallTarget::Function(pc) => {
                let name = by_pc
                    .get(pc)
                    .map_or_else(|| format!("function_{pc}"), |name| (*name).clone());
                names.entry(*pc).or_insert(name);
            }
            CallTarget::Keyed { pc, name } => {
                names.entry(*pc).or_insert_with(|| name.clone());
            }
            CallTarget::Syscall { .. } => {}
        }
    }
    names
        .entry(assembled.entry_pc)
        .or_insert_with(|| "entrypoint".to_string());
    names
}

/// Where a label is, once laid out: file-relative addresses of text and read-only data.
struct Addresses {
    text: u64,
    rodata: u64,
}

impl Addresses {
    fn of(&self, assembled: &Assembled, label: &str) -> Result<u64, WriteError> {
        if let Some(pc) = assembled.labels.get(label) {
            return Ok(self.text + 8 * *pc as u64);
        }
        if let Some(offset) = assembled.data_labels.get(label) {
            return Ok(self.rodata + *offset as u64);
        }
        Err(WriteError::UnknownLabel(label.to_string()))
    }
}

/// What ends every file, whatever the layout: `.symtab` (the functions, for the
/// disassembler's labels), `.strtab`, `.shstrtab` and the section headers.
struct Tail {
    symtab: Vec<Symbol>,
    strtab: Strings,
    shstrtab: Strings,
    symtab_off: usize,
    strtab_off: usize,
    shstrtab_off: usize,
    /// Where the section headers start.
    shoff: usize,
    /// `.shstrtab` offsets of the names `.symtab`, `.strtab`, `.shstrtab`.
    names: [u32; 3],
}

impl Tail {
    /// The tail at file offset `symtab_off`, for functions in the text at `text_address`
    /// (section `text_section`). `layout_names` are the layout's own section names, which come
    /// first in `.shstrtab`; their offsets are returned in the same order.
    fn new<const N: usize>(
        functions: &BTreeMap<usize, String>,
        text_address: u64,
        text_section: u16,
        layout_names: [&str; N],
        symtab_off: usize,
    ) -> (Tail, [u32; N]) {
        let mut strtab = Strings::new();
        let mut symtab = vec![Symbol {
            name: 0,
            info: 0,
            section: 0,
            value: 0,
        }];
        for (pc, name) in functions {
            symtab.push(Symbol {
                name: strtab.add(name),
                info: global(STT_FUNC),
                section: text_section,
                value: text_address + 8 * *pc as u64,
            });
        }
        let mut shstrtab = Strings::new();
        let layout = layout_names.map(|name| shstrtab.add(name));
        let names = [".symtab", ".strtab", ".shstrtab"].map(|name| shstrtab.add(name));
        let strtab_off = symtab_off + symtab.len() * SYM;
        let shstrtab_off = strtab_off + strtab.bytes.len();
        let shoff = align8(shstrtab_off + shstrtab.bytes.len());
        let tail = Tail {
            symtab,
            strtab,
            shstrtab,
            symtab_off,
            strtab_off,
            shstrtab_off,
            shoff,
            names,
        };
        (tail, layout)
    }

    /// The section headers of `.symtab` (at index `symtab_index`), `.strtab` and `.shstrtab`.
    fn headers(&self, symtab_index: u32) -> [Section; 3] {
        [
            Section {
                name: self.names[0],
                kind: SHT_SYMTAB,
                offset: self.symtab_off as u64,
                size: (self.symtab.len() * SYM) as u64,
                link: symtab_index + 1,
                info: 1,
                entsize: SYM as u64,
                ..Default::default()
            },
            Section {
                name: self.names[1],
                kind: SHT_STRTAB,
                offset: self.strtab_off as u64,
                size: self.strtab.bytes.len() as u64,
                ..Default::default()
            },
            Section {
                name: self.names[2],
                kind: SHT_STRTAB,
                offset: self.shstrtab_off as u64,
                size: self.shstrtab.bytes.len() as u64,
                ..Default::default()
            },
        ]
    }

    /// The file header for `sections` (the last of which is `.shstrtab`).
    fn file_header(
        &self,
        out: &mut Vec<u8>,
        assembled: &Assembled,
        entry: u64,
        phnum: usize,
        sections: &[Section],
    ) -> Result<(), WriteError> {
        file_header(
            out,
            &Header {
                entry,
                flags: assembled.version.e_flags().unwrap_or(0),
                phnum: phnum as u16,
                shoff: self.shoff as u64,
                shnum: sections.len() as u16,
                shstrndx: sections.len().saturating_sub(1) as u16,
            },
        )
    }

    /// Appends the tables, the padding and the section headers.
    fn write(&self, out: &mut Vec<u8>, sections: &[Section]) -> Result<(), WriteError> {
        for entry in &self.symtab {
            symbol(out, entry)?;
        }
        out.extend_from_slice(&self.strtab.bytes);
        out.extend_from_slice(&self.shstrtab.bytes);
        out.resize(self.shoff, 0);
        for section in sections {
            section_header(out, section)?;
        }
        Ok(())
    }
}
