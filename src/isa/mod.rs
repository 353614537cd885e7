//! The instruction set: versions, the one instruction table, slot encoding, the assembler and
//! the disassembler.
//!
//! Everything that needs to know an opcode reads [`table::TABLE`]:
//!
//! ```text
//!                    ┌──────────── table.rs (one row per opcode × versions) ───────────┐
//!                    │                                                                  │
//!   asm/ (mnemonic → row → slot)   disasm/ (slot → row → text)   verifier (slot → row → rules)
//!                                       interpreter::decode (slot → row → op, both engines run)
//! ```

pub mod asm;
pub mod disasm;
pub mod hash;
pub mod insn;
pub mod syscall_names;
pub mod table;
pub mod version;

pub use insn::{Insn, INSN_SIZE};
pub use version::SbpfVersion;
