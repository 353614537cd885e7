//! Relocatable objects from `clang -target bpf -c`: programs, maps and global data read from
//! an `ET_REL`/`EM_BPF` ELF file, and one program linked into runnable text.
//!
//! ```text
//!   bytes ─▶ parse_object ─▶ EbpfObject ─▶ link(section) ─▶ LinkedProgram
//!            sections.rs    header checks; each section's role and bytes
//!            symbols.rs     symbols, named through the symbol table's sh_link
//!            contents.rs    data sections; maps (legacy_maps.rs, btf.rs + btf_maps.rs);
//!                           license; code sections with their function starts
//!            relocate.rs    each code relocation resolved once
//!            slots.rs       instruction slots read and patched (checked)
//!                                            link.rs: lay out functions, patch calls, lddw
//! ```
//!
//! What an object holds, and where the runtime puts it:
//!
//! - **Programs**: every executable section other than `.text` (`kprobe/sys_write`, `xdp`,
//!   `socket`…), in file order. An object with no such section but a non-empty `.text` (the
//!   conformance runner's `--elf` objects) has `.text` as its one program. Empty executable
//!   sections are not programs.
//! - **Maps**: those of the legacy `maps` section first, by symbol value, then those of the
//!   BTF-defined `.maps`, in `DATASEC` order; map `i` is named by
//!   [`map_address`](crate::ebpf::layout::map_address)`(i)`. Names are unique.
//! - **Data**: every `.rodata*`, `.data*` and `.bss*` section, in file order, used or not;
//!   section `j` lives at [`data_address`](crate::ebpf::layout::data_address)`(j)`.
//!   `.bss` (`SHT_NOBITS`) comes as zeroes; writable means `SHF_WRITE`.
//! - **License**: the `license` section up to its first NUL.
//!
//! Relocations are resolved when the object is parsed (see `relocate.rs`), so a broken
//! object fails at [`parse_object`]; [`EbpfObject::link`] only lays out and patches.
//! Nothing read from the file is trusted: every offset and count is checked against the
//! bytes, and a bad one is an [`ObjectError`] naming the section and offset. Arithmetic on
//! file values is checked (`clippy::arithmetic_side_effects` is denied here); the one
//! allocation a file sizes without bytes behind it, a `.bss`, is capped at its guest span.
//!
//! ```no_run
//! use sbvm::ebpf::layout::map_address;
//! use sbvm::ebpf::object::parse_object;
//!
//! let bytes = std::fs::read("counter.o")?;          // clang -target bpf -O2 -g -c counter.c
//! let object = parse_object(&bytes)?;
//! for (index, map) in object.maps.iter().enumerate() {
//!     println!("{} at {:#x?}: {:?}", map.name, map_address(index), map.kind);
//! }
//! let linked = object.link(Some("kprobe/sys_write"))?;  // None: the only program
//! for (pc, name) in &linked.functions {
//!     println!("{pc:5} <{name}>");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(clippy::arithmetic_side_effects)]

mod btf;
mod btf_maps;
mod contents;
mod error;
mod legacy_maps;
mod link;
mod relocate;
mod sections;
mod slots;
mod symbols;
#[cfg(test)]
mod tests;

pub use btf::BtfError;
pub use error::ObjectError;

use crate::ebpf::map_def::MapDef;
use std::collections::BTreeMap;

/// A parsed object: its programs, maps, data and license, ready to link.
#[derive(Debug, Clone)]
pub struct EbpfObject {
    /// The program sections, in file order.
    pub programs: Vec<ProgramSection>,
    /// The maps; map `i` lives at `layout::map_address(i)`.
    pub maps: Vec<MapDef>,
    /// The data sections; each carries its guest address.
    pub data: Vec<DataSection>,
    /// The license string, if the object has a `license` section.
    pub license: Option<String>,
    /// Every code section (programs and `.text`) with its resolved relocations.
    code: Vec<CodeSection>,
    /// For each program, its index in `code`.
    program_code: Vec<usize>,
}

/// A program section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSection {
    /// The section name, e.g. `kprobe/sys_write`.
    pub name: String,
    /// The `STT_FUNC` symbols in it, by offset.
    pub functions: Vec<String>,
}

/// A global data section, as the guest sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSection {
    /// The section name, e.g. `.rodata.str1.1`.
    pub name: String,
    /// Its guest address, `layout::data_address(i)`.
    pub address: u64,
    /// Its initial bytes (zeroes for `.bss`).
    pub bytes: Vec<u8>,
    /// Whether the program may write it (`SHF_WRITE`).
    pub writable: bool,
}

/// One program linked into a single text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedProgram {
    /// The entry section's name.
    pub section: String,
    /// The entry section first, then each `.text` function it reaches, once.
    pub text: Vec<u8>,
    /// The instruction index where each function starts, with its name, ascending.
    pub functions: Vec<(usize, String)>,
    /// The relocations applied, for a disassembler's listing.
    pub relocations: Vec<LinkedRelocation>,
}

/// A relocation as applied in the linked text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedRelocation {
    /// The patched instruction's index in the linked text.
    pub index: usize,
    /// What it refers to.
    pub kind: RelocationKind,
    /// The symbol named (a section symbol by its section's name).
    pub symbol: String,
}

/// What a relocation refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelocationKind {
    /// An `lddw` of map `index`'s handle (`R_BPF_64_64`).
    Map {
        /// The map's index in [`EbpfObject::maps`].
        index: usize,
    },
    /// An `lddw` of an address in data section `index` (`R_BPF_64_64`).
    Data {
        /// The section's index in [`EbpfObject::data`].
        index: usize,
    },
    /// A bpf-to-bpf call (`R_BPF_64_32`).
    Call,
}

impl RelocationKind {
    /// The ELF name of the relocation type, as llvm-objdump prints it.
    pub const fn elf_name(self) -> &'static str {
        match self {
            RelocationKind::Map { .. } | RelocationKind::Data { .. } => "R_BPF_64_64",
            RelocationKind::Call => "R_BPF_64_32",
        }
    }
}

/// A map with where its definition sits: the section and its symbol's value.
#[derive(Debug, Clone)]
struct LocatedMap {
    def: MapDef,
    section: usize,
    offset: u64,
}

/// A code section with what linking needs.
#[derive(Debug, Clone)]
struct CodeSection {
    name: String,
    /// Its ELF section index.
    shndx: usize,
    bytes: Vec<u8>,
    /// The function starts (instruction index, name), ascending.
    functions: Vec<(usize, String)>,
    /// The resolved relocations by instruction index.
    relocations: BTreeMap<usize, Resolved>,
}

/// A relocation resolved at load time.
#[derive(Debug, Clone)]
struct Resolved {
    kind: RelocationKind,
    target: Target,
    symbol: String,
}

/// What a resolved relocation writes.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The 64-bit value of an `lddw`.
    Value(u64),
    /// A call to instruction `index` of code section `section`.
    Call { section: usize, index: usize },
}

/// Reads an object: checks the header, finds programs, maps, data and license, and resolves
/// every relocation of the code sections.
pub fn parse_object(bytes: &[u8]) -> Result<EbpfObject, ObjectError> {
    let elf = sections::parse_elf(bytes)?;
    let sections = sections::sections(&elf)?;
    let symbols = symbols::symbols(&elf, &sections)?;
    let data = contents::data_sections(bytes, &sections)?;
    let maps = contents::maps(bytes, &sections, &symbols)?;
    let license = contents::license(bytes, &sections)?;
    let mut code = contents::code_sections(bytes, &sections, &symbols)?;
    let context = relocate::Context::new(&sections, &symbols, &maps, &data, &code);
    relocate::resolve(&elf, &context, &mut code)?;
    let mut program_code: Vec<usize> = (0..code.len())
        .filter(|&i| code[i].name != ".text" && !code[i].bytes.is_empty())
        .collect();
    if program_code.is_empty() {
        program_code = (0..code.len())
            .filter(|&i| code[i].name == ".text" && !code[i].bytes.is_empty())
            .take(1)
            .collect();
    }
    let programs = program_code
        .iter()
        .map(|&i| ProgramSection {
            name: code[i].name.clone(),
            functions: code[i]
                .functions
                .iter()
                .map(|(_, name)| name.clone())
                .collect(),
        })
        .collect();
    Ok(EbpfObject {
        programs,
        maps: maps.into_iter().map(|map| map.def).collect(),
        data: data.into_iter().map(|(_, data)| data).collect(),
        license,
        code,
        program_code,
    })
}

impl EbpfObject {
    /// Links one program: `section` None means the only program section (error listing the
    /// names when there are several or none).
    pub fn link(&self, section: Option<&str>) -> Result<LinkedProgram, ObjectError> {
        let names = || self.programs.iter().map(|p| p.name.clone()).collect();
        let program = match section {
            None => match self.program_code.as_slice() {
                [] => return Err(ObjectError::NoProgram),
                [only] => *only,
                _ => return Err(ObjectError::SeveralPrograms { names: names() }),
            },
            Some(name) => *self
                .program_code
                .iter()
                .find(|&&i| self.code[i].name == name)
                .ok_or_else(|| ObjectError::UnknownProgram {
                    name: name.to_owned(),
                    available: names(),
                })?,
        };
        link::link(&self.code, program)
    }
}
