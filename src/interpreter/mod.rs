//! The interpreter: runs the pre-decoded program one instruction at a time.
//!
//! Each instruction, in the reference's order:
//!
//! 1. the meter: if the budget is spent, stop with ExceededMaxInstructions (so running out
//!    wins over any fault the instruction would raise); else count the instruction;
//! 2. fetch: a pc past the end of the text is ExecutionOverrun;
//! 3. execute: one dense `match` over [`decode::Code`] ([`Vm::dispatch`]); the families live in
//!    [`alu`], [`branch`], [`memory`] and [`call`].
//!
//! [`Vm::execute`] runs that loop to the end; [`Vm::step`] runs it once and says why it stopped.
//! Both call the same [`Vm::dispatch`], so the debugger's single steps and the fast loop cannot
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

macro_rules! alu_arms {
    ($self:ident, $op:ident, $code:ident; $($name:ident),* $(,)?) => {
        match $code {
            $(Code::$name => {
                let dst = usize::from($op.dst);
                let b = if $op.reg_operand { $self.state.regs[usize::from($op.src)] } else { $op.imm };
                $self.state.regs[dst] = alu::alu(Code::$name, $self.state.regs[dst], b)?;
                $self.state.pc += 1;
                Ok(Flow::Continue)
            })*
            _ => $self.dispatch_rest($op),
        }
    };
}

macro_rules! jump_arms {
    ($self:ident, $op:ident, $code:ident; $($name:ident),* $(,)?) => {
        match $code {
            $(Code::$name => {
                let b = if $op.reg_operand { $self.state.regs[usize::from($op.src)] } else { $op.imm };
                let dst = $self.state.regs[usize::from($op.dst)];
                $self.state.pc = if branch::taken(Code::$name, dst, b) { $op.aux as usize } else { $self.state.pc + 1 };
            })*
            _ => unreachable_code(),
        }
    };
}

/// Codes routed to a family they do not belong to (impossible by construction).
#[cold]
fn unreachable_code() {}

impl<C: ContextObject> Vm<'_, C> {
    /// Runs to the end (or continues a run that [`Vm::step`] started): the number of
    /// instructions and r0 or the error.
    pub fn execute(&mut self) -> (u64, Result<u64, EbpfError>) {
        if self.state.outcome.is_none() {
            self.start_if_needed();
            let outcome = loop {
                match self.one_instruction() {
                    Ok(Flow::Continue) => {}
                    Ok(Flow::Exit(value)) => break Ok(value),
                    Err(error) => break Err(error),
                }
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
        match self.one_instruction() {
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

    /// Meter, fetch, execute.
    #[inline(always)]
    fn one_instruction(&mut self) -> Result<Flow, EbpfError> {
        if self.state.due >= self.state.budget {
            return Err(EbpfError::ExceededMaxInstructions);
        }
        self.state.due += 1;
        let ops = &self.executable.decoded().ops;
        let Some(op) = ops.get(self.state.pc) else {
            return Err(EbpfError::ExecutionOverrun);
        };
        self.dispatch(op)
    }

    /// Executes one op and moves the pc.
    #[inline(always)]
    fn dispatch(&mut self, op: &Op) -> Result<Flow, EbpfError> {
        let code = op.code;
        alu_arms!(self, op, code;
            Add64, Sub64, SubRev64, Mul64, Div64, Mod64, Or64, And64, Lsh64, Rsh64, Arsh64, Xor64,
            Mov64, Neg64, Hor64, Lmul64, Uhmul64, Shmul64, Udiv64, Urem64, Sdiv64, Srem64,
            Add32Sext, Add32Zext, Sub32Sext, Sub32Zext, SubRev32Zext, Mul32Sext, Div32, Mod32, Or32,
            And32, Lsh32, Rsh32, Arsh32, Xor32, Mov32, Mov32Sext, Neg32, Lmul32, Udiv32, Urem32,
            Sdiv32, Srem32, Le16, Le32, Le64, Be16, Be32, Be64,
        )
    }

    /// Everything that is not plain ALU.
    #[inline(always)]
    fn dispatch_rest(&mut self, op: &Op) -> Result<Flow, EbpfError> {
        let code = op.code;
        match code {
            Code::LoadImm64 => {
                self.state.regs[usize::from(op.dst)] = op.imm;
                self.state.pc += 2;
            }
            Code::Ld1 | Code::Ld2 | Code::Ld4 | Code::Ld8 => {
                self.load(op)?;
                self.state.pc += 1;
            }
            Code::St1 | Code::St2 | Code::St4 | Code::St8 => {
                self.store(op)?;
                self.state.pc += 1;
            }
            Code::Ja
            | Code::Jeq
            | Code::Jne
            | Code::Jgt
            | Code::Jge
            | Code::Jlt
            | Code::Jle
            | Code::Jset
            | Code::Jsgt
            | Code::Jsge
            | Code::Jslt
            | Code::Jsle
            | Code::Jeq32
            | Code::Jne32
            | Code::Jgt32
            | Code::Jge32
            | Code::Jlt32
            | Code::Jle32
            | Code::Jset32
            | Code::Jsgt32
            | Code::Jsge32
            | Code::Jslt32
            | Code::Jsle32 => {
                jump_arms!(self, op, code;
                    Ja, Jeq, Jne, Jgt, Jge, Jlt, Jle, Jset, Jsgt, Jsge, Jslt, Jsle,
                    Jeq32, Jne32, Jgt32, Jge32, Jlt32, Jle32, Jset32, Jsgt32, Jsge32, Jslt32, Jsle32,
                );
            }
            Code::CallSyscall => {
                self.syscall(op.aux as usize)?;
                self.state.pc += 1;
            }
            Code::CallInternal => {
                self.push_frame()?;
                self.enter(u64::from(op.aux))?;
            }
            Code::CallSyscallThenInternal => {
                self.syscall(op.imm as usize)?;
                self.push_frame()?;
                self.enter(u64::from(op.aux))?;
            }
            Code::CallReg => self.call_register(op)?,
            Code::Exit => {
                if let Some(value) = self.exit()? {
                    return Ok(Flow::Exit(value));
                }
            }
            Code::BadSwap => return Err(EbpfError::InvalidInstruction),
            Code::CallUnresolved | Code::Unsupported => {
                return Err(EbpfError::UnsupportedInstruction)
            }
            _ => return Err(EbpfError::UnsupportedInstruction),
        }
        Ok(Flow::Continue)
    }
}
