//! The interpreter: runs the pre-decoded program one instruction at a time.
//!
//! Each instruction, in the reference's order:
//!
//! 1. the meter: if the budget is spent, stop with ExceededMaxInstructions (so running out
//!    wins over any fault the instruction would raise); else count the instruction;
//! 2. fetch: a pc past the end of the text is ExecutionOverrun;
//! 3. execute: one dense `match` over [`decode::Code`] (`Vm::execute_op`); the families live in
//!    `alu`, `branch`, `memory` and `call`.
//!
//! [`Vm::execute`] runs that loop to the end; [`Vm::step`] runs it once and says why it stopped.
//! Both call the same `Vm::execute_op`, so the debugger's single steps and the fast loop cannot
//! disagree about results or counts.

mod alu;
mod branch;
mod call;
pub mod decode;
mod memory;

use crate::vm::{ContextObject, EbpfError, StopReason, Vm};
use decode::{Code, Op};

/// What one instruction did.
enum Flow {
    /// Go on at `state.pc`.
    Continue,
    /// The program exited with r0.
    Exit(u64),
}

/// One flat `match` over every code: ALU and jump arms generated from their lists, the rest
/// written out. A single jump table, whatever the instruction. `$pc` is the loop's local pc;
/// `$sync` names a block that runs a `Vm` method needing the full state (calls, syscalls, exit).
macro_rules! flat_dispatch {
    ($self:ident, $op:ident, $pc:ident;
     alu [$($alu:ident / $alu_imm:ident),* $(,)?];
     alu_imm [$($imm_only:ident => $imm_semantic:ident),* $(,)?];
     jump [$($jump:ident / $jump_imm:ident),* $(,)?];
     $($rest:tt)*) => {
        match $op.code {
            $(Code::$alu => {
                let b = $self.state.regs[usize::from($op.src)];
                let dst = &mut $self.state.regs[usize::from($op.dst)];
                *dst = alu::alu(Code::$alu, *dst, b)?;
                $pc += 1;
                Next::Sequential
            })*
            $(Code::$alu_imm => {
                let dst = &mut $self.state.regs[usize::from($op.dst)];
                *dst = alu::alu(Code::$alu, *dst, $op.imm)?;
                $pc += 1;
                Next::Sequential
            })*
            $(Code::$imm_only => {
                let dst = &mut $self.state.regs[usize::from($op.dst)];
                *dst = alu::alu(Code::$imm_semantic, *dst, $op.imm)?;
                $pc += 1;
                Next::Sequential
            })*
            $(Code::$jump => {
                let b = $self.state.regs[usize::from($op.src)];
                let dst = $self.state.regs[usize::from($op.dst)];
                if branch::taken(Code::$jump, dst, b) {
                    $pc = $op.aux as usize;
                    Next::Taken
                } else {
                    $pc += 1;
                    Next::Sequential
                }
            })*
            $(Code::$jump_imm => {
                let dst = $self.state.regs[usize::from($op.dst)];
                if branch::taken(Code::$jump, dst, $op.imm) {
                    $pc = $op.aux as usize;
                    Next::Taken
                } else {
                    $pc += 1;
                    Next::Sequential
                }
            })*
            $($rest)*
        }
    };
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
                due += 1;
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
            // The whole run is paid for.
            due += run;
            while let Some(op) = ops.get(pc) {
                let here = pc;
                match self.execute_op(op, &mut pc, &mut due, &mut budget) {
                    Ok(Next::Sequential) => {}
                    Ok(Next::Taken) => {
                        // Give back the fall-through part of the run: charged, but skipped.
                        due -= runs.get(here).map_or(1, |left| u64::from(*left)) - 1;
                        continue 'program;
                    }
                    Ok(Next::Transfer) => continue 'program,
                    Ok(Next::Exit(value)) => break 'program Ok(Flow::Exit(value)),
                    Err(error) => {
                        // Give back the instructions after the faulting one.
                        due -= runs.get(here).map_or(1, |left| u64::from(*left)) - 1;
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
        let next = flat_dispatch!(self, op, pc;
            alu [
                Add64 / Add64Imm,
                Sub64 / Sub64Imm,
                Mul64 / Mul64Imm,
                Div64 / Div64Imm,
                Mod64 / Mod64Imm,
                Or64 / Or64Imm,
                And64 / And64Imm,
                Lsh64 / Lsh64Imm,
                Rsh64 / Rsh64Imm,
                Arsh64 / Arsh64Imm,
                Xor64 / Xor64Imm,
                Mov64 / Mov64Imm,
                Lmul64 / Lmul64Imm,
                Uhmul64 / Uhmul64Imm,
                Shmul64 / Shmul64Imm,
                Udiv64 / Udiv64Imm,
                Urem64 / Urem64Imm,
                Sdiv64 / Sdiv64Imm,
                Srem64 / Srem64Imm,
                Add32Sext / Add32SextImm,
                Add32Zext / Add32ZextImm,
                Sub32Sext / Sub32SextImm,
                Sub32Zext / Sub32ZextImm,
                Mul32Sext / Mul32SextImm,
                Div32 / Div32Imm,
                Mod32 / Mod32Imm,
                Or32 / Or32Imm,
                And32 / And32Imm,
                Lsh32 / Lsh32Imm,
                Rsh32 / Rsh32Imm,
                Arsh32 / Arsh32Imm,
                Xor32 / Xor32Imm,
                Mov32 / Mov32Imm,
                Lmul32 / Lmul32Imm,
                Udiv32 / Udiv32Imm,
                Urem32 / Urem32Imm,
                Sdiv32 / Sdiv32Imm,
                Srem32 / Srem32Imm,
            ];
            alu_imm [
                SubRev64Imm => SubRev64Imm, SubRev32ZextImm => SubRev32ZextImm, Hor64Imm => Hor64Imm,
                Neg64 => Neg64, Neg32 => Neg32, Le16 => Le16, Le32 => Le32,
                Le64 => Le64, Be16 => Be16, Be32 => Be32, Be64 => Be64,
            ];
            jump [
                Jeq / JeqImm,
                Jne / JneImm,
                Jgt / JgtImm,
                Jge / JgeImm,
                Jlt / JltImm,
                Jle / JleImm,
                Jset / JsetImm,
                Jsgt / JsgtImm,
                Jsge / JsgeImm,
                Jslt / JsltImm,
                Jsle / JsleImm,
                Jeq32 / Jeq32Imm,
                Jne32 / Jne32Imm,
                Jgt32 / Jgt32Imm,
                Jge32 / Jge32Imm,
                Jlt32 / Jlt32Imm,
                Jle32 / Jle32Imm,
                Jset32 / Jset32Imm,
                Jsgt32 / Jsgt32Imm,
                Jsge32 / Jsge32Imm,
                Jslt32 / Jslt32Imm,
                Jsle32 / Jsle32Imm,
            ];
            Code::Mov32Sext => {
                let b = self.state.regs[usize::from(op.src)];
                self.state.regs[usize::from(op.dst)] = alu::alu(Code::Mov32Sext, 0, b)?;
                pc += 1;
                Next::Sequential
            }
            Code::Ja => {
                pc = op.aux as usize;
                Next::Transfer
            }
            Code::LoadImm64 => {
                self.state.regs[usize::from(op.dst)] = op.imm;
                pc += 2;
                Next::Sequential
            }
            Code::Ld1 | Code::Ld2 | Code::Ld4 | Code::Ld8 => {
                self.load(op)?;
                pc += 1;
                Next::Sequential
            }
            Code::St1 | Code::St2 | Code::St4 | Code::St8 | Code::St1Imm | Code::St2Imm | Code::St4Imm | Code::St8Imm => {
                self.store(op)?;
                pc += 1;
                Next::Sequential
            }
            Code::CallSyscall => {
                with_state!(self.syscall(op.aux as usize))?;
                pc += 1;
                Next::Transfer
            }
            Code::CallInternal => {
                with_state!(self.push_frame().and_then(|()| self.enter(u64::from(op.aux))))?;
                Next::Transfer
            }
            Code::CallSyscallThenInternal => {
                with_state!(self
                    .syscall(op.imm as usize)
                    .and_then(|()| self.push_frame())
                    .and_then(|()| self.enter(u64::from(op.aux))))?;
                Next::Transfer
            }
            Code::CallReg => {
                with_state!(self.call_register(op))?;
                Next::Transfer
            }
            Code::Exit => match with_state!(self.exit())? {
                Some(value) => return Ok(Next::Exit(value)),
                None => Next::Transfer,
            },
            Code::BadSwap => return Err(EbpfError::InvalidInstruction),
            Code::CallUnresolved | Code::Unsupported => return Err(EbpfError::UnsupportedInstruction),
        );
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
