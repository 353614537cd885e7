//! A run's VM state as a value: what a debugger keeps to put the run back where it was.
//!
//! [`VmState`] holds everything of a [`Vm`] that instructions change except guest memory (the
//! memory mapping's, which the keeper saves its own way) and the context (the host's: a keeper
//! that puts an earlier state back must not run the host again, and never needs to, as long as
//! it replays no syscall — the budget the VM meters with is part of the state, so the remaining
//! budget and the instruction count come back with it).

use super::context::ContextObject;
use super::error::EbpfError;
use super::machine::{CallFrame, Vm};

/// Registers, pc, meter, call frames and outcome of a run at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmState {
    registers: [u64; 11],
    pc: usize,
    due: u64,
    budget: u64,
    initial: u64,
    /// The frames in use only (the array's other slots are written before they are read).
    frames: Vec<CallFrame>,
    started: bool,
    outcome: Option<Result<u64, EbpfError>>,
    instructions: u64,
    host_calls: u64,
}

impl VmState {
    /// The instruction index of the next instruction then.
    pub fn pc(&self) -> usize {
        self.pc
    }

    /// Registers r0–r10 then.
    pub fn registers(&self) -> [u64; 11] {
        self.registers
    }
}

impl<C: ContextObject> Vm<'_, C> {
    /// The state of the run now (guest memory and the context excepted: module docs).
    pub fn save_state(&self) -> VmState {
        let state = &self.state;
        let mut registers = [0u64; 11];
        registers.copy_from_slice(&state.regs[..11]);
        VmState {
            registers,
            pc: state.pc,
            due: state.due,
            budget: state.budget,
            initial: state.initial,
            frames: self.call_frames().to_vec(),
            started: state.started,
            outcome: state.outcome.clone(),
            instructions: state.instructions,
            host_calls: state.host_calls,
        }
    }

    /// Puts a state saved from this run back. A state with more frames than this VM's call
    /// depth allows (saved from another VM) keeps only what fits.
    pub fn restore_state(&mut self, saved: &VmState) {
        let state = &mut self.state;
        state.regs[..11].copy_from_slice(&saved.registers);
        state.pc = saved.pc;
        state.due = saved.due;
        state.budget = saved.budget;
        state.initial = saved.initial;
        let depth = saved.frames.len().min(state.frames.len());
        state.frames[..depth].copy_from_slice(&saved.frames[..depth]);
        state.depth = depth;
        state.started = saved.started;
        state.outcome = saved.outcome.clone();
        state.instructions = saved.instructions;
        state.host_calls = saved.host_calls;
    }
}
