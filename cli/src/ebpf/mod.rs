//! The Linux eBPF dialect on the command line: `--dialect ebpf` on `run`, `asm`, `disasm` and
//! `verify`.
//!
//! The instruction set is the library's [`SbpfVersion::Ebpf`] rows; what differs from sBPF is
//! what a file holds and how a program runs:
//!
//! ```text
//!   file                        read as                         program
//!   ELF (magic, *.o)            parse_object → link(--section)  an object's program section
//!   raw bytecode (--raw)        the bytes themselves            instruction 0 is the entry
//!   assembly (*.s, *.asm, …)    assemble(…, Ebpf)               instruction 0 is the entry
//! ```
//!
//! An ELF file is a relocatable object from `clang -target bpf -c` (not a shared object):
//! without `--section` its only program section is used, and an object with several is
//! rejected with their names. The program then runs in [`sbvm::ebpf::program::EbpfProgram`],
//! which keeps its maps and global data across the runs of one command (`run --repeat`).
//! `run.rs` runs it (`flavour.rs`: how r1 is set up), `bench.rs` times it, `listing.rs`
//! prints llvm-objdump-like listings, `verify.rs` verifies.

pub mod bench;
pub mod flavour;
pub mod listing;
pub mod run;
pub mod verify;

use crate::input::{format_of, read_bytes, Format};
use crate::load::LoadFailure;
use crate::Failure;
use sbvm::ebpf::object::{parse_object, EbpfObject, ObjectError};
use sbvm::ebpf::program::{ebpf_runtime, EbpfLoadError, EbpfProgram};
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::Symbols;
use sbvm::isa::SbpfVersion;
use sbvm::load::LoadError;
use std::collections::BTreeMap;
use std::path::Path;

/// An eBPF program file, read.
pub enum Source {
    /// A relocatable object: its programs are linked on demand.
    Object(EbpfObject),
    /// Bytecode (raw, or assembled) with the names the assembly gave its functions.
    Text {
        /// The text: 8-byte slots.
        text: Vec<u8>,
        /// Function and label names, for listings and fault reports.
        symbols: Symbols,
    },
}

/// Reads `path` as an eBPF program: `Ok(Err(..))` when it does not parse (an object) or
/// assemble, `Err(..)` for a usage error (unreadable, or `--section` given for a file that is
/// no object).
pub fn read_source(
    path: &Path,
    raw: bool,
    section: Option<&str>,
) -> Result<Result<Source, LoadFailure>, Failure> {
    let bytes = read_bytes(path)?;
    let format = format_of(path, &bytes, raw);
    if section.is_some() && format != Format::Elf {
        return Err(Failure::Usage(format!(
            "{}: --section names a program section of an ELF object; this is {}",
            path.display(),
            if format == Format::Raw {
                "raw bytecode"
            } else {
                "assembly"
            }
        )));
    }
    Ok(match format {
        Format::Elf => parse_object(&bytes)
            .map(Source::Object)
            .map_err(object_failure),
        Format::Raw => Ok(Source::Text {
            text: bytes,
            symbols: Symbols::default(),
        }),
        Format::Assembly => assemble(&String::from_utf8_lossy(&bytes), SbpfVersion::Ebpf)
            .map_err(|error| LoadFailure {
                stage: "load",
                kind: LoadError::from(error.clone()).kind_name(),
                message: error.to_string(),
            })
            .and_then(|assembled| {
                if assembled.needs_elf() {
                    return Err(LoadFailure {
                        stage: "load",
                        kind: "Rejected",
                        message: "the program has read-only data or takes addresses, which \
                                  bare eBPF bytecode has nowhere to hold"
                            .into(),
                    });
                }
                Ok(Source::Text {
                    symbols: Symbols::from_assembled(&assembled),
                    text: assembled.text,
                })
            }),
    })
}

/// An object that does not parse or link: the `load` stage, with the loader's error kind.
pub fn object_failure(error: ObjectError) -> LoadFailure {
    LoadFailure {
        stage: "load",
        kind: error.kind_name(),
        message: error.to_string(),
    }
}

/// A program that did not load: the `verify` stage for the verifier's errors, else `load`.
fn load_failure(error: EbpfLoadError) -> LoadFailure {
    let stage = match &error {
        EbpfLoadError::Load(LoadError::Verifier(_)) => "verify",
        _ => "load",
    };
    LoadFailure {
        stage,
        kind: error.kind_name(),
        message: error.to_string(),
    }
}

/// A loaded eBPF program and the names of its functions.
pub struct Loaded {
    /// The program, its maps and global data.
    pub program: EbpfProgram,
    /// Function names by instruction index of the linked text.
    pub functions: BTreeMap<usize, String>,
}

impl Source {
    /// Links (an object's `section`, or its only program) and loads the program with the
    /// built-in helpers.
    pub fn load(self, section: Option<&str>) -> Result<Loaded, LoadFailure> {
        match self {
            Source::Object(object) => {
                let linked = object.link(section).map_err(object_failure)?;
                let program = EbpfProgram::from_parts(
                    &linked.text,
                    ebpf_runtime(),
                    &object.maps,
                    object.data,
                )
                .map_err(load_failure)?;
                Ok(Loaded {
                    program,
                    functions: linked.functions.into_iter().collect(),
                })
            }
            Source::Text { text, symbols } => Ok(Loaded {
                program: EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[])
                    .map_err(load_failure)?,
                functions: symbols.functions,
            }),
        }
    }
}

/// The program sections a command works on: `--section`'s, checked against the object's
/// (an unknown one is rejected with the names there are), or all of them.
pub fn program_sections(
    object: &EbpfObject,
    section: Option<&str>,
) -> Result<Vec<String>, LoadFailure> {
    let names: Vec<String> = object.programs.iter().map(|p| p.name.clone()).collect();
    match section {
        Some(name) if names.iter().any(|known| known == name) => Ok(vec![name.to_string()]),
        Some(name) => Err(object_failure(ObjectError::UnknownProgram {
            name: name.to_string(),
            available: names,
        })),
        None if names.is_empty() => Err(object_failure(ObjectError::NoProgram)),
        None => Ok(names),
    }
}

/// A program that did not load, for the commands that report it in one line (exit 3).
pub fn not_loaded(path: &Path, failure: LoadFailure) -> Failure {
    Failure::NotLoaded {
        program: path.display().to_string(),
        failure,
    }
}
