//! What encoding a statement works in and produces: the [`Context`] of one statement (version,
//! pc, labels, line, with the range checks that turn a bad operand into an error at its column)
//! and the [`Encoded`] slots with what they register. The encoders of instructions
//! (`encode`), calls (`call`) and text directives (`fill`) all share it.

use super::error::{AsmError, AsmProblem};
use super::parse::{Operand, OperandValue};
use super::{CallTarget, Function};
use crate::isa::insn::{jump_delta, Insn};
use crate::isa::version::SbpfVersion;
use std::collections::BTreeMap;

/// Where a statement is being encoded.
pub(super) struct Context<'a> {
    pub version: SbpfVersion,
    pub pc: usize,
    pub labels: &'a BTreeMap<String, (usize, usize)>,
    pub data_labels: &'a BTreeMap<String, (usize, usize)>,
    pub line: usize,
}

/// An encoded instruction.
pub(super) struct Encoded {
    pub slots: Vec<Insn>,
    /// `call NUMBER` registers its target as a function (the reference assembler does), and so
    /// does `hashcall LABEL`, under the key it calls.
    pub registers_function: Option<Function>,
    /// What a `call` calls.
    pub call: Option<CallTarget>,
    /// `lddw rX, label`: the label whose address the constant is.
    pub address_of: Option<String>,
}

impl Context<'_> {
    pub(super) fn error(&self, column: usize, problem: AsmProblem) -> AsmError {
        AsmError {
            line: self.line,
            column,
            problem,
        }
    }

    pub(super) fn bad_operands(
        &self,
        column: usize,
        mnemonic: &str,
        expected: &'static str,
    ) -> AsmError {
        self.error(
            column,
            AsmProblem::BadOperands {
                mnemonic: mnemonic.to_string(),
                expected,
            },
        )
    }

    pub(super) fn ranged(
        &self,
        operand: &Operand,
        value: i128,
        what: &'static str,
        min: i128,
        max: i128,
    ) -> Result<i128, AsmError> {
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(self.error(
                operand.column,
                AsmProblem::OutOfRange {
                    what,
                    value,
                    min,
                    max,
                },
            ))
        }
    }

    pub(super) fn imm32(&self, operand: &Operand, value: i128) -> Result<i32, AsmError> {
        Ok(self.ranged(
            operand,
            value,
            "immediate",
            i32::MIN.into(),
            i32::MAX.into(),
        )? as i32)
    }

    pub(super) fn off16(&self, operand: &Operand, value: i128) -> Result<i16, AsmError> {
        Ok(self.ranged(operand, value, "offset", i16::MIN.into(), i16::MAX.into())? as i16)
    }

    pub(super) fn label(&self, operand: &Operand, name: &str) -> Result<usize, AsmError> {
        self.labels
            .get(name)
            .map(|(pc, _)| *pc)
            .ok_or_else(|| self.error(operand.column, AsmProblem::UnknownLabel(name.to_string())))
    }

    /// A jump offset: a number as given, or a label relative to the next slot.
    pub(super) fn jump_offset(&self, operand: &Operand) -> Result<i16, AsmError> {
        match &operand.value {
            OperandValue::Integer(value) => self.off16(operand, *value),
            OperandValue::Name(name) => {
                let target = self.label(operand, name)? as i128;
                self.off16(operand, jump_delta(self.pc, target))
            }
            _ => Err(self.error(
                operand.column,
                AsmProblem::Syntax("expected a jump offset or a label".into()),
            )),
        }
    }
}

impl Context<'_> {
    /// The 32-bit offset of eBPF's `gotol`: a number, or a label's distance from the next slot.
    pub(super) fn long_jump_offset(&self, operand: &Operand) -> Result<i32, AsmError> {
        match &operand.value {
            OperandValue::Integer(value) => self.imm32(operand, *value),
            OperandValue::Name(name) => {
                let target = self.label(operand, name)? as i128;
                self.imm32(operand, jump_delta(self.pc, target))
            }
            _ => Err(self.error(
                operand.column,
                AsmProblem::Syntax("expected a jump offset or a label".into()),
            )),
        }
    }
}

pub(super) fn slot(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        opcode,
        dst,
        src,
        off,
        imm,
    }
}

pub(super) fn single(insn: Insn) -> Encoded {
    Encoded {
        slots: vec![insn],
        registers_function: None,
        call: None,
        address_of: None,
    }
}
