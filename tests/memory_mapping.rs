//! The memory mapping: lookups, violations, the access-violation hook. Expected values follow the
//! reference's rules (solana-sbpf 0.26 memory_region.rs), restated in src/memory/mod.rs.

use sbvm::isa::SbpfVersion::{self, *};
use sbvm::memory::*;
use sbvm::vm::{AccessType, Config, EbpfError};

fn mapping<'a>(
    regions: Vec<MemoryRegion<'a>>,
    version: SbpfVersion,
    aligned: bool,
) -> MemoryMapping<'a> {
    let config = Config {
        aligned_memory_mapping: aligned,
        ..Config::default()
    };
    MemoryMapping::new(regions, &config, version).unwrap()
}

fn standard<'a>(rodata: &'a [u8]) -> Vec<MemoryRegion<'a>> {
    vec![
        MemoryRegion::read_only(rodata, MM_BYTECODE_START),
        MemoryRegion::owned(vec![0; 4096 * 4], MM_STACK_START),
        MemoryRegion::owned(vec![0; 64], MM_HEAP_START),
        MemoryRegion::owned((0..16).collect(), MM_INPUT_START),
    ]
}

#[test]
fn aligned_and_unaligned_lookups_agree() {
    let rodata = [0xaau8; 32];
    for version in [V0, V3] {
        let mut unaligned = mapping(standard(&rodata), version, false);
        let mut aligned = mapping(standard(&rodata), version, true);
        assert!(!unaligned.is_aligned() && aligned.is_aligned());
        let addresses = [
            MM_BYTECODE_START,
            MM_BYTECODE_START + 28,
            MM_BYTECODE_START + 30,
            MM_INPUT_START + 8,
            MM_INPUT_START + 15,
            MM_HEAP_START + 60,
            0,
            u64::MAX - 2,
            MM_INPUT_START + 16,
        ];
        for address in addresses {
            assert_eq!(
                unaligned.load::<4>(address),
                aligned.load::<4>(address),
                "{version} {address:#x}"
            );
        }
    }
}

#[test]
fn loads_stores_and_their_violations() {
    let rodata = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let mut memory = mapping(standard(&rodata), V3, false);
    assert_eq!(memory.load::<2>(MM_BYTECODE_START + 2), Ok([3, 4]));
    assert_eq!(
        memory
            .store::<1>(MM_BYTECODE_START, [9])
            .map_err(EbpfError::from),
        Err(EbpfError::AccessViolation {
            access: AccessType::Store,
            vaddr: MM_BYTECODE_START,
            len: 1,
            region: "program"
        })
    );
    memory
        .store::<8>(MM_INPUT_START + 8, 0x1122334455667788u64.to_le_bytes())
        .unwrap();
    assert_eq!(
        memory.load::<8>(MM_INPUT_START + 8),
        Ok(0x1122334455667788u64.to_le_bytes())
    );
    // Crossing the end of the input is a violation at the first byte's address.
    assert_eq!(
        memory
            .load::<4>(MM_INPUT_START + 14)
            .map_err(EbpfError::from),
        Err(EbpfError::AccessViolation {
            access: AccessType::Load,
            vaddr: MM_INPUT_START + 14,
            len: 4,
            region: "input"
        })
    );
    // Beyond every region.
    assert_eq!(
        memory.load::<1>(0x9_0000_0000).map_err(EbpfError::from),
        Err(EbpfError::AccessViolation {
            access: AccessType::Load,
            vaddr: 0x9_0000_0000,
            len: 1,
            region: "unallocated"
        })
    );
    // An access whose end wraps around is a violation, never a host access.
    assert!(matches!(
        memory.load::<8>(u64::MAX - 3).map_err(EbpfError::from),
        Err(EbpfError::AccessViolation {
            region: "unallocated",
            ..
        })
    ));
    // Near the stack, fixed-frame versions report the frame.
    assert_eq!(
        memory
            .load::<8>(MM_STACK_START + 5 * 4096)
            .map_err(EbpfError::from),
        Err(EbpfError::StackAccessViolation {
            access: AccessType::Load,
            vaddr: MM_STACK_START + 5 * 4096,
            len: 8,
            frame: 5
        })
    );
    assert!(matches!(
        memory
            .load::<8>(MM_STACK_START - 8)
            .map_err(EbpfError::from),
        Err(EbpfError::StackAccessViolation { frame: 0, .. })
    ));
    assert!(matches!(
        memory
            .load::<8>(MM_STACK_START - 4097)
            .map_err(EbpfError::from),
        Err(EbpfError::StackAccessViolation { frame: -1, .. })
    ));
    let mut dynamic = mapping(standard(&rodata), V1, false);
    assert!(matches!(
        dynamic
            .load::<8>(MM_STACK_START + 5 * 4096)
            .map_err(EbpfError::from),
        Err(EbpfError::AccessViolation {
            region: "unallocated",
            ..
        })
    ));
}

#[test]
fn overlapping_regions_are_refused() {
    let config = Config::default();
    let overlapping = vec![
        MemoryRegion::owned(vec![0; 16], 0x1000),
        MemoryRegion::owned(vec![0; 16], 0x1008),
    ];
    assert_eq!(
        MemoryMapping::new(overlapping, &config, V0).unwrap_err(),
        MappingError::InvalidMemoryRegion { index: 1 }
    );
    let same_slot = vec![
        MemoryRegion::owned(vec![0; 16], MM_HEAP_START),
        MemoryRegion::owned(vec![0; 16], MM_HEAP_START + 64),
    ];
    assert!(
        MemoryMapping::new(same_slot, &config, V4).is_err(),
        "V4 is always aligned: one region per slot"
    );
}

#[test]
fn the_hook_can_grow_a_region_and_the_access_is_retried() {
    let mut memory = mapping(
        vec![MemoryRegion::owned(vec![0; 8], MM_HEAP_START)],
        V3,
        false,
    );
    memory.set_access_violation_hook(Box::new(
        |region: &mut MemoryRegion<'_>, max_len: u64, _access, vaddr: u64, len: u64| {
            let needed = vaddr + len - region.vm_addr;
            if needed > max_len || needed > 1024 {
                return false;
            }
            let mut bytes = region.host_bytes().to_vec();
            bytes.resize(needed as usize, 0);
            *region = MemoryRegion::owned(bytes, region.vm_addr);
            true
        },
    ));
    memory
        .store::<8>(MM_HEAP_START + 100, 7u64.to_le_bytes())
        .unwrap();
    assert_eq!(
        memory.load::<8>(MM_HEAP_START + 100),
        Ok(7u64.to_le_bytes())
    );
    assert_eq!(memory.region(MM_HEAP_START).unwrap().len(), 108);
    // The hook declines past 1 KiB: the violation names the original region.
    assert!(matches!(
        memory
            .load::<8>(MM_HEAP_START + 4096)
            .map_err(EbpfError::from),
        Err(EbpfError::AccessViolation {
            region: "unallocated",
            ..
        })
    ));
}

#[test]
fn the_hook_can_copy_on_write() {
    let shared = [5u8; 16];
    let mut memory = mapping(
        vec![MemoryRegion::read_only(&shared, MM_INPUT_START)],
        V0,
        false,
    );
    memory.set_access_violation_hook(Box::new(
        |region: &mut MemoryRegion<'_>, _max, access, _vaddr, _len| {
            if access != AccessType::Store {
                return false;
            }
            *region = MemoryRegion::owned(region.host_bytes().to_vec(), region.vm_addr);
            true
        },
    ));
    memory.store::<1>(MM_INPUT_START + 3, [9]).unwrap();
    assert_eq!(memory.load::<4>(MM_INPUT_START), Ok([5, 5, 5, 9]));
    assert_eq!(shared, [5u8; 16], "the host's bytes are untouched");
}

#[test]
fn executables_are_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<sbvm::vm::Executable<sbvm::env::EnvContext>>();
    shareable::<sbvm::vm::Executable<sbvm::vm::Budget>>();
}

#[test]
fn a_region_can_be_lent_out_and_taken_back() {
    // What cross-program invocation does with account data: the region at an address is
    // swapped for an empty one while the bytes are elsewhere, then swapped back, possibly
    // longer; lookups follow each swap, and a swap that would overlap the next region is refused.
    let rodata = [0u8; 8];
    for aligned in [false, true] {
        // Aligned mappings hold one region per 4 GiB slot: swap the input region itself there;
        // unaligned ones take account data regions between metadata regions.
        let (regions, start) = if aligned {
            (standard(&rodata), MM_INPUT_START)
        } else {
            let data_addr = MM_INPUT_START + 0x100;
            let mut regions = standard(&rodata);
            regions.push(MemoryRegion::owned(vec![7; 8], data_addr));
            regions.push(MemoryRegion::owned(vec![0; 8], data_addr + 64));
            (regions, data_addr)
        };
        let mut memory = mapping(regions, V0, aligned);
        let lent = memory.swap_region(MemoryRegion::empty(start)).unwrap();
        assert!(memory.load::<1>(start).is_err());
        let HostMemory::Owned { mut bytes, .. } = lent.into_memory() else {
            panic!("an owned region comes back owned");
        };
        bytes.resize(32, 9);
        memory
            .swap_region(MemoryRegion::owned(bytes, start))
            .unwrap();
        assert_eq!(memory.load::<1>(start + 31).unwrap(), [9]);
        if !aligned {
            let too_long = MemoryRegion::owned(vec![0; 65], start);
            assert!(memory.swap_region(too_long).is_err());
            // No region starts there.
            assert!(memory.swap_region(MemoryRegion::empty(start + 1)).is_err());
        }
    }
}

#[test]
fn a_borrowed_writable_region_comes_back_as_the_same_slice_with_the_guests_stores() {
    // The region keeps no reference to a borrowed writable slice (only its span): handing the
    // memory back rebuilds the slice the host lent, with what the guest stored in it.
    let mut input = [0u8; 16];
    {
        let mut memory = mapping(
            vec![MemoryRegion::writable(&mut input, MM_INPUT_START)],
            V0,
            false,
        );
        memory.store::<2>(MM_INPUT_START + 3, [7, 8]).unwrap();
        let region = memory.into_regions().into_iter().next().unwrap();
        let HostMemory::Writable(bytes) = region.into_memory() else {
            panic!("a borrowed writable region comes back as one");
        };
        assert_eq!(bytes.len(), 16);
        bytes[0] = 1;
    }
    assert_eq!(&input[..5], &[1, 0, 0, 7, 8]);
}
