//! Guest traps: how a program run can fail, named and computed as the reference computes them.

use std::fmt;

/// Whether a memory access reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessType {
    /// A read.
    Load,
    /// A write.
    Store,
}

impl fmt::Display for AccessType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessType::Load => "load",
            AccessType::Store => "store",
        })
    }
}

/// Why a program stopped without returning. Variant names are the reference's (`EbpfError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EbpfError {
    /// An access outside every region, across a region's end, or a store to read-only memory.
    #[error("access violation: {access} of {len} bytes at {vaddr:#x} (in {region} region)")]
    AccessViolation {
        /// Load or store.
        access: AccessType,
        /// Guest address.
        vaddr: u64,
        /// Bytes accessed.
        len: u64,
        /// `program`, `stack`, `heap`, `input`, `allocated` (another mapped region) or
        /// `unallocated` (no region contains the address).
        region: &'static str,
    },
    /// An access violation next to the stack, in a version with fixed frames.
    #[error("stack access violation: {access} of {len} bytes at {vaddr:#x} (stack frame {frame})")]
    StackAccessViolation {
        /// Load or store.
        access: AccessType,
        /// Guest address.
        vaddr: u64,
        /// Bytes accessed.
        len: u64,
        /// Frame the address falls in (-1 is just below the stack).
        frame: i64,
    },
    /// Division or remainder by zero.
    #[error("division by zero")]
    DivideByZero,
    /// Signed division of the most negative value by -1.
    #[error("division overflow")]
    DivideOverflow,
    /// The instruction budget ran out.
    #[error("exceeded the instruction budget")]
    ExceededMaxInstructions,
    /// Execution ran past the end of the text.
    #[error("execution ran past the end of the text")]
    ExecutionOverrun,
    /// More nested calls than the configured call depth allows.
    #[error("exceeded the maximum call depth")]
    CallDepthExceeded,
    /// `callx` or a registered call to an address outside the text.
    #[error("call to an address outside the text segment")]
    CallOutsideTextSegment,
    /// A byte swap with a size other than 16, 32 or 64.
    #[error("invalid instruction")]
    InvalidInstruction,
    /// An instruction the version lacks, the second slot of an `lddw`, or a call to nothing.
    #[error("unsupported instruction")]
    UnsupportedInstruction,
    /// A syscall failed.
    #[error("syscall error: {message}")]
    SyscallError {
        /// What the syscall said.
        message: String,
    },
    /// The debugger ended the run.
    #[error("killed by the debugger")]
    Killed,
    /// The JIT engine was asked to run an executable that was not compiled.
    #[error("the executable was not compiled for the JIT")]
    JitNotCompiled,
}

impl EbpfError {
    /// The reference's variant name (`AccessViolation`, …), as reports and the CLI print it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            EbpfError::AccessViolation { .. } => "AccessViolation",
            EbpfError::StackAccessViolation { .. } => "StackAccessViolation",
            EbpfError::DivideByZero => "DivideByZero",
            EbpfError::DivideOverflow => "DivideOverflow",
            EbpfError::ExceededMaxInstructions => "ExceededMaxInstructions",
            EbpfError::ExecutionOverrun => "ExecutionOverrun",
            EbpfError::CallDepthExceeded => "CallDepthExceeded",
            EbpfError::CallOutsideTextSegment => "CallOutsideTextSegment",
            EbpfError::InvalidInstruction => "InvalidInstruction",
            EbpfError::UnsupportedInstruction => "UnsupportedInstruction",
            EbpfError::SyscallError { .. } => "SyscallError",
            EbpfError::Killed => "Killed",
            EbpfError::JitNotCompiled => "JitNotCompiled",
        }
    }
}

/// A syscall's failure, as the host function reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyscallError {
    /// What went wrong.
    pub message: String,
}

impl SyscallError {
    /// A syscall error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        SyscallError {
            message: message.into(),
        }
    }
}

impl From<EbpfError> for SyscallError {
    fn from(error: EbpfError) -> Self {
        SyscallError::new(error.to_string())
    }
}
