//! Guest traps: how a program run can fail, named and computed as the reference computes them.

pub use crate::memory::AccessType;
use crate::memory::{AccessFault, FaultPlace};

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
    #[error("syscall error: {error}")]
    SyscallError {
        /// How: guest memory it could not reach, or the host's own failure.
        error: SyscallError,
    },
    /// The embedder ended the run from outside before it finished ([`super::Vm::abort`]); no
    /// instruction of the program failed.
    #[error("{reason}")]
    Aborted {
        /// Why, in the embedder's words.
        reason: String,
    },
    /// The JIT engine could not compile the executable it was asked to run (compiling happens
    /// on the first JIT run unless [`super::Executable::jit_compile`] did it before).
    #[error("JIT compilation failed: {error}")]
    JitCompileFailed {
        /// Why.
        error: super::engine::JitError,
    },
}

impl From<AccessFault> for EbpfError {
    /// The mapping's refusal as the reference reports it. Out of line and cold: the engines'
    /// loads and stores convert with `?`, and only a fault should pay for it.
    #[cold]
    #[inline(never)]
    fn from(fault: AccessFault) -> Self {
        let AccessFault {
            access,
            vaddr,
            len,
            place,
        } = fault;
        match place {
            FaultPlace::StackFrame(frame) => EbpfError::StackAccessViolation {
                access,
                vaddr,
                len,
                frame,
            },
            FaultPlace::Region(region) => EbpfError::AccessViolation {
                access,
                vaddr,
                len,
                region,
            },
        }
    }
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
            EbpfError::Aborted { .. } => "Aborted",
            EbpfError::JitCompileFailed { .. } => "JitCompileFailed",
        }
    }
}

/// A syscall's failure, as the host function reports it: guest memory it could not reach (the
/// [`AccessFault`] [`crate::memory::MemoryMapping::read_bytes`] and `write_bytes` return,
/// converted by `?`), or
/// the host's own refusal. Match on it to tell the two apart; the texts are those of the guest's
/// own access violations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyscallError {
    /// Guest memory the syscall reached is not mapped for the access, or it crosses a region's
    /// end, or it is a store to read-only memory.
    #[error("access violation: {access} of {len} bytes at {vaddr:#x} (in {region} region)")]
    AccessViolation {
        /// Load or store.
        access: AccessType,
        /// Guest address.
        vaddr: u64,
        /// Bytes accessed.
        len: u64,
        /// The region, named as in [`EbpfError::AccessViolation`].
        region: &'static str,
    },
    /// Guest memory next to the stack, in a version with fixed frames.
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
    /// The host function's own failure (a refused argument, an exhausted resource, `abort`).
    #[error("{message}")]
    Host {
        /// What went wrong, in the host's words.
        message: String,
    },
}

impl SyscallError {
    /// The host's own failure, with this message.
    pub fn new(message: impl Into<String>) -> Self {
        SyscallError::Host {
            message: message.into(),
        }
    }
}

impl From<AccessFault> for SyscallError {
    /// The mapping's refusal, as the syscall's guest memory error.
    fn from(fault: AccessFault) -> Self {
        EbpfError::from(fault).into()
    }
}

impl From<EbpfError> for SyscallError {
    /// A guest memory error as the syscall's; any other guest trap (the mapping raises none)
    /// keeps its text as a host failure.
    fn from(error: EbpfError) -> Self {
        match error {
            EbpfError::AccessViolation {
                access,
                vaddr,
                len,
                region,
            } => SyscallError::AccessViolation {
                access,
                vaddr,
                len,
                region,
            },
            EbpfError::StackAccessViolation {
                access,
                vaddr,
                len,
                frame,
            } => SyscallError::StackAccessViolation {
                access,
                vaddr,
                len,
                frame,
            },
            other => SyscallError::new(other.to_string()),
        }
    }
}
