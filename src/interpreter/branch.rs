//! Conditional jumps: the comparison each one makes.

use super::decode::Code;

/// Whether the jump `code` is taken for `dst` and operand `b`.
#[inline(always)]
pub(super) fn taken(code: Code, dst: u64, b: u64) -> bool {
    let (d32, b32) = (dst as u32, b as u32);
    match code {
        Code::Ja => true,
        Code::Jeq => dst == b,
        Code::Jne => dst != b,
        Code::Jgt => dst > b,
        Code::Jge => dst >= b,
        Code::Jlt => dst < b,
        Code::Jle => dst <= b,
        Code::Jset => dst & b != 0,
        Code::Jsgt => (dst as i64) > (b as i64),
        Code::Jsge => (dst as i64) >= (b as i64),
        Code::Jslt => (dst as i64) < (b as i64),
        Code::Jsle => (dst as i64) <= (b as i64),
        Code::Jeq32 => d32 == b32,
        Code::Jne32 => d32 != b32,
        Code::Jgt32 => d32 > b32,
        Code::Jge32 => d32 >= b32,
        Code::Jlt32 => d32 < b32,
        Code::Jle32 => d32 <= b32,
        Code::Jset32 => d32 & b32 != 0,
        Code::Jsgt32 => (d32 as i32) > (b32 as i32),
        Code::Jsge32 => (d32 as i32) >= (b32 as i32),
        Code::Jslt32 => (d32 as i32) < (b32 as i32),
        Code::Jsle32 => (d32 as i32) <= (b32 as i32),
        _ => false,
    }
}
