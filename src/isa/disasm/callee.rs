//! What a `call` slot calls, and how the assembler says it.
//!
//! One opcode (`0x85`) serves every call; the version, the `src` field and the immediate tell
//! them apart. Before V3 the loader rewrites the calls of an ELF file, so the disassembler (which
//! sees the loaded text) meets LLVM's calls with their relocated immediates:
//!
//! ```text
//! version  src  immediate                        written as            from
//! V0–V2    0    hash of a known syscall name     syscall sol_log_      reference assembler
//! V0–V2    0    a key of the function registry   call function_12      ELF output, relocated
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
//! where the label cannot produce the key, the key is written as a number. A key with `src = 0`
//! is an ELF file's `call LABEL` after loading: the ELF writer links it against the label and
//! the loader puts the key back (a bare text section gets the index instead); where the label
//! cannot produce the key it stays `syscall KEY`.

use super::Symbols;
use crate::isa::hash::function_key;
use crate::isa::insn::{jump_target, Insn};
use crate::isa::version::SbpfVersion;

/// What a `call` slot calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callee {
    /// A syscall whose name is known.
    Syscall(String),
    /// An internal function by instruction index: the immediate itself before V3 (the
    /// reference assembler's convention), the slot after the call plus the immediate from V3.
    Function(i64),
    /// Before V3: the function registered under `key`, at instruction `pc` (not a key equal to
    /// the index, which is the reference assembler's [`Callee::Function`]).
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
                Callee::Function(jump_target(pc, insn.imm.into()) as i64)
            } else {
                symbols
                    .syscall_name(imm)
                    .map_or(Callee::Unknown, Callee::Syscall)
            };
        }
        if let Some(name) = symbols.syscall_name(imm) {
            return Callee::Syscall(name);
        }
        match (insn.src, symbols.function_keys.get(&imm)) {
            (1, Some(&pc)) => Callee::Keyed { key: imm, pc },
            (1, None) => Callee::Unknown,
            (_, Some(&pc)) if u32::try_from(pc) != Ok(imm) => Callee::Keyed { key: imm, pc },
            _ => Callee::Function(insn.imm64()),
        }
    }

    /// Whether the call is written `call LABEL` with `label`, which ELF output links to the
    /// same key (a bare text section gets the label's index instead).
    pub fn is_linked_by_label(&self, insn: &Insn, version: SbpfVersion, label: &str) -> bool {
        match self {
            Callee::Keyed { key, pc } => {
                !version.static_syscalls()
                    && insn.src == 0
                    && function_key(label, *pc as u64) == *key
            }
            _ => false,
        }
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
