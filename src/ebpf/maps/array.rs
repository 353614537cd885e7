//! The rules of an array map (`BPF_MAP_TYPE_ARRAY`, and the per-cpu array run as one cpu).
//!
//! An array has no bookkeeping: its key is a little-endian `u32` index, and every index
//! below `max_entries` names a slot that always exists (zeroed until written). So a slot is
//! the index itself, and the kernel's answers (`kernel/bpf/arraymap.c`) follow from that:
//!
//! | operation | index ≥ `max_entries` | `BPF_NOEXIST` | `flags` > `BPF_EXIST` |
//! |-----------|-----------------------|---------------|-----------------------|
//! | lookup    | no value (NULL)       |               |                       |
//! | update    | `-E2BIG`              | `-EEXIST`     | `-EINVAL` (checked first) |
//! | delete    | `-EINVAL`, always: an array's elements cannot be deleted      |

use super::errno::{BPF_EXIST, BPF_NOEXIST, E2BIG, EEXIST, EINVAL};

/// The index a key names: its four bytes as a little-endian `u32` (the key size is checked
/// to be 4 when the map is made), or `None` for a key of another length.
pub(super) fn index_of(key: &[u8]) -> Option<u32> {
    let bytes: [u8; 4] = key.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

/// The slot of `key`, if the index is below `max_entries`.
pub(super) fn lookup(key: &[u8], max_entries: u32) -> Option<u32> {
    index_of(key).filter(|&index| index < max_entries)
}

/// The slot an update of `key` writes, or the kernel's negative errno.
pub(super) fn plan_update(key: &[u8], flags: u64, max_entries: u32) -> Result<u32, i64> {
    if flags > BPF_EXIST {
        return Err(-EINVAL);
    }
    let index = lookup(key, max_entries).ok_or(-E2BIG)?;
    if flags == BPF_NOEXIST {
        // Every element of an array exists.
        return Err(-EEXIST);
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_array_rules() {
        // kernel/bpf/arraymap.c array_map_update_elem: flags, then index, then NOEXIST.
        let key = 3u32.to_le_bytes();
        assert_eq!(plan_update(&key, 0, 4), Ok(3));
        assert_eq!(plan_update(&key, BPF_EXIST, 4), Ok(3));
        assert_eq!(plan_update(&key, BPF_NOEXIST, 4), Err(-EEXIST));
        assert_eq!(plan_update(&key, 3, 4), Err(-EINVAL));
        assert_eq!(plan_update(&4u32.to_le_bytes(), 0, 4), Err(-E2BIG));
        assert_eq!(plan_update(&4u32.to_le_bytes(), 9, 4), Err(-EINVAL));
        assert_eq!(lookup(&key, 4), Some(3));
        assert_eq!(lookup(&key, 3), None);
        assert_eq!(lookup(&[1, 2], 4), None);
    }
}
