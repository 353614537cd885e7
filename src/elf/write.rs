//! ELF output: an assembled program as a shared object the reference runtime loads.
//!
//! V0–V2 (the lenient loader's kind), every section at a file offset equal to its address:
//!
//! ```text
//! | ELF header | 3 program headers | .text | .rodata | .dynamic | .dynsym | .dynstr | .rel.dyn |
//! | .symtab | .strtab | .shstrtab | section headers |
//! ```
//!
//! Calls become `call -1` with an `R_BPF_64_32` relocation (to an undefined symbol: a syscall;
//! to a defined function: a bpf-to-bpf call). `lddw` of a read-only data label is an
//! `R_BPF_64_64` against the label's symbol, `lddw` of a text label an `R_BPF_64_RELATIVE` in
//! `.text`, and a `.quad label` in `.rodata` the old toolchains' `R_BPF_64_RELATIVE` outside
//! `.text`. So one program can show every relocation kind the loader knows.
//!
//! V3+ (SIMD-0189), no relocations: the file header, a read-only program header at vaddr 0
//! (when there is data), the text's at 0x1_0000_0000, then the bytes with every address already
//! filled in. Section headers with `.symtab` follow for the disassembler's labels; the strict
//! loader ignores them.

use crate::isa::asm::{Assembled, CallTarget, Site};
use crate::isa::hash::symbol_hash;
use crate::isa::syscall_names::KNOWN_SYSCALLS;
use crate::memory::MM_BYTECODE_START;
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
}

const EHDR: usize = 64;
const PHDR: usize = 56;
const SHDR: usize = 64;
const SYM: usize = 24;

/// Writes `assembled` as an ELF shared object for its version.
pub fn write_elf(assembled: &Assembled) -> Result<Vec<u8>, WriteError> {
    if assembled.version.enable_stricter_elf_headers() {
        write_strict(assembled)
    } else {
        write_lenient(assembled)
    }
}

fn align8(value: usize) -> usize {
    value.div_ceil(8) * 8
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}
fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}
fn put_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
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

fn file_header(out: &mut Vec<u8>, header: &Header) {
    out.extend_from_slice(b"\x7fELF");
    out.extend_from_slice(&[2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    put_u16(out, 3); // ET_DYN
    put_u16(out, 247); // EM_BPF
    put_u32(out, 1);
    put_u64(out, header.entry);
    put_u64(out, EHDR as u64);
    put_u64(out, header.shoff);
    put_u32(out, header.flags);
    put_u16(out, EHDR as u16);
    put_u16(out, PHDR as u16);
    put_u16(out, header.phnum);
    put_u16(out, SHDR as u16);
    put_u16(out, header.shnum);
    put_u16(out, header.shstrndx);
}

struct Segment {
    kind: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    size: u64,
}

fn program_header(out: &mut Vec<u8>, segment: &Segment) {
    put_u32(out, segment.kind);
    put_u32(out, segment.flags);
    put_u64(out, segment.offset);
    put_u64(out, segment.vaddr);
    put_u64(out, segment.vaddr);
    put_u64(out, segment.size);
    put_u64(out, segment.size);
    put_u64(out, 8);
}

#[derive(Default)]
struct SectionHeader {
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

fn section_header(out: &mut Vec<u8>, section: &SectionHeader) {
    put_u32(out, section.name);
    put_u32(out, section.kind);
    put_u64(out, section.flags);
    put_u64(out, section.addr);
    put_u64(out, section.offset);
    put_u64(out, section.size);
    put_u32(out, section.link);
    put_u32(out, section.info);
    put_u64(out, 8);
    put_u64(out, section.entsize);
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

fn symbol(out: &mut Vec<u8>, symbol: &Symbol) {
    put_u32(out, symbol.name);
    out.push(symbol.info);
    out.push(0);
    put_u16(out, symbol.section);
    put_u64(out, symbol.value);
    put_u64(out, 0);
}

const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const GLOBAL: u8 = 1 << 4;

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
        if let CallTarget::Function(pc) = call.target {
            let name = by_pc
                .get(&pc)
                .map_or_else(|| format!("function_{pc}"), |name| (*name).clone());
            names.entry(pc).or_insert(name);
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

/// `.symtab` entries (and their names) for the functions, the text at `text_address` in section
/// `section`.
fn debug_symbols(
    functions: &BTreeMap<usize, String>,
    text_address: u64,
    section: u16,
) -> (Vec<Symbol>, Strings) {
    let mut names = Strings::new();
    let mut symbols = vec![Symbol {
        name: 0,
        info: 0,
        section: 0,
        value: 0,
    }];
    for (pc, name) in functions {
        symbols.push(Symbol {
            name: names.add(name),
            info: GLOBAL | STT_FUNC,
            section,
            value: text_address + 8 * *pc as u64,
        });
    }
    (symbols, names)
}

/// The end of every file: `.symtab`, `.strtab`, `.shstrtab`, padding, the section headers.
fn write_tail(
    out: &mut Vec<u8>,
    symtab: &[Symbol],
    strtab: &Strings,
    shstrtab: &Strings,
    shoff: usize,
    sections: &[SectionHeader],
) {
    for entry in symtab {
        symbol(out, entry);
    }
    out.extend_from_slice(&strtab.bytes);
    out.extend_from_slice(&shstrtab.bytes);
    out.resize(shoff, 0);
    for section in sections {
        section_header(out, section);
    }
}

fn write_lenient(assembled: &Assembled) -> Result<Vec<u8>, WriteError> {
    const PHNUM: usize = 3;
    let text_off = EHDR + PHNUM * PHDR;
    let mut text = assembled.text.clone();
    let rodata_off = text_off + text.len();
    let mut rodata = assembled.rodata.clone();
    rodata.resize(align8(rodata.len()), 0);
    let addresses = Addresses {
        text: text_off as u64,
        rodata: rodata_off as u64,
    };
    let function_names = function_names(assembled);

    // Dynamic symbols and relocations.
    let mut dynstr = Strings::new();
    let mut dynsym: Vec<Symbol> = vec![Symbol {
        name: 0,
        info: 0,
        section: 0,
        value: 0,
    }];
    let mut symbol_index: BTreeMap<(String, u64), u32> = BTreeMap::new();
    let mut intern = |dynstr: &mut Strings,
                      dynsym: &mut Vec<Symbol>,
                      name: &str,
                      info: u8,
                      section: u16,
                      value: u64| {
        *symbol_index
            .entry((name.to_string(), value))
            .or_insert_with(|| {
                dynsym.push(Symbol {
                    name: dynstr.add(name),
                    info,
                    section,
                    value,
                });
                (dynsym.len() - 1) as u32
            })
    };
    let mut relocations: Vec<(u64, u32, u32)> = Vec::new();
    for call in &assembled.calls {
        let at = text_off + call.pc * 8;
        let index = match &call.target {
            CallTarget::Syscall { name, hash } => {
                let name = name
                    .clone()
                    .or_else(|| {
                        KNOWN_SYSCALLS
                            .iter()
                            .find(|known| symbol_hash(known) == *hash)
                            .map(|known| known.to_string())
                    })
                    .ok_or(WriteError::UnnamedSyscall {
                        hash: *hash,
                        pc: call.pc,
                    })?;
                intern(&mut dynstr, &mut dynsym, &name, GLOBAL | STT_FUNC, 0, 0)
            }
            CallTarget::Function(pc) => {
                let name = function_names
                    .get(pc)
                    .cloned()
                    .unwrap_or_else(|| format!("function_{pc}"));
                intern(
                    &mut dynstr,
                    &mut dynsym,
                    &name,
                    GLOBAL | STT_FUNC,
                    1,
                    addresses.text + 8 * *pc as u64,
                )
            }
        };
        patch(&mut text, at - text_off + 4, &(-1i32).to_le_bytes());
        relocations.push((at as u64, 10, index));
    }
    for reference in &assembled.references {
        let address = addresses.of(assembled, &reference.label)?;
        match reference.site {
            Site::Lddw(pc) if assembled.data_labels.contains_key(&reference.label) => {
                let index = intern(
                    &mut dynstr,
                    &mut dynsym,
                    &reference.label,
                    GLOBAL | STT_OBJECT,
                    2,
                    address,
                );
                relocations.push(((text_off + pc * 8) as u64, 1, index));
            }
            Site::Lddw(pc) => {
                patch(&mut text, pc * 8 + 4, &(address as u32).to_le_bytes());
                patch(
                    &mut text,
                    pc * 8 + 12,
                    &((address >> 32) as u32).to_le_bytes(),
                );
                relocations.push(((text_off + pc * 8) as u64, 8, 0));
            }
            Site::Rodata(offset) => {
                patch(&mut rodata, offset, &0u32.to_le_bytes());
                patch(&mut rodata, offset + 4, &(address as u32).to_le_bytes());
                relocations.push(((rodata_off + offset) as u64, 8, 0));
            }
        }
    }

    let dynamic_off = rodata_off + rodata.len();
    let dynamic_entries = if relocations.is_empty() { 6 } else { 9 };
    let dynsym_off = dynamic_off + dynamic_entries * 16;
    let dynstr_off = dynsym_off + dynsym.len() * SYM;
    let rel_off = align8(dynstr_off + dynstr.bytes.len());
    let symtab_off = rel_off + relocations.len() * 16;

    // Debug symbols and section names.
    let (symtab, strtab) = debug_symbols(&function_names, addresses.text, 1);
    let strtab_off = symtab_off + symtab.len() * SYM;
    let mut shstrtab = Strings::new();
    let names = [
        ".text",
        ".rodata",
        ".dynamic",
        ".dynsym",
        ".dynstr",
        ".rel.dyn",
        ".symtab",
        ".strtab",
        ".shstrtab",
    ]
    .map(|name| shstrtab.add(name));
    let shstrtab_off = strtab_off + strtab.bytes.len();
    let shoff = align8(shstrtab_off + shstrtab.bytes.len());
    let sections = [
        SectionHeader::default(),
        SectionHeader {
            name: names[0],
            kind: 1,
            flags: 6,
            addr: text_off as u64,
            offset: text_off as u64,
            size: text.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[1],
            kind: 1,
            flags: 2,
            addr: rodata_off as u64,
            offset: rodata_off as u64,
            size: rodata.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[2],
            kind: 6,
            flags: 2,
            addr: dynamic_off as u64,
            offset: dynamic_off as u64,
            size: (dynamic_entries * 16) as u64,
            link: 5,
            entsize: 16,
            ..Default::default()
        },
        SectionHeader {
            name: names[3],
            kind: 11,
            flags: 2,
            addr: dynsym_off as u64,
            offset: dynsym_off as u64,
            size: (dynsym.len() * SYM) as u64,
            link: 5,
            info: 1,
            entsize: SYM as u64,
        },
        SectionHeader {
            name: names[4],
            kind: 3,
            flags: 2,
            addr: dynstr_off as u64,
            offset: dynstr_off as u64,
            size: dynstr.bytes.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[5],
            kind: 9,
            flags: 2,
            addr: rel_off as u64,
            offset: rel_off as u64,
            size: (relocations.len() * 16) as u64,
            link: 4,
            entsize: 16,
            ..Default::default()
        },
        SectionHeader {
            name: names[6],
            kind: 2,
            offset: symtab_off as u64,
            size: (symtab.len() * SYM) as u64,
            link: 8,
            info: 1,
            entsize: SYM as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[7],
            kind: 3,
            offset: strtab_off as u64,
            size: strtab.bytes.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[8],
            kind: 3,
            offset: shstrtab_off as u64,
            size: shstrtab.bytes.len() as u64,
            ..Default::default()
        },
    ];

    let mut out = Vec::with_capacity(shoff + sections.len() * SHDR);
    file_header(
        &mut out,
        &Header {
            entry: (text_off + 8 * assembled.entry_pc) as u64,
            flags: assembled.version.e_flags().unwrap_or(0),
            phnum: PHNUM as u16,
            shoff: shoff as u64,
            shnum: sections.len() as u16,
            shstrndx: (sections.len() - 1) as u16,
        },
    );
    let code_size = (rodata_off + rodata.len() - text_off) as u64;
    let data_size = (symtab_off - dynamic_off) as u64;
    program_header(
        &mut out,
        &Segment {
            kind: 1,
            flags: 5,
            offset: text_off as u64,
            vaddr: text_off as u64,
            size: code_size,
        },
    );
    program_header(
        &mut out,
        &Segment {
            kind: 1,
            flags: 4,
            offset: dynamic_off as u64,
            vaddr: dynamic_off as u64,
            size: data_size,
        },
    );
    program_header(
        &mut out,
        &Segment {
            kind: 2,
            flags: 4,
            offset: dynamic_off as u64,
            vaddr: dynamic_off as u64,
            size: (dynamic_entries * 16) as u64,
        },
    );
    out.extend_from_slice(&text);
    out.extend_from_slice(&rodata);
    let mut dynamic = vec![
        (6u64, dynsym_off as u64),
        (5, dynstr_off as u64),
        (10, dynstr.bytes.len() as u64),
        (11, SYM as u64),
    ];
    if !relocations.is_empty() {
        dynamic.extend([
            (17, rel_off as u64),
            (18, (relocations.len() * 16) as u64),
            (19, 16),
        ]);
    }
    dynamic.extend([(30, 0), (0, 0)]);
    for (tag, value) in dynamic {
        put_u64(&mut out, tag);
        put_u64(&mut out, value);
    }
    for entry in &dynsym {
        symbol(&mut out, entry);
    }
    out.extend_from_slice(&dynstr.bytes);
    out.resize(rel_off, 0);
    for (offset, kind, index) in &relocations {
        put_u64(&mut out, *offset);
        put_u64(&mut out, (u64::from(*index) << 32) | u64::from(*kind));
    }
    write_tail(&mut out, &symtab, &strtab, &shstrtab, shoff, &sections);
    Ok(out)
}

fn write_strict(assembled: &Assembled) -> Result<Vec<u8>, WriteError> {
    let has_rodata = !assembled.rodata.is_empty();
    let phnum = if has_rodata { 2 } else { 1 };
    let rodata_off = EHDR + phnum * PHDR;
    let mut rodata = assembled.rodata.clone();
    rodata.resize(align8(rodata.len()), 0);
    let text_off = rodata_off + rodata.len();
    let mut text = assembled.text.clone();
    let addresses = Addresses {
        text: MM_BYTECODE_START,
        rodata: 0,
    };
    for reference in &assembled.references {
        let address = addresses.of(assembled, &reference.label)?;
        match reference.site {
            Site::Lddw(pc) => {
                patch(&mut text, pc * 8 + 4, &(address as u32).to_le_bytes());
                patch(
                    &mut text,
                    pc * 8 + 12,
                    &((address >> 32) as u32).to_le_bytes(),
                );
            }
            Site::Rodata(offset) => patch(&mut rodata, offset, &address.to_le_bytes()),
        }
    }
    // Section headers for the disassembler's labels (the strict loader ignores them).
    let (symtab, strtab) = debug_symbols(&function_names(assembled), MM_BYTECODE_START, 2);
    let symtab_off = text_off + text.len();
    let strtab_off = symtab_off + symtab.len() * SYM;
    let mut shstrtab = Strings::new();
    let names =
        [".rodata", ".text", ".symtab", ".strtab", ".shstrtab"].map(|name| shstrtab.add(name));
    let shstrtab_off = strtab_off + strtab.bytes.len();
    let shoff = align8(shstrtab_off + shstrtab.bytes.len());
    // Sections in file order: the read-only data comes before the text.
    let sections = [
        SectionHeader::default(),
        SectionHeader {
            name: names[0],
            kind: 1,
            flags: 2,
            addr: 0,
            offset: rodata_off as u64,
            size: rodata.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[1],
            kind: 1,
            flags: 6,
            addr: MM_BYTECODE_START,
            offset: text_off as u64,
            size: text.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[2],
            kind: 2,
            offset: symtab_off as u64,
            size: (symtab.len() * SYM) as u64,
            link: 4,
            info: 1,
            entsize: SYM as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[3],
            kind: 3,
            offset: strtab_off as u64,
            size: strtab.bytes.len() as u64,
            ..Default::default()
        },
        SectionHeader {
            name: names[4],
            kind: 3,
            offset: shstrtab_off as u64,
            size: shstrtab.bytes.len() as u64,
            ..Default::default()
        },
    ];
    let mut out = Vec::with_capacity(shoff + sections.len() * SHDR);
    file_header(
        &mut out,
        &Header {
            entry: MM_BYTECODE_START + 8 * assembled.entry_pc as u64,
            flags: assembled.version.e_flags().unwrap_or(0),
            phnum: phnum as u16,
            shoff: shoff as u64,
            shnum: sections.len() as u16,
            shstrndx: (sections.len() - 1) as u16,
        },
    );
    if has_rodata {
        program_header(
            &mut out,
            &Segment {
                kind: 1,
                flags: 4,
                offset: rodata_off as u64,
                vaddr: 0,
                size: rodata.len() as u64,
            },
        );
    }
    program_header(
        &mut out,
        &Segment {
            kind: 1,
            flags: 1,
            offset: text_off as u64,
            vaddr: MM_BYTECODE_START,
            size: text.len() as u64,
        },
    );
    out.extend_from_slice(&rodata);
    out.extend_from_slice(&text);
    write_tail(&mut out, &symtab, &strtab, &shstrtab, shoff, &sections);
    Ok(out)
}
