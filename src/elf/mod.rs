//! The ELF loader: shared objects from the Solana toolchain → the parts of an executable.
//!
//! ```text
//! bytes ─► version (e_flags) ─┬─ V0–V2: lenient ─► parse ─► validate ─► relocate ─► rodata ─┐
//!                             └─ V3+:   strict  ─► file header ─► two program headers ───────┴─► Parts
//! ```
//!
//! elf reads files and writes them ([`write_elf`]); it makes no executable: [`crate::load`]
//! takes the parts, verifies them and builds the `Executable` (`Executable::from_elf`).
//!
//! The rules are consensus — the network accepts or rejects exactly these files — so they are
//! the reference's (`solana-sbpf` 0.26), restated in `lenient` and `strict` and checked on the
//! bytes themselves; goblin supplies the ELF64 structure types. Errors carry the reference's
//! variant names ([`ElfError`]).

mod error;
mod format;
mod lenient;
mod parse;
mod relocate;
mod rodata;
mod strict;
mod symbols;
mod write;

pub use error::{ElfError, NotElf};
pub use symbols::function_symbols;
pub use write::{write_elf, WriteError};

use crate::isa::disasm::{ReadOnlyData, Symbols};
use crate::isa::SbpfVersion;
use crate::memory::MM_REGION_SIZE;
use crate::vm::{Parts, Runtime};
use format::E_FLAGS_OFFSET;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The SBPF version the file declares in `e_flags`.
pub fn sbpf_version(bytes: &[u8]) -> Result<SbpfVersion, ElfError> {
    let field = bytes
        .get(E_FLAGS_OFFSET..E_FLAGS_OFFSET + 4)
        .ok_or(ElfError::ValueOutOfBounds)?;
    let mut e_flags = [0u8; 4];
    e_flags.copy_from_slice(field);
    Ok(SbpfVersion::from_e_flags(u32::from_le_bytes(e_flags)))
}

/// An ELF file's text after loading (relocations applied), without verification: what the
/// disassembler shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedText {
    /// The version the file declares.
    pub version: SbpfVersion,
    /// The text section.
    pub text: Vec<u8>,
    /// Function names by instruction index, from `.symtab` and the dynamic symbols.
    pub functions: BTreeMap<usize, String>,
    /// Instruction index of the entry point.
    pub entry_pc: usize,
    /// The function registry the loader built: instruction index by key. Before V3 a relocated
    /// `call` carries one of these keys as its immediate.
    pub function_keys: BTreeMap<u32, usize>,
    /// Guest address of the text's first slot.
    pub text_vaddr: u64,
    /// The read-only region as the program sees it (before V3 it holds the text too), and the
    /// words in it the loader filled with addresses.
    pub rodata: ReadOnlyData,
}

impl LoadedText {
    /// The names the disassembler needs: the file's function names, `entrypoint` at the entry
    /// point (the name the loader registers it under) and the registry's keys.
    pub fn symbols(&self) -> Symbols {
        let mut functions = self.functions.clone();
        functions.retain(|_, name| name != "entrypoint");
        functions.insert(self.entry_pc, "entrypoint".to_string());
        Symbols {
            functions,
            function_keys: self.function_keys.clone(),
            text_vaddr: Some(self.text_vaddr),
            rodata: Some(self.rodata.clone()),
            ..Symbols::default()
        }
    }
}

/// `error` from loading `bytes`, as [`ElfError::NotAnElfFile`] when the bytes are not an ELF
/// file at all (the rules find bad magic or a short file only indirectly: a version not
/// enabled, a value out of bounds).
fn explained(bytes: &[u8], error: ElfError) -> ElfError {
    match NotElf::of(bytes, format::EHDR_SIZE) {
        Some(problem) => ElfError::NotAnElfFile {
            problem,
            reported: Box::new(error),
        },
        None => error,
    }
}

/// Loads `bytes` by the rules of its version (all versions enabled) and returns the text.
pub fn load_text(bytes: &[u8]) -> Result<LoadedText, ElfError> {
    load_text_unexplained(bytes).map_err(|error| explained(bytes, error))
}

fn load_text_unexplained(bytes: &[u8]) -> Result<LoadedText, ElfError> {
    let version = sbpf_version(bytes)?;
    if version == SbpfVersion::Reserved {
        return Err(ElfError::UnsupportedSBPFVersion { version });
    }
    let runtime = Arc::new(Runtime::<crate::vm::Budget>::new(
        crate::vm::Config::default(),
    ));
    let parts = parts_by_rules_of(version, bytes, runtime)?;
    let pointers = if version.enable_stricter_elf_headers() {
        Default::default()
    } else {
        relocate::address_words(bytes)
            .into_iter()
            .filter_map(|address| {
                let offset = address
                    .checked_add(MM_REGION_SIZE)?
                    .checked_sub(parts.ro_vaddr)?;
                usize::try_from(offset).ok()
            })
            .filter(|offset| offset.saturating_add(8) <= parts.ro_bytes.len())
            .collect()
    };
    Ok(LoadedText {
        version,
        text_vaddr: parts.text_vaddr,
        rodata: ReadOnlyData {
            vaddr: parts.ro_vaddr,
            bytes: parts.ro_bytes,
            pointers,
        },
        text: parts.text,
        functions: function_symbols(bytes),
        entry_pc: parts.entry_pc,
        function_keys: parts
            .functions
            .iter()
            .map(|(key, _, pc)| (key, pc))
            .collect(),
    })
}

/// Whether `bytes` start like an ELF file.
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Loads an ELF shared object under `runtime`'s configuration and syscalls into the parts of
/// an executable (not yet verified: [`crate::load`] does that). Bytes that are not an ELF file
/// at all fail with [`ElfError::NotAnElfFile`].
pub(crate) fn load_parts<C>(bytes: &[u8], runtime: Arc<Runtime<C>>) -> Result<Parts<C>, ElfError> {
    load_parts_unexplained(bytes, runtime).map_err(|error| explained(bytes, error))
}

fn load_parts_unexplained<C>(bytes: &[u8], runtime: Arc<Runtime<C>>) -> Result<Parts<C>, ElfError> {
    let version = sbpf_version(bytes)?;
    if !runtime.config.enabled_sbpf_versions.contains(&version) {
        return Err(ElfError::UnsupportedSBPFVersion { version });
    }
    parts_by_rules_of(version, bytes, runtime)
}

/// The parts of `bytes` by the rules of `version`: the strict loader from V3, the lenient one
/// before.
fn parts_by_rules_of<C>(
    version: SbpfVersion,
    bytes: &[u8],
    runtime: Arc<Runtime<C>>,
) -> Result<Parts<C>, ElfError> {
    if version.enable_stricter_elf_headers() {
        strict::load(bytes, version, runtime)
    } else {
        lenient::load(bytes, version, runtime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::Budget;

    fn load(bytes: &[u8]) -> Result<Parts<Budget>, ElfError> {
        load_parts(bytes, Arc::new(Runtime::new(crate::vm::Config::default())))
    }

    #[test]
    fn bytes_that_are_not_elf_say_so_and_keep_the_reference_kind() {
        // The reference reads e_flags (bytes 48..52) first: a shorter file is ValueOutOfBounds.
        let Err(error) = load(b"") else {
            panic!("an empty file loaded")
        };
        assert_eq!(error.kind_name(), "ValueOutOfBounds");
        assert!(matches!(
            error,
            ElfError::NotAnElfFile {
                problem: NotElf::TooShort { len: 0, header: 64 },
                ..
            }
        ));
        assert_eq!(load_text(b"").err(), Some(error));
        // 64 zero bytes: e_flags 0 is V0, whose parser rejects the file header (the reference's
        // ElfParserError::InvalidFileHeader, reported as FailedToParse).
        let Err(error) = load(&[0; 64]) else {
            panic!("zeroes loaded")
        };
        assert_eq!(error.kind_name(), "FailedToParse");
        assert!(matches!(
            error,
            ElfError::NotAnElfFile {
                problem: NotElf::BadMagic {
                    found: [0, 0, 0, 0]
                },
                ..
            }
        ));
        assert!(error.to_string().starts_with("not an ELF file (bad magic"));
    }

    #[test]
    fn a_broken_file_with_the_magic_keeps_its_own_error() {
        // The ELF64 header is 64 bytes (e_ehsize); with the magic and zero e_flags (V0) the
        // lenient parser finds the rest of the header wrong.
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(b"\x7fELF");
        let Err(error) = load(&bytes) else {
            panic!("a bare header loaded")
        };
        assert!(!matches!(error, ElfError::NotAnElfFile { .. }), "{error}");
    }
}
