//! Guest memory: regions of host bytes at guest addresses, and the mapping that finds them.
//!
//! The sBPF address space is cut into 4 GiB slots, one per kind of memory:
//!
//! ```text
//! 0x0_0000_0000  read-only data (V3+)              ┐
//! 0x1_0000_0000  program text (+ read-only data before V3)   read-only
//! 0x2_0000_0000  stack: max_call_depth frames of stack_frame_size bytes;
//!                V0 leaves a gap after every frame:  | frame 0 | gap | frame 1 | gap | …
//! 0x3_0000_0000  heap
//! 0x4_0000_0000  input: serialized accounts and instruction data; r1 points here
//! ```
//!
//! Every guest access goes through [`MemoryMapping`]: find the region, check that the whole
//! access lies inside it (and that a store goes to a writable region), copy the bytes. A miss
//! is an [`AccessFault`] naming the region or, next to the stack in versions with fixed frames,
//! the frame, exactly as the reference reports them (the VM turns it into its trap). Regions
//! own or borrow their bytes; the only `unsafe` of this module is the host access in
//! `host.rs`, which keeps one pointer per region and checks every access.
//! A region may own a [`CleanBuffer`]: zero outside a dirty prefix and suffix that every write
//! widens first, so that reusing it costs what a run wrote (`clean.rs`).

#![deny(clippy::arithmetic_side_effects)]

mod clean;
mod fault;
mod host;
mod mapping;
mod region;

pub use clean::{CleanBuffer, DirtyRange, DIRTY_GRANULE};
pub use fault::{AccessFault, AccessType, FaultPlace};
pub use host::HostMemory;
pub(crate) use mapping::windows::HostWindow;
pub use mapping::{
    AccessViolationHook, MappingError, MappingSettings, MemoryMapping, MM_BYTECODE_START,
    MM_HEAP_START, MM_INPUT_START, MM_REGION_SIZE, MM_RODATA_START, MM_STACK_START,
};
pub use region::MemoryRegion;
