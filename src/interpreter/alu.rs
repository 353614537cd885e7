//! Arithmetic and logic, exactly as the reference computes it (wrapping, shift amounts masked
//! to the width, 32-bit results extended as the version says).

use super::decode::Code;
use crate::vm::EbpfError;

/// Result of a binary or unary ALU operation `code` on `dst` and operand `b`.
#[inline(always)]
pub(super) fn alu(code: Code, dst: u64, b: u64) -> Result<u64, EbpfError> {
    let sext = |value: i32| value as i64 as u64;
    let zext = |value: i32| value as u32 as u64;
    Ok(match code {
        Code::Add64 => dst.wrapping_add(b),
        Code::Sub64 => dst.wrapping_sub(b),
        Code::SubRev64Imm => b.wrapping_sub(dst),
        Code::Mul64 | Code::Lmul64 => dst.wrapping_mul(b),
        Code::Div64 | Code::Udiv64 => dst.checked_div(b).ok_or(EbpfError::DivideByZero)?,
        Code::Mod64 | Code::Urem64 => dst.checked_rem(b).ok_or(EbpfError::DivideByZero)?,
        Code::Or64 => dst | b,
        Code::And64 => dst & b,
        Code::Lsh64 => dst.wrapping_shl(b as u32),
        Code::Rsh64 => dst.wrapping_shr(b as u32),
        Code::Arsh64 => (dst as i64).wrapping_shr(b as u32) as u64,
        Code::Xor64 => dst ^ b,
        Code::Mov64 => b,
        Code::Neg64 => (dst as i64).wrapping_neg() as u64,
        Code::Hor64Imm => dst | b,
        Code::Uhmul64 => ((u128::from(dst) * u128::from(b)) >> 64) as u64,
        Code::Shmul64 => ((i128::from(dst as i64) * i128::from(b as i64)) >> 64) as u64,
        Code::Sdiv64 => signed_divide(dst as i64, b as i64, i64::checked_div)? as u64,
        Code::Srem64 => signed_divide(dst as i64, b as i64, i64::checked_rem)? as u64,
        Code::Add32Sext => sext((dst as i32).wrapping_add(b as i32)),
        Code::Add32Zext => zext((dst as i32).wrapping_add(b as i32)),
        Code::Sub32Sext => sext((dst as i32).wrapping_sub(b as i32)),
        Code::Sub32Zext => zext((dst as i32).wrapping_sub(b as i32)),
        Code::SubRev32ZextImm => zext((b as i32).wrapping_sub(dst as i32)),
        Code::Mul32Sext => sext((dst as i32).wrapping_mul(b as i32)),
        Code::Div32 | Code::Udiv32 => u64::from(
            (dst as u32)
                .checked_div(b as u32)
                .ok_or(EbpfError::DivideByZero)?,
        ),
        Code::Mod32 | Code::Urem32 => u64::from(
            (dst as u32)
                .checked_rem(b as u32)
                .ok_or(EbpfError::DivideByZero)?,
        ),
        Code::Or32 => u64::from(dst as u32 | b as u32),
        Code::And32 => u64::from(dst as u32 & b as u32),
        Code::Lsh32 => u64::from((dst as u32).wrapping_shl(b as u32)),
        Code::Rsh32 => u64::from((dst as u32).wrapping_shr(b as u32)),
        Code::Arsh32 => zext((dst as i32).wrapping_shr(b as u32)),
        Code::Xor32 => u64::from(dst as u32 ^ b as u32),
        Code::Mov32 => u64::from(b as u32),
        Code::Mov32Sext => sext(b as i32),
        Code::Neg32 => zext((dst as i32).wrapping_neg()),
        Code::Lmul32 => u64::from((dst as u32).wrapping_mul(b as u32)),
        Code::Sdiv32 => zext(signed_divide(dst as i32, b as i32, i32::checked_div)?),
        Code::Srem32 => zext(signed_divide(dst as i32, b as i32, i32::checked_rem)?),
        Code::Le16 => u64::from(dst as u16),
        Code::Le32 => u64::from(dst as u32),
        Code::Le64 => dst,
        Code::Be16 => u64::from((dst as u16).swap_bytes()),
        Code::Be32 => u64::from((dst as u32).swap_bytes()),
        Code::Be64 => dst.swap_bytes(),
        _ => return Err(EbpfError::InvalidInstruction),
    })
}

/// Signed division or remainder: zero first, then the one overflowing case (MIN / -1).
#[inline(always)]
fn signed_divide<T: Copy + PartialEq + SignedLimits>(
    dst: T,
    b: T,
    op: fn(T, T) -> Option<T>,
) -> Result<T, EbpfError> {
    if b == T::ZERO {
        return Err(EbpfError::DivideByZero);
    }
    if dst == T::MIN && b == T::MINUS_ONE {
        return Err(EbpfError::DivideOverflow);
    }
    op(dst, b).ok_or(EbpfError::DivideOverflow)
}

trait SignedLimits {
    const ZERO: Self;
    const MIN: Self;
    const MINUS_ONE: Self;
}

impl SignedLimits for i32 {
    const ZERO: Self = 0;
    const MIN: Self = i32::MIN;
    const MINUS_ONE: Self = -1;
}

impl SignedLimits for i64 {
    const ZERO: Self = 0;
    const MIN: Self = i64::MIN;
    const MINUS_ONE: Self = -1;
}
