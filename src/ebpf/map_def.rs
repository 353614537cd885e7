//! What an object declares about a map: its type, key and value sizes and capacity.
//!
//! The definition comes from the legacy `maps` section (`struct bpf_map_def`, five `u32`s)
//! or from the BTF of a `.maps` section; either way it becomes one [`MapDef`].

/// A map's type (the values of the kernel's `enum bpf_map_type`, `include/uapi/linux/bpf.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapKind {
    /// `BPF_MAP_TYPE_HASH` (1): keys of `key_size` bytes.
    Hash,
    /// `BPF_MAP_TYPE_ARRAY` (2): a `u32` index below `max_entries`; every value exists.
    Array,
    /// `BPF_MAP_TYPE_PERCPU_HASH` (5), run as one cpu.
    PerCpuHash,
    /// `BPF_MAP_TYPE_PERCPU_ARRAY` (6), run as one cpu.
    PerCpuArray,
    /// Any other type: loads, but its helpers fail.
    Other(u32),
}

impl MapKind {
    /// The type from its number.
    pub const fn from_number(number: u32) -> MapKind {
        match number {
            1 => MapKind::Hash,
            2 => MapKind::Array,
            5 => MapKind::PerCpuHash,
            6 => MapKind::PerCpuArray,
            other => MapKind::Other(other),
        }
    }

    /// The type's number.
    pub const fn number(self) -> u32 {
        match self {
            MapKind::Hash => 1,
            MapKind::Array => 2,
            MapKind::PerCpuHash => 5,
            MapKind::PerCpuArray => 6,
            MapKind::Other(number) => number,
        }
    }

    /// Whether the map is indexed by a `u32` with every slot present.
    pub const fn is_array(self) -> bool {
        matches!(self, MapKind::Array | MapKind::PerCpuArray)
    }

    /// Whether the map is keyed by arbitrary bytes.
    pub const fn is_hash(self) -> bool {
        matches!(self, MapKind::Hash | MapKind::PerCpuHash)
    }
}

/// One map an object declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapDef {
    /// The map's symbol name.
    pub name: String,
    /// Its type.
    pub kind: MapKind,
    /// Bytes of a key.
    pub key_size: u32,
    /// Bytes of a value.
    pub value_size: u32,
    /// Most entries.
    pub max_entries: u32,
    /// `map_flags` (kept, not interpreted).
    pub flags: u32,
}
