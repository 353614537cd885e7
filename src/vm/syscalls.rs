//! Syscalls: host functions a program calls by the murmur3-32 hash of their name.

use super::error::SyscallError;
use crate::isa::hash::symbol_hash;
use crate::memory::MemoryMapping;
use std::collections::HashMap;

/// A host function: the context, the guest's memory and the arguments r1–r5; returns the value
/// for r0. Guest memory is reached through the mapping, with the same checks as guest code.
pub type SyscallFn<C> = fn(&mut C, &mut MemoryMapping<'_>, [u64; 5]) -> Result<u64, SyscallError>;

/// One registered syscall.
pub struct Syscall<C> {
    /// Its name.
    pub name: String,
    /// Its key: murmur3-32 of the name.
    pub hash: u32,
    /// The host function.
    pub function: SyscallFn<C>,
}

/// The syscalls a runtime offers, by hash.
pub struct SyscallRegistry<C> {
    entries: Vec<Syscall<C>>,
    by_hash: HashMap<u32, usize>,
}

impl<C> Default for SyscallRegistry<C> {
    fn default() -> Self {
        SyscallRegistry {
            entries: Vec::new(),
            by_hash: HashMap::new(),
        }
    }
}

/// Two syscall names hash to the same key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syscall {name:?} hashes to {hash:#010x}, which {existing:?} already has")]
pub struct SyscallCollision {
    /// The new name.
    pub name: String,
    /// The shared hash.
    pub hash: u32,
    /// The name registered first.
    pub existing: String,
}

impl<C> SyscallRegistry<C> {
    /// Registers `function` under `name`.
    pub fn register(
        &mut self,
        name: &str,
        function: SyscallFn<C>,
    ) -> Result<u32, SyscallCollision> {
        let hash = symbol_hash(name);
        if let Some(&index) = self.by_hash.get(&hash) {
            return Err(SyscallCollision {
                name: name.to_string(),
                hash,
                existing: self.entries[index].name.clone(),
            });
        }
        self.by_hash.insert(hash, self.entries.len());
        self.entries.push(Syscall {
            name: name.to_string(),
            hash,
            function,
        });
        Ok(hash)
    }

    /// Index of the syscall with this hash.
    pub fn index_of(&self, hash: u32) -> Option<usize> {
        self.by_hash.get(&hash).copied()
    }

    /// The syscall at `index`.
    pub fn get(&self, index: usize) -> Option<&Syscall<C>> {
        self.entries.get(index)
    }

    /// The syscall with this hash.
    pub fn lookup(&self, hash: u32) -> Option<&Syscall<C>> {
        self.index_of(hash)
            .and_then(|index| self.entries.get(index))
    }

    /// Every registered syscall.
    pub fn iter(&self) -> impl Iterator<Item = &Syscall<C>> {
        self.entries.iter()
    }
}

/// Whether `sol_memcpy_`'s ranges `[dst, dst + len)` and `[src, src + len)` overlap (in guest
/// addresses, as Solana decides it; ranges of zero bytes never do).
pub fn copy_ranges_overlap(dst: u64, src: u64, len: u64) -> bool {
    len > 0 && dst.abs_diff(src) < len
}

/// `sol_memcmp_`'s result: the difference of the first pair of bytes that differ (as i32), or 0.
pub fn compare_bytes(left: &[u8], right: &[u8]) -> i32 {
    left.iter()
        .zip(right)
        .find(|(x, y)| x != y)
        .map_or(0, |(x, y)| i32::from(*x).wrapping_sub(i32::from(*y)))
}
