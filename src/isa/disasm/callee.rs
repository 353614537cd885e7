//! What a `call` slot calls, and how the assembler says it.
//!
//! One opcode (`0x85`) serves every call; the version, the `src` field and the immediate tell
//! them apart. Before V3 the loader rewrites the calls of an ELF file, so the disassembler (which
//! sees the loaded text) meets LLVM's calls with their relocated immediates:
//!
//! ```text
//! version  src  immediate                        written as            from
//! V0–V2    0    hash of a known syscall name     syscall sol_log_      reference assembler
//! V0–V2    0    index of a labelled instruction  call function_12      reference assembler
//! V0–V2    0    anything else                    syscall 12345         reference assembler
//! V0–V2    1    hash of a known syscall name     call sol_log_         LLVM, relocated
//! V0–V2    1    a key of the function registry   hashcall function_12  LLVM, relocated
//! V0–V2    1    anything else                    .fill 1, 0x…          (calls nothing)
//! V3+      0    a syscall's hash                 syscall sol_log_      both
//! V3+      1    offset from the next slot        call function_12      both
//! ```
//!
//! A known syscall wins over a function, as it does when the program runs. `hashcall LABEL`
//! assembles to the key the loader gives the label's function
//! ([`crate::isa::hash::function_key`]: the hash of the index, or of the name `entrypoint`);
//! where the label cannot produce the key, the key is written as a number.

use super::Symbols;
use crate::isa::insn::Insn;
use crate::isa::version::SbpfVersion;

/// What a `call` slot calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callee {
    /// A syscall whose name is known.
    Syscall(String),
    /// An internal function by instruction index: the immediate itself before V3 (the
    /// reference assembler's convention), the slot after the call plus the immediate from V3.
    Function(i64),
    /// Before V3, `src = 1`: the function registered under `key`, at instruction `pc`.
    Keyed {
        /// The registry key (the immediate).
        key: u32,
        /// The function's instruction index.
        pc: usize,
    },
    /// Nothing known: only the immediate says it.
    Unknown,
}

impl Callee {
    /// What the call slot `insn` at index `pc` calls, given the program's `symbols`.
    pub fn of(insn: &Insn, pc: usize, version: SbpfVersion, symbols: &Symbols) -> Callee {
        let imm = insn.imm as u32;
        if version.static_syscalls() {
            return if insn.src == 1 {
                Callee::Function((pc as i64 + 1).saturating_add(insn.imm64()))
            } else {
                symbols
                    .syscall_name(imm)
                    .map_or(Callee::Unknown, Callee::Syscall)
            };
        }
        if let Some(name) = symbols.syscall_name(imm) {
            return Callee::Syscall(name);
        }
        if insn.src == 1 {
            return match symbols.function_keys.get(&imm) {
                Some(&pc) => Callee::Keyed { key: imm, pc },
                None => Callee::Unknown,
            };
        }
        Callee::Function(insn.imm64())
    }

    /// The instruction index called, for labels.
    pub fn target(&self) -> Option<i64> {
        match self {
            Callee::Function(at) => Some(*at),
            Callee::Keyed { pc, .. } => i64::try_from(*pc).ok(),
            Callee::Syscall(_) | Callee::Unknown => None,
        }
    }
}
