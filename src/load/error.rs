//! Why a program could not be made into an executable.

use crate::elf::{ElfError, WriteError};
use crate::isa::asm::AsmError;
use crate::isa::SbpfVersion;
use crate::verifier::VerifierError;
use crate::vm::KeyCollision;

/// Why a program could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The assembly did not assemble.
    #[error("assembly: {0}")]
    Assembly(#[from] AsmError),
    /// The verifier rejected the text.
    #[error("verifier: {0}")]
    Verifier(#[from] VerifierError),
    /// A function key collides with another function or a syscall.
    #[error("symbol hash collision at key {key:#x}")]
    SymbolHashCollision {
        /// The key.
        key: u32,
    },
    /// The program has read-only data or takes addresses and was laid out as ELF, which failed.
    #[error("ELF layout: {0}")]
    Elf(#[from] ElfError),
    /// The program could not be laid out as ELF.
    #[error("ELF output: {0}")]
    ElfOutput(#[from] WriteError),
    /// The configuration does not enable this version.
    #[error("SBPF version {version} is not enabled")]
    UnsupportedSBPFVersion {
        /// The version.
        version: SbpfVersion,
    },
}

impl LoadError {
    /// The reference's name for the error: the verifier's variant for verifier errors.
    pub fn kind_name(&self) -> &'static str {
        match self {
            LoadError::Assembly(_) => "AssemblerError",
            LoadError::Elf(error) => error.kind_name(),
            LoadError::ElfOutput(_) => "ElfOutput",
            LoadError::Verifier(error) => error.kind_name(),
            LoadError::SymbolHashCollision { .. } => "SymbolHashCollision",
            LoadError::UnsupportedSBPFVersion { .. } => "UnsupportedSBPFVersion",
        }
    }
}

impl From<KeyCollision> for LoadError {
    fn from(collision: KeyCollision) -> Self {
        LoadError::SymbolHashCollision { key: collision.key }
    }
}

/// Why loading an ELF file failed: the ELF rules, or (once loaded) the verifier.
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
