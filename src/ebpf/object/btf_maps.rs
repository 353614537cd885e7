//! Maps defined in `.maps` and described by BTF, as `bpf_helpers.h` writes them:
//!
//! ```c
//! #define __uint(name, val)  int (*name)[val]      // PTR → ARRAY, the value is nelems
//! #define __type(name, val)  typeof(val) *name     // PTR → T, the size is sizeof(T)
//! struct {
//!     __uint(type, BPF_MAP_TYPE_ARRAY);
//!     __uint(max_entries, 4);
//!     __type(key, __u32);
//!     __type(value, __u64);
//! } counts SEC(".maps");
//! ```
//!
//! The `DATASEC` named `.maps` lists one `VAR` per map; the variable's type (after typedefs and
//! modifiers) is that anonymous struct, whose members are read by name: `type`,
//! `max_entries`, `key_size`, `value_size`, `map_flags` (`__uint`) and `key`, `value`
//! (`__type`). Other members (`pinning`, `values`, `map_extra`) are ignored. The map's place
//! in `.maps` comes from the ELF symbol of the same name, because clang leaves the
//! `DATASEC`'s offsets zero.

use super::btf::{Btf, BtfError, Type};
use super::error::ObjectError;
use super::symbols::Symbol;
use super::LocatedMap;
use crate::ebpf::map_def::{MapDef, MapKind};
use std::collections::HashMap;

/// The maps described by `btf` for the `.maps` section `section`, with the `symbols`
/// defined in it, in `DATASEC` order.
pub(super) fn btf_maps(
    btf: &Btf<'_>,
    section: usize,
    symbols: &[&Symbol],
) -> Result<Vec<LocatedMap>, ObjectError> {
    let by_name: HashMap<&str, &Symbol> = symbols
        .iter()
        .filter(|symbol| symbol.section == section && symbol.is_named_object())
        .map(|symbol| (symbol.name.as_str(), *symbol))
        .collect();
    let vars = btf
        .iter()
        .find_map(|(id, kind)| match kind {
            Type::Datasec(vars) if btf.type_name(id).ok() == Some(".maps") => Some(vars),
            _ => None,
        })
        .ok_or(BtfError::NoMapsDatasec)?;
    let mut maps = Vec::with_capacity(vars.len().min(symbols.len()));
    for var in vars {
        let name = btf.type_name(var.type_id)?;
        let map_error = |reason: String| BtfError::MapDefinition {
            map: name.to_owned(),
            reason,
        };
        let Type::Var(struct_id) = btf.get(var.type_id)? else {
            return Err(map_error(format!("type {} is not a VAR", var.type_id)).into());
        };
        let def = definition(btf, name, *struct_id)?;
        let symbol = by_name.get(name).ok_or_else(|| ObjectError::MapSymbol {
            name: name.to_owned(),
        })?;
        maps.push(LocatedMap {
            def,
            section,
            offset: symbol.value,
        });
    }
    Ok(maps)
}

/// The definition of map `name` from its struct type `struct_id`.
fn definition(btf: &Btf<'_>, name: &str, struct_id: u32) -> Result<MapDef, BtfError> {
    let map_error = |reason: String| BtfError::MapDefinition {
        map: name.to_owned(),
        reason,
    };
    let Type::Composite { members, .. } = btf.get(btf.skip_aliases(struct_id)?)? else {
        return Err(map_error(format!("type {struct_id} is not a struct")));
    };
    let mut kind = None;
    let mut def = MapDef {
        name: name.to_owned(),
        kind: MapKind::Other(0),
        key_size: 0,
        value_size: 0,
        max_entries: 0,
        flags: 0,
    };
    let (mut key, mut value) = (None, None);
    for member in members {
        let member_name = btf.string(member.name)?;
        match member_name {
            "type" => kind = Some(uint_value(btf, name, member_name, member.type_id)?),
            "max_entries" => def.max_entries = uint_value(btf, name, member_name, member.type_id)?,
            "key_size" => def.key_size = uint_value(btf, name, member_name, member.type_id)?,
            "value_size" => def.value_size = uint_value(btf, name, member_name, member.type_id)?,
            "map_flags" => def.flags = uint_value(btf, name, member_name, member.type_id)?,
            "key" => key = Some(type_size(btf, name, member_name, member.type_id)?),
            "value" => value = Some(type_size(btf, name, member_name, member.type_id)?),
            _ => {}
        }
    }
    def.kind = MapKind::from_number(kind.ok_or_else(|| map_error("no `type` member".into()))?);
    for (field, from_type, size) in [
        ("key", key, &mut def.key_size),
        ("value", value, &mut def.value_size),
    ] {
        match from_type {
            Some(from_type) if *size != 0 && *size != from_type => {
                return Err(map_error(format!(
                    "`{field}` is {from_type} bytes but `{field}_size` says {size}"
                )));
            }
            Some(from_type) => *size = from_type,
            None => {}
        }
    }
    Ok(def)
}

/// The pointer target of member `member` (type `id`) after aliases.
fn pointee(btf: &Btf<'_>, map: &str, member: &str, id: u32) -> Result<u32, BtfError> {
    match btf.get(btf.skip_aliases(id)?)? {
        Type::Ptr(target) => btf.skip_aliases(*target),
        _ => Err(BtfError::MapDefinition {
            map: map.to_owned(),
            reason: format!("member `{member}` is not a pointer"),
        }),
    }
}

/// The value of an `__uint(member, value)` member: a pointer to an array of `value` elements.
fn uint_value(btf: &Btf<'_>, map: &str, member: &str, id: u32) -> Result<u32, BtfError> {
    match btf.get(pointee(btf, map, member, id)?)? {
        Type::Array { nelems, .. } => Ok(*nelems),
        _ => Err(BtfError::MapDefinition {
            map: map.to_owned(),
            reason: format!("member `{member}` does not point to an array"),
        }),
    }
}

/// The size of `T` in a `__type(member, T)` member: a pointer to `T`.
fn type_size(btf: &Btf<'_>, map: &str, member: &str, id: u32) -> Result<u32, BtfError> {
    let target = pointee(btf, map, member, id)?;
    let size = btf.size_of(target)?;
    u32::try_from(size).map_err(|_| BtfError::MapDefinition {
        map: map.to_owned(),
        reason: format!("`{member}` is {size} bytes"),
    })
}
