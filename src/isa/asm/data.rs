//! Read-only data directives (`.rodata` section): `.ascii`, `.asciz`, `.byte`, `.half`,
//! `.word`, `.quad`. A `.quad` may name a label, whose address is filled in at layout time.

use super::context::Context;
use super::error::{AsmError, AsmProblem};
use super::parse::{Operand, OperandValue};
use super::{Reference, Site};

/// Bytes a data directive adds (for the first pass; errors surface in the second).
pub(super) fn directive_len(name: &str, operands: &[Operand]) -> usize {
    let count = operands.len();
    match name {
        "ascii" | "asciz" => operands
            .iter()
            .map(|operand| match &operand.value {
                OperandValue::Str(bytes) => bytes.len() + usize::from(name == "asciz"),
                _ => 0,
            })
            .sum(),
        "byte" => count,
        "half" => count * 2,
        "word" => count * 4,
        "quad" => count * 8,
        _ => 0,
    }
}

/// What a data directive produced.
pub(super) struct Data {
    pub bytes: Vec<u8>,
    pub references: Vec<Reference>,
}

/// Encodes a data directive whose first byte lands at `offset` of the read-only data.
pub(super) fn directive(
    cx: &Context<'_>,
    column: usize,
    name: &str,
    operands: &[Operand],
    offset: usize,
) -> Result<Data, AsmError> {
    let error = |column, problem| AsmError {
        line: cx.line,
        column,
        problem,
    };
    let mut data = Data {
        bytes: Vec::new(),
        references: Vec::new(),
    };
    let width = match name {
        "ascii" | "asciz" => {
            for operand in operands {
                let OperandValue::Str(bytes) = &operand.value else {
                    return Err(error(
                        operand.column,
                        AsmProblem::BadOperands {
                            mnemonic: format!(".{name}"),
                            expected: "string literals: .asciz \"hello\"",
                        },
                    ));
                };
                data.bytes.extend_from_slice(bytes);
                if name == "asciz" {
                    data.bytes.push(0);
                }
            }
            return Ok(data);
        }
        "byte" => 1usize,
        "half" => 2,
        "word" => 4,
        "quad" => 8,
        _ => {
            return Err(error(
                column,
                AsmProblem::UnknownDirective(name.to_string()),
            ))
        }
    };
    let bits = (width * 8) as u32;
    for operand in operands {
        match &operand.value {
            OperandValue::Integer(value) => {
                let min = -(1i128 << (bits - 1));
                let max = (1i128 << bits) - 1;
                if !(min..=max).contains(value) {
                    return Err(error(
                        operand.column,
                        AsmProblem::OutOfRange {
                            what: "data value",
                            value: *value,
                            min,
                            max,
                        },
                    ));
                }
                data.bytes
                    .extend_from_slice(&(*value as u64).to_le_bytes()[..width]);
            }
            OperandValue::Name(label) if width == 8 => {
                if !cx.labels.contains_key(label) && !cx.data_labels.contains_key(label) {
                    return Err(error(
                        operand.column,
                        AsmProblem::UnknownLabel(label.clone()),
                    ));
                }
                data.references.push(Reference {
                    site: Site::Rodata(offset + data.bytes.len()),
                    label: label.clone(),
                });
                data.bytes.extend_from_slice(&[0; 8]);
            }
            _ => {
                return Err(error(
                    operand.column,
                    AsmProblem::BadOperands {
                        mnemonic: format!(".{name}"),
                        expected: "numbers (and, for .quad, labels)",
                    },
                ))
            }
        }
    }
    Ok(data)
}
