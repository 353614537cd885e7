//! # sbvm
//!
//! A runtime for Solana-style sBPF programs. The pipeline, one module per stage:
//!
//! ```text
//! ELF bytes ─► loader ─► executable ─► verifier ─► interpreter / JIT ─► result
//!                             ▲
//! assembly ─► isa::asm ───────┘            isa::disasm ◄── any text section
//! ```
//!
//! | module       | what it holds                                                   |
//! |--------------|-----------------------------------------------------------------|
//! | [`isa`]      | SBPF versions, the one instruction table, assembler, disassembler |
//! | [`verifier`] | the network's verification rules, with the reference's errors   |
//!
//! Semantics follow the reference runtime, `solana-sbpf` 0.26, for every SBPF version.
//!
//! ```
//! use sbvm::isa::{asm::assemble, disasm, SbpfVersion};
//!
//! let program = assemble("mov64 r0, 42\nexit", SbpfVersion::V3).unwrap();
//! sbvm::verifier::verify(&program.text, SbpfVersion::V3).unwrap();
//! let text = disasm::disassemble(&program.text, SbpfVersion::V3, &Default::default());
//! assert_eq!(text, "    mov64 r0, 42\n    exit\n");
//! ```
//!
//! ## Unsafe ledger
//!
//! None yet: the crate denies `unsafe_code`. The JIT's code memory, its entry and host
//! memory access will be the only exceptions, each listed here.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod env;
pub mod interpreter;
pub mod isa;
pub mod memory;
pub mod verifier;
pub mod vm;
