//! An executable from assembly or from a bare text section.
//!
//! Assembly that needs a memory layout (read-only data, or instructions that take addresses)
//! is written out as an ELF file and loaded as one, so it gets exactly the layout a toolchain
//! file would; any other assembly is its text and its functions, loaded as raw text is.

use super::error::{ElfLoadError, LoadError};
use crate::elf::write_elf;
use crate::isa::asm::assemble;
use crate::isa::hash::symbol_hash;
use crate::isa::SbpfVersion;
use crate::memory::{MM_BYTECODE_START, MM_RODATA_START};
use crate::vm::{ContextObject, Executable, FunctionRegistry, Parts, Runtime};
use std::sync::Arc;

impl<C: ContextObject> Executable<C> {
    /// Assembles `source` for `version` and loads it as the reference's assembler does: labels
    /// `entrypoint` and `function_*` (and numeric call targets) are registered by index.
    pub fn from_assembly(
        source: &str,
        version: SbpfVersion,
        runtime: Arc<Runtime<C>>,
    ) -> Result<Self, LoadError> {
        let assembled = assemble(source, version)?;
        if assembled.needs_elf() {
            // Read-only data and addresses need a layout: make the ELF file and load that.
            let bytes = write_elf(&assembled)?;
            return Self::from_elf(&bytes, runtime).map_err(|error| match error {
                ElfLoadError::Elf(error) => LoadError::Elf(error),
                ElfLoadError::Load(error) => error,
            });
        }
        let mut functions = FunctionRegistry::default();
        for function in &assembled.functions {
            functions.register(function.key, function.name.clone(), function.pc)?;
        }
        Self::from_text_bytes(&assembled.text, version, runtime, functions)
    }

    /// Loads a bare text section (entry at the `entrypoint` function, else instruction 0), as the
    /// reference's `Executable::from_text_bytes` does, and verifies it.
    pub fn from_text_bytes(
        text: &[u8],
        version: SbpfVersion,
        runtime: Arc<Runtime<C>>,
        mut functions: FunctionRegistry,
    ) -> Result<Self, LoadError> {
        let entry_pc = match functions.lookup_by_name("entrypoint") {
            Some((_, pc)) => pc,
            None => {
                let key = if version.static_syscalls() {
                    0
                } else {
                    let key = symbol_hash("entrypoint");
                    if runtime.syscalls.lookup(key).is_some() {
                        return Err(LoadError::SymbolHashCollision { key });
                    }
                    key
                };
                functions.register(key, "entrypoint", 0)?;
                0
            }
        };
        let ro_vaddr = if version.enable_lower_rodata_vaddr() {
            MM_RODATA_START
        } else {
            MM_BYTECODE_START
        };
        Ok(Self::new(Parts {
            runtime,
            version,
            ro_bytes: text.to_vec(),
            text: text.to_vec(),
            ro_vaddr,
            text_vaddr: MM_BYTECODE_START,
            symbol_base: MM_BYTECODE_START,
            entry_pc,
            functions,
        })?)
    }
}
