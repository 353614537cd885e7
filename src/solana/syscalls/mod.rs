//! The syscalls of Solana's program runtime, with Agave's compute costs and failure modes.
//!
//! | file            | syscalls                                                             |
//! |-----------------|----------------------------------------------------------------------|
//! | `log.rs`        | `sol_log_`, `sol_log_64_`, `sol_log_pubkey`, `sol_log_compute_units_`, `sol_log_data`, `abort`, `sol_panic_` |
//! | `memory.rs`     | `sol_memcpy_`, `sol_memmove_`, `sol_memset_`, `sol_memcmp_`, `sol_alloc_free_` |
//! | `sysvar.rs`     | `sol_get_{clock,rent,epoch_schedule,epoch_rewards}_sysvar`, `sol_get_last_restart_slot`, `sol_get_sysvar` |
//! | `hash.rs`       | `sol_sha256`, `sol_keccak256`, `sol_sha512`                          |
//! | `address.rs`    | `sol_create_program_address`, `sol_try_find_program_address`         |
//! | `instruction.rs`| `sol_set_return_data`, `sol_get_return_data`, `sol_get_stack_height`, `sol_get_processed_sibling_instruction`, `sol_remaining_compute_units`, `sol_get_epoch_stake` |
//! | `unsupported.rs`| the rest of Agave's set, registered so programs load, failing clearly when called |
//!
//! A syscall fails in one of three ways, and the runtime reports each as Agave does:
//! [`SyscallFailure::Instruction`] (an `InstructionError`, the instruction's result),
//! [`SyscallFailure::Syscall`] (Agave's `SyscallError`, reported as `ProgramFailedToComplete`)
//! or [`SyscallFailure::Memory`] (a guest address that does not translate, reported like the
//! program's own access violation).

/// Wraps a body as a VM syscall: a failure is recorded in the context in Solana's terms.
macro_rules! vm_syscall {
    ($body:expr) => {{
        fn adapter(
            context: &mut $crate::solana::context::InvokeContext,
            memory: &mut $crate::memory::MemoryMapping<'_>,
            args: [u64; 5],
        ) -> Result<u64, $crate::vm::SyscallError> {
            let body: $crate::solana::syscalls::SyscallBody = $body;
            body(context, memory, args)
                .map_err(|failure| $crate::solana::syscalls::record(context, failure))
        }
        adapter as $crate::vm::SyscallFn<$crate::solana::context::InvokeContext>
    }};
}

mod address;
mod hash;
mod instruction;
mod log;
mod memory;
mod sysvar;
mod translate;
mod unsupported;

use super::context::InvokeContext;
use super::error::InstructionError;
use crate::memory::MemoryMapping;
use crate::vm::{EbpfError, SyscallError as VmSyscallError, SyscallFn, SyscallRegistry};
use std::fmt;

pub use translate::vm_error_message;

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
    /// A syscall sbvm registers (so programs load) but does not implement.
    #[error("sbvm does not implement the syscall {0}")]
    NotImplemented(&'static str),
}

/// Result of one Solana syscall body.
pub(crate) type SyscallResult = Result<u64, SyscallFailure>;

/// A syscall body: context, memory, r1–r5.
type SyscallBody = fn(&mut InvokeContext, &mut MemoryMapping<'_>, [u64; 5]) -> SyscallResult;

/// Records `failure` for the runtime and gives the VM its message.
fn record(context: &mut InvokeContext, failure: SyscallFailure) -> VmSyscallError {
    let message = failure.to_string();
    context.syscall_failure = Some(failure);
    VmSyscallError::new(message)
}

/// Registers Agave's syscalls (all features enabled, as mollusk runs) in `registry`.
pub fn register_syscalls(registry: &mut SyscallRegistry<InvokeContext>) {
    let entries: Vec<(&str, SyscallFn<InvokeContext>)> = vec![
        ("abort", vm_syscall!(log::abort)),
        ("sol_panic_", vm_syscall!(log::panic)),
        ("sol_log_", vm_syscall!(log::log)),
        ("sol_log_64_", vm_syscall!(log::log_64)),
        ("sol_log_pubkey", vm_syscall!(log::log_pubkey)),
        (
            "sol_log_compute_units_",
            vm_syscall!(log::log_compute_units),
        ),
        ("sol_log_data", vm_syscall!(log::log_data)),
        (
            "sol_create_program_address",
            vm_syscall!(address::create_program_address),
        ),
        (
            "sol_try_find_program_address",
            vm_syscall!(address::try_find_program_address),
        ),
        ("sol_sha256", vm_syscall!(hash::sha256)),
        ("sol_keccak256", vm_syscall!(hash::keccak256)),
        ("sol_sha512", vm_syscall!(hash::sha512)),
        ("sol_get_clock_sysvar", vm_syscall!(sysvar::get_clock)),
        (
            "sol_get_epoch_schedule_sysvar",
            vm_syscall!(sysvar::get_epoch_schedule),
        ),
        ("sol_get_rent_sysvar", vm_syscall!(sysvar::get_rent)),
        (
            "sol_get_last_restart_slot",
            vm_syscall!(sysvar::get_last_restart_slot),
        ),
        (
            "sol_get_epoch_rewards_sysvar",
            vm_syscall!(sysvar::get_epoch_rewards),
        ),
        ("sol_get_sysvar", vm_syscall!(sysvar::get_sysvar)),
        ("sol_memcpy_", vm_syscall!(memory::memcpy)),
        ("sol_memmove_", vm_syscall!(memory::memmove)),
        ("sol_memset_", vm_syscall!(memory::memset)),
        ("sol_memcmp_", vm_syscall!(memory::memcmp)),
        ("sol_alloc_free_", vm_syscall!(memory::alloc_free)),
        (
            "sol_get_processed_sibling_instruction",
            vm_syscall!(instruction::get_processed_sibling_instruction),
        ),
        (
            "sol_get_stack_height",
            vm_syscall!(instruction::get_stack_height),
        ),
        (
            "sol_set_return_data",
            vm_syscall!(instruction::set_return_data),
        ),
        (
            "sol_get_return_data",
            vm_syscall!(instruction::get_return_data),
        ),
        (
            "sol_remaining_compute_units",
            vm_syscall!(instruction::remaining_compute_units),
        ),
        (
            "sol_get_epoch_stake",
            vm_syscall!(instruction::get_epoch_stake),
        ),
    ];
    for (name, function) in entries.into_iter().chain(unsupported::entries()) {
        // The names are Agave's and their hashes distinct; a collision would only skip one.
        let _ = registry.register(name, function);
    }
}
