//! Executables: a verified program, loaded once and run many times.
//!
//! An [`Executable`] holds the text, the read-only data region, the function registry and the
//! entry point, plus the pre-decoded form of the text both engines run and a slot for what an
//! engine compiles from it (the JIT's machine code). This file says what an executable *is*;
//! making one from assembly, raw text or an ELF file is `crate::load`'s work, which gathers
//! the `Parts` and hands them to one constructor here that verifies and pre-decodes them:
//!
//! ```text
//! assembly ─┐
//! raw text ─┼─► crate::load ─► Parts ─► Executable::new (verify, pre-decode) ─► Executable
//! ELF file ─┘    (elf reads the file)
//! ```
//!
//! The JIT compiles an executable on its first JIT run, once for every thread, or ahead of time
//! by `Executable::jit_compile` (to pay the compile time up front and see a compile error at
//! load time); the executable keeps the result in a `CompiledSlot` without naming its type,
//! so vm imports no engine. After loading it is immutable but for that one-time compile, `Send`
//! and `Sync`: share one between threads and give each run its own [`super::Vm`].

use super::config::Config;
use super::context::ContextObject;
use super::functions::FunctionRegistry;
use super::syscalls::SyscallRegistry;
use crate::isa::SbpfVersion;
use crate::memory::MemoryRegion;
use crate::program::{decode_program, DecodedProgram};
use crate::verifier::{verify, VerifierError};
use std::any::Any;
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

/// A loaded, verified program.
pub struct Executable<C> {
    parts: Parts<C>,
    decoded: DecodedProgram,
    /// What an engine compiled from the program, once: the JIT's machine code, set by the
    /// first JIT run or by [`Executable::jit_compile`].
    compiled: CompiledSlot,
    /// A second compiled form, for runs that stop at marks (a debugger's): the JIT's code
    /// with a mark check in front of every instruction, set by the first such run.
    compiled_with_stops: CompiledSlot,
}

impl<C: ContextObject> Executable<C> {
    /// Verifies and pre-decodes the parts of a program: the one way in, which the constructors
    /// in `crate::load` take once they have the parts.
    pub(crate) fn new(parts: Parts<C>) -> Result<Self, VerifierError> {
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
            compiled: CompiledSlot::default(),
            compiled_with_stops: CompiledSlot::default(),
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
    /// The slot an engine keeps its compiled form of the program in.
    pub(crate) fn compiled(&self) -> &CompiledSlot {
        &self.compiled
    }

    /// The slot, to replace what it holds.
    pub(crate) fn compiled_mut(&mut self) -> &mut CompiledSlot {
        &mut self.compiled
    }

    /// The slot for the compiled form that stops at marks, apart from [`Self::compiled`] (the
    /// one runs without a debugger use, which this never changes).
    pub(crate) fn compiled_with_stops(&self) -> &CompiledSlot {
        &self.compiled_with_stops
    }

    pub(crate) fn decoded(&self) -> &DecodedProgram {
        &self.decoded
    }
}

/// What an engine compiled from an executable, kept with it and shared by every run on every
/// thread. The executable neither knows nor names the type: the engine that fills the slot
/// (today only the JIT, with its machine code) reads it back as its own type, one type check
/// per run, and vm imports no engine.
#[derive(Default)]
pub(crate) struct CompiledSlot(OnceLock<Box<dyn Any + Send + Sync>>);

impl CompiledSlot {
    /// What the slot holds, if it holds a `T`.
    pub(crate) fn get<T: Any>(&self) -> Option<&T> {
        self.0.get()?.downcast_ref()
    }

    /// What the slot holds if it is a `T`, else `value` put in: the first value set stays, and
    /// `None` says the slot holds another type (one engine fills it, so that does not happen).
    pub(crate) fn get_or_set<T: Any + Send + Sync>(&self, value: T) -> Option<&T> {
        self.0.get_or_init(|| Box::new(value)).downcast_ref()
    }

    /// Replaces what the slot holds with `value`.
    pub(crate) fn replace<T: Any + Send + Sync>(&mut self, value: T) {
        self.0 = OnceLock::from(Box::new(value) as Box<dyn Any + Send + Sync>);
    }
}
