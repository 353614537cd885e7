//! Text directives: `.fill REPEAT, VALUE`, raw slots in the text.

use super::context::Context;
use super::error::{AsmError, AsmProblem};
use super::parse::{Operand, OperandValue};
use crate::isa::insn::Insn;

/// Number of slots a directive occupies (for the first pass; errors surface in the second).
pub(super) fn directive_slots(name: &str, operands: &[Operand]) -> usize {
    match (name, operands) {
        (
            "fill",
            [Operand {
                value: OperandValue::Integer(repeat),
                ..
            }, _],
        ) => usize::try_from(*repeat).unwrap_or(usize::MAX),
        _ => 0,
    }
}

/// `.fill REPEAT, VALUE`: REPEAT slots, each the little-endian u64 VALUE.
pub(super) fn directive(
    cx: &Context<'_>,
    column: usize,
    name: &str,
    operands: &[Operand],
) -> Result<Vec<Insn>, AsmError> {
    match (name, operands) {
        (
            "fill",
            [repeat @ Operand {
                value: OperandValue::Integer(count),
                ..
            }, value @ Operand {
                value: OperandValue::Integer(bits),
                ..
            }],
        ) => {
            let count =
                cx.ranged(repeat, *count, "repeat count", 0, super::MAX_SLOTS as i128)? as usize;
            let bits =
                cx.ranged(value, *bits, "slot value", i64::MIN.into(), u64::MAX.into())? as u64;
            Ok(vec![Insn::from_u64(bits); count])
        }
        ("fill", _) => {
            Err(cx.bad_operands(column, ".fill", "a repeat count and a value: .fill 1, 0x95"))
        }
        _ => Err(cx.error(column, AsmProblem::UnknownDirective(name.to_string()))),
    }
}
