//! The function registry: internal call targets by key.
//!
//! Before V3 a `call imm` names its target by key: an assembled program uses the target's
//! instruction index, an ELF program the murmur3 hash of it (the entry point: of the name
//! `entrypoint`). From V3 calls are pc-relative and the registry only names functions.

use std::collections::HashMap;

/// Functions by key: (name, instruction index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionRegistry {
    map: HashMap<u32, (String, usize)>,
}

/// A key is already taken by a different function.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("function key {key:#x} is already taken")]
pub struct KeyCollision {
    /// The key.
    pub key: u32,
}

impl FunctionRegistry {
    /// Registers `pc` under `key`; the same key for the same pc is fine, for another pc an error.
    pub fn register(
        &mut self,
        key: u32,
        name: impl Into<String>,
        pc: usize,
    ) -> Result<(), KeyCollision> {
        match self.map.get(&key) {
            Some((_, existing)) if *existing != pc => Err(KeyCollision { key }),
            Some(_) => Ok(()),
            None => {
                self.map.insert(key, (name.into(), pc));
                Ok(())
            }
        }
    }

    /// Removes the function under `key`, if any.
    pub fn unregister(&mut self, key: u32) -> bool {
        self.map.remove(&key).is_some()
    }

    /// The function under `key`.
    pub fn lookup(&self, key: u32) -> Option<(&str, usize)> {
        self.map.get(&key).map(|(name, pc)| (name.as_str(), *pc))
    }

    /// The function named `name`.
    pub fn lookup_by_name(&self, name: &str) -> Option<(u32, usize)> {
        self.map
            .iter()
            .find(|(_, (n, _))| n == name)
            .map(|(key, (_, pc))| (*key, *pc))
    }

    /// Every (key, name, pc).
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str, usize)> {
        self.map
            .iter()
            .map(|(key, (name, pc))| (*key, name.as_str(), *pc))
    }
}

/// The decoder finds a keyed call's target through the registry.
impl crate::program::FunctionIndex for FunctionRegistry {
    fn function_pc(&self, key: u32) -> Option<usize> {
        self.lookup(key).map(|(_, pc)| pc)
    }
}
