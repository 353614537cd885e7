//! An executable from an ELF file: elf reads the file into parts, vm verifies them.

use super::error::{ElfLoadError, LoadError};
use crate::elf::load_parts;
use crate::vm::{ContextObject, Executable, Runtime};
use std::sync::Arc;

impl<C: ContextObject> Executable<C> {
    /// Loads an ELF shared object under `runtime`'s configuration and syscalls, then verifies it.
    /// Bytes that are not an ELF file at all fail with [`crate::elf::ElfError::NotAnElfFile`].
    pub fn from_elf(bytes: &[u8], runtime: Arc<Runtime<C>>) -> Result<Self, ElfLoadError> {
        let parts = load_parts(bytes, runtime)?;
        Executable::new(parts).map_err(|error| ElfLoadError::Load(LoadError::Verifier(error)))
    }
}
