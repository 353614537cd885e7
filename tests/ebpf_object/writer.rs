//! A small writer of relocatable eBPF objects, so the loader's tests need no clang: ELF64
//! little-endian `ET_REL` files laid out as the ELF specification (System V gABI, "Object
//! Files") describes, and `.BTF` sections built as the kernel's `Documentation/bpf/btf.rst`
//! describes.

#![allow(dead_code)]

use goblin::elf::header::{EM_BPF, ET_REL};
use goblin::elf::section_header::{
    SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_STRTAB, SHT_SYMTAB,
};
use goblin::elf::sym::{STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_OBJECT, STT_SECTION};

/// `R_BPF_64_64` (kernel `Documentation/bpf/llvm_reloc.rst`).
pub const R_BPF_64_64: u32 = 1;
/// `R_BPF_64_ABS64`.
pub const R_BPF_64_ABS64: u32 = 2;
/// `R_BPF_64_NODYLD32`.
pub const R_BPF_64_NODYLD32: u32 = 4;
/// `R_BPF_64_32`.
pub const R_BPF_64_32: u32 = 10;

/// One instruction: opcode, registers, offset, immediate (RFC 9669 §3 encoding).
pub fn insn(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> [u8; 8] {
    let mut bytes = [0; 8];
    bytes[0] = opcode;
    bytes[1] = (src << 4) | (dst & 0x0f);
    bytes[2..4].copy_from_slice(&off.to_le_bytes());
    bytes[4..8].copy_from_slice(&imm.to_le_bytes());
    bytes
}

/// Instructions concatenated.
pub fn code(insns: &[[u8; 8]]) -> Vec<u8> {
    insns.concat()
}

/// A string table under construction: `\0` first, then each added name.
#[derive(Default)]
pub struct StrTab {
    pub bytes: Vec<u8>,
}

impl StrTab {
    pub fn new() -> StrTab {
        StrTab { bytes: vec![0] }
    }

    /// Adds `name` and returns its offset (`""` is offset 0).
    pub fn add(&mut self, name: &str) -> u32 {
        if name.is_empty() {
            return 0;
        }
        let offset = self.bytes.len() as u32;
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(0);
        offset
    }
}

/// One section header with its contents, every field explicit.
#[derive(Clone)]
pub struct RawSection {
    pub name: u32,
    pub sh_type: u32,
    pub flags: u64,
    pub link: u32,
    pub info: u32,
    pub entsize: u64,
    pub data: Vec<u8>,
    /// For `SHT_NOBITS`: the size (no bytes are written).
    pub nobits_size: u64,
}

impl RawSection {
    /// A section with no link, info or entry size.
    pub fn new(name: u32, sh_type: u32, flags: u32, data: Vec<u8>) -> RawSection {
        RawSection {
            name,
            sh_type,
            flags: u64::from(flags),
            link: 0,
            info: 0,
            entsize: 0,
            data,
            nobits_size: 0,
        }
    }

    /// The same with `sh_link`, `sh_info` and `sh_entsize`.
    pub fn linked(self, link: u32, info: u32, entsize: u64) -> RawSection {
        RawSection {
            link,
            info,
            entsize,
            ..self
        }
    }
}

/// Writes the file: header, the contents of sections 1.. (8-aligned), then the section
/// header table (with the null section first).
pub fn write_elf(e_type: u16, machine: u16, sections: &[RawSection], shstrndx: u16) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    let mut offsets = Vec::new();
    for section in sections {
        while out.len() % 8 != 0 {
            out.push(0);
        }
        offsets.push(out.len() as u64);
        if section.sh_type != SHT_NOBITS {
            out.extend_from_slice(&section.data);
        }
    }
    while out.len() % 8 != 0 {
        out.push(0);
    }
    let shoff = out.len() as u64;
    out.extend_from_slice(&[0; 64]);
    for (section, offset) in sections.iter().zip(offsets) {
        let size = if section.sh_type == SHT_NOBITS {
            section.nobits_size
        } else {
            section.data.len() as u64
        };
        out.extend_from_slice(&section.name.to_le_bytes());
        out.extend_from_slice(&section.sh_type.to_le_bytes());
        out.extend_from_slice(&section.flags.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // sh_addr
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&section.link.to_le_bytes());
        out.extend_from_slice(&section.info.to_le_bytes());
        out.extend_from_slice(&8u64.to_le_bytes()); // sh_addralign
        out.extend_from_slice(&section.entsize.to_le_bytes());
    }
    // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE.
    out[..8].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    out[16..18].copy_from_slice(&e_type.to_le_bytes());
    out[18..20].copy_from_slice(&machine.to_le_bytes());
    out[20..24].copy_from_slice(&1u32.to_le_bytes()); // e_version
    out[40..48].copy_from_slice(&shoff.to_le_bytes());
    out[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    out[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out[60..62].copy_from_slice(&((sections.len() + 1) as u16).to_le_bytes());
    out[62..64].copy_from_slice(&shstrndx.to_le_bytes());
    out
}

/// One `Elf64_Sym`.
pub fn sym_bytes(name: u32, info: u8, shndx: u16, value: u64, size: u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(24);
    bytes.extend_from_slice(&name.to_le_bytes());
    bytes.push(info);
    bytes.push(0);
    bytes.extend_from_slice(&shndx.to_le_bytes());
    bytes.extend_from_slice(&value.to_le_bytes());
    bytes.extend_from_slice(&size.to_le_bytes());
    bytes
}

/// What kind of section [`ObjectBuilder::section`] adds.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `AX` PROGBITS: code.
    Code,
    /// `A` PROGBITS: read-only data.
    ReadOnly,
    /// `WA` PROGBITS: writable data.
    Writable,
    /// No flags PROGBITS: metadata (`.BTF`, `license`…).
    Plain,
}

struct Section {
    name: String,
    kind: Kind,
    data: Vec<u8>,
    nobits: Option<u64>,
}

struct Symbol {
    name: String,
    info: u8,
    section: u16,
    value: u64,
    size: u64,
}

struct Relocation {
    section: usize,
    offset: u64,
    symbol: usize,
    r_type: u32,
}

/// A relocatable object under construction, laid out as clang's: the sections added (indices
/// from 1), then one `.rel<name>` per relocated section, `.symtab`, `.strtab`, `.shstrtab`.
pub struct ObjectBuilder {
    sections: Vec<Section>,
    symbols: Vec<Symbol>,
    relocations: Vec<Relocation>,
    pub e_type: u16,
    pub machine: u16,
}

impl Default for ObjectBuilder {
    fn default() -> Self {
        ObjectBuilder::new()
    }
}

impl ObjectBuilder {
    pub fn new() -> ObjectBuilder {
        ObjectBuilder {
            sections: Vec::new(),
            symbols: Vec::new(),
            relocations: Vec::new(),
            e_type: ET_REL,
            machine: EM_BPF,
        }
    }

    /// Adds a section; returns its index.
    pub fn section(&mut self, name: &str, kind: Kind, data: Vec<u8>) -> usize {
        self.sections.push(Section {
            name: name.into(),
            kind,
            data,
            nobits: None,
        });
        self.sections.len()
    }

    /// Adds a `WA` NOBITS section of `size` bytes; returns its index.
    pub fn bss(&mut self, name: &str, size: u64) -> usize {
        self.sections.push(Section {
            name: name.into(),
            kind: Kind::Writable,
            data: Vec::new(),
            nobits: Some(size),
        });
        self.sections.len()
    }

    /// Adds a symbol; returns its index in the table (the null symbol is 0).
    pub fn symbol(&mut self, name: &str, info: u8, section: usize, value: u64, size: u64) -> usize {
        self.symbols.push(Symbol {
            name: name.into(),
            info,
            section: section as u16,
            value,
            size,
        });
        self.symbols.len()
    }

    /// A global function.
    pub fn function(&mut self, name: &str, section: usize, value: u64) -> usize {
        self.symbol(name, (STB_GLOBAL << 4) | STT_FUNC, section, value, 0)
    }

    /// A static function.
    pub fn static_function(&mut self, name: &str, section: usize, value: u64) -> usize {
        self.symbol(name, (STB_LOCAL << 4) | STT_FUNC, section, value, 0)
    }

    /// A global variable.
    pub fn object(&mut self, name: &str, section: usize, value: u64, size: u64) -> usize {
        self.symbol(name, (STB_GLOBAL << 4) | STT_OBJECT, section, value, size)
    }

    /// The section symbol of `section`.
    pub fn section_symbol(&mut self, section: usize) -> usize {
        self.symbol("", (STB_LOCAL << 4) | STT_SECTION, section, 0, 0)
    }

    /// A relocation of `section` at byte `offset` against symbol `symbol`.
    pub fn relocation(&mut self, section: usize, offset: u64, symbol: usize, r_type: u32) {
        self.relocations.push(Relocation {
            section,
            offset,
            symbol,
            r_type,
        });
    }

    /// The file.
    pub fn build(&self) -> Vec<u8> {
        let mut shstrtab = StrTab::new();
        let mut strtab = StrTab::new();
        let mut raw: Vec<RawSection> = self
            .sections
            .iter()
            .map(|section| {
                let (sh_type, flags): (u32, u32) = match (section.nobits, section.kind) {
                    (Some(_), _) => (SHT_NOBITS, SHF_ALLOC | SHF_WRITE),
                    (None, Kind::Code) => (SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR),
                    (None, Kind::ReadOnly) => (SHT_PROGBITS, SHF_ALLOC),
                    (None, Kind::Writable) => (SHT_PROGBITS, SHF_ALLOC | SHF_WRITE),
                    (None, Kind::Plain) => (SHT_PROGBITS, 0),
                };
                RawSection {
                    nobits_size: section.nobits.unwrap_or(0),
                    ..RawSection::new(
                        shstrtab.add(&section.name),
                        sh_type,
                        flags,
                        section.data.clone(),
                    )
                }
            })
            .collect();
        let mut relocated: Vec<usize> = self.relocations.iter().map(|r| r.section).collect();
        relocated.sort();
        relocated.dedup();
        let symtab_index = raw.len() + relocated.len() + 1;
        for &target in &relocated {
            let mut data = Vec::new();
            for relocation in self.relocations.iter().filter(|r| r.section == target) {
                data.extend_from_slice(&relocation.offset.to_le_bytes());
                let info = ((relocation.symbol as u64) << 32) | u64::from(relocation.r_type);
                data.extend_from_slice(&info.to_le_bytes());
            }
            let name = format!(".rel{}", self.sections[target - 1].name);
            let section = RawSection::new(shstrtab.add(&name), SHT_REL, 0, data);
            raw.push(section.linked(symtab_index as u32, target as u32, 16));
        }
        let mut symtab = sym_bytes(0, 0, 0, 0, 0);
        for symbol in &self.symbols {
            let name = strtab.add(&symbol.name);
            symtab.extend(sym_bytes(
                name,
                symbol.info,
                symbol.section,
                symbol.value,
                symbol.size,
            ));
        }
        let symtab_section = RawSection::new(shstrtab.add(".symtab"), SHT_SYMTAB, 0, symtab);
        raw.push(symtab_section.linked((symtab_index + 1) as u32, 1, 24));
        let strtab_name = shstrtab.add(".strtab");
        raw.push(RawSection::new(strtab_name, SHT_STRTAB, 0, strtab.bytes));
        let shstrtab_name = shstrtab.add(".shstrtab");
        raw.push(RawSection::new(
            shstrtab_name,
            SHT_STRTAB,
            0,
            shstrtab.bytes,
        ));
        let shstrndx = raw.len() as u16;
        write_elf(self.e_type, self.machine, &raw, shstrndx)
    }
}

/// The object the conformance runner's `--elf` writes (`bpf_conformance` `bpf_writer.cc`,
/// through ELFIO): `.shstrtab` at index 1 holding every name, `.symtab` at 2 with
/// `sh_link = 1`, the program in `.text` at 3 with one global function `main`, no `.strtab`.
pub fn runner_object(text: &[u8]) -> Vec<u8> {
    let mut names = StrTab::new();
    let shstrtab_name = names.add(".shstrtab");
    let symtab_name = names.add(".symtab");
    let text_name = names.add(".text");
    let main = names.add("main");
    let mut symtab = sym_bytes(0, 0, 0, 0, 0);
    symtab.extend(sym_bytes(
        main,
        (STB_GLOBAL << 4) | STT_FUNC,
        3,
        0,
        text.len() as u64,
    ));
    let sections = [
        RawSection::new(shstrtab_name, SHT_STRTAB, 0, names.bytes.clone()),
        RawSection::new(symtab_name, SHT_SYMTAB, 0, symtab).linked(1, 1, 24),
        RawSection::new(
            text_name,
            SHT_PROGBITS,
            SHF_ALLOC | SHF_EXECINSTR,
            text.to_vec(),
        ),
    ];
    write_elf(ET_REL, EM_BPF, &sections, 1)
}

/// The offset of section `index`'s header in `file` (from `e_shoff`).
pub fn section_header_offset(file: &[u8], index: usize) -> usize {
    let shoff = u64::from_le_bytes(file[40..48].try_into().unwrap()) as usize;
    shoff + 64 * index
}
