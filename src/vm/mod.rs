//! The virtual machine's vocabulary: configuration, the context that owns the budget, errors,
//! syscalls, the function registry, executables and VM instances.

mod config;
mod context;
mod engine;
mod error;
mod executable;
mod functions;
mod machine;
mod syscalls;

pub use config::Config;
pub use context::{Budget, ContextObject};
pub use engine::Engine;
pub use error::{AccessType, EbpfError, SyscallError};
pub(crate) use executable::Parts;
pub use executable::{Executable, LoadError, Runtime};
pub use functions::{FunctionRegistry, KeyCollision};
pub use machine::{CallFrame, StopReason, Vm};
pub use syscalls::{
    compare_bytes, copy_ranges_overlap, Syscall, SyscallCollision, SyscallFn, SyscallFunction,
    SyscallRegistry,
};
