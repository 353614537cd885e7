//! Conditional jumps: compare, then either fall through (the run goes on, already paid for) or
//! transfer to the target, giving back the rest of this run and charging the target's.

use super::{is_small, Lowering, GUEST};
use crate::interpreter::decode::{Code, Op};
use crate::jit::x86::alu::AluOp;
use crate::jit::x86::{Cond, Reg};

/// How a conditional jump compares: (x86 condition when taken, 64-bit, `test` instead of
/// `cmp`, immediate operand).
#[derive(Clone, Copy)]
pub(super) struct Condition {
    cond: Cond,
    wide: bool,
    test: bool,
    immediate: bool,
}

/// The condition of each conditional jump code.
#[inline]
pub(super) fn condition(code: Code) -> Option<Condition> {
    use Code::*;
    let (cond, wide, immediate) = match code {
        Jeq => (Cond::Equal, true, false),
        JeqImm => (Cond::Equal, true, true),
        Jne => (Cond::NotEqual, true, false),
        JneImm => (Cond::NotEqual, true, true),
        Jgt => (Cond::Above, true, false),
        JgtImm => (Cond::Above, true, true),
        Jge => (Cond::AboveEqual, true, false),
        JgeImm => (Cond::AboveEqual, true, true),
        Jlt => (Cond::Below, true, false),
        JltImm => (Cond::Below, true, true),
        Jle => (Cond::BelowEqual, true, false),
        JleImm => (Cond::BelowEqual, true, true),
        Jset => (Cond::NotEqual, true, false),
        JsetImm => (Cond::NotEqual, true, true),
        Jsgt => (Cond::Greater, true, false),
        JsgtImm => (Cond::Greater, true, true),
        Jsge => (Cond::GreaterEqual, true, false),
        JsgeImm => (Cond::GreaterEqual, true, true),
        Jslt => (Cond::Less, true, false),
        JsltImm => (Cond::Less, true, true),
        Jsle => (Cond::LessEqual, true, false),
        JsleImm => (Cond::LessEqual, true, true),
        Jeq32 => (Cond::Equal, false, false),
        Jeq32Imm => (Cond::Equal, false, true),
        Jne32 => (Cond::NotEqual, false, false),
        Jne32Imm => (Cond::NotEqual, false, true),
        Jgt32 => (Cond::Above, false, false),
        Jgt32Imm => (Cond::Above, false, true),
        Jge32 => (Cond::AboveEqual, false, false),
        Jge32Imm => (Cond::AboveEqual, false, true),
        Jlt32 => (Cond::Below, false, false),
        Jlt32Imm => (Cond::Below, false, true),
        Jle32 => (Cond::BelowEqual, false, false),
        Jle32Imm => (Cond::BelowEqual, false, true),
        Jset32 => (Cond::NotEqual, false, false),
        Jset32Imm => (Cond::NotEqual, false, true),
        Jsgt32 => (Cond::Greater, false, false),
        Jsgt32Imm => (Cond::Greater, false, true),
        Jsge32 => (Cond::GreaterEqual, false, false),
        Jsge32Imm => (Cond::GreaterEqual, false, true),
        Jslt32 => (Cond::Less, false, false),
        Jslt32Imm => (Cond::Less, false, true),
        Jsle32 => (Cond::LessEqual, false, false),
        Jsle32Imm => (Cond::LessEqual, false, true),
        _ => return None,
    };
    let test = matches!(code, Jset | JsetImm | Jset32 | Jset32Imm);
    Some(Condition {
        cond,
        wide,
        test,
        immediate,
    })
}

impl Lowering<'_> {
    pub(super) fn conditional_jump(&mut self, pc: usize, op: &Op, condition: Condition) {
        let dst = GUEST[usize::from(op.dst)];
        let wide = condition.wide;
        let operand = if condition.immediate {
            let value = if wide {
                op.imm
            } else {
                op.imm as u32 as i32 as i64 as u64
            };
            if is_small(value) && !condition.test {
                self.asm.alu_ri(wide, AluOp::Cmp, dst, value as i32);
                None
            } else {
                self.immediate_into(Reg::Rax, value);
                Some(Reg::Rax)
            }
        } else {
            Some(GUEST[usize::from(op.src)])
        };
        if let Some(operand) = operand {
            if condition.test {
                self.asm.test_rr(wide, dst, operand);
            } else {
                self.asm.alu_rr(wide, AluOp::Cmp, dst, operand);
            }
        }
        // Taken: the rest of this run (after this jump) is given back.
        let refund = self.runs.get(pc).copied().unwrap_or(1).saturating_sub(1);
        let target = op.aux as usize;
        let direct = self.runs.get(target).is_some_and(|run| *run == refund);
        if direct {
            // The target's run costs exactly what is given back: jump straight there.
            let end = self.asm.jcc(condition.cond, None);
            self.fixups.push((end, super::Target::Pc(target)));
        } else {
            let skip = self.asm.jcc(condition.cond.negate(), None);
            self.transfer(refund, target);
            let here = self.asm.offset();
            self.asm.patch_rel32(skip, here);
        }
    }
}
