//! The syscalls of Solana's program runtime, with Agave's compute costs and failure modes.
//!
//! | file            | syscalls                                                             |
//! |-----------------|----------------------------------------------------------------------|
//! | `log.rs`        | `sol_log_`, `sol_log_64_`, `sol_log_pubkey`, `sol_log_compute_units_`, `sol_log_data`, `abort`, `sol_panic_` |
//! | `memory.rs`     | `sol_memcpy_`, `sol_memmove_`, `sol_memset_`, `sol_memcmp_`, `sol_alloc_free_` |
//! | `sysvar.rs`     | `sol_get_{clock,rent,epoch_schedule,epoch_rewards}_sysvar`, `sol_get_last_restart_slot`, `sol_get_sysvar` |
//! | `hash.rs`       | `sol_sha256`, `sol_keccak256`, `sol_sha512`                          |
//! | `address.rs`    | `sol_create_program_address`, `sol_try_find_program_address`         |
//! | `cpi/`          | `sol_invoke_signed_c`, `sol_invoke_signed_rust` (cross-program invocation) |
//! | `instruction.rs`| `sol_set_return_data`, `sol_get_return_data`, `sol_get_stack_height`, `sol_get_processed_sibling_instruction`, `sol_remaining_compute_units`, `sol_get_epoch_stake` |
//! | `unsupported.rs`| the rest of Agave's set, registered so programs load, failing clearly when called |
//!
//! A syscall body returns a [`SyscallFailure`] (see `failure.rs`); the adapter records it in the
//! context, where the runtime reads it in Solana's terms, and gives the VM the typed error: the
//! access violation of guest memory that did not translate, or the failure's message.

/// Wraps a body as a VM syscall (a `fn` item, boxed without allocating): a failure is recorded
/// in the context in Solana's terms.
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
        Box::new(adapter) as Box<$crate::solana::syscalls::VmSyscall>
    }};
}

mod address;
mod cpi;
mod hash;
mod instruction;
mod log;
mod memory;
mod sysvar;
mod translate;
mod unsupported;

use super::context::InvokeContext;
use crate::memory::MemoryMapping;
use crate::vm::{SyscallError as VmSyscallError, SyscallFunction, SyscallRegistry};

pub use super::failure::{vm_error_message, SolanaSyscallError, SyscallFailure};

/// Result of one Solana syscall body.
pub(crate) type SyscallResult = Result<u64, SyscallFailure>;

/// A syscall body: context, memory, r1–r5.
type SyscallBody = fn(&mut InvokeContext, &mut MemoryMapping<'_>, [u64; 5]) -> SyscallResult;

/// A syscall as the registry holds it.
type VmSyscall = SyscallFunction<InvokeContext>;

/// Records `failure` for the runtime and gives the VM its typed error.
fn record(context: &mut InvokeContext, failure: SyscallFailure) -> VmSyscallError {
    let error = match &failure {
        SyscallFailure::Memory(error) => VmSyscallError::from(error.clone()),
        other => VmSyscallError::new(other.to_string()),
    };
    context.syscall_failure = Some(failure);
    error
}

/// Registers Agave's syscalls (all features enabled, as mollusk runs) in `registry`.
pub fn register_syscalls(registry: &mut SyscallRegistry<InvokeContext>) {
    let entries: Vec<(&str, Box<VmSyscall>)> = vec![
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
        ("sol_invoke_signed_c", vm_syscall!(cpi::invoke_signed_c)),
        (
            "sol_invoke_signed_rust",
            vm_syscall!(cpi::invoke_signed_rust),
        ),
    ];
    for (name, function) in entries.into_iter().chain(unsupported::entries()) {
        // The names are Agave's and their hashes distinct; a collision would only skip one.
        let _ = registry.register_boxed(name, function);
    }
}
