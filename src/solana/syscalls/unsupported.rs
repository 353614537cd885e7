//! Syscalls Agave offers that sbvm does not implement yet. They are registered so that programs
//! referring to them load and run; a call fails the instruction with `sbvm does not implement
//! the syscall <name>` (reported as `ProgramFailedToComplete`), never silently.
//!
//! The curve, pairing, recovery and Poseidon syscalls wait for a user.

use super::{SolanaSyscallError, SyscallBody, SyscallResult, VmSyscall};
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;

macro_rules! unsupported {
    ($($name:literal),* $(,)?) => {
        /// Every unsupported syscall, as (name, VM syscall).
        pub(super) fn entries() -> Vec<(&'static str, Box<VmSyscall>)> {
            vec![$(
                ($name, vm_syscall!({
                    fn refuse(
                        _context: &mut InvokeContext,
                        _memory: &mut MemoryMapping<'_>,
                        _args: [u64; 5],
                    ) -> SyscallResult {
                        Err(SolanaSyscallError::NotImplemented($name).into())
                    }
                    refuse as SyscallBody
                })),
            )*]
        }
    };
}

unsupported![
    "sol_secp256k1_recover",
    "sol_blake3",
    "sol_curve_validate_point",
    "sol_curve_group_op",
    "sol_curve_multiscalar_mul",
    "sol_curve_decompress",
    "sol_curve_pairing_map",
    "sol_alt_bn128_group_op",
    "sol_big_mod_exp",
    "sol_poseidon",
    "sol_alt_bn128_compression",
];
