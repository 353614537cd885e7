//! Watching a run from outside: a profile of compute units by call stack, and coverage of the
//! instructions, both gathered by stepping the VM ([`crate::vm::Vm::step`]) — no engine changes,
//! so the run has exactly the results and counts it has without being watched.
//!
//! ```text
//!   Vm::step ──► Observation ──┬─► Profile   folded stacks `outer;inner N` (N compute units)
//!   (each instruction)         │             + a self/total table per function
//!                              └─► Coverage  hits per instruction ─► lcov tracefile
//!                                            (DWARF source lines, else a disassembly listing)
//! ```
//!
//! | file         | what it holds                                                      |
//! |--------------|--------------------------------------------------------------------|
//! | `record.rs`  | [`Observation`]: the stepping loop and what it reads around a step  |
//! | `names.rs`   | [`FunctionNames`]: the function an instruction lies in             |
//! | `profile.rs` | [`Profile`]: folded stacks, self and total units per function      |
//! | `coverage.rs`| [`Coverage`]: hit counts, lcov records                             |
//! | `listing.rs` | the disassembly listing that stands in for source without DWARF    |
//! | `dwarf.rs`   | source lines from an ELF file's DWARF line table                   |
//! | `solana.rs`  | [`ObservingDriver`]: a Solana instruction's programs, callees included |
//!
//! This part sits above everything it watches (the VM, the disassembler, the ELF reader and the
//! Solana runtime's driver hook); nothing below imports it.
//!
//! ```
//! use std::sync::Arc;
//! use sbvm::env::{standard_runtime, standard_vm, EnvContext};
//! use sbvm::isa::SbpfVersion;
//! use sbvm::observe::{FunctionNames, Observation};
//! use sbvm::vm::{Config, Executable};
//!
//! let runtime = Arc::new(standard_runtime(Config::default()));
//! let source = "call function_double\nexit\nfunction_double:\nadd64 r0, r0\nexit";
//! let executable = Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap();
//! let mut context = EnvContext::new(1_000);
//! let mut vm = standard_vm(&executable, &mut context, vec![], 0).unwrap();
//! let observation = Observation::new();
//! let names = FunctionNames::of_executable(&executable, &Default::default());
//! let (instructions, result) = observation.run(&mut vm, "", names);
//! assert_eq!((instructions, result), (4, Ok(0)));
//! // call and exit in entrypoint, add64 and exit in function_double:
//! assert_eq!(observation.profile().folded(), "entrypoint 2\nentrypoint;function_double 2\n");
//! ```

mod coverage;
mod dwarf;
mod listing;
mod names;
mod profile;
mod record;
mod solana;

pub use coverage::{listing_path, Coverage, CoverageFiles, CoveredProgram};
pub use dwarf::{source_lines, SourceLine};
pub use listing::{listing, Listing};
pub use names::FunctionNames;
pub use profile::{FunctionCost, Profile};
pub use record::{Observation, RUNTIME_FRAME};
pub use solana::ObservingDriver;
