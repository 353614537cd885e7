//! Running an eBPF program: its configuration, rbpf's four VM flavours and the memory of a run.
//!
//! A Linux eBPF program gets one argument, `r1`, whose meaning depends on the program type: a
//! packet, a context structure, nothing. User-space VMs (rbpf, uBPF) name four ways to set it
//! up, the *flavours*:
//!
//! | flavour                  | `r1`                                   | `r2`          |
//! |--------------------------|----------------------------------------|---------------|
//! | [`Flavour::Raw`]         | the input (packet) bytes               | their length  |
//! | [`Flavour::NoData`]      | 0 (no input region)                    | 0             |
//! | [`Flavour::FixedMbuff`]  | a metadata buffer holding the input's start and end at two offsets | 0 |
//! | [`Flavour::Mbuff`]       | the caller's metadata buffer (the input when it is empty) | 0 |
//!
//! `r2` holding the length in the raw flavour is what uBPF does and what the conformance suite
//! checks (`mem-len`); rbpf leaves it 0. `r10` is the top of the first of
//! [`MAX_CALL_DEPTH`] frames of [`STACK_FRAME_SIZE`] bytes; each bpf-to-bpf call moves it up
//! one frame. Regions sit where [`super::layout`] says.

use super::layout::{
    INPUT_START, MAX_CALL_DEPTH, MBUFF_START, STACK_FRAME_SIZE, STACK_START, TEXT_START,
};
use crate::env::{check_input_len, copied, zeroed, EnvError};
use crate::memory::{HostMemory, MemoryMapping, MemoryRegion};
use crate::vm::{Config, ContextObject, Executable, Vm};

/// The configuration eBPF programs run with: 512-byte frames, 8 of them, no gaps, and the
/// instruction meter on so that a run counts its instructions and stops at the context's
/// limit (give the context `u64::MAX` for no limit).
pub fn ebpf_config() -> Config {
    Config {
        max_call_depth: MAX_CALL_DEPTH,
        stack_frame_size: STACK_FRAME_SIZE,
        enable_stack_frame_gaps: false,
        enable_instruction_meter: true,
        ..Config::default()
    }
}

/// How `r1` (and `r2`) are set up: rbpf's VM flavours (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavour {
    /// `r1` = the input, `r2` = its length.
    Raw,
    /// No input: `r1` = 0.
    NoData,
    /// `r1` = a metadata buffer of `max(offsets) + 8` zero bytes, with the input's start
    /// address (u64) written at `data_offset` and its end address at `data_end_offset`.
    FixedMbuff {
        /// Where the input's start address goes.
        data_offset: usize,
        /// Where the input's end address goes.
        data_end_offset: usize,
    },
    /// `r1` = the metadata buffer given with the run, or the input when that is empty.
    Mbuff(Vec<u8>),
}

impl Flavour {
    /// The metadata buffer this flavour maps for `input_len` bytes of input, if any.
    fn metadata(&self, input_len: u64) -> Result<Option<Vec<u8>>, EnvError> {
        match self {
            Flavour::Raw | Flavour::NoData => Ok(None),
            Flavour::Mbuff(bytes) if bytes.is_empty() => Ok(None),
            Flavour::Mbuff(bytes) => Ok(Some(copied("metadata buffer", bytes)?)),
            Flavour::FixedMbuff {
                data_offset,
                data_end_offset,
            } => {
                let len = (*data_offset).max(*data_end_offset).checked_add(8).ok_or(
                    EnvError::OutOfMemory {
                        what: "metadata buffer",
                        bytes: u64::MAX,
                    },
                )?;
                check_input_len(len as u64)?;
                let mut buffer = zeroed("metadata buffer", len)?;
                let end = INPUT_START.saturating_add(input_len);
                for (offset, value) in [(*data_offset, INPUT_START), (*data_end_offset, end)] {
                    if let Some(field) = buffer.get_mut(offset..offset.saturating_add(8)) {
                        field.copy_from_slice(&value.to_le_bytes());
                    }
                }
                Ok(Some(buffer))
            }
        }
    }
}

/// A VM ready to run `executable` (an [`crate::isa::SbpfVersion::Ebpf`] program) in
/// `flavour` over `input`, with `extra` regions (data sections, maps) mapped beside the
/// text, stack, input and metadata buffer.
pub fn ebpf_vm<'a, C: ContextObject>(
    executable: &'a Executable<C>,
    context: &'a mut C,
    flavour: &Flavour,
    input: Vec<u8>,
    extra: Vec<MemoryRegion<'a>>,
) -> Result<Vm<'a, C>, EnvError> {
    let input_len = input.len() as u64;
    check_input_len(input_len)?;
    let config = executable.config();
    let stack = HostMemory::Owned {
        bytes: zeroed("stack", config.stack_size())?,
        writable: true,
    };
    let metadata = flavour.metadata(input_len)?;
    let mut regions = vec![
        executable.ro_region(),
        MemoryRegion::new(stack, STACK_START),
    ];
    let r1 = match (&flavour, &metadata) {
        (Flavour::NoData, _) => 0,
        (_, Some(_)) => MBUFF_START,
        (_, None) => INPUT_START,
    };
    if let Some(metadata) = metadata {
        regions.push(MemoryRegion::owned(metadata, MBUFF_START));
    }
    if !matches!(flavour, Flavour::NoData) {
        regions.push(MemoryRegion::owned(input, INPUT_START));
    }
    regions.extend(extra);
    debug_assert_eq!(executable.ro_vaddr(), TEXT_START);
    let memory = MemoryMapping::new(regions, config, executable.version())?;
    let mut vm = Vm::new(executable, context, memory);
    vm.set_register(1, r1);
    if matches!(flavour, Flavour::Raw) {
        vm.set_register(2, input_len);
    }
    Ok(vm)
}
