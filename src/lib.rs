//! # sbvm
//!
//! A runtime for Solana-style sBPF programs. The pipeline, one module per stage:
//!
//! ```text
//! ELF bytes ─► elf (parts) ─┐
//! assembly ─► isa::asm ─────┼─► load ─► executable ─► interpreter / JIT ─► result
//! raw text ─────────────────┘  (verify)              isa::disasm ◄── any text section
//! ```
//!
//! | module          | what it holds                                                        |
//! |-----------------|----------------------------------------------------------------------|
//! | [`isa`]         | SBPF versions, the one instruction table, assembler, disassembler    |
//! | [`verifier`]    | the network's verification rules, with the reference's errors        |
//! | [`memory`]      | regions and the memory mapping (aligned, unaligned, gapped stack); imports only [`isa`] |
//! | [`program`]     | the decoded program both engines run: the op list and its facts, pre-decoding; below [`vm`] and the engines, imports only [`isa`] |
//! | [`mod@cfg`]     | control-flow graphs: functions, basic blocks, flow and call edges, as text or DOT; reads the text as the disassembler does, imports only [`isa`] |
//! | [`vm`]          | vocabulary: config, context (budget), syscalls, executables, VM instances, errors, engine names; imports no engine and not elf |
//! | [`interpreter`] | the metered interpreter (`execute`, `step`), dispatch generated from the op list |
//! | [`jit`]         | the x86-64 JIT (`Executable::jit_compile`, `Vm::execute_jit`), recipes derived from the op list |
//! | `engines`       | the switch over both engines, `Vm::execute_with`: above both, as it names both |
//! | [`elf`]         | the ELF loader (the reference's rules for every version) into parts, and ELF output |
//! | [`load`]        | making executables (`Executable::from_elf`, `from_assembly`, `from_text_bytes`), [`load::LoadError`] |
//! | [`mod@env`]     | the standard runtime environment: memory layout and syscalls         |
//! | [`debugger`]    | the gdb-remote debugger: an adapter over `Vm::step` for gdb and lldb  |
//! | [`solana`]      | Solana's program runtime: real programs, one instruction, exact to Agave |
//! | [`observe`]     | profile (folded stacks of compute units) and coverage (lcov) of a run, by stepping it |
//!
//! Each part imports only the parts listed above it in this table (isa and memory at the
//! bottom, vm the vocabulary over them; the engines, elf and load above vm).
//!
//! Semantics follow the reference runtime, `solana-sbpf` 0.26, for every SBPF version: the same
//! result, the same error and the same instruction count.
//!
//! Load once, run many times:
//!
//! ```
//! use std::sync::Arc;
//! use sbvm::env::{standard_runtime, standard_vm, EnvContext};
//! use sbvm::isa::SbpfVersion;
//! use sbvm::vm::{Config, Executable};
//!
//! let runtime = Arc::new(standard_runtime(Config::default()));
//! let source = "ldxb r0, [r1+0]\nadd64 r0, 40\nexit";
//! let executable = Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap();
//! for input in [vec![2u8], vec![5u8]] {
//!     let mut context = EnvContext::new(1_000); // the compute budget
//!     let mut vm = standard_vm(&executable, &mut context, input.clone(), 0).unwrap();
//!     let (instructions, result) = vm.execute();
//!     assert_eq!((instructions, result), (3, Ok(40 + u64::from(input[0]))));
//! }
//! ```
//!
//! ## Unsafe ledger
//!
//! The crate denies `unsafe_code`; these are the exceptions, each with a `// SAFETY:` comment:
//!
//! | where                 | why                                                             |
//! |-----------------------|-----------------------------------------------------------------|
//! | `memory/host.rs`      | host memory access: one checked base pointer per region         |
//! | `jit/code_memory.rs`  | JIT code memory: mmap, mprotect (W^X), copying code in, munmap  |
//! | `jit/run.rs`          | JIT entry: calling the generated code                           |

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod cfg;
pub mod debugger;
pub mod ebpf;
pub mod elf;
mod engines;
pub mod env;
pub mod interpreter;
pub mod isa;
pub mod jit;
pub mod load;
pub mod memory;
pub mod observe;
pub mod program;
pub mod solana;
pub mod verifier;
pub mod vm;

/// The README's Rust examples, compiled and run as doctests so they cannot drift.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
