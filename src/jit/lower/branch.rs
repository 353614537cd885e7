//! Conditional jumps: compare, then either fall through (the run goes on, already paid for) or
//! transfer to the target, giving back the rest of this run and charging the target's.

use super::recipe::Recipe;
use super::{is_small, Lowering, GUEST};
use crate::jit::x86::alu::AluOp;
use crate::jit::x86::Reg;
use crate::program::{rest_of_run, Op};

impl Lowering<'_> {
    pub(super) fn conditional_jump(&mut self, pc: usize, op: &Op, condition: &Recipe) {
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
        let refund = rest_of_run(self.runs, pc);
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
