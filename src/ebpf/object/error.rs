//! Why an object could not be read or a program could not be linked.
//!
//! Every variant names the place: the section (by name) and the byte offset inside it, the
//! symbol, or the BTF type id. Nothing in a file is trusted, so every count, offset and index
//! read from it can end up here instead of in a panic.

use super::btf::BtfError;

/// An object file that cannot be loaded, or a program in it that cannot be linked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// goblin could not read the ELF structure (header, section headers, symbol table).
    #[error("not a readable ELF file: {reason}")]
    Elf {
        /// goblin's message.
        reason: String,
    },
    /// Not a 64-bit little-endian file.
    #[error(
        "the object is not 64-bit little-endian (64-bit: {is_64}, little-endian: {little_endian})"
    )]
    NotElf64Le {
        /// Whether the class is ELFCLASS64.
        is_64: bool,
        /// Whether the data encoding is ELFDATA2LSB.
        little_endian: bool,
    },
    /// `e_type` is not `ET_REL`.
    #[error("e_type is {e_type}, not ET_REL (1): only relocatable objects (clang -c) load here")]
    NotRelocatable {
        /// The file's `e_type`.
        e_type: u16,
    },
    /// `e_machine` is not `EM_BPF`.
    #[error("e_machine is {machine}, not EM_BPF (247)")]
    WrongMachine {
        /// The file's `e_machine`.
        machine: u16,
    },
    /// A section's or symbol's name is not in its string table, or not UTF-8.
    #[error("the name of {what} {index} is unreadable (offset {offset:#x} in its string table)")]
    BadName {
        /// "section" or "symbol".
        what: &'static str,
        /// The section's or symbol's index.
        index: usize,
        /// The name's offset in the string table.
        offset: usize,
    },
    /// A section's bytes do not lie inside the file.
    #[error("section {section}: bytes {offset:#x}+{size:#x} lie outside the file")]
    SectionOutOfBounds {
        /// The section.
        section: String,
        /// `sh_offset`.
        offset: u64,
        /// `sh_size`.
        size: u64,
    },
    /// A section that must hold bytes is `SHT_NOBITS`.
    #[error("section {section} has no bytes in the file (SHT_NOBITS)")]
    NoBits {
        /// The section.
        section: String,
    },
    /// A code section's size is not a whole number of 8-byte instruction slots.
    #[error("code section {section} is {size} bytes, not a multiple of 8")]
    CodeSize {
        /// The section.
        section: String,
        /// `sh_size`.
        size: u64,
    },
    /// A `.bss` larger than a guest slot.
    #[error("data section {section} is {size:#x} bytes, more than its guest span (64 MiB)")]
    DataTooLarge {
        /// The section.
        section: String,
        /// `sh_size`.
        size: u64,
    },
    /// More data sections or maps than the guest layout has slots for.
    #[error("the object has more {what} than the {limit} the guest layout holds")]
    TooMany {
        /// "data sections" or "maps".
        what: &'static str,
        /// The layout's limit.
        limit: usize,
    },
    /// A function symbol that does not lie on an instruction inside its section.
    #[error("function {name} at {value:#x} is not an instruction of section {section}")]
    BadFunction {
        /// The symbol.
        name: String,
        /// The section.
        section: String,
        /// `st_value`.
        value: u64,
    },
    /// A relocation outside its section or not on an instruction boundary.
    #[error(
        "section {section}: relocation at {offset:#x} is not on an instruction in the section"
    )]
    RelocationOffset {
        /// The section the relocation patches.
        section: String,
        /// `r_offset`.
        offset: u64,
    },
    /// A relocation type this loader does not apply in code.
    #[error("section {section}: unknown relocation type {r_type} at {offset:#x}")]
    UnknownRelocation {
        /// The section the relocation patches.
        section: String,
        /// `r_offset`.
        offset: u64,
        /// `ELF64_R_TYPE`.
        r_type: u32,
    },
    /// A `SHT_RELA` section patching code (BPF relocations are `SHT_REL`, addend implicit).
    #[error("section {section} is patched by SHT_RELA relocations; BPF objects use SHT_REL")]
    RelaInCode {
        /// The code section.
        section: String,
    },
    /// A relocation on an instruction that its type cannot patch.
    #[error("section {section}: relocation type {r_type} at {offset:#x} is on opcode {opcode:#04x}, expected {expected}")]
    RelocatedInstruction {
        /// The section.
        section: String,
        /// `r_offset`.
        offset: u64,
        /// The relocation type.
        r_type: u32,
        /// The opcode found.
        opcode: u8,
        /// What the type patches ("lddw", "call").
        expected: &'static str,
    },
    /// A relocation whose symbol index is not in the symbol table.
    #[error("section {section}: relocation at {offset:#x} names symbol {symbol}, not in the symbol table")]
    RelocationSymbol {
        /// The section.
        section: String,
        /// `r_offset`.
        offset: u64,
        /// `ELF64_R_SYM`.
        symbol: usize,
    },
    /// A relocation whose symbol is in a section it cannot refer to (or undefined).
    #[error("section {section}: relocation at {offset:#x} refers to {symbol}, which is {target}")]
    RelocationTarget {
        /// The section.
        section: String,
        /// `r_offset`.
        offset: u64,
        /// The symbol's name.
        symbol: String,
        /// Where the symbol is, in words ("undefined", "in section .text", …).
        target: String,
    },
    /// An address computed for an `lddw` lies past its data section.
    #[error("section {section}: lddw at {offset:#x} points {value:#x} bytes into {target}, which has {size:#x}")]
    DataOffset {
        /// The section of the lddw.
        section: String,
        /// `r_offset`.
        offset: u64,
        /// The data section.
        target: String,
        /// Symbol value plus addend.
        value: u64,
        /// The data section's size.
        size: u64,
    },
    /// A call whose target is not an instruction of the target section.
    #[error("section {section}: call at instruction {index} targets instruction {target} of {target_section}, outside it")]
    CallOutOfBounds {
        /// The section of the call.
        section: String,
        /// The call's instruction index in its section.
        index: usize,
        /// The target section.
        target_section: String,
        /// The computed target index.
        target: i64,
    },
    /// The legacy `maps` section does not divide into equal definitions.
    #[error("section maps: {size} bytes do not divide into {count} map definitions of at least 20 bytes")]
    LegacyMapSize {
        /// `sh_size`.
        size: u64,
        /// Map symbols in it.
        count: usize,
    },
    /// A legacy map symbol whose definition leaves the section.
    #[error("map {name} at {offset:#x} (+{size}) lies outside section maps")]
    LegacyMapOffset {
        /// The symbol.
        name: String,
        /// `st_value`.
        offset: u64,
        /// The definition size.
        size: u64,
    },
    /// Two maps with one name, or two map symbols at one place.
    #[error("map {name} is declared twice")]
    DuplicateMap {
        /// The name.
        name: String,
    },
    /// A `.maps` section without `.BTF` to describe it.
    #[error("section .maps needs a .BTF section to describe its maps")]
    MissingBtf,
    /// The BTF is malformed, or a BTF map definition is incomplete.
    #[error("section .BTF: {0}")]
    Btf(#[from] BtfError),
    /// A BTF map with no ELF symbol in `.maps`.
    #[error("BTF map {name} has no symbol in section .maps")]
    MapSymbol {
        /// The map's name.
        name: String,
    },
    /// The `license` section is not a NUL-terminated UTF-8 string.
    #[error("section license is not UTF-8 text")]
    License,
    /// `link(None)` on an object with no program section.
    #[error("the object has no program section")]
    NoProgram,
    /// `link(None)` on an object with several program sections.
    #[error("the object has several program sections, choose one: {}", names.join(", "))]
    SeveralPrograms {
        /// Their names, in file order.
        names: Vec<String>,
    },
    /// `link(Some(name))` with a name that is no program section.
    #[error("no program section {name}; the object has: {}", available.join(", "))]
    UnknownProgram {
        /// The name asked for.
        name: String,
        /// The program sections, in file order.
        available: Vec<String>,
    },
}

impl ObjectError {
    /// The variant's name, as reports print it (`NotRelocatable`, `SeveralPrograms`, …).
    pub const fn kind_name(&self) -> &'static str {
        match self {
            ObjectError::Elf { .. } => "Elf",
            ObjectError::NotElf64Le { .. } => "NotElf64Le",
            ObjectError::NotRelocatable { .. } => "NotRelocatable",
            ObjectError::WrongMachine { .. } => "WrongMachine",
            ObjectError::BadName { .. } => "BadName",
            ObjectError::SectionOutOfBounds { .. } => "SectionOutOfBounds",
            ObjectError::NoBits { .. } => "NoBits",
            ObjectError::CodeSize { .. } => "CodeSize",
            ObjectError::DataTooLarge { .. } => "DataTooLarge",
            ObjectError::TooMany { .. } => "TooMany",
            ObjectError::BadFunction { .. } => "BadFunction",
            ObjectError::RelocationOffset { .. } => "RelocationOffset",
            ObjectError::UnknownRelocation { .. } => "UnknownRelocation",
            ObjectError::RelaInCode { .. } => "RelaInCode",
            ObjectError::RelocatedInstruction { .. } => "RelocatedInstruction",
            ObjectError::RelocationSymbol { .. } => "RelocationSymbol",
            ObjectError::RelocationTarget { .. } => "RelocationTarget",
            ObjectError::DataOffset { .. } => "DataOffset",
            ObjectError::CallOutOfBounds { .. } => "CallOutOfBounds",
            ObjectError::LegacyMapSize { .. } => "LegacyMapSize",
            ObjectError::LegacyMapOffset { .. } => "LegacyMapOffset",
            ObjectError::DuplicateMap { .. } => "DuplicateMap",
            ObjectError::MissingBtf => "MissingBtf",
            ObjectError::Btf(_) => "Btf",
            ObjectError::MapSymbol { .. } => "MapSymbol",
            ObjectError::License => "License",
            ObjectError::NoProgram => "NoProgram",
            ObjectError::SeveralPrograms { .. } => "SeveralPrograms",
            ObjectError::UnknownProgram { .. } => "UnknownProgram",
        }
    }
}
