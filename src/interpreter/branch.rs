//! Conditional jumps: the comparison each one makes, on 64 bits or on the low halves.

use crate::isa::table::Cond;
use crate::program::Width;

/// Whether `dst cond b` holds at `width` (inlined with constant `cond` and `width` into each
/// arm of the dispatch).
#[inline(always)]
pub(super) fn taken(cond: Cond, width: Width, dst: u64, b: u64) -> bool {
    // The low halves, extended so that 64-bit comparisons order them as 32-bit ones would.
    let (d, b, signed_d, signed_b) = match width {
        Width::W64 => (dst, b, dst as i64, b as i64),
        Width::W8 | Width::W16 | Width::W32 => (
            u64::from(dst as u32),
            u64::from(b as u32),
            i64::from(dst as i32),
            i64::from(b as i32),
        ),
    };
    match cond {
        Cond::Eq => d == b,
        Cond::Ne => d != b,
        Cond::Gt => d > b,
        Cond::Ge => d >= b,
        Cond::Lt => d < b,
        Cond::Le => d <= b,
        Cond::Set => d & b != 0,
        Cond::Sgt => signed_d > signed_b,
        Cond::Sge => signed_d >= signed_b,
        Cond::Slt => signed_d < signed_b,
        Cond::Sle => signed_d <= signed_b,
    }
}
