//! Helpers 1–3: map lookup, update and delete.
//!
//! Each takes the map's handle (its guest address, which `lddw r1, map` loads) and guest
//! pointers to a key (and a value). The bytes are read through the mapping, as the guest
//! would read them; the slot comes from the bookkeeping in the context; a value is written
//! through the mapping into the map's region, where the next lookup finds it.
//!
//! A handle that names no map the context holds cannot happen in the kernel: its verifier
//! only lets a map pointer reach these arguments (`ARG_CONST_MAP_PTR`). Here the program
//! runs unverified for types, so such a handle answers as a map of a kind without the
//! operation does: a lookup finds nothing (0), an update or delete is `-EINVAL`.

use super::{errno, HelperContext};
use crate::ebpf::maps::errno::EINVAL;
use crate::memory::MemoryMapping;
use crate::vm::SyscallError;

/// `map_lookup_elem(map, key)`: the guest address of `key`'s value, or 0.
pub(super) fn lookup(
    context: &mut HelperContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [handle, key, ..] = args;
    let Some(map) = context.map(handle).filter(|map| map.is_supported()) else {
        return Ok(0);
    };
    let key = memory.read_bytes(key, u64::from(map.key_size()))?;
    Ok(map.lookup(key).map_or(0, |slot| map.value_address(slot)))
}

/// `map_update_elem(map, key, value, flags)`: 0, or a negative errno.
pub(super) fn update(
    context: &mut HelperContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [handle, key, value, flags, _] = args;
    let Some(map) = context.map_mut(handle).filter(|map| map.is_supported()) else {
        return Ok(errno(-EINVAL));
    };
    // Both are read before anything changes, so a fault leaves the map as it was; the value
    // is copied out because it may lie in the very slot it is written to.
    let key = memory.read_bytes(key, u64::from(map.key_size()))?.to_vec();
    let value_size = u64::from(map.value_size());
    let value = memory.read_bytes(value, value_size)?.to_vec();
    let slot = match map.plan_update(&key, flags) {
        Ok(slot) => slot,
        Err(negative) => return Ok(errno(negative)),
    };
    memory
        .write_bytes(map.value_address(slot.index), value_size)?
        .copy_from_slice(&value);
    map.commit(&key, slot);
    Ok(0)
}

/// `map_delete_elem(map, key)`: 0, or a negative errno. The freed slot keeps its bytes
/// until a new key takes it (and overwrites them whole).
pub(super) fn delete(
    context: &mut HelperContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [handle, key, ..] = args;
    let Some(map) = context.map_mut(handle).filter(|map| map.is_supported()) else {
        return Ok(errno(-EINVAL));
    };
    let key = memory.read_bytes(key, u64::from(map.key_size()))?;
    Ok(match map.delete(key) {
        Ok(_) => 0,
        Err(negative) => errno(negative),
    })
}
