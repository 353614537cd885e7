//! The ELF vocabulary both directions share — the loader (`parse`, `lenient`, `strict`,
//! `relocate`, `symbols`) and the writer (`write`): goblin's constants, the ELF64 record sizes,
//! and the few BPF numbers goblin does not name. Declared once here, never as bare numbers.

pub(crate) use goblin::elf::dynamic::{
    DT_FLAGS, DT_NULL, DT_REL, DT_RELENT, DT_RELSZ, DT_STRSZ, DT_STRTAB, DT_SYMENT, DT_SYMTAB,
};
pub(crate) use goblin::elf::header::{
    EI_CLASS, EI_DATA, EI_OSABI, EI_VERSION, ELFCLASS64, ELFDATA2LSB, ELFMAG, EM_BPF, ET_DYN,
    EV_CURRENT, SELFMAG, SIZEOF_IDENT,
};
pub(crate) use goblin::elf::program_header::{PF_R, PF_X, PT_DYNAMIC, PT_LOAD};
pub(crate) use goblin::elf::section_header::{
    SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_DYNAMIC, SHT_DYNSYM, SHT_NOBITS, SHT_NULL,
    SHT_PROGBITS, SHT_REL, SHT_STRTAB, SHT_SYMTAB,
};
pub(crate) use goblin::elf::sym::{st_type, STB_GLOBAL, STT_FUNC, STT_OBJECT};
pub(crate) use goblin::elf64::dynamic::SIZEOF_DYN as DYN_SIZE;
pub(crate) use goblin::elf64::header::SIZEOF_EHDR as EHDR_SIZE;
pub(crate) use goblin::elf64::program_header::SIZEOF_PHDR as PHDR_SIZE;
pub(crate) use goblin::elf64::reloc::{r_type, SIZEOF_REL as REL_SIZE};
pub(crate) use goblin::elf64::section_header::SIZEOF_SHDR as SHDR_SIZE;
pub(crate) use goblin::elf64::sym::SIZEOF_SYM as SYM_SIZE;

/// The Solana toolchain's machine number (`EM_SBPF`; goblin knows only `EM_BPF`).
pub(crate) const EM_SBPF: u16 = 263;

/// BPF relocation types (goblin has none): an `lddw` of a symbol's address.
pub(crate) const R_BPF_64_64: u32 = 1;
/// An address relative to the load address: an `lddw` in `.text`, a 64-bit word elsewhere.
pub(crate) const R_BPF_64_RELATIVE: u32 = 8;
/// A call: a syscall's or a function's key.
pub(crate) const R_BPF_64_32: u32 = 10;

/// How many dynamic tags the loader keeps, as the reference does (its `DT_NUM` is 35; goblin's,
/// glibc's, is 34): the table is indexed by tag.
pub(crate) const DT_NUM: usize = 35;

/// Byte offset of `e_flags` in the ELF64 file header.
pub(crate) const E_FLAGS_OFFSET: usize = 48;

/// A symbol's `st_info` for a global symbol of `kind` (`STT_FUNC`, `STT_OBJECT`).
pub(crate) const fn global(kind: u8) -> u8 {
    (STB_GLOBAL << 4) | kind
}

/// Whether the ELF identification says 64-bit, little-endian, version 1 (the magic number
/// first) — the loader's checks of the bytes the writer writes.
pub(crate) fn is_elf64_le(ident: &[u8]) -> bool {
    ident.get(..SELFMAG) == Some(ELFMAG.as_slice())
        && ident.get(EI_CLASS) == Some(&ELFCLASS64)
        && ident.get(EI_DATA) == Some(&ELFDATA2LSB)
        && ident.get(EI_VERSION) == Some(&EV_CURRENT)
}
