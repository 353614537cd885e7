//! VM configuration, with the reference runtime's defaults.

use crate::isa::SbpfVersion;
use crate::memory::MappingSettings;
use std::ops::RangeInclusive;

/// How programs are loaded and run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Most call frames alive at once, the entry frame included (a program can nest
    /// `max_call_depth - 1` calls).
    pub max_call_depth: usize,
    /// Bytes per stack frame.
    pub stack_frame_size: usize,
    /// V0 leaves an unmapped gap after every stack frame.
    pub enable_stack_frame_gaps: bool,
    /// Count instructions against the context's budget.
    pub enable_instruction_meter: bool,
    /// The reference JIT's longest run of straight-line code between two budget checks. Kept
    /// for configuration compatibility; sbvm's JIT needs no distance: it checks the budget
    /// before every straight-line run (and after every taken jump, call and return), so no
    /// run starts unpaid and the count is exact at every exit.
    pub instruction_meter_checkpoint_distance: usize,
    /// Use the aligned (slot-indexed) memory mapping; V4 always does.
    pub aligned_memory_mapping: bool,
    /// Versions the loader accepts.
    pub enabled_sbpf_versions: RangeInclusive<SbpfVersion>,
    /// Before V3: map read-only data from its lowest section (true, the reference's default) or
    /// from ELF address 0, zero-filled below the first section (false, as Agave loads programs:
    /// every address of `[4 GiB, 4 GiB + end of the last section)` is mappable).
    pub optimize_rodata: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_call_depth: 64,
            stack_frame_size: 4096,
            enable_stack_frame_gaps: true,
            enable_instruction_meter: true,
            instruction_meter_checkpoint_distance: 1000,
            aligned_memory_mapping: false,
            enabled_sbpf_versions: SbpfVersion::V0..=SbpfVersion::V4,
            optimize_rodata: true,
        }
    }
}

impl Config {
    /// Bytes of host memory the stack needs.
    pub fn stack_size(&self) -> usize {
        self.stack_frame_size.saturating_mul(self.max_call_depth)
    }

    /// Whether a program of `version` gets an unmapped gap after every stack frame (V0's layout,
    /// when the configuration enables it).
    pub fn stack_gaps(&self, version: SbpfVersion) -> bool {
        version.stack_frame_gaps() && self.enable_stack_frame_gaps
    }

    /// How far a call moves r10 up: one frame, or two where frames have gaps after them; `None`
    /// where frames are dynamic (the program moves r10 itself). Both engines take it from here.
    #[inline(always)]
    pub fn frame_step(&self, version: SbpfVersion) -> Option<u64> {
        if version.dynamic_stack_frames() {
            return None;
        }
        let frames: u64 = if self.stack_gaps(version) { 2 } else { 1 };
        Some((self.stack_frame_size as u64).wrapping_mul(frames))
    }
}

impl From<&Config> for MappingSettings {
    /// What the memory mapping takes from the configuration.
    fn from(config: &Config) -> Self {
        MappingSettings {
            aligned: config.aligned_memory_mapping,
            stack_frame_size: config.stack_frame_size,
            max_call_depth: config.max_call_depth,
        }
    }
}
