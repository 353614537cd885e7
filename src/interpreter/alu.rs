//! Arithmetic and logic, exactly as the reference computes it: wrapping, shift amounts masked
//! to the width, a 32-bit result extended as the op list's row says.
//!
//! Every arm of the dispatch calls [`compute`] with its row's operation, width and extension
//! as constants; [`compute`] is always inlined, so each arm folds to its one operation.

use crate::program::{Arith, Extension, Width};
use crate::vm::EbpfError;

/// `arith` on `dst` and the operand `b` at `width`, the result extended by `extension`.
#[inline(always)]
pub(super) fn compute(
    arith: Arith,
    width: Width,
    extension: Extension,
    dst: u64,
    b: u64,
) -> Result<u64, EbpfError> {
    if matches!(width, Width::W64) {
        return wide(arith, dst, b);
    }
    let value = narrow(arith, width, dst as u32, b as u32)?;
    Ok(match extension {
        Extension::Sign => value as i32 as i64 as u64,
        Extension::Zero | Extension::Full => u64::from(value),
    })
}

/// A 64-bit operation.
#[inline(always)]
fn wide(arith: Arith, dst: u64, b: u64) -> Result<u64, EbpfError> {
    Ok(match arith {
        Arith::Add => dst.wrapping_add(b),
        Arith::Sub => dst.wrapping_sub(b),
        Arith::SubRev => b.wrapping_sub(dst),
        Arith::Mul => dst.wrapping_mul(b),
        Arith::Uhmul => ((u128::from(dst) * u128::from(b)) >> 64) as u64,
        Arith::Shmul => ((i128::from(dst as i64) * i128::from(b as i64)) >> 64) as u64,
        Arith::Div => dst.checked_div(b).ok_or(EbpfError::DivideByZero)?,
        Arith::Rem => dst.checked_rem(b).ok_or(EbpfError::DivideByZero)?,
        Arith::Sdiv => signed_divide(dst as i64, b as i64, i64::checked_div)? as u64,
        Arith::Srem => signed_divide(dst as i64, b as i64, i64::checked_rem)? as u64,
        Arith::Or | Arith::Hor => dst | b,
        Arith::And => dst & b,
        Arith::Xor => dst ^ b,
        Arith::Lsh => dst.wrapping_shl(b as u32),
        Arith::Rsh => dst.wrapping_shr(b as u32),
        Arith::Arsh => (dst as i64).wrapping_shr(b as u32) as u64,
        Arith::Mov => b,
        Arith::Neg => (dst as i64).wrapping_neg() as u64,
        Arith::LittleEndian => dst,
        Arith::BigEndian => dst.swap_bytes(),
    })
}

/// An operation on the low halves (byte order: on the low `width` bits).
#[inline(always)]
fn narrow(arith: Arith, width: Width, dst: u32, b: u32) -> Result<u32, EbpfError> {
    Ok(match arith {
        Arith::Add => dst.wrapping_add(b),
        Arith::Sub => dst.wrapping_sub(b),
        Arith::SubRev => b.wrapping_sub(dst),
        Arith::Mul => dst.wrapping_mul(b),
        Arith::Uhmul => ((u64::from(dst) * u64::from(b)) >> 32) as u32,
        Arith::Shmul => ((i64::from(dst as i32) * i64::from(b as i32)) >> 32) as u32,
        Arith::Div => dst.checked_div(b).ok_or(EbpfError::DivideByZero)?,
        Arith::Rem => dst.checked_rem(b).ok_or(EbpfError::DivideByZero)?,
        Arith::Sdiv => signed_divide(dst as i32, b as i32, i32::checked_div)? as u32,
        Arith::Srem => signed_divide(dst as i32, b as i32, i32::checked_rem)? as u32,
        Arith::Or | Arith::Hor => dst | b,
        Arith::And => dst & b,
        Arith::Xor => dst ^ b,
        Arith::Lsh => dst.wrapping_shl(b),
        Arith::Rsh => dst.wrapping_shr(b),
        Arith::Arsh => (dst as i32).wrapping_shr(b) as u32,
        Arith::Mov => b,
        Arith::Neg => (dst as i32).wrapping_neg() as u32,
        Arith::LittleEndian => match width {
            Width::W8 => u32::from(dst as u8),
            Width::W16 => u32::from(dst as u16),
            Width::W32 | Width::W64 => dst,
        },
        Arith::BigEndian => match width {
            Width::W8 => u32::from(dst as u8),
            Width::W16 => u32::from((dst as u16).swap_bytes()),
            Width::W32 | Width::W64 => dst.swap_bytes(),
        },
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
