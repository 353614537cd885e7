//! How a syscall fails, in Solana's terms, and how Agave's VM words its errors.
//!
//! A syscall fails in one of three ways, and the runtime reports each as Agave does:
//! [`SyscallFailure::Instruction`] (an `InstructionError`, the instruction's result),
//! [`SyscallFailure::Syscall`] (Agave's `SyscallError`, reported as `ProgramFailedToComplete`)
//! or [`SyscallFailure::Memory`] (a guest address that does not translate, reported like the
//! program's own access violation).

use super::error::InstructionError;
use crate::vm::{AccessType, EbpfError};
use std::fmt;

/// Why a syscall failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyscallFailure {
    /// The instruction fails with this error.
    Instruction(InstructionError),
    /// The syscall refused (Agave's `SyscallError`).
    Syscall(SolanaSyscallError),
    /// A guest address did not translate.
    Memory(EbpfError),
}

impl fmt::Display for SyscallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyscallFailure::Instruction(error) => error.fmt(f),
            SyscallFailure::Syscall(error) => error.fmt(f),
            SyscallFailure::Memory(error) => f.write_str(&vm_error_message(error)),
        }
    }
}

impl From<InstructionError> for SyscallFailure {
    fn from(error: InstructionError) -> Self {
        SyscallFailure::Instruction(error)
    }
}

impl From<SolanaSyscallError> for SyscallFailure {
    fn from(error: SolanaSyscallError) -> Self {
        SyscallFailure::Syscall(error)
    }
}

impl From<EbpfError> for SyscallFailure {
    fn from(error: EbpfError) -> Self {
        SyscallFailure::Memory(error)
    }
}

impl From<crate::memory::AccessFault> for SyscallFailure {
    fn from(fault: crate::memory::AccessFault) -> Self {
        SyscallFailure::Memory(fault.into())
    }
}

/// Agave's `SyscallError` (solana-syscalls 4.2), the variants sbvm's syscalls raise, with its
/// messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolanaSyscallError {
    /// A string that is not UTF-8: the decoder's error and the bytes.
    #[error("{error}: {bytes:?}")]
    InvalidString {
        /// What `std::str::from_utf8` said.
        error: std::str::Utf8Error,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// `abort()`.
    #[error("SBF program panicked")]
    Abort,
    /// `sol_panic_`.
    #[error("SBF program Panicked in {file} at {line}:{column}")]
    Panic {
        /// Source file.
        file: String,
        /// Line.
        line: u64,
        /// Column.
        column: u64,
    },
    /// No such return data (an internal inconsistency in Agave's terms).
    #[error("Cannot borrow invoke context")]
    InvokeContextBorrowFailed,
    /// A pointer not aligned for its type.
    #[error("Unaligned pointer")]
    UnalignedPointer,
    /// Memory ranges of a copy overlap.
    #[error("Overlapping copy")]
    CopyOverlapping,
    /// `sol_set_return_data` with more than 1,024 bytes.
    #[error("Return data too large ({0} > {1})")]
    ReturnDataTooLarge(u64, u64),
    /// A hashing syscall with too many slices.
    #[error("Hashing too many sequences")]
    TooManySlices,
    /// A length that does not fit the address space.
    #[error("InvalidLength")]
    InvalidLength,
    /// A pointer the syscall does not accept.
    #[error("Invalid pointer")]
    InvalidPointer,
    /// Seeds that derive no address.
    #[error("Could not create program address with signer seeds: {0}")]
    BadSeeds(super::pubkey::PdaError),
    /// More signer seed sets than a cross-program invocation takes (16).
    #[error("Too many signers")]
    TooManySigners,
    /// An invoked instruction naming too many accounts.
    #[error("Invoked an instruction with too many accounts ({0} > {1})")]
    MaxInstructionAccountsExceeded(u64, u64),
    /// An invoked instruction with too much data.
    #[error("Invoked an instruction with data that is too large ({0} > {1})")]
    MaxInstructionDataLenExceeded(u64, u64),
    /// A cross-program invocation passing too many account infos.
    #[error("Invoked an instruction with too many account info's ({0} > {1})")]
    MaxInstructionAccountInfosExceeded(u64, u64),
    /// A program a cross-program invocation may not call (the loaders, the precompiles).
    #[error("Program {0} not supported by inner instructions")]
    ProgramNotSupported(super::pubkey::Pubkey),
    /// A syscall sbvm registers (so programs load) but does not implement.
    #[error("sbvm does not implement the syscall {0}")]
    NotImplemented(&'static str),
}

/// A VM error as Agave's VM (solana-sbpf 0.21) displays it, for `Program … failed:` lines.
pub fn vm_error_message(error: &EbpfError) -> String {
    let access = |access: &AccessType| match access {
        AccessType::Load => "reading",
        AccessType::Store => "writing",
    };
    match error {
        EbpfError::AccessViolation {
            access: kind,
            vaddr,
            len,
            region,
        } => format!(
            "Access violation {} {len} bytes at address {vaddr:#x} (in {region} region)",
            access(kind)
        ),
        EbpfError::StackAccessViolation {
            vaddr, len, frame, ..
        } => format!("Access violation in stack frame {frame} at address {vaddr:#x} of size {len}"),
        EbpfError::DivideByZero => "divide by zero at BPF instruction".to_string(),
        EbpfError::DivideOverflow => "division overflow at BPF instruction".to_string(),
        EbpfError::ExceededMaxInstructions => "exceeded CUs meter at BPF instruction".to_string(),
        EbpfError::ExecutionOverrun => {
            "attempted to execute past the end of the text segment at BPF instruction".to_string()
        }
        EbpfError::CallDepthExceeded => "exceeded max BPF to BPF call depth".to_string(),
        EbpfError::CallOutsideTextSegment => {
            "callx attempted to call outside of the text segment".to_string()
        }
        EbpfError::InvalidInstruction => "invalid BPF instruction".to_string(),
        EbpfError::UnsupportedInstruction => "unsupported BPF instruction".to_string(),
        EbpfError::SyscallError { error } => format!("Syscall error: {error}"),
        EbpfError::JitCompileFailed { error } => format!("JIT compilation failed: {error}"),
        EbpfError::Aborted { reason } => reason.clone(),
    }
}
