//! The virtual machine's vocabulary: configuration, the context that owns the budget, errors,
//! syscalls, the function registry, executables and VM instances, and the marks a debugger's run
//! stops at.
//!
//! Vocabulary only: vm names what the other parts share and imports none of them that stand
//! above it. The engines ([`crate::interpreter`], [`crate::jit`]) run a [`Vm`]; the ELF
//! loader ([`crate::elf`]) reads files into parts; [`crate::load`] builds [`Executable`]s
//! from assembly, raw text or ELF files.

mod config;
mod context;
mod engine;
mod error;
mod executable;
mod functions;
mod machine;
mod snapshot;
mod stops;
mod syscalls;

pub use config::Config;
pub use context::{Budget, ContextObject};
pub use engine::{CodeMemoryError, Engine, JitError};
pub use error::{AccessType, EbpfError, SyscallError};
pub(crate) use executable::Parts;
pub use executable::{Executable, Runtime};
pub use functions::{FunctionRegistry, KeyCollision};
pub use machine::{CallFrame, StopReason, Vm};
pub use snapshot::VmState;
pub use stops::{Pause, StopMarks};
pub use syscalls::{
    compare_bytes, copy_ranges_overlap, Syscall, SyscallCollision, SyscallFn, SyscallFunction,
    SyscallRegistry,
};
