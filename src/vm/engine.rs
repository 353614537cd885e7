//! The engines' names, and why the JIT engine could not compile a program: vocabulary that
//! configuration, reports, errors and embedders share without importing an engine.
//!
//! The engines themselves stand above vm ([`crate::interpreter`], [`crate::jit`]), and so does
//! the switch between them (`Vm::execute_with`, in `src/engines.rs`); here [`Engine`] only
//! names a choice, and [`JitError`] is what [`super::EbpfError::JitCompileFailed`] carries.

/// How a VM executes its program. Both give the same result, error, final pc and
/// instruction count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// The instruction-metered interpreter ([`super::Vm::execute`]).
    #[default]
    Interpreter,
    /// Native x86-64 code ([`super::Vm::execute_jit`]); the executable is compiled on its first JIT
    /// run, or ahead of time with [`super::Executable::jit_compile`].
    Jit,
}

impl Engine {
    /// Every engine.
    pub const ALL: [Engine; 2] = [Engine::Interpreter, Engine::Jit];

    /// The engine called `name` ([`Engine::name`]).
    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|engine| engine.name() == name)
    }

    /// The engine's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interpreter",
            Engine::Jit => "jit",
        }
    }
}

/// Why a program could not be compiled for the JIT engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JitError {
    /// The host is not x86-64 unix.
    #[error("the JIT needs an x86-64 unix host")]
    UnsupportedPlatform,
    /// Code memory could not be had.
    #[error("code memory: {0}")]
    CodeMemory(#[from] CodeMemoryError),
    /// The executable's compiled slot holds what another engine compiled (only the JIT fills
    /// it today, so this does not happen; it is an error rather than a panic all the same).
    #[error("the executable holds code compiled by another engine")]
    SlotTaken,
    /// The program is too large for 32-bit code offsets.
    #[error("the compiled program is too large ({bytes} bytes)")]
    TooLarge {
        /// Bytes of machine code.
        bytes: usize,
    },
}

/// Why code memory could not be provided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeMemoryError {
    /// `mmap` failed.
    #[error("mmap of {len} bytes failed (errno {errno})")]
    Map {
        /// Bytes asked for.
        len: usize,
        /// The OS error number.
        errno: i32,
    },
    /// `mprotect` failed.
    #[error("mprotect failed (errno {errno})")]
    Protect {
        /// The OS error number.
        errno: i32,
    },
}
