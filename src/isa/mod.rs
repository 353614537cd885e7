//! The instruction set: versions, the one instruction table, slot encoding, the assembler and
//! the disassembler.
//!
//! Everything that needs to know an opcode reads [`table::TABLE`]:
//!
//! ```text
//!                    ┌──────────── table.rs (one row per opcode × versions) ───────────┐
//!                    │                                                                  │
//!   asm/ (mnemonic → row → slot)   disasm/ (slot → row → text)   verifier (slot → row → rules)
//!                                       program::decode (slot → row → op, both engines run)
//! ```
//!
//! Three rules about slots live here once, for all of them: where a relative jump or call
//! lands ([`insn::jump_target`]), which field names a `callx` register
//! ([`SbpfVersion::callx_register`]) and how a walk steps over an `lddw`'s second slot
//! ([`walk::instructions`]).

pub mod asm;
pub mod disasm;
pub mod hash;
pub mod insn;
pub mod syscall_names;
pub mod table;
pub mod version;
pub mod walk;

pub use insn::{Insn, INSN_SIZE};
pub use version::SbpfVersion;
