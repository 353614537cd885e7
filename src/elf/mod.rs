//! The ELF loader: shared objects from the Solana toolchain → [`Executable`].
//!
//! ```text
//! bytes ─► version (e_flags) ─┬─ V0–V2: lenient ─► parse ─► validate ─► relocate ─► rodata ─┐
//!                             └─ V3+:   strict  ─► file header ─► two program headers ───────┴─► verify ─► Executable
//! ```
//!
//! The rules are consensus — the network accepts or rejects exactly these files — so they are
//! the reference's (`solana-sbpf` 0.26), restated in `lenient` and `strict` and checked on the
//! bytes themselves; goblin supplies the ELF64 structure types. Errors carry the reference's
//! variant names ([`ElfError`]).

mod error;
mod lenient;
mod parse;
mod relocate;
mod rodata;
mod strict;
mod symbols;
mod write;

pub use error::ElfError;
pub use symbols::function_symbols;
pub use write::{write_elf, WriteError};

use crate::isa::disasm::{ReadOnlyData, Symbols};
use crate::isa::SbpfVersion;
use crate::memory::MM_REGION_SIZE;
use crate::vm::{ContextObject, Executable, LoadError, Runtime};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Byte offset of `e_flags` in the file header.
const E_FLAGS_OFFSET: usize = 48;

/// The SBPF version the file declares in `e_flags`.
pub fn sbpf_version(bytes: &[u8]) -> Result<SbpfVersion, ElfError> {
    let field = bytes
        .get(E_FLAGS_OFFSET..E_FLAGS_OFFSET + 4)
        .ok_or(ElfError::ValueOutOfBounds)?;
    let mut e_flags = [0u8; 4];
    e_flags.copy_from_slice(field);
    Ok(SbpfVersion::from_e_flags(u32::from_le_bytes(e_flags)))
}

/// Why loading failed: the ELF rules, or (once loaded) the verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfLoadError {
    /// The file breaks a loader rule.
    #[error("ELF: {0}")]
    Elf(#[from] ElfError),
    /// The file loaded but its text does not verify, or its functions collide.
    #[error("{0}")]
    Load(#[from] LoadError),
}

impl ElfLoadError {
    /// The reference's variant name of the underlying error.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ElfLoadError::Elf(error) => error.kind_name(),
            ElfLoadError::Load(error) => error.kind_name(),
        }
    }
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

/// Loads `bytes` by the rules of its version (all versions enabled) and returns the text.
pub fn load_text(bytes: &[u8]) -> Result<LoadedText, ElfError> {
    let version = sbpf_version(bytes)?;
    if version == SbpfVersion::Reserved {
        return Err(ElfError::UnsupportedSBPFVersion { version });
    }
    let runtime = Arc::new(Runtime::<crate::vm::Budget>::new(
        crate::vm::Config::default(),
    ));
    let parts = if version.enable_stricter_elf_headers() {
        strict::load(bytes, version, runtime)?
    } else {
        lenient::load(bytes, version, runtime)?
    };
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

impl<C: ContextObject> Executable<C> {
    /// Loads an ELF shared object under `runtime`'s configuration and syscalls, then verifies it.
    pub fn from_elf(bytes: &[u8], runtime: Arc<Runtime<C>>) -> Result<Self, ElfLoadError> {
        let version = sbpf_version(bytes)?;
        if !runtime.config.enabled_sbpf_versions.contains(&version) {
            return Err(ElfError::UnsupportedSBPFVersion { version }.into());
        }
        let parts = if version.enable_stricter_elf_headers() {
            strict::load(bytes, version, runtime)?
        } else {
            lenient::load(bytes, version, runtime)?
        };
        Ok(Executable::new(parts)?)
    }
}
