//! Hash and array maps: the kernel's errno table, stable value addresses, guest writes that
//! the embedder reads back, and the allocation limits.

use sbvm::ebpf::layout;
use sbvm::ebpf::map_def::{MapDef, MapKind};
use sbvm::ebpf::maps::errno::{BPF_ANY, BPF_EXIST, BPF_NOEXIST, E2BIG, EEXIST, EINVAL, ENOENT};
use sbvm::ebpf::maps::{MapError, Maps, HASH_ENTRY_OVERHEAD, MAX_TOTAL_MAP_BYTES};
use sbvm::isa::SbpfVersion;
use sbvm::memory::{MappingSettings, MemoryMapping};

fn def(name: &str, kind: MapKind, key_size: u32, value_size: u32, max_entries: u32) -> MapDef {
    MapDef {
        name: name.to_string(),
        kind,
        key_size,
        value_size,
        max_entries,
        flags: 0,
    }
}

const SETTINGS: MappingSettings = MappingSettings {
    aligned: false,
    stack_frame_size: layout::STACK_FRAME_SIZE,
    max_call_depth: layout::MAX_CALL_DEPTH,
};

#[test]
fn array_errno_table() {
    // kernel/bpf/arraymap.c: index >= max_entries → lookup NULL, update -E2BIG; delete is
    // always -EINVAL; NOEXIST → -EEXIST; flags > BPF_EXIST → -EINVAL.
    for kind in [MapKind::Array, MapKind::PerCpuArray] {
        let mut maps = Maps::new(&[def("a", kind, 4, 8, 4)]).unwrap();
        let map = maps.get_mut("a").unwrap();
        let key = |index: u32| index.to_le_bytes();
        assert_eq!(
            map.lookup(&key(3)),
            Some(&[0u8; 8][..]),
            "every index exists, zeroed"
        );
        assert_eq!(map.lookup(&key(4)), None);
        assert_eq!(map.update(&key(3), &[7; 8], BPF_ANY), Ok(()));
        assert_eq!(map.update(&key(3), &[8; 8], BPF_EXIST), Ok(()));
        assert_eq!(map.update(&key(3), &[9; 8], BPF_NOEXIST), Err(-EEXIST));
        assert_eq!(map.update(&key(4), &[9; 8], BPF_ANY), Err(-E2BIG));
        assert_eq!(map.update(&key(0), &[9; 8], 3), Err(-EINVAL));
        assert_eq!(
            map.update(&key(0), &[9; 7], BPF_ANY),
            Err(-EINVAL),
            "value size"
        );
        assert_eq!(map.delete(&key(3)), Err(-EINVAL));
        assert_eq!(map.delete(&key(9)), Err(-EINVAL));
        assert_eq!(map.lookup(&key(3)), Some(&[8u8; 8][..]));
        assert_eq!(map.entries().len(), 4, "an array lists every index");
        assert_eq!(map.entries()[3], (key(3).to_vec(), vec![8; 8]));
    }
}

#[test]
fn hash_errno_table() {
    // kernel/bpf/hashtab.c: a new key when full → -E2BIG; NOEXIST on an existing key →
    // -EEXIST; EXIST on a missing key → -ENOENT; deleting a missing key → -ENOENT.
    for kind in [MapKind::Hash, MapKind::PerCpuHash] {
        let mut maps = Maps::new(&[def("h", kind, 2, 4, 2)]).unwrap();
        let map = maps.get_mut("h").unwrap();
        assert_eq!(map.lookup(b"ab"), None);
        assert_eq!(map.update(b"ab", &[1; 4], BPF_EXIST), Err(-ENOENT));
        assert_eq!(map.update(b"ab", &[1; 4], BPF_NOEXIST), Ok(()));
        assert_eq!(map.update(b"ab", &[2; 4], BPF_NOEXIST), Err(-EEXIST));
        assert_eq!(map.update(b"ab", &[2; 4], BPF_EXIST), Ok(()));
        assert_eq!(map.update(b"cd", &[3; 4], BPF_ANY), Ok(()));
        assert_eq!(map.update(b"ef", &[4; 4], BPF_ANY), Err(-E2BIG));
        assert_eq!(map.update(b"ef", &[4; 4], BPF_EXIST), Err(-ENOENT));
        assert_eq!(map.update(b"ab", &[4; 4], 7), Err(-EINVAL));
        assert_eq!(
            map.update(b"abc", &[4; 4], BPF_ANY),
            Err(-EINVAL),
            "key size"
        );
        assert_eq!(map.delete(b"zz"), Err(-ENOENT));
        assert_eq!(map.delete(b"ab"), Ok(()));
        assert_eq!(map.delete(b"ab"), Err(-ENOENT));
        assert_eq!(map.update(b"ef", &[4; 4], BPF_ANY), Ok(()), "room again");
        assert_eq!(map.lookup(b"cd"), Some(&[3u8; 4][..]));
        assert_eq!(
            map.entries(),
            vec![(b"ef".to_vec(), vec![4; 4]), (b"cd".to_vec(), vec![3; 4])],
            "slot order: ef took ab's freed slot 0"
        );
    }
}

#[test]
fn a_key_keeps_its_value_address_while_others_come_and_go() {
    let mut maps = Maps::new(&[def("h", MapKind::Hash, 1, 8, 8)]).unwrap();
    let map = maps.get_mut("h").unwrap();
    for key in 0..5u8 {
        map.update(&[key], &[key; 8], BPF_ANY).unwrap();
    }
    let address = |map: &sbvm::ebpf::maps::Map, key: u8| {
        let index = map.index();
        index.value_address(index.lookup(&[key]).unwrap())
    };
    let before = address(map, 3);
    assert_eq!(
        before,
        layout::map_address(0).unwrap() + 3 * 8,
        "slots in insertion order"
    );
    for other in [0u8, 1, 4] {
        map.delete(&[other]).unwrap();
    }
    for other in [9u8, 0, 4, 1, 7] {
        map.update(&[other], &[other; 8], BPF_ANY).unwrap();
    }
    map.update(&[3], &[33; 8], BPF_EXIST).unwrap();
    assert_eq!(address(map, 3), before, "updated in place, never moved");
    assert_eq!(map.lookup(&[3]), Some(&[33u8; 8][..]));
}

#[test]
fn guest_writes_through_the_mapping_reach_the_embedder() {
    let defs = [
        def("counts", MapKind::Hash, 4, 8, 16),
        def("table", MapKind::Array, 4, 4, 4),
    ];
    let mut maps = Maps::new(&defs).unwrap();
    maps.get_mut("counts")
        .unwrap()
        .update(&7u32.to_le_bytes(), &1u64.to_le_bytes(), BPF_ANY)
        .unwrap();
    let counts = maps.get("counts").unwrap();
    let slot = counts.index().lookup(&7u32.to_le_bytes()).unwrap();
    let value_address = counts.index().value_address(slot);
    let table_address = maps.get("table").unwrap().address();
    assert_eq!(table_address, layout::map_address(1).unwrap());
    {
        let regions = maps.regions();
        assert_eq!(regions.len(), 2);
        let mut memory = MemoryMapping::new(regions, SETTINGS, SbpfVersion::V1).unwrap();
        // As a guest `r0 = lookup(...); *(u64 *)r0 += 41` would.
        let old = u64::from_le_bytes(memory.load::<8>(value_address).unwrap());
        memory
            .store(value_address, (old + 41).to_le_bytes())
            .unwrap();
        memory
            .store(table_address + 2 * 4, 0xdead_beef_u32.to_le_bytes())
            .unwrap();
        // One past the last slot of the array is outside its region.
        assert!(memory.load::<1>(table_address + 16).is_err());
    }
    assert_eq!(
        maps.get("counts").unwrap().lookup(&7u32.to_le_bytes()),
        Some(&42u64.to_le_bytes()[..])
    );
    assert_eq!(
        maps.get("table").unwrap().lookup(&2u32.to_le_bytes()),
        Some(&0xdead_beef_u32.to_le_bytes()[..])
    );
}

#[test]
fn sizes_are_checked_before_anything_is_allocated() {
    // Zero sizes and an array key that is not a u32 are refused, as by the kernel's
    // array_map_alloc_check / htab_map_alloc_check (-EINVAL there).
    assert_eq!(
        Maps::new(&[def("z", MapKind::Hash, 4, 0, 1)]),
        Err(MapError::ZeroSize {
            index: 0,
            name: "z".into(),
            field: "value_size"
        })
    );
    assert_eq!(
        Maps::new(&[
            def("ok", MapKind::Array, 4, 1, 1),
            def("e", MapKind::Array, 4, 4, 0)
        ]),
        Err(MapError::ZeroSize {
            index: 1,
            name: "e".into(),
            field: "max_entries"
        })
    );
    assert_eq!(
        Maps::new(&[def("a", MapKind::Array, 8, 4, 1)]),
        Err(MapError::ArrayKeySize {
            index: 0,
            name: "a".into(),
            key_size: 8
        })
    );
    // htab_map_alloc_check: key_size > MAX_BPF_STACK (512) → -E2BIG.
    assert_eq!(
        Maps::new(&[def("k", MapKind::Hash, 513, 4, 1)]),
        Err(MapError::KeyTooLarge {
            index: 0,
            name: "k".into(),
            key_size: 513
        })
    );
    // u32::MAX entries of u32::MAX bytes: refused before the allocator is asked.
    let huge = def("huge", MapKind::Array, 4, u32::MAX, u32::MAX);
    assert!(matches!(
        Maps::new(&[huge]),
        Err(MapError::ValuesTooLarge { index: 0, .. })
    ));
    // A map's values fill at most its span (sbvm's layout: 64 MiB).
    let span = layout::SPAN as u32;
    assert!(Maps::new(&[def("s", MapKind::Array, 4, span, 1)]).is_ok());
    assert!(matches!(
        Maps::new(&[def("s", MapKind::Array, 4, span + 1, 1)]),
        Err(MapError::ValuesTooLarge { index: 0, bytes, .. }) if bytes == layout::SPAN + 1
    ));
    // Exactly the cap passes the check; one more hash entry does not. A hash entry counts
    // its value, its key and HASH_ENTRY_OVERHEAD: 1 + 63 + 64 = 128 bytes here. Fifteen
    // full spans leave one span's worth for the hash.
    let arrays: Vec<MapDef> = (0..15)
        .map(|i| def(&format!("a{i}"), MapKind::Array, 4, span, 1))
        .collect();
    let left = MAX_TOTAL_MAP_BYTES - 15 * layout::SPAN;
    let entries = (left / 128) as u32;
    assert_eq!(u64::from(HASH_ENTRY_OVERHEAD), 64);
    let mut over = arrays.clone();
    over.push(def("h", MapKind::Hash, 63, 1, entries + 1));
    assert!(matches!(
        Maps::new(&over),
        Err(MapError::TooLarge { index: 15, total, .. }) if total == MAX_TOTAL_MAP_BYTES + 128
    ));
    let mut at_cap = arrays;
    at_cap.push(def("h", MapKind::Hash, 63, 1, entries));
    let maps = Maps::new(&at_cap).unwrap();
    assert_eq!(maps.get("a0").unwrap().values().len() as u64, layout::SPAN);
    assert_eq!(maps.get("h").unwrap().values().len(), entries as usize);
    let too_many = vec![def("o", MapKind::Other(3), 4, 4, 1); layout::MAX_MAPS + 1];
    assert_eq!(
        Maps::new(&too_many),
        Err(MapError::TooManyMaps {
            count: layout::MAX_MAPS + 1
        })
    );
}

#[test]
fn other_kinds_load_without_storage_and_refuse_operations() {
    // BPF_MAP_TYPE_PROG_ARRAY (3) is not served: it loads, holds nothing, and refuses.
    let mut maps = Maps::new(&[
        def("progs", MapKind::Other(3), 4, 4, 8),
        def("h", MapKind::Hash, 4, 4, 1),
    ])
    .unwrap();
    let progs = maps.get_mut("progs").unwrap();
    assert!(progs.values().is_empty());
    assert_eq!(progs.lookup(&[0; 4]), None);
    assert_eq!(progs.update(&[0; 4], &[0; 4], BPF_ANY), Err(-EINVAL));
    assert_eq!(progs.delete(&[0; 4]), Err(-EINVAL));
    assert!(progs.entries().is_empty());
    assert_eq!(
        maps.regions().len(),
        1,
        "no region for a map without storage"
    );
    let h = maps.by_address(layout::map_address(1).unwrap()).unwrap();
    assert_eq!(h.def().name, "h");
    assert!(maps
        .by_address(layout::map_address(1).unwrap() + 4)
        .is_none());
}
