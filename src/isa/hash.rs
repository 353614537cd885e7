//! Symbol hashing: syscalls and (before V3) internal functions are named by the 32-bit
//! murmur3 hash (seed 0) of their name, or of their instruction index's little-endian bytes.

use hash32::{Hasher, Murmur3Hasher};

/// murmur3-32 (seed 0) of `bytes`, as the reference's `hash_symbol_name`.
pub fn murmur3_32(bytes: &[u8]) -> u32 {
    let mut hasher = Murmur3Hasher::default();
    core::hash::Hasher::write(&mut hasher, bytes);
    hasher.finish32()
}

/// Hash of a symbol name: the key of a syscall in the syscall registry.
pub fn symbol_hash(name: &str) -> u32 {
    murmur3_32(name.as_bytes())
}

/// Key of the internal function at instruction index `pc` (V0–V2 ELF programs).
pub fn pc_hash(pc: u64) -> u32 {
    murmur3_32(&pc.to_le_bytes())
}

/// The key the V0–V2 loader registers the function `name` at instruction index `pc` under (the
/// reference's `register_function_hashed_legacy`): the hash of the name for `entrypoint`,
/// otherwise the hash of the index. A relocated `call` carries this key as its immediate.
pub fn function_key(name: &str, pc: u64) -> u32 {
    if name == "entrypoint" {
        symbol_hash(name)
    } else {
        pc_hash(pc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_syscall_hashes() {
        // Values from ../shared/oracle/programs/expected.json → setup.syscalls (reference).
        assert_eq!(symbol_hash("log"), 0x6bf5c3fe);
        assert_eq!(symbol_hash("sol_log_"), 0x207559bd);
        assert_eq!(symbol_hash("sol_log_64_"), 0x5c2a3178);
        assert_eq!(symbol_hash("abort"), 0xb6fc1a11);
        assert_eq!(symbol_hash("sol_panic_"), 0x686093bb);
        // From ../shared/oracle/README.md: murmur3("entrypoint") = 0x71e3cf81.
        assert_eq!(symbol_hash("entrypoint"), 0x71e3cf81);
    }
}
