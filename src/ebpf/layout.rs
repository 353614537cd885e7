//! Where an eBPF program's memory sits in the guest address space.
//!
//! Every region owns one 4 GiB slot, as in the SBPF environment, so an address names its
//! region by its upper 32 bits and a fault report names the region plainly:
//!
//! | slot                        | guest address            | contents                                   |
//! |-----------------------------|--------------------------|--------------------------------------------|
//! | text                        | 0x1_0000_0000            | the program, read-only                     |
//! | stack                       | 0x2_0000_0000            | [`MAX_CALL_DEPTH`] × [`STACK_FRAME_SIZE`]  |
//! | metadata buffer             | 0x3_0000_0000            | the `mbuff` of the metadata flavours       |
//! | packet / input              | 0x4_0000_0000            | the bytes the program works on             |
//! | data section `i`            | 0x5_0000_0000 + i·4 GiB  | `.rodata*` (read-only), `.data`, `.bss`    |
//! | map `i`                     | 0x100_0000_0000 + i·4 GiB| the map's values, `value_size` apart       |
//!
//! A map is named in code by the address of its values ([`map_address`]): `lddw r1, map`
//! loads it, the map helpers take it, and a lookup returns an address inside it. Data
//! sections and maps get at most [`MAX_DATA_SECTIONS`] and [`MAX_MAPS`] slots.

/// The program text.
pub const TEXT_START: u64 = 0x1_0000_0000;
/// The stack's lowest address; r10 starts at the top of the first frame.
pub const STACK_START: u64 = 0x2_0000_0000;
/// The metadata buffer (`mbuff`) of the metadata flavours.
pub const MBUFF_START: u64 = 0x3_0000_0000;
/// The packet or input bytes.
pub const INPUT_START: u64 = 0x4_0000_0000;
/// The first data section's slot.
pub const DATA_START: u64 = 0x5_0000_0000;
/// The first map's slot.
pub const MAPS_START: u64 = 0x100_0000_0000;
/// One region's slot.
pub const SLOT_SIZE: u64 = 1 << 32;
/// Bytes of one stack frame (the kernel's `MAX_BPF_STACK`).
pub const STACK_FRAME_SIZE: usize = 512;
/// Frames: the entry function and up to seven nested bpf-to-bpf calls (the kernel's
/// `MAX_CALL_FRAMES`).
pub const MAX_CALL_DEPTH: usize = 8;
/// Most data sections an object may bring.
pub const MAX_DATA_SECTIONS: usize = 0xfb;
/// Most maps an object may bring.
pub const MAX_MAPS: usize = 0x1000;

/// The guest address of data section `index`, if there is a slot for it.
pub const fn data_address(index: usize) -> Option<u64> {
    if index < MAX_DATA_SECTIONS {
        Some(DATA_START + (index as u64) * SLOT_SIZE)
    } else {
        None
    }
}

/// The guest address of map `index`'s values (the map's handle), if there is a slot for it.
pub const fn map_address(index: usize) -> Option<u64> {
    if index < MAX_MAPS {
        Some(MAPS_START + (index as u64) * SLOT_SIZE)
    } else {
        None
    }
}

/// The map whose slot holds `address`, if any.
pub const fn map_index(address: u64) -> Option<usize> {
    if address < MAPS_START {
        return None;
    }
    let index = ((address - MAPS_START) / SLOT_SIZE) as usize;
    if index < MAX_MAPS {
        Some(index)
    } else {
        None
    }
}
