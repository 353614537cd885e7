//! Making executables: from assembly, from a bare text section, from an ELF file.
//!
//! This is the one place an [`Executable`](crate::vm::Executable) is built. Every way in
//! gathers the same `Parts` (text, read-only data and their addresses, functions, entry point)
//! and hands them to vm's one constructor, which verifies and pre-decodes them:
//!
//! ```text
//! assembly ─► isa::asm ─┬─ needs a layout ─► elf::write_elf ─┐
//!                       │                                    ▼
//! ELF bytes ────────────┼─────────────────────────► elf::load_parts ─► Parts ─┐
//!                       └─ text + functions ─┐                                ├─► Executable::new
//! raw text ──────────────────────────────────┴─────────────────────► Parts ───┘  (verify, decode)
//! ```
//!
//! It stands above vm, elf and the verifier, so that each of them stays what it is: vm the
//! vocabulary (what an executable *is*), elf the file format (reading and writing ELF, no
//! executables), the verifier the rules. The constructors are inherent methods of `Executable`
//! ([`from_assembly`], [`from_text_bytes`], [`from_elf`]), so callers write
//! `Executable::from_elf(..)` as before; what lives here by path is why loading failed:
//! [`LoadError`] and [`ElfLoadError`].
//!
//! Compiling for the JIT is the JIT's own impl (`Executable::jit_compile`, in `jit`): the
//! executable keeps the machine code without naming its type.
//!
//! [`from_assembly`]: crate::vm::Executable::from_assembly
//! [`from_text_bytes`]: crate::vm::Executable::from_text_bytes
//! [`from_elf`]: crate::vm::Executable::from_elf

mod assembly;
mod elf;
mod error;

pub use error::{ElfLoadError, LoadError};
