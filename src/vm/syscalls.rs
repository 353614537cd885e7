//! Syscalls: host functions a program calls by the murmur3-32 hash of their name.
//!
//! A syscall is any `Fn(&mut C, &mut MemoryMapping, [u64; 5]) -> Result<u64, SyscallError>`
//! that is `Send + Sync + 'static`: a `fn` item, or a closure that captures the embedder's
//! state (an `Arc` of a counter, a channel, a table). The registry stores each as a
//! `Box<dyn Fn>`: a `fn` item or a closure that captures nothing is a zero-sized box (no
//! allocation), and a call through it is one indirect call, as through a `fn` pointer.
//! `Send + Sync` because a runtime, and every executable loaded into it, may be shared between
//! threads that run programs at the same time.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use std::sync::Arc;
//! use sbvm::vm::{Budget, SyscallRegistry};
//!
//! let calls = Arc::new(AtomicU64::new(0));
//! let counter = Arc::clone(&calls);
//! let mut registry = SyscallRegistry::<Budget>::default();
//! registry
//!     .register("count", move |_context, _memory, _args| {
//!         Ok(counter.fetch_add(1, Ordering::Relaxed) + 1)
//!     })
//!     .unwrap();
//! ```

use super::error::SyscallError;
use crate::isa::hash::symbol_hash;
use crate::memory::MemoryMapping;
use std::collections::HashMap;

/// A host function as a plain `fn` pointer: the context, the guest's memory and the arguments
/// r1–r5; returns the value for r0. Guest memory is reached through the mapping, with the same
/// checks as guest code. Any [`SyscallFunction`] registers. Register a `fn` item itself rather
/// than one cast to this type: the item boxes to nothing and is called directly, the pointer
/// takes an allocation and a second indirect call.
pub type SyscallFn<C> = fn(&mut C, &mut MemoryMapping<'_>, [u64; 5]) -> Result<u64, SyscallError>;

/// What the registry stores and the VM calls: a `fn` item or a closure, shareable between
/// threads.
pub type SyscallFunction<C> =
    dyn Fn(&mut C, &mut MemoryMapping<'_>, [u64; 5]) -> Result<u64, SyscallError> + Send + Sync;

/// One registered syscall.
pub struct Syscall<C> {
    /// Its name.
    pub name: String,
    /// Its key: murmur3-32 of the name (or the id it was registered under).
    pub hash: u32,
    /// The host function.
    pub function: Box<SyscallFunction<C>>,
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
#[error("syscall {name:?} has key {hash:#010x}, which {existing:?} already has")]
pub struct SyscallCollision {
    /// The new name.
    pub name: String,
    /// The shared hash.
    pub hash: u32,
    /// The name registered first.
    pub existing: String,
}

impl<C> SyscallRegistry<C> {
    /// Registers `function` (a `fn` item or a closure) under `name`.
    pub fn register<F>(&mut self, name: &str, function: F) -> Result<u32, SyscallCollision>
    where
        F: Fn(&mut C, &mut MemoryMapping<'_>, [u64; 5]) -> Result<u64, SyscallError>
            + Send
            + Sync
            + 'static,
    {
        self.register_boxed(name, Box::new(function))
    }

    /// Registers a function already boxed (a table of syscalls of different types).
    pub fn register_boxed(
        &mut self,
        name: &str,
        function: Box<SyscallFunction<C>>,
    ) -> Result<u32, SyscallCollision> {
        self.register_keyed(symbol_hash(name), name, function)
    }

    /// Registers `function` under an explicit key instead of its name's hash: Linux eBPF calls
    /// its helpers by a small integer id (`call 6` is `bpf_trace_printk`).
    pub fn register_with_key<F>(
        &mut self,
        key: u32,
        name: &str,
        function: F,
    ) -> Result<u32, SyscallCollision>
    where
        F: Fn(&mut C, &mut MemoryMapping<'_>, [u64; 5]) -> Result<u64, SyscallError>
            + Send
            + Sync
            + 'static,
    {
        self.register_keyed(key, name, Box::new(function))
    }

    fn register_keyed(
        &mut self,
        hash: u32,
        name: &str,
        function: Box<SyscallFunction<C>>,
    ) -> Result<u32, SyscallCollision> {
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

/// The decoder resolves a syscall's hash to its index through the registry.
impl<C> crate::program::SyscallIndex for SyscallRegistry<C> {
    fn syscall_index(&self, hash: u32) -> Option<usize> {
        self.index_of(hash)
    }
}
