//! Maps from the legacy `maps` section: an array of `struct bpf_map_def`, one per map symbol.
//!
//! ```text
//!   struct bpf_map_def {        // the first 20 bytes of each definition
//!       u32 type;               // enum bpf_map_type
//!       u32 key_size;
//!       u32 value_size;
//!       u32 max_entries;
//!       u32 map_flags;
//!   };                          // kernel samples appended more fields: they are skipped
//! ```
//!
//! The definition size is not written anywhere: as libbpf does, it is the section size
//! divided by the number of map symbols (it must divide exactly), and each symbol's value is
//! the offset of its definition.

use super::error::ObjectError;
use super::symbols::Symbol;
use super::LocatedMap;
use crate::ebpf::map_def::{MapDef, MapKind};

/// Bytes of the five fields read.
const DEF_FIELDS_SIZE: u64 = 20;

/// The maps of the `maps` section `section` (its index) with `bytes` and the `symbols`
/// defined in it, ordered by symbol value.
pub(super) fn legacy_maps(
    section: usize,
    bytes: &[u8],
    symbols: &[&Symbol],
) -> Result<Vec<LocatedMap>, ObjectError> {
    let mut map_symbols: Vec<&Symbol> = symbols
        .iter()
        .copied()
        .filter(|symbol| symbol.section == section && symbol.is_named_object())
        .collect();
    map_symbols.sort_by_key(|symbol| symbol.value);
    let size = bytes.len() as u64;
    if map_symbols.is_empty() {
        return if size == 0 {
            Ok(Vec::new())
        } else {
            Err(ObjectError::LegacyMapSize { size, count: 0 })
        };
    }
    let count = map_symbols.len();
    let def_size = size
        .checked_div(count as u64)
        .filter(|&def_size| {
            def_size >= DEF_FIELDS_SIZE && size.checked_rem(count as u64) == Some(0)
        })
        .ok_or(ObjectError::LegacyMapSize { size, count })?;
    map_symbols
        .into_iter()
        .map(|symbol| {
            let outside = || ObjectError::LegacyMapOffset {
                name: symbol.name.clone(),
                offset: symbol.value,
                size: def_size,
            };
            if symbol
                .value
                .checked_add(def_size)
                .is_none_or(|end| end > size)
            {
                return Err(outside());
            }
            let start = usize::try_from(symbol.value).map_err(|_| outside())?;
            let def = bytes.get(start..).ok_or_else(outside)?;
            let mut fields = def
                .chunks_exact(4)
                .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]));
            let mut field = || fields.next().unwrap_or(0);
            let (kind, key_size, value_size, max_entries, flags) =
                (field(), field(), field(), field(), field());
            Ok(LocatedMap {
                def: MapDef {
                    name: symbol.name.clone(),
                    kind: MapKind::from_number(kind),
                    key_size,
                    value_size,
                    max_entries,
                    flags,
                },
                section,
                offset: symbol.value,
            })
        })
        .collect()
}
