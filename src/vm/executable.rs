//! Executables: a verified program, loaded once and run many times.
//!
//! An [`Executable`] holds the text, the read-only data region, the function registry and the
//! entry point, plus the interpreter's pre-decoded form of the text and, once compiled, the
//! JIT's machine code. It is compiled by its first JIT run ([`super::Vm::execute_jit`]), once
//! for every thread, or ahead of time by [`Executable::jit_compile`] (to pay the compile time
//! up front and see a compile error at load time). After loading it is immutable but for that
//! one-time compile, `Send` and `Sync`: share one between threads and give each run its own
//! [`super::Vm`].

use super::config::Config;
use super::context::ContextObject;
use super::functions::{FunctionRegistry, KeyCollision};
use super::syscalls::SyscallRegistry;
use crate::isa::asm::{assemble, AsmError};
use crate::isa::hash::symbol_hash;
use crate::isa::SbpfVersion;
use crate::memory::{MemoryRegion, MM_BYTECODE_START, MM_RODATA_START};
use crate::program::{decode_program, DecodedProgram};
use crate::verifier::{verify, VerifierError};
use std::sync::{Arc, OnceLock};

/// The environment programs are loaded into: configuration and syscalls (the reference calls
/// it the loader).
pub struct Runtime<C> {
    /// How programs are loaded and run.
    pub config: Config,
    /// The syscalls programs may call.
    pub syscalls: SyscallRegistry<C>,
}

impl<C: ContextObject> Runtime<C> {
    /// A runtime with `config` and no syscalls.
    pub fn new(config: Config) -> Self {
        Runtime {
            config,
            syscalls: SyscallRegistry::default(),
        }
    }
}

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
    Elf(#[from] crate::elf::ElfError),
    /// The program could not be laid out as ELF.
    #[error("ELF output: {0}")]
    ElfOutput(#[from] crate::elf::WriteError),
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

/// A loaded, verified program.
pub struct Executable<C> {
    parts: Parts<C>,
    decoded: DecodedProgram,
    /// The JIT's machine code: set by the first JIT run, or by [`Executable::jit_compile`].
    jit: OnceLock<crate::jit::JitProgram>,
}

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
            let bytes = crate::elf::write_elf(&assembled)?;
            return Self::from_elf(&bytes, runtime).map_err(|error| match error {
                crate::elf::ElfLoadError::Elf(error) => LoadError::Elf(error),
                crate::elf::ElfLoadError::Load(error) => error,
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
        Self::new(Parts {
            runtime,
            version,
            ro_bytes: text.to_vec(),
            text: text.to_vec(),
            ro_vaddr,
            text_vaddr: MM_BYTECODE_START,
            symbol_base: MM_BYTECODE_START,
            entry_pc,
            functions,
        })
    }

    /// Verifies and pre-decodes the parts of a program (the ELF loader's way in).
    pub(crate) fn new(parts: Parts<C>) -> Result<Self, LoadError> {
        let text = &parts.text[..];
        verify(text, parts.version)?;
        let decoded = decode_program(
            text,
            parts.version,
            &parts.functions,
            &parts.runtime.syscalls,
        );
        Ok(Executable {
            parts,
            decoded,
            jit: OnceLock::new(),
        })
    }
}

/// Everything an executable is built from.
pub(crate) struct Parts<C> {
    pub runtime: Arc<Runtime<C>>,
    pub version: SbpfVersion,
    /// The read-only region's bytes and guest address.
    pub ro_bytes: Vec<u8>,
    pub ro_vaddr: u64,
    /// The text section (also inside `ro_bytes` before V3) and its guest address.
    pub text: Vec<u8>,
    pub text_vaddr: u64,
    /// The address the program's own symbols give instruction 0 (an ELF's `.text` address;
    /// the guest address for assembly and raw text).
    pub symbol_base: u64,
    pub entry_pc: usize,
    pub functions: FunctionRegistry,
}

impl<C> Executable<C> {
    /// The SBPF version.
    pub fn version(&self) -> SbpfVersion {
        self.parts.version
    }
    /// The runtime (config and syscalls).
    pub fn runtime(&self) -> &Arc<Runtime<C>> {
        &self.parts.runtime
    }
    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.parts.runtime.config
    }
    /// The text section.
    pub fn text(&self) -> &[u8] {
        &self.parts.text
    }
    /// The address the program's symbols (and DWARF) give instruction `pc`: what debuggers
    /// show. Before V3 an ELF's text sits at its section address in the file's view and 4 GiB
    /// higher in the guest's; from V3, and for assembly and raw text, the two agree.
    pub fn symbol_address(&self, pc: usize) -> u64 {
        self.parts
            .symbol_base
            .wrapping_add(8u64.wrapping_mul(pc as u64))
    }

    /// The instruction index at a symbol address, if it is one.
    pub fn pc_at_symbol_address(&self, address: u64) -> Option<usize> {
        let offset = address.checked_sub(self.parts.symbol_base)?;
        let pc = usize::try_from(offset / 8).ok()?;
        (offset % 8 == 0 && pc < self.parts.text.len() / 8).then_some(pc)
    }

    /// Guest address of the text (instruction `pc` is at `text_vaddr + 8 * pc`).
    pub fn text_vaddr(&self) -> u64 {
        self.parts.text_vaddr
    }
    /// Instruction index where execution starts.
    pub fn entry_pc(&self) -> usize {
        self.parts.entry_pc
    }
    /// The function registry.
    pub fn functions(&self) -> &FunctionRegistry {
        &self.parts.functions
    }
    /// The read-only region (text and read-only data), borrowed from the executable.
    pub fn ro_region(&self) -> MemoryRegion<'_> {
        MemoryRegion::read_only(&self.parts.ro_bytes, self.parts.ro_vaddr)
    }
    /// Guest address of the read-only region.
    pub fn ro_vaddr(&self) -> u64 {
        self.parts.ro_vaddr
    }
    /// Compiles the program for the JIT engine now, rather than on its first JIT run; compiling
    /// again replaces the code (with a fresh blinding key).
    pub fn jit_compile(&mut self) -> Result<(), crate::jit::JitError> {
        self.jit = OnceLock::from(self.compile_for_jit()?);
        Ok(())
    }

    /// The compiled program, compiled now if it was not yet. Threads that ask at once may each
    /// compile; the first to finish is kept, and every caller gets that one.
    pub fn jit_program(&self) -> Result<&crate::jit::JitProgram, crate::jit::JitError> {
        if let Some(program) = self.jit.get() {
            return Ok(program);
        }
        let program = self.compile_for_jit()?;
        Ok(self.jit.get_or_init(|| program))
    }

    /// Whether the program has been compiled for the JIT.
    pub fn is_jit_compiled(&self) -> bool {
        self.jit.get().is_some()
    }

    fn compile_for_jit(&self) -> Result<crate::jit::JitProgram, crate::jit::JitError> {
        crate::jit::JitProgram::compile(
            &self.decoded,
            self.config(),
            self.version(),
            self.text_vaddr(),
        )
    }

    pub(crate) fn decoded(&self) -> &DecodedProgram {
        &self.decoded
    }
}
