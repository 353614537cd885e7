//! Arithmetic and logic, exactly as the reference computes it: wrapping, shift amounts masked
//! to the width, a narrow result extended as the op list's row says, division faults checked
//! zero first and then `MIN / -1` — or, for a row that cannot fault (eBPF), division made total
//! as RFC 9669 §4.1 defines it: `x / 0 = 0`, `x % 0 = x`, `MIN / -1 = MIN`, `MIN % -1 = 0`.
//!
//! The semantics are written once, generic over the [`Word`] an operation works on (`u64`,
//! or the low `u32`, `u16`, `u8`), so 64-bit and 32-bit operations cannot drift apart. Every
//! arm of the dispatch calls [`compute`] with its row's operation, width and extension as
//! constants; everything here is always inlined, so each arm folds to its one operation.

use crate::program::{Arith, Extension, Fault, Width};
use crate::vm::EbpfError;

/// `arith` on `dst` and the operand `b` at `width`, the result extended by `extension`; a
/// division whose row's `fault` is [`Fault::Never`] is total.
#[inline(always)]
pub(super) fn compute(
    arith: Arith,
    width: Width,
    extension: Extension,
    fault: Fault,
    dst: u64,
    b: u64,
) -> Result<u64, EbpfError> {
    let sign = matches!(extension, Extension::Sign);
    let total = matches!(fault, Fault::Never);
    Ok(match width {
        Width::W64 => apply(arith, total, dst, b)?,
        Width::W32 => apply(arith, total, dst as u32, b as u32)?.extend(sign),
        Width::W16 => apply(arith, total, dst as u16, b as u16)?.extend(sign),
        Width::W8 => apply(arith, total, dst as u8, b as u8)?.extend(sign),
    })
}

/// One operation on words of one width. Byte order: the host is little-endian, so `le` is
/// the word as it is (truncated by taking the width) and `be` reverses its bytes.
#[inline(always)]
fn apply<W: Word>(arith: Arith, total: bool, dst: W, b: W) -> Result<W, EbpfError> {
    Ok(match arith {
        Arith::Div if total => dst.divide_total(b, false),
        Arith::Rem if total => dst.divide_total(b, true),
        Arith::Sdiv if total => dst.divide_signed_total(b, false),
        Arith::Srem if total => dst.divide_signed_total(b, true),
        Arith::Add => dst.add(b),
        Arith::Sub => dst.sub(b),
        Arith::SubRev => b.sub(dst),
        Arith::Mul => dst.mul(b),
        Arith::Uhmul => dst.mul_high(b, false),
        Arith::Shmul => dst.mul_high(b, true),
        Arith::Div => dst.divide(b, false)?,
        Arith::Rem => dst.divide(b, true)?,
        Arith::Sdiv => dst.divide_signed(b, false)?,
        Arith::Srem => dst.divide_signed(b, true)?,
        Arith::Or | Arith::Hor => dst.or(b),
        Arith::And => dst.and(b),
        Arith::Xor => dst.xor(b),
        Arith::Lsh => dst.shift(b, Shift::Left),
        Arith::Rsh => dst.shift(b, Shift::Right),
        Arith::Arsh => dst.shift(b, Shift::Arithmetic),
        Arith::Mov => b,
        Arith::Neg => dst.neg(),
        Arith::LittleEndian => dst,
        Arith::BigEndian => dst.swap_bytes(),
        Arith::MovSext8 => b.sign_extend_low(8),
        Arith::MovSext16 => b.sign_extend_low(16),
        Arith::MovSext32 => b.sign_extend_low(32),
    })
}

/// Which shift.
#[derive(Clone, Copy)]
enum Shift {
    Left,
    Right,
    Arithmetic,
}

/// The operations of one unsigned width (its signed twin where the operation is signed).
trait Word: Copy {
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    /// High half of the double-width product.
    fn mul_high(self, b: Self, signed: bool) -> Self;
    /// Unsigned quotient or remainder; DivideByZero.
    fn divide(self, b: Self, remainder: bool) -> Result<Self, EbpfError>;
    /// Signed quotient or remainder; DivideByZero, then DivideOverflow for `MIN / -1`.
    fn divide_signed(self, b: Self, remainder: bool) -> Result<Self, EbpfError>;
    /// Unsigned quotient or remainder, total: `x / 0 = 0`, `x % 0 = x`.
    fn divide_total(self, b: Self, remainder: bool) -> Self;
    /// Signed quotient or remainder, total: as unsigned for 0, `MIN / -1 = MIN`, `MIN % -1 = 0`.
    fn divide_signed_total(self, b: Self, remainder: bool) -> Self;
    /// The low `bits` bits, sign-extended to the word (the word itself when `bits` covers it).
    fn sign_extend_low(self, bits: u32) -> Self;
    fn or(self, b: Self) -> Self;
    fn and(self, b: Self) -> Self;
    fn xor(self, b: Self) -> Self;
    /// Shift by `b` masked to the width.
    fn shift(self, b: Self, shift: Shift) -> Self;
    fn neg(self) -> Self;
    fn swap_bytes(self) -> Self;
    /// The word as a register value.
    fn extend(self, sign: bool) -> u64;
}

macro_rules! word {
    ($($unsigned:ty, $signed:ty, $double:ty, $double_signed:ty;)*) => {$(
        impl Word for $unsigned {
            #[inline(always)]
            fn add(self, b: Self) -> Self {
                self.wrapping_add(b)
            }
            #[inline(always)]
            fn sub(self, b: Self) -> Self {
                self.wrapping_sub(b)
            }
            #[inline(always)]
            fn mul(self, b: Self) -> Self {
                self.wrapping_mul(b)
            }
            #[inline(always)]
            fn mul_high(self, b: Self, signed: bool) -> Self {
                // The product of two words always fits the double width: no wrap.
                if signed {
                    let product = <$double_signed>::from(self as $signed).wrapping_mul(<$double_signed>::from(b as $signed));
                    (product >> <$unsigned>::BITS) as $unsigned
                } else {
                    (<$double>::from(self).wrapping_mul(<$double>::from(b)) >> <$unsigned>::BITS) as $unsigned
                }
            }
            #[inline(always)]
            fn divide(self, b: Self, remainder: bool) -> Result<Self, EbpfError> {
                let result = if remainder { self.checked_rem(b) } else { self.checked_div(b) };
                result.ok_or(EbpfError::DivideByZero)
            }
            #[inline(always)]
            fn divide_signed(self, b: Self, remainder: bool) -> Result<Self, EbpfError> {
                let (dst, b) = (self as $signed, b as $signed);
                if b == 0 {
                    return Err(EbpfError::DivideByZero);
                }
                if dst == <$signed>::MIN && b == -1 {
                    return Err(EbpfError::DivideOverflow);
                }
                let result = if remainder { dst.checked_rem(b) } else { dst.checked_div(b) };
                result.map(|value| value as $unsigned).ok_or(EbpfError::DivideOverflow)
            }
            #[inline(always)]
            fn divide_total(self, b: Self, remainder: bool) -> Self {
                // `checked_*` is `None` only for a zero divisor.
                if remainder {
                    self.checked_rem(b).unwrap_or(self)
                } else {
                    self.checked_div(b).unwrap_or(0)
                }
            }
            #[inline(always)]
            fn divide_signed_total(self, b: Self, remainder: bool) -> Self {
                let (dst, divisor) = (self as $signed, b as $signed);
                // `checked_*` is `None` for a zero divisor and for MIN / -1, which RFC 9669
                // defines as MIN (MIN % -1 as 0): `neg` wraps MIN to itself, and x % -1 is 0.
                let result = match (divisor, remainder) {
                    (0, false) => 0,
                    (0, true) => dst,
                    (_, false) => dst.checked_div(divisor).unwrap_or(dst.wrapping_neg()),
                    (_, true) => dst.checked_rem(divisor).unwrap_or(0),
                };
                result as $unsigned
            }
            #[inline(always)]
            fn sign_extend_low(self, bits: u32) -> Self {
                match <$unsigned>::BITS.checked_sub(bits) {
                    Some(unused) if unused > 0 => {
                        ((self.wrapping_shl(unused)) as $signed).wrapping_shr(unused) as $unsigned
                    }
                    _ => self,
                }
            }
            #[inline(always)]
            fn or(self, b: Self) -> Self {
                self | b
            }
            #[inline(always)]
            fn and(self, b: Self) -> Self {
                self & b
            }
            #[inline(always)]
            fn xor(self, b: Self) -> Self {
                self ^ b
            }
            #[inline(always)]
            fn shift(self, b: Self, shift: Shift) -> Self {
                let amount = b as u32;
                match shift {
                    Shift::Left => self.wrapping_shl(amount),
                    Shift::Right => self.wrapping_shr(amount),
                    Shift::Arithmetic => (self as $signed).wrapping_shr(amount) as $unsigned,
                }
            }
            #[inline(always)]
            fn neg(self) -> Self {
                (self as $signed).wrapping_neg() as $unsigned
            }
            #[inline(always)]
            fn swap_bytes(self) -> Self {
                <$unsigned>::swap_bytes(self)
            }
            #[inline(always)]
            fn extend(self, sign: bool) -> u64 {
                if sign {
                    self as $signed as i64 as u64
                } else {
                    self as u64
                }
            }
        }
    )*};
}

word! {
    u64, i64, u128, i128;
    u32, i32, u64, i64;
    u16, i16, u32, i32;
    u8, i8, u16, i16;
}
