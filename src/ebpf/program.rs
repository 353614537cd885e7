//! A loaded eBPF program, run as many times as the embedder likes: the embedding API of the
//! dialect.
//!
//! [`EbpfProgram`] owns what lives across runs: the verified (and, once run on the JIT,
//! compiled) executable, its maps ([`crate::ebpf::maps`]) and its global data, and the
//! helpers' context (clock, random generator). Each [`EbpfProgram::run`] maps them beside a
//! fresh stack and the run's input, as [`super::run`] lays them out, runs one engine and
//! hands back r0 or the error, the instruction count and the run's `bpf_trace_printk` lines.
//! A map value or global the program changes keeps its new bytes for the next run, as in
//! the kernel; `.rodata` is mapped read-only.
//!
//! ```
//! use sbvm::ebpf::program::{ebpf_runtime, EbpfProgram};
//! use sbvm::ebpf::run::Flavour;
//! use sbvm::vm::Engine;
//!
//! // mov r0, r2 (the input's length); exit
//! let text = [0xbf, 0x20, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0];
//! let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
//! let run = program.run(&Flavour::Raw, vec![1, 2, 3], Engine::Interpreter).unwrap();
//! assert_eq!(run.result, Ok(3));
//! ```

use super::helpers::{register_builtin_helpers, HelperContext};
use super::map_def::MapDef;
use super::maps::{MapError, Maps};
use super::object::{parse_object, DataSection, LinkedProgram, ObjectError};
use super::run::{ebpf_config, ebpf_vm, Flavour};
use crate::env::EnvError;
use crate::isa::SbpfVersion;
use crate::jit::JitError;
use crate::load::LoadError;
use crate::memory::{HostMemory, MemoryRegion};
use crate::vm::{EbpfError, Engine, Executable, FunctionRegistry, Runtime};
use std::sync::Arc;

/// The runtime eBPF programs load into: [`ebpf_config`] and the built-in helpers. Add your
/// own with `runtime.syscalls.register_with_key(id, name, f)` on a runtime from
/// [`ebpf_runtime_with`] before wrapping it in an `Arc`.
pub fn ebpf_runtime() -> Arc<Runtime<HelperContext>> {
    Arc::new(ebpf_runtime_with(|_| {}))
}

/// [`ebpf_runtime`], with `extend` registering the embedder's helpers first (a helper
/// registered under a built-in's id replaces it).
pub fn ebpf_runtime_with(
    extend: impl FnOnce(&mut Runtime<HelperContext>),
) -> Runtime<HelperContext> {
    let mut runtime = Runtime::new(ebpf_config());
    extend(&mut runtime);
    register_builtin_helpers(&mut runtime.syscalls);
    runtime
}

/// Why a program did not load.
#[derive(Debug, thiserror::Error)]
pub enum EbpfLoadError {
    /// The text did not load or verify.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A map could not be made.
    #[error(transparent)]
    Map(#[from] MapError),
    /// The object file could not be read or linked.
    #[error(transparent)]
    Object(#[from] ObjectError),
}

impl EbpfLoadError {
    /// The variant name reports print (`UnknownOpCode`, `TooLarge`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            EbpfLoadError::Load(error) => error.kind_name(),
            EbpfLoadError::Map(_) => "MapError",
            EbpfLoadError::Object(error) => error.kind_name(),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbpfRun {
    /// r0, or the error the run stopped with.
    pub result: Result<u64, EbpfError>,
    /// Instructions executed.
    pub instructions: u64,
    /// Instruction index where the run ended.
    pub pc: usize,
    /// This run's `bpf_trace_printk` messages, each as formatted without its trailing newline.
    pub logs: Vec<String>,
    /// The input's bytes after the run (a packet program may rewrite its packet).
    pub input: Vec<u8>,
}

/// A loaded eBPF program with its maps and global data (see the module doc).
pub struct EbpfProgram {
    executable: Executable<HelperContext>,
    maps: Maps,
    data: Vec<DataSection>,
    context: HelperContext,
    instruction_limit: u64,
}

impl EbpfProgram {
    /// Loads and verifies bare eBPF bytecode whose `lddw`s name maps by their addresses
    /// ([`super::layout::map_address`] of each of `maps`, in order).
    pub fn from_bytecode(
        text: &[u8],
        runtime: Arc<Runtime<HelperContext>>,
        maps: &[MapDef],
    ) -> Result<Self, EbpfLoadError> {
        Self::from_parts(text, runtime, maps, Vec::new())
    }

    /// Loads program `section` of a relocatable object from clang (`None`: its only
    /// program), with the object's maps and global data; also gives back the linked program
    /// (its function starts and relocations, for listings).
    pub fn from_object(
        bytes: &[u8],
        section: Option<&str>,
        runtime: Arc<Runtime<HelperContext>>,
    ) -> Result<(Self, LinkedProgram), EbpfLoadError> {
        let object = parse_object(bytes)?;
        let linked = object.link(section)?;
        let program = Self::from_parts(&linked.text, runtime, &object.maps, object.data)?;
        Ok((program, linked))
    }

    /// Loads linked bytecode with its maps and global data (what an object's loader found).
    pub fn from_parts(
        text: &[u8],
        runtime: Arc<Runtime<HelperContext>>,
        maps: &[MapDef],
        data: Vec<DataSection>,
    ) -> Result<Self, EbpfLoadError> {
        let executable = Executable::from_text_bytes(
            text,
            SbpfVersion::Ebpf,
            runtime,
            FunctionRegistry::default(),
        )?;
        Ok(EbpfProgram {
            executable,
            maps: Maps::new(maps)?,
            data,
            context: HelperContext::new(),
            instruction_limit: u64::MAX,
        })
    }

    /// Runs the program once with `engine`, `r1` set up as `flavour` says over `input`.
    /// A memory map that cannot be built (an input too large, no host memory) is the error;
    /// everything the program does is in the [`EbpfRun`].
    pub fn run(
        &mut self,
        flavour: &Flavour,
        input: Vec<u8>,
        engine: Engine,
    ) -> Result<EbpfRun, EnvError> {
        let EbpfProgram {
            executable,
            maps,
            data,
            context,
            instruction_limit,
        } = self;
        context.set_instruction_limit(*instruction_limit);
        let ran = maps.with_lent(context, |lent, context| {
            let mut extra: Vec<MemoryRegion<'_>> = data
                .iter_mut()
                .map(|section| {
                    if section.writable {
                        MemoryRegion::writable(&mut section.bytes, section.address)
                    } else {
                        MemoryRegion::read_only(&section.bytes, section.address)
                    }
                })
                .collect();
            extra.extend(lent);
            let mut vm = ebpf_vm(executable, context, flavour, input, extra)?;
            let (instructions, result) = vm.execute_with(engine);
            let pc = vm.pc();
            // The input region owns the bytes moved in: give them back, no copy.
            let input = vm
                .memory
                .take_regions()
                .into_iter()
                .find(|region| region.vm_range().start == super::layout::INPUT_START)
                .and_then(|region| match region.into_memory() {
                    // `ebpf_vm` maps the input as owned bytes.
                    HostMemory::Owned { bytes, .. } => Some(bytes),
                    _ => None,
                })
                .unwrap_or_default();
            Ok::<_, EnvError>((instructions, result, pc, input))
        });
        let (instructions, result, pc, input) = ran?;
        Ok(EbpfRun {
            result,
            instructions,
            pc,
            logs: self.context.take_logs(),
            input,
        })
    }

    /// Compiles the program for the JIT now rather than on its first JIT run.
    pub fn jit_compile(&mut self) -> Result<(), JitError> {
        self.executable.jit_compile()
    }

    /// Limits each run to `limit` instructions (`u64::MAX`, the default: no limit); a run that
    /// would execute more stops with `ExceededMaxInstructions`.
    pub fn set_instruction_limit(&mut self, limit: u64) {
        self.instruction_limit = limit;
    }

    /// The maps, as the last run left them.
    pub fn maps(&self) -> &Maps {
        &self.maps
    }

    /// The maps, to read or change between runs.
    pub fn maps_mut(&mut self) -> &mut Maps {
        &mut self.maps
    }

    /// The global-data sections, as the last run left them.
    pub fn data(&self) -> &[DataSection] {
        &self.data
    }

    /// The verified executable.
    pub fn executable(&self) -> &Executable<HelperContext> {
        &self.executable
    }

    /// The helpers' context (to seed `get_prandom_u32`, for one).
    pub fn helper_context_mut(&mut self) -> &mut HelperContext {
        &mut self.context
    }
}
