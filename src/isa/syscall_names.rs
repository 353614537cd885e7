//! Names of well-known syscalls, so the disassembler can print `syscall sol_log_` instead of a
//! hash and the assembler can read LLVM's `call sol_log_`. A name's key is its murmur3 hash
//! ([`crate::isa::hash::symbol_hash`]).
//!
//! The list is every name Agave registers for programs (`create_program_runtime_environment`
//! in `solana-syscalls` 4.2.2, feature-gated ones included) plus the short names of the
//! reference test harness (`log`, `log_64`, `panic`).

use super::hash::symbol_hash;

/// Syscall names the disassembler recognises by hash, in alphabetical order.
pub const KNOWN_SYSCALLS: &[&str] = &[
    "abort",
    "log",
    "log_64",
    "panic",
    "sol_alloc_free_",
    "sol_alt_bn128_compression",
    "sol_alt_bn128_group_op",
    "sol_big_mod_exp",
    "sol_blake3",
    "sol_create_program_address",
    "sol_curve_decompress",
    "sol_curve_group_op",
    "sol_curve_multiscalar_mul",
    "sol_curve_pairing_map",
    "sol_curve_validate_point",
    "sol_get_clock_sysvar",
    "sol_get_epoch_rewards_sysvar",
    "sol_get_epoch_schedule_sysvar",
    "sol_get_epoch_stake",
    "sol_get_fees_sysvar",
    "sol_get_last_restart_slot",
    "sol_get_processed_sibling_instruction",
    "sol_get_rent_sysvar",
    "sol_get_return_data",
    "sol_get_stack_height",
    "sol_get_sysvar",
    "sol_invoke_signed_c",
    "sol_invoke_signed_rust",
    "sol_keccak256",
    "sol_log_",
    "sol_log_64_",
    "sol_log_compute_units_",
    "sol_log_data",
    "sol_log_pubkey",
    "sol_memcmp_",
    "sol_memcpy_",
    "sol_memmove_",
    "sol_memset_",
    "sol_panic_",
    "sol_poseidon",
    "sol_remaining_compute_units",
    "sol_secp256k1_recover",
    "sol_set_return_data",
    "sol_sha256",
    "sol_sha512",
    "sol_try_find_program_address",
];

/// The well-known syscall whose murmur3 hash is `hash`.
pub fn known_syscall_name(hash: u32) -> Option<&'static str> {
    KNOWN_SYSCALLS
        .iter()
        .find(|name| symbol_hash(name) == hash)
        .copied()
}

/// Whether `name` is a well-known syscall name.
pub fn is_known_syscall(name: &str) -> bool {
    KNOWN_SYSCALLS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_unique_and_their_hashes_distinct() {
        assert!(KNOWN_SYSCALLS.windows(2).all(|pair| pair[0] < pair[1]));
        let mut hashes: Vec<u32> = KNOWN_SYSCALLS.iter().map(|n| symbol_hash(n)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), KNOWN_SYSCALLS.len());
    }

    #[test]
    fn hashes_name_their_syscall() {
        // From ../shared/oracle/programs/expected.json → setup.syscalls (reference).
        assert_eq!(known_syscall_name(0x207559bd), Some("sol_log_"));
        assert_eq!(known_syscall_name(0x207559bc), None);
    }
}
