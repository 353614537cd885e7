//! Where an eBPF program's memory sits in the guest address space.
//!
//! The regions sit in the 4 GiB slots of the SBPF environment, so an address names its
//! region by its upper 32 bits and a fault report names the region plainly. Global data and
//! maps share a slot each, every section or map in a span of its own:
//!
//! | slot            | guest address                 | contents                                   |
//! |-----------------|-------------------------------|--------------------------------------------|
//! | text            | 0x1_0000_0000                 | the program, read-only                     |
//! | stack           | 0x2_0000_0000                 | [`MAX_CALL_DEPTH`] × [`STACK_FRAME_SIZE`]  |
//! | metadata buffer | 0x3_0000_0000                 | the `mbuff` of the metadata flavours       |
//! | packet / input  | 0x4_0000_0000                 | the bytes the program works on             |
//! | global data     | 0x5_0000_0000 + i·[`SPAN`]    | section `i`: `.rodata*` (read-only), `.data*`, `.bss*` |
//! | maps            | 0x6_0000_0000 + i·[`SPAN`]    | map `i`'s values, `value_size` apart       |
//!
//! A map is named in code by the address of its values ([`map_address`]): `lddw r1, map`
//! loads it, the map helpers take it, and a lookup returns an address inside it. There are
//! [`MAX_DATA_SECTIONS`] and [`MAX_MAPS`] spans of 64 MiB each. Keeping every region in the
//! first 16 slots keeps it inside the JIT's per-slot window table, so compiled code reaches
//! map values and globals without leaving for the host.

/// The program text.
pub const TEXT_START: u64 = 0x1_0000_0000;
/// The stack's lowest address; r10 starts at the top of the first frame.
pub const STACK_START: u64 = 0x2_0000_0000;
/// The metadata buffer (`mbuff`) of the metadata flavours.
pub const MBUFF_START: u64 = 0x3_0000_0000;
/// The packet or input bytes.
pub const INPUT_START: u64 = 0x4_0000_0000;
/// The first data section's address.
pub const DATA_START: u64 = 0x5_0000_0000;
/// The first map's address.
pub const MAPS_START: u64 = 0x6_0000_0000;
/// One region's slot.
pub const SLOT_SIZE: u64 = 1 << 32;
/// The guest addresses one data section or one map's values may span: 64 MiB.
pub const SPAN: u64 = 1 << 26;
/// Bytes of one stack frame (the kernel's `MAX_BPF_STACK`).
pub const STACK_FRAME_SIZE: usize = 512;
/// Frames: the entry function and up to seven nested bpf-to-bpf calls (the kernel's
/// `MAX_CALL_FRAMES`).
pub const MAX_CALL_DEPTH: usize = 8;
/// Most data sections an object may bring (the spans that fill one slot).
pub const MAX_DATA_SECTIONS: usize = (SLOT_SIZE / SPAN) as usize;
/// Most maps an object may bring (the spans that fill one slot).
pub const MAX_MAPS: usize = (SLOT_SIZE / SPAN) as usize;

/// The guest address of data section `index`, if there is a span for it.
pub const fn data_address(index: usize) -> Option<u64> {
    if index < MAX_DATA_SECTIONS {
        Some(DATA_START + (index as u64) * SPAN)
    } else {
        None
    }
}

/// The guest address of map `index`'s values (the map's handle), if there is a span for it.
pub const fn map_address(index: usize) -> Option<u64> {
    if index < MAX_MAPS {
        Some(MAPS_START + (index as u64) * SPAN)
    } else {
        None
    }
}

/// The map whose span holds `address`, if any.
pub const fn map_index(address: u64) -> Option<usize> {
    if address < MAPS_START {
        return None;
    }
    let index = ((address - MAPS_START) / SPAN) as usize;
    if index < MAX_MAPS {
        Some(index)
    } else {
        None
    }
}
