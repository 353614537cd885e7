//! Load errors, named as the reference names them (`solana-sbpf` 0.26 `ElfError`).

/// Why an ELF file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// The file's structure is broken: headers, tables, names or their layout.
    #[error("failed to parse the ELF file: {0}")]
    FailedToParse(String),
    /// The entry point lies outside `.text`.
    #[error("the entry point {entry:#x} lies outside .text")]
    EntrypointOutOfBounds {
        /// `e_entry`.
        entry: u64,
    },
    /// The entry point is not at an instruction boundary.
    #[error("the entry point {entry:#x} is not at an instruction boundary")]
    InvalidEntrypoint {
        /// `e_entry`.
        entry: u64,
    },
    /// A syscall the runtime does not have (only when broken ELFs are rejected).
    #[error("unresolved symbol {name} at instruction {pc} (file offset {offset:#x})")]
    UnresolvedSymbol {
        /// The symbol.
        name: String,
        /// Instruction index.
        pc: usize,
        /// File offset of the relocation.
        offset: usize,
    },
    /// A required section is missing.
    #[error("section {0} not found")]
    SectionNotFound(String),
    /// A relative call leaves the text.
    #[error("relative call at instruction {pc} leaves .text")]
    RelativeJumpOutOfBounds {
        /// Instruction index of the call.
        pc: usize,
    },
    /// Two functions, or a function and a syscall, share a key.
    #[error("symbol hash collision at key {key:#x}")]
    SymbolHashCollision {
        /// The key.
        key: u32,
    },
    /// Not little-endian.
    #[error("the file is not little-endian")]
    WrongEndianess,
    /// OS ABI other than none.
    #[error("the file's OS ABI is not none")]
    WrongAbi,
    /// Machine other than BPF or SBPF.
    #[error("the file's machine {machine} is not BPF (247) or SBPF (263)")]
    WrongMachine {
        /// `e_machine`.
        machine: u16,
    },
    /// Not 64-bit.
    #[error("the file is not 64-bit")]
    WrongClass,
    /// Zero or several `.text` sections.
    #[error("the file has {count} .text sections; exactly one is needed")]
    NotOneTextSection {
        /// How many.
        count: usize,
    },
    /// A `.bss*` or writable `.data*` section.
    #[error("writable section {0} is not supported")]
    WritableSectionNotSupported(String),
    /// A relocation refers to an address no loadable section contains.
    #[error("relocation address {0:#x} is outside every loadable section")]
    AddressOutsideLoadableSection(u64),
    /// A relocation refers to address 0.
    #[error("relocation refers to invalid virtual address {0:#x}")]
    InvalidVirtualAddress(u64),
    /// A relocation type the runtime does not know.
    #[error("unknown relocation type {0}")]
    UnknownRelocation(u32),
    /// The relocation table cannot be read.
    #[error("failed to read relocation info")]
    FailedToReadRelocationInfo,
    /// Not a shared object (`ET_DYN`).
    #[error("the file is not a shared object (e_type {e_type})")]
    WrongType {
        /// `e_type`.
        e_type: u16,
    },
    /// A relocation names a symbol that does not exist.
    #[error("unknown symbol with index {0}")]
    UnknownSymbol(usize),
    /// An offset or value lies outside the file or its region.
    #[error("offset or value out of bounds")]
    ValueOutOfBounds,
    /// The file's SBPF version is not enabled.
    #[error("SBPF version {version} is not enabled")]
    UnsupportedSBPFVersion {
        /// The version the file declares.
        version: crate::isa::SbpfVersion,
    },
    /// A program header breaks the rules.
    #[error("invalid program header")]
    InvalidProgramHeader,
    /// The bytes are not an ELF file at all, and loading them failed with `reported` (the error
    /// the reference's rules give such bytes, whose name this error keeps as its kind, so that
    /// outcomes still compare with the reference's).
    #[error("not an ELF file ({problem})")]
    NotAnElfFile {
        /// What gives it away.
        problem: NotElf,
        /// What the loader's rules found.
        reported: Box<ElfError>,
    },
}

/// Why bytes are not an ELF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotElf {
    /// Shorter than an ELF64 file header.
    #[error("too short: {len} bytes, an ELF64 file header alone is {header} bytes")]
    TooShort {
        /// The file's length.
        len: usize,
        /// The file header's size.
        header: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    #[error("bad magic {found:02x?}, an ELF file starts 7f 45 4c 46")]
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
}

impl NotElf {
    /// What makes `bytes` not an ELF file, if anything: a length below the ELF64 file header's
    /// (`header` bytes), or a first four bytes other than the magic number.
    pub fn of(bytes: &[u8], header: usize) -> Option<NotElf> {
        if bytes.len() < header {
            return Some(NotElf::TooShort {
                len: bytes.len(),
                header,
            });
        }
        let mut found = [0u8; 4];
        found.copy_from_slice(bytes.get(..4)?);
        (found != *b"\x7fELF").then_some(NotElf::BadMagic { found })
    }
}

impl ElfError {
    /// The reference's variant name (`FailedToParse`, …); for [`ElfError::NotAnElfFile`], the
    /// name of the error the reference reports.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ElfError::FailedToParse(_) => "FailedToParse",
            ElfError::EntrypointOutOfBounds { .. } => "EntrypointOutOfBounds",
            ElfError::InvalidEntrypoint { .. } => "InvalidEntrypoint",
            ElfError::UnresolvedSymbol { .. } => "UnresolvedSymbol",
            ElfError::SectionNotFound(_) => "SectionNotFound",
            ElfError::RelativeJumpOutOfBounds { .. } => "RelativeJumpOutOfBounds",
            ElfError::SymbolHashCollision { .. } => "SymbolHashCollision",
            ElfError::WrongEndianess => "WrongEndianess",
            ElfError::WrongAbi => "WrongAbi",
            ElfError::WrongMachine { .. } => "WrongMachine",
            ElfError::WrongClass => "WrongClass",
            ElfError::NotOneTextSection { .. } => "NotOneTextSection",
            ElfError::WritableSectionNotSupported(_) => "WritableSectionNotSupported",
            ElfError::AddressOutsideLoadableSection(_) => "AddressOutsideLoadableSection",
            ElfError::InvalidVirtualAddress(_) => "InvalidVirtualAddress",
            ElfError::UnknownRelocation(_) => "UnknownRelocation",
            ElfError::FailedToReadRelocationInfo => "FailedToReadRelocationInfo",
            ElfError::WrongType { .. } => "WrongType",
            ElfError::UnknownSymbol(_) => "UnknownSymbol",
            ElfError::ValueOutOfBounds => "ValueOutOfBounds",
            ElfError::UnsupportedSBPFVersion { .. } => "UnsupportedSBPFVersion",
            ElfError::InvalidProgramHeader => "InvalidProgramHeader",
            ElfError::NotAnElfFile { reported, .. } => reported.kind_name(),
        }
    }
}

/// The structural checks' findings, before they become [`ElfError`]s (the reference's parser
/// reports these, and the loader turns all but two into `FailedToParse`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseError {
    InvalidFileHeader,
    InvalidProgramHeader,
    InvalidSectionHeader,
    StringTooLong(String, usize),
    OutOfBounds,
    InvalidSize,
    Overlap,
    SectionNotInOrder,
    NoSectionNameStringTable,
    InvalidDynamicSectionTable,
    InvalidAlignment,
    NoDynamicStringTable,
}

impl From<ParseError> for ElfError {
    fn from(error: ParseError) -> Self {
        match error {
            ParseError::InvalidProgramHeader => ElfError::InvalidProgramHeader,
            ParseError::OutOfBounds => ElfError::ValueOutOfBounds,
            ParseError::StringTooLong(name, max) => ElfError::FailedToParse(format!(
                "section or symbol name `{name}` is longer than {max} bytes"
            )),
            other => ElfError::FailedToParse(format!("{other:?}")),
        }
    }
}
