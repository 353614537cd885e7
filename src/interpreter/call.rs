//! Calls, returns and syscalls.
//!
//! A call saves r6–r9, r10 and the return address in the next frame; with fixed frames it moves
//! r10 up one frame (two in V0, whose frames are separated by gaps). `max_call_depth` frames may
//! be in use at once, the entry frame included. A syscall settles the instruction meter with the
//! context first (so the host sees exact usage), then may consume more itself.

use crate::program::{next_pc, Op};
use crate::vm::{ContextObject, EbpfError, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// Saves the caller's frame; fails when the call would exceed the call depth.
    #[inline(always)]
    pub(super) fn push_frame(&mut self) -> Result<(), EbpfError> {
        let config = self.executable.config();
        let state = &mut self.state;
        let Some(frame) = state.frames.get_mut(state.depth) else {
            return Err(EbpfError::CallDepthExceeded);
        };
        frame.saved_registers.copy_from_slice(&state.regs[6..10]);
        frame.frame_pointer = state.regs[10];
        frame.return_pc = next_pc(state.pc, 1) as u64;
        // The depth indexes the frame just found: one more does not wrap.
        state.depth = state.depth.wrapping_add(1);
        if state.depth == config.max_call_depth {
            return Err(EbpfError::CallDepthExceeded);
        }
        if let Some(step) = config.frame_step(self.executable.version()) {
            state.regs[10] = state.regs[10].wrapping_add(step);
        }
        Ok(())
    }

    /// Jumps into the function at instruction `target`, which must be inside the text.
    #[inline(always)]
    pub(super) fn enter(&mut self, target: u64) -> Result<(), EbpfError> {
        if target < self.executable.decoded().ops.len() as u64 {
            self.state.pc = target as usize;
            Ok(())
        } else {
            Err(EbpfError::CallOutsideTextSegment)
        }
    }

    /// `callx`: the target register holds a guest address in the text.
    #[inline(always)]
    pub(super) fn call_register(&mut self, op: &Op) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.src)];
        self.push_frame()?;
        let target = address.wrapping_sub(self.executable.text_vaddr()) / 8;
        self.enter(target)
    }

    /// `exit`: return to the caller, or end the program with r0. `Ok(Some(r0))` ends it.
    #[inline(always)]
    pub(super) fn exit(&mut self) -> Result<Option<u64>, EbpfError> {
        let state = &mut self.state;
        let Some(depth) = state.depth.checked_sub(1) else {
            // The entry frame's exit ends the program.
            if state.due > state.budget {
                return Err(EbpfError::ExceededMaxInstructions);
            }
            return Ok(Some(state.regs[0]));
        };
        state.depth = depth;
        let frame = state.frames[depth];
        state.regs[6..10].copy_from_slice(&frame.saved_registers);
        state.regs[10] = frame.frame_pointer;
        state.pc = usize::try_from(frame.return_pc).unwrap_or(usize::MAX);
        Ok(None)
    }

    /// eBPF `callx`: runs the syscall registered under the key (helper id) `key`; a key no
    /// syscall has is an unsupported instruction, as an unknown static `call` is.
    #[inline(never)]
    pub(super) fn syscall_by_key(&mut self, key: u64) -> Result<(), EbpfError> {
        let index = u32::try_from(key)
            .ok()
            .and_then(|key| self.executable.runtime().syscalls.index_of(key));
        match index {
            Some(index) => self.syscall(index),
            None => Err(EbpfError::UnsupportedInstruction),
        }
    }

    /// Runs syscall number `index` with r1–r5; its result goes to r0.
    #[inline(never)]
    pub(super) fn syscall(&mut self, index: usize) -> Result<(), EbpfError> {
        let runtime = self.executable.runtime();
        let Some(syscall) = runtime.syscalls.get(index) else {
            return Err(EbpfError::UnsupportedInstruction);
        };
        let metered = runtime.config.enable_instruction_meter;
        // Counted before the call: a syscall that fails has still called the host.
        self.state.host_calls = self.state.host_calls.wrapping_add(1);
        if metered {
            self.context.consume(self.state.due);
        }
        let regs = &self.state.regs;
        let arguments = [regs[1], regs[2], regs[3], regs[4], regs[5]];
        let result = (syscall.function)(self.context, &mut self.memory, arguments);
        if metered {
            self.state.budget = self.context.get_remaining();
        }
        self.state.due = 0;
        match result {
            Ok(value) => {
                self.state.regs[0] = value;
                Ok(())
            }
            Err(error) => Err(EbpfError::SyscallError { error }),
        }
    }
}
