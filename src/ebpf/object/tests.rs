//! Unit tests of the pieces: BTF headers and type sizes, legacy map definitions. The whole
//! loader is tested on written objects in `tests/ebpf_object.rs`.

use super::btf::{Btf, BtfError, Type};
use super::error::ObjectError;
use super::legacy_maps::legacy_maps;
use super::symbols::Symbol;
use crate::ebpf::map_def::MapKind;
use goblin::elf::sym::STT_OBJECT;

/// A `.BTF` section (btf.rst): header with hdr_len 24, the given type words, the strings.
fn btf_bytes(types: &[u32], strings: &[u8]) -> Vec<u8> {
    let type_len = std::mem::size_of_val(types) as u32;
    let mut bytes = vec![0x9f, 0xeb, 1, 0];
    for word in [24, 0, type_len, type_len, strings.len() as u32] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    for word in types {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    bytes.extend_from_slice(strings);
    bytes
}

/// `info` for `kind` and `vlen` (btf.rst: vlen bits 0–15, kind bits 24–28).
fn info(kind: u32, vlen: u32) -> u32 {
    (kind << 24) | vlen
}

#[test]
fn btf_header_is_checked() {
    let good = btf_bytes(&[], b"\0");
    assert!(Btf::parse(&good).is_ok());
    let mut bad_magic = good.clone();
    bad_magic[0] = 0;
    assert!(matches!(
        Btf::parse(&bad_magic),
        Err(BtfError::Header { .. })
    ));
    let mut bad_version = good.clone();
    bad_version[2] = 2;
    assert!(matches!(
        Btf::parse(&bad_version),
        Err(BtfError::Header { .. })
    ));
    let mut short_header = good.clone();
    short_header[4] = 20;
    assert!(matches!(
        Btf::parse(&short_header),
        Err(BtfError::Header { .. })
    ));
    let mut strings_outside = good.clone();
    strings_outside[20] = 0xff;
    assert!(matches!(
        Btf::parse(&strings_outside),
        Err(BtfError::Header { .. })
    ));
    assert!(matches!(
        Btf::parse(&good[..10]),
        Err(BtfError::Header { .. })
    ));
}

#[test]
fn btf_sizes_follow_aliases_and_arrays() {
    // 1: INT "u32" 4 bytes; 2: TYPEDEF → 1; 3: ARRAY of 2, 5 elements; 4: CONST → 3;
    // 5: PTR → 4; 6: STRUCT of 12 bytes with one member.
    #[rustfmt::skip]
    let types = [
        1, info(1, 0), 4, 32,
        5, info(8, 0), 1,
        0, info(3, 0), 0, 2, 1, 5,
        0, info(10, 0), 3,
        0, info(2, 0), 4,
        0, info(4, 1), 12, 1, 5, 0,
    ];
    let bytes = btf_bytes(&types, b"\0u32\0u32_t\0");
    let btf = Btf::parse(&bytes).unwrap();
    assert_eq!(btf.type_name(2), Ok("u32_t"));
    assert_eq!(btf.size_of(2), Ok(4));
    // btf.rst: an array's size is nelems × the element's size.
    assert_eq!(btf.size_of(4), Ok(20));
    assert_eq!(btf.size_of(5), Ok(8));
    assert_eq!(btf.size_of(6), Ok(12));
    assert_eq!(btf.skip_aliases(4), Ok(3));
    assert!(matches!(btf.get(6), Ok(Type::Composite { size: 12, .. })));
    assert_eq!(btf.get(7), Err(BtfError::BadTypeId { id: 7 }));
    assert_eq!(btf.size_of(0), Err(BtfError::NoSize { id: 0 }));
}

#[test]
fn btf_cycles_and_truncation_are_errors() {
    // 1: TYPEDEF → 2; 2: TYPEDEF → 1.
    let cycle = [0, info(8, 0), 2, 0, info(8, 0), 1];
    let bytes = btf_bytes(&cycle, b"\0");
    let btf = Btf::parse(&bytes).unwrap();
    assert_eq!(btf.size_of(1), Err(BtfError::TooDeep { id: 1 }));
    // A STRUCT claiming 3 members with room for one.
    let truncated = [0, info(4, 3), 12, 0, 0, 0];
    assert!(matches!(
        Btf::parse(&btf_bytes(&truncated, b"\0")),
        Err(BtfError::Truncated { .. })
    ));
    // Kind 0 is not a kind (btf.rst: BTF_KIND_UNKN).
    assert_eq!(
        Btf::parse(&btf_bytes(&[0, 0, 0], b"\0")).unwrap_err(),
        BtfError::UnknownKind { id: 1, kind: 0 }
    );
    let bytes = btf_bytes(&[99, info(1, 0), 4, 32], b"\0");
    let btf = Btf::parse(&bytes).unwrap();
    assert_eq!(btf.type_name(1), Err(BtfError::BadString { offset: 99 }));
}

fn map_symbol(name: &str, value: u64) -> Symbol {
    Symbol {
        name: name.into(),
        section: 3,
        value,
        kind: STT_OBJECT,
    }
}

#[test]
fn legacy_definitions_take_the_first_five_words() {
    // struct bpf_map_def (libbpf's legacy maps): type, key_size, value_size, max_entries,
    // map_flags; a sixth word (inner_map_idx) is skipped.
    let words: [u32; 12] = [5, 8, 16, 32, 1, 9, 6, 4, 4, 64, 0, 9];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let symbols = [map_symbol("second", 24), map_symbol("first", 0)];
    let maps = legacy_maps(3, &bytes, &symbols.iter().collect::<Vec<_>>()).unwrap();
    assert_eq!(maps.len(), 2);
    assert_eq!(maps[0].def.name, "first");
    assert_eq!(maps[0].def.kind, MapKind::PerCpuHash);
    assert_eq!(
        (
            maps[0].def.key_size,
            maps[0].def.value_size,
            maps[0].def.max_entries
        ),
        (8, 16, 32)
    );
    assert_eq!(maps[0].def.flags, 1);
    assert_eq!(
        (maps[1].def.kind, maps[1].offset),
        (MapKind::PerCpuArray, 24)
    );
    let outside = [map_symbol("a", 0), map_symbol("b", 40)];
    assert!(matches!(
        legacy_maps(3, &bytes, &outside.iter().collect::<Vec<_>>()),
        Err(ObjectError::LegacyMapOffset { offset: 40, .. })
    ));
}
