//! How large maps may be, checked before anything is allocated.
//!
//! A map's values take one guest span of 64 MiB ([`layout::SPAN`]), and the host keeps them
//! and each hash's key table in its own memory. A map's values must fit its span, and all
//! maps together are bounded by one cap, [`MAX_TOTAL_MAP_BYTES`]; sizes are multiplied in `u64`,
//! saturating, so `u32::MAX` entries of `u32::MAX` bytes is a [`MapError::TooLarge`], not an
//! overflow or an allocation that aborts.

use crate::ebpf::layout;
use crate::ebpf::map_def::MapDef;

/// Most bytes all maps together may hold: values, plus for each hash
/// `max_entries × (key_size + HASH_ENTRY_OVERHEAD)` for its key table when full. 1 GiB.
pub const MAX_TOTAL_MAP_BYTES: u64 = 1 << 30;
/// Largest hash key: the kernel's `MAX_BPF_STACK` (`htab_map_alloc_check`: a program builds
/// its keys on the stack).
pub const MAX_HASH_KEY_SIZE: u32 = layout::STACK_FRAME_SIZE as u32;

/// Host bytes a hash entry costs beyond its key, counted against [`MAX_TOTAL_MAP_BYTES`]: a
/// `Vec`'s header (24) and the table's slot of key and index (32, rounded up for the table's
/// spare room). A program can fill its maps in a loop with no meter to stop it, so the cap
/// must bound what a full map costs the host, not only its values.
pub const HASH_ENTRY_OVERHEAD: u32 = 64;

/// The maps could not be made as declared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// More maps than there are slots for.
    #[error("{count} maps declared; at most {} have a slot", layout::MAX_MAPS)]
    TooManyMaps {
        /// Maps declared.
        count: usize,
    },
    /// A hash or array map with a zero size.
    #[error("map {name:?} (#{index}) has a {field} of 0")]
    ZeroSize {
        /// The map's position in the declaration.
        index: usize,
        /// Its name.
        name: String,
        /// `key_size`, `value_size` or `max_entries`.
        field: &'static str,
    },
    /// An array map whose key is not a `u32`.
    #[error("array map {name:?} (#{index}) has key_size {key_size}; an array's key is a u32 (4)")]
    ArrayKeySize {
        /// The map's position in the declaration.
        index: usize,
        /// Its name.
        name: String,
        /// The declared key size.
        key_size: u32,
    },
    /// A hash key larger than [`MAX_HASH_KEY_SIZE`].
    #[error("hash map {name:?} (#{index}) has key_size {key_size}; at most {MAX_HASH_KEY_SIZE}")]
    KeyTooLarge {
        /// The map's position in the declaration.
        index: usize,
        /// Its name.
        name: String,
        /// The declared key size.
        key_size: u32,
    },
    /// A map's values do not fit its guest span ([`layout::SPAN`], 64 MiB).
    #[error(
        "map {name:?} (#{index}) needs {bytes} bytes of values; a map's span holds {}",
        layout::SPAN
    )]
    ValuesTooLarge {
        /// The map's position in the declaration.
        index: usize,
        /// Its name.
        name: String,
        /// Bytes its values would take (saturated).
        bytes: u64,
    },
    /// The maps together pass [`MAX_TOTAL_MAP_BYTES`].
    #[error(
        "map {name:?} (#{index}) brings the maps to {total} bytes; \
         at most {MAX_TOTAL_MAP_BYTES} (1 GiB) are allowed"
    )]
    TooLarge {
        /// The first map past the cap.
        index: usize,
        /// Its name.
        name: String,
        /// Bytes the maps would hold up to and including it (saturated).
        total: u64,
    },
    /// The host could not allocate a map's values.
    #[error("cannot allocate {bytes} bytes for map {name:?}: the host is out of memory")]
    OutOfMemory {
        /// The map's name.
        name: String,
        /// Bytes asked for.
        bytes: u64,
    },
}

/// Bytes of values and of a full key table the map `def` needs, or why it cannot be made.
pub(super) fn storage(index: usize, def: &MapDef) -> Result<(u64, u64), MapError> {
    let kind = def.kind;
    if !kind.is_array() && !kind.is_hash() {
        return Ok((0, 0));
    }
    let name = || def.name.clone();
    for (field, size) in [
        ("key_size", def.key_size),
        ("value_size", def.value_size),
        ("max_entries", def.max_entries),
    ] {
        if size == 0 {
            return Err(MapError::ZeroSize {
                index,
                name: name(),
                field,
            });
        }
    }
    if kind.is_array() && def.key_size != 4 {
        return Err(MapError::ArrayKeySize {
            index,
            name: name(),
            key_size: def.key_size,
        });
    }
    if kind.is_hash() && def.key_size > MAX_HASH_KEY_SIZE {
        return Err(MapError::KeyTooLarge {
            index,
            name: name(),
            key_size: def.key_size,
        });
    }
    let entries = u64::from(def.max_entries);
    let values = entries.saturating_mul(u64::from(def.value_size));
    let keys = if kind.is_hash() {
        entries
            .saturating_mul(u64::from(def.key_size).saturating_add(u64::from(HASH_ENTRY_OVERHEAD)))
    } else {
        0
    };
    Ok((values, keys))
}
