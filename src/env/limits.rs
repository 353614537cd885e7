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
//! overflows or aborts the process. A size that fits its slot may still be more than the host
//! can give: [`zeroed`] and [`copied`] allocate fallibly, so that is an
//! [`EnvError::OutOfMemory`] too, never an abort.

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
    /// The host could not allocate a region's bytes.
    #[error("cannot allocate {bytes} bytes for the {what}: the host is out of memory")]
    OutOfMemory {
        /// The region: `stack`, `heap` or `input`.
        what: &'static str,
        /// The bytes asked for.
        bytes: u64,
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

/// `len` zero bytes for the region `what`, or [`EnvError::OutOfMemory`] when the host cannot
/// give them.
///
/// The allocator is asked first with `try_reserve_exact`, which fails where `vec![0; len]`
/// would abort the process; the bytes themselves then come zeroed from the allocator (`calloc`:
/// pages the program never touches cost no memory), rather than written zero by zero. Memory
/// taken by another thread between the two could still abort; nothing safe does better on
/// stable Rust.
pub fn zeroed(what: &'static str, len: usize) -> Result<Vec<u8>, EnvError> {
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(len)
        .map_err(|_| out_of_memory(what, len))?;
    drop(probe);
    Ok(vec![0; len])
}

/// A copy of `bytes` for the region `what`, or [`EnvError::OutOfMemory`] when the host cannot
/// give the memory.
pub fn copied(what: &'static str, bytes: &[u8]) -> Result<Vec<u8>, EnvError> {
    let mut copy = Vec::new();
    copy.try_reserve_exact(bytes.len())
        .map_err(|_| out_of_memory(what, bytes.len()))?;
    copy.extend_from_slice(bytes);
    Ok(copy)
}

fn out_of_memory(what: &'static str, len: usize) -> EnvError {
    EnvError::OutOfMemory {
        what,
        bytes: u64::try_from(len).unwrap_or(u64::MAX),
    }
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

    #[test]
    fn more_than_the_host_can_give_is_an_error_not_an_abort() {
        // No allocator gives isize::MAX bytes (Rust's limit on one allocation, `Vec` docs).
        let too_much = usize::MAX / 2 + 1;
        assert_eq!(
            zeroed("heap", too_much),
            Err(EnvError::OutOfMemory {
                what: "heap",
                bytes: too_much as u64
            })
        );
        assert!(matches!(
            copied("input", &[1, 2, 3]).as_deref(),
            Ok([1, 2, 3])
        ));
        assert_eq!(zeroed("stack", 5), Ok(vec![0; 5]));
    }
}
