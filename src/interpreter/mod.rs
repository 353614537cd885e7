//! The interpreter: runs the pre-decoded program one instruction at a time.
//!
//! Each instruction, in the reference's order:
//!
//! 1. the meter: if the budget is spent, stop with ExceededMaxInstructions (so running out
//!    wins over any fault the instruction would raise); else count the instruction;
//! 2. fetch: a pc past the end of the text is ExecutionOverrun;
//! 3. execute: one dense `match` over [`Code`] (`Vm::execute_op`), its arms generated from
//!    the op list (`for_each_op!` in `program/ops.rs`): one arm per code, the row's facts
//!    (operation, width, extension, operand) written into the arm as constants, so each arm
//!    is the straight-line code of its op. The semantics live per family in `alu`, `branch`,
//!    `memory` and `call`.
//!
//! [`Vm::execute`] runs that loop to the end; [`Vm::step`] runs it once and says why it stopped.
//! Both call the same `Vm::execute_op`, so the debugger's single steps and the fast loop cannot
//! disagree about results or counts.
//!
//! Arithmetic says what it means (`clippy::arithmetic_side_effects` is denied here): the guest's
//! arithmetic wraps as the reference's does and its division faults are checked (`alu`); the
//! pc and the meter move with `wrapping_*`, each beside the bound that keeps it from wrapping.

#![deny(clippy::arithmetic_side_effects)]

mod alu;
mod branch;
mod call;
mod memory;
mod stops;

use crate::isa::table::{AtomicOp, Cond};
use crate::program::{next_pc, rest_of_run, Arith, Code, Extension, Fault, Op, Width};
use crate::vm::{ContextObject, EbpfError, StopReason, Vm};

/// What one instruction did.
enum Flow {
    /// Go on at `state.pc`.
    Continue,
    /// The program exited with r0.
    Exit(u64),
}

impl<C: ContextObject> Vm<'_, C> {
    /// Runs to the end (or continues a run that [`Vm::step`] started): the number of
    /// instructions and r0 or the error.
    pub fn execute(&mut self) -> (u64, Result<u64, EbpfError>) {
        if self.state.outcome.is_none() {
            self.start_if_needed();
            let outcome = match self.run::<false>() {
                Ok(Flow::Exit(value)) => Ok(value),
                Ok(Flow::Continue) => Err(EbpfError::ExecutionOverrun),
                Err(error) => Err(error),
            };
            self.finish(outcome);
        }
        self.result()
    }

    /// Runs one instruction.
    pub fn step(&mut self) -> StopReason {
        if let Some(outcome) = &self.state.outcome {
            return match outcome {
                Ok(value) => StopReason::Exited(*value),
                Err(error) => StopReason::Faulted(error.clone()),
            };
        }
        self.start_if_needed();
        match self.run::<true>() {
            Ok(Flow::Continue) => StopReason::Stepped,
            Ok(Flow::Exit(value)) => {
                self.finish(Ok(value));
                StopReason::Exited(value)
            }
            Err(error) => {
                self.finish(Err(error.clone()));
                StopReason::Faulted(error)
            }
        }
    }

    /// The interpreter loop: one instruction when `SINGLE`, else until the program stops.
    ///
    /// The full loop charges the meter a straight-line run at a time: at the start of a run it
    /// adds the run's length if the budget covers it and then executes without per-instruction
    /// checks; a fault inside the run gives back the part not reached, so the count stays exact.
    /// When the budget does not cover the run, instructions are metered one by one, which is
    /// also how single steps run.
    #[inline(always)]
    fn run<const SINGLE: bool>(&mut self) -> Result<Flow, EbpfError> {
        let executable = self.executable;
        let decoded = executable.decoded();
        let (ops, runs) = (&decoded.ops[..], &decoded.runs[..]);
        let mut pc = self.state.pc;
        let mut due = self.state.due;
        let mut budget = self.state.budget;
        let result = 'program: loop {
            let run = runs.get(pc).copied().map_or(u64::MAX, u64::from);
            if SINGLE || budget.saturating_sub(due) < run {
                // Metered one instruction at a time.
                if due >= budget {
                    break Err(EbpfError::ExceededMaxInstructions);
                }
                // `due < budget`: one more does not wrap.
                due = due.wrapping_add(1);
                let Some(op) = ops.get(pc) else {
                    break Err(EbpfError::ExecutionOverrun);
                };
                match self.execute_op(op, &mut pc, &mut due, &mut budget) {
                    Ok(Next::Exit(value)) => break Ok(Flow::Exit(value)),
                    Ok(_) if SINGLE => break Ok(Flow::Continue),
                    Ok(_) => continue,
                    Err(error) => break Err(error),
                }
            }
            // The whole run is paid for: `due + run <= budget` (checked above), no wrap.
            due = due.wrapping_add(run);
            while let Some(op) = ops.get(pc) {
                let here = pc;
                match self.execute_op(op, &mut pc, &mut due, &mut budget) {
                    Ok(Next::Sequential) => {}
                    Ok(Next::Taken) => {
                        // Give back the fall-through part of the run: charged, but skipped.
                        due = due.wrapping_sub(u64::from(rest_of_run(runs, here)));
                        continue 'program;
                    }
                    Ok(Next::Transfer) => continue 'program,
                    Ok(Next::Exit(value)) => break 'program Ok(Flow::Exit(value)),
                    Err(error) => {
                        // Give back the instructions after the faulting one.
                        due = due.wrapping_sub(u64::from(rest_of_run(runs, here)));
                        break 'program Err(error);
                    }
                }
            }
        };
        self.state.pc = pc;
        self.state.due = due;
        self.state.budget = budget;
        result
    }

    /// Executes one op: moves the pc (only on success) and says how control goes on.
    #[inline(always)]
    fn execute_op(
        &mut self,
        op: &Op,
        pc_ref: &mut usize,
        due: &mut u64,
        budget: &mut u64,
    ) -> Result<Next, EbpfError> {
        let mut pc = *pc_ref;
        // Operations that need the whole state see the local pc and meter, and may change them.
        macro_rules! with_state {
            ($body:expr) => {{
                self.state.pc = pc;
                self.state.due = *due;
                let outcome = $body;
                pc = self.state.pc;
                *due = self.state.due;
                *budget = self.state.budget;
                outcome
            }};
        }
        // The second operand: the row's own (`Row`), or the immediate (its twin).
        macro_rules! operand {
            (Twin, $_row:ident) => {
                op.imm
            };
            (Row, Reg) => {
                self.state.regs[usize::from(op.src)]
            };
            (Row, Imm) => {
                op.imm
            };
            (Row, Unused) => {
                0
            };
        }
        // One arm's body, by the row's class; `$side` says whether it is the row or its twin.
        macro_rules! arm {
            (alu($arith:ident, $width:ident, $extension:ident, $operand:ident, $fault:ident), $side:ident) => {{
                let b = operand!($side, $operand);
                let dst = &mut self.state.regs[usize::from(op.dst)];
                *dst = alu::compute(
                    Arith::$arith,
                    Width::$width,
                    Extension::$extension,
                    Fault::$fault,
                    *dst,
                    b,
                )?;
                pc = next_pc(pc, 1);
                Next::Sequential
            }};
            (branch($cond:ident, $width:ident), $side:ident) => {{
                let b = operand!($side, Reg);
                let dst = self.state.regs[usize::from(op.dst)];
                if branch::taken(Cond::$cond, Width::$width, dst, b) {
                    pc = op.aux as usize;
                    Next::Taken
                } else {
                    pc = next_pc(pc, 1);
                    Next::Sequential
                }
            }};
            (load($width:ident, $extension:ident), $_side:ident) => {{
                self.load(op, Width::$width, Extension::$extension)?;
                pc = next_pc(pc, 1);
                Next::Sequential
            }};
            (atomic($atomic:path, $width:ident), $_side:ident) => {{
                self.atomic(op, $atomic, false, Width::$width)?;
                pc = next_pc(pc, 1);
                Next::Sequential
            }};
            (atomic_fetch($atomic:path, $width:ident), $_side:ident) => {{
                self.atomic(op, $atomic, true, Width::$width)?;
                pc = next_pc(pc, 1);
                Next::Sequential
            }};
            (store($width:ident), $side:ident) => {{
                let value = operand!($side, Reg);
                self.store(op, Width::$width, value)?;
                pc = next_pc(pc, 1);
                Next::Sequential
            }};
            (jump(), $_side:ident) => {{
                pc = op.aux as usize;
                Next::Transfer
            }};
            (load_imm64(), $_side:ident) => {{
                self.state.regs[usize::from(op.dst)] = op.imm;
                pc = next_pc(pc, Code::LoadImm64.slots());
                Next::Sequential
            }};
            (call(CallSyscall), $_side:ident) => {{
                with_state!(self.syscall(op.aux as usize))?;
                pc = next_pc(pc, 1);
                Next::Transfer
            }};
            (call(CallInternal), $_side:ident) => {{
                with_state!(self
                    .push_frame()
                    .and_then(|()| self.enter(u64::from(op.aux))))?;
                Next::Transfer
            }};
            (call(CallSyscallThenInternal), $_side:ident) => {{
                with_state!(self
                    .syscall(op.imm as usize)
                    .and_then(|()| self.push_frame())
                    .and_then(|()| self.enter(u64::from(op.aux))))?;
                Next::Transfer
            }};
            (call(CallRegister), $_side:ident) => {{
                with_state!(self.call_register(op))?;
                Next::Transfer
            }};
            (call(CallSyscallRegister), $_side:ident) => {{
                with_state!(self.syscall_by_key(self.state.regs[usize::from(op.src)]))?;
                pc = next_pc(pc, 1);
                Next::Transfer
            }};
            (call(Exit), $_side:ident) => {
                match with_state!(self.exit())? {
                    Some(value) => return Ok(Next::Exit(value)),
                    None => Next::Transfer,
                }
            };
            (fail(Invalid), $_side:ident) => {
                return Err(EbpfError::InvalidInstruction)
            };
            (fail(Unsupported), $_side:ident) => {
                return Err(EbpfError::UnsupportedInstruction)
            };
        }
        // The match: every row's code, and its immediate twin with the immediate operand.
        macro_rules! dispatch {
            ([] $( $code:ident $(=> $twin:ident)? : $class:ident $args:tt; )*) => {
                match op.code {
                    $(
                        Code::$code => arm!($class $args, Row),
                        $( Code::$twin => arm!($class $args, Twin), )?
                    )*
                }
            };
        }
        let next = crate::program::for_each_op!(dispatch);
        *pc_ref = pc;
        Ok(next)
    }
}

/// How control goes on after an op.
enum Next {
    /// To the next instruction, inside the same run.
    Sequential,
    /// Somewhere else (a jump, call or return): a new run starts.
    Transfer,
    /// A conditional jump was taken: a new run starts, and the rest of the old one is unpaid.
    Taken,
    /// The program exited with r0.
    Exit(u64),
}
