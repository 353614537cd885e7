//! How large the standard environment's regions may be, checked before anything is allocated.
//!
//! Each region of the standard layout owns one 4 GiB slot of the sBPF address space
//! ([`MM_REGION_SIZE`]); a region that outgrew its slot would run into the next one:
//!
//! ```text
//! 0x2_0000_0000 ┌ stack ─────┐  at most 4 GiB of guest addresses (a gapped stack spans twice
//!               │            │  its bytes: every frame is followed by a gap of its size)
//! 0x3_0000_0000 ├ heap ──────┤  at most 4 GiB: MAX_HEAP_SIZE
//! 0x4_0000_0000 ├ input ─────┤  at most 4 GiB: MAX_INPUT_LEN
//! 0x5_0000_0000 └────────────┘
//! ```
//!
//! So a heap of `u64::MAX` bytes is a [`EnvError::HeapTooLarge`], not an allocation that
//! overflows or aborts the process.

use crate::memory::{MappingError, MM_REGION_SIZE};
use crate::vm::Config;

/// Most heap bytes: the heap's slot, 0x3_0000_0000..0x4_0000_0000.
pub const MAX_HEAP_SIZE: u64 = MM_REGION_SIZE;
/// Most input bytes: the input's slot, 0x4_0000_0000..0x5_0000_0000.
pub const MAX_INPUT_LEN: u64 = MM_REGION_SIZE;
/// Most guest addresses the stack may span: its slot, 0x2_0000_0000..0x3_0000_0000.
pub const MAX_STACK_SPAN: u64 = MM_REGION_SIZE;

/// The standard environment cannot be built as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    /// The heap does not fit its 4 GiB slot.
    #[error(
        "a heap of {size} bytes does not fit its slot at 0x3_0000_0000 \
         (at most {MAX_HEAP_SIZE} bytes, 4 GiB)"
    )]
    HeapTooLarge {
        /// The heap size asked for.
        size: u64,
    },
    /// The input does not fit its 4 GiB slot.
    #[error(
        "an input of {len} bytes does not fit its slot at 0x4_0000_0000 \
         (at most {MAX_INPUT_LEN} bytes, 4 GiB)"
    )]
    InputTooLarge {
        /// The input length asked for.
        len: u64,
    },
    /// The configuration's stack (frame size × call depth, twice that when gapped) does not fit
    /// its 4 GiB slot.
    #[error(
        "a stack spanning {span} bytes of guest addresses does not fit its slot at \
         0x2_0000_0000 (at most {MAX_STACK_SPAN}, 4 GiB)"
    )]
    StackTooLarge {
        /// Guest addresses the stack would span (saturated at `u64::MAX`).
        span: u64,
    },
    /// The regions could not form a mapping.
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

/// Checks a heap size against [`MAX_HEAP_SIZE`].
pub fn check_heap_size(size: u64) -> Result<(), EnvError> {
    if size > MAX_HEAP_SIZE {
        return Err(EnvError::HeapTooLarge { size });
    }
    Ok(())
}

/// Checks an input length against [`MAX_INPUT_LEN`].
pub fn check_input_len(len: u64) -> Result<(), EnvError> {
    if len > MAX_INPUT_LEN {
        return Err(EnvError::InputTooLarge { len });
    }
    Ok(())
}

/// Checks the stack `config` asks for (gapped or not) against [`MAX_STACK_SPAN`].
pub fn check_stack(config: &Config, gapped: bool) -> Result<(), EnvError> {
    let bytes = u64::try_from(config.stack_size()).unwrap_or(u64::MAX);
    let span = if gapped {
        bytes.saturating_mul(2)
    } else {
        bytes
    };
    if span > MAX_STACK_SPAN {
        return Err(EnvError::StackTooLarge { span });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_up_to_a_slot_pass_and_beyond_fail() {
        // The limit is one 4 GiB slot of the memory map (module docs).
        assert_eq!(check_heap_size(1 << 32), Ok(()));
        assert_eq!(
            check_heap_size((1 << 32) + 1),
            Err(EnvError::HeapTooLarge {
                size: (1 << 32) + 1
            })
        );
        assert_eq!(check_input_len(1 << 32), Ok(()));
        assert_eq!(
            check_input_len(u64::MAX),
            Err(EnvError::InputTooLarge { len: u64::MAX })
        );
        let huge = Config {
            max_call_depth: usize::MAX,
            ..Config::default()
        };
        assert_eq!(
            check_stack(&huge, false),
            Err(EnvError::StackTooLarge { span: u64::MAX })
        );
        assert_eq!(check_stack(&Config::default(), true), Ok(()));
    }
}
