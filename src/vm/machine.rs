//! A VM instance: one run of an executable over one memory mapping and one context.
//!
//! ```text
//!   Executable (shared, immutable) ──┐
//!   MemoryMapping (this run's memory) ├─► Vm ── execute() ─► (instructions, Result<r0, EbpfError>)
//!   &mut Context (budget, host state) ┘      └─ step()   ─► StopReason, one instruction at a time
//! ```
//!
//! Registers r0–r10 and the pc are the program's; r10 is the frame pointer and starts at the
//! top of frame 0 (fixed frames) or of the whole stack (dynamic frames). Calls save r6–r9, r10
//! and the return address in a call frame.

use super::context::ContextObject;
use super::error::EbpfError;
use super::executable::Executable;
use crate::memory::{MemoryMapping, MM_STACK_START};

/// What a call saves. `repr(C)`: JIT code reads and writes frames directly (the layout is
/// asserted in `jit::context`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CallFrame {
    /// r6–r9 of the caller.
    pub saved_registers: [u64; 4],
    /// r10 of the caller.
    pub frame_pointer: u64,
    /// Where `exit` returns to.
    pub return_pc: u64,
}

/// Why [`Vm::step`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// One instruction ran; the program goes on.
    Stepped,
    /// The program exited with r0.
    Exited(u64),
    /// The program failed.
    Faulted(EbpfError),
}

/// The mutable state of a run.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// r0–r10. The array has a slot for every value of a `u8` register field, so indexing by
    /// a decoded field needs no bounds check; verified code names only 0–10.
    pub regs: [u64; 256],
    pub pc: usize,
    /// Instructions attempted since the budget was last settled with the context.
    pub due: u64,
    /// Budget at the last settlement (`u64::MAX` with the meter off).
    pub budget: u64,
    /// The context's budget when the run started.
    pub initial: u64,
    pub depth: usize,
    pub frames: Vec<CallFrame>,
    pub started: bool,
    /// Set when the run has ended.
    pub outcome: Option<Result<u64, EbpfError>>,
    /// Instruction count, once the run has ended.
    pub instructions: u64,
    /// Syscalls started so far (a host that replays the run must not call them again).
    pub host_calls: u64,
}

impl Drop for State {
    fn drop(&mut self) {
        recycle_frames(std::mem::take(&mut self.frames));
    }
}

std::thread_local! {
    /// Call-frame arrays of finished runs. A frame is always written (by the call that pushes
    /// it) before it is read (by the exit that pops it), so a reused array needs no clearing.
    static FRAMES: std::cell::RefCell<Vec<Vec<CallFrame>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Arrays kept per thread.
const FRAME_POOL: usize = 8;

/// A call-frame array of `len` frames, reused when one is at hand.
fn frames(len: usize) -> Vec<CallFrame> {
    let reused = FRAMES.with(|pool| {
        let mut pool = pool.borrow_mut();
        let found = pool.iter().position(|frames| frames.len() == len);
        found.map(|index| pool.swap_remove(index))
    });
    reused.unwrap_or_else(|| vec![CallFrame::default(); len])
}

fn recycle_frames(frames: Vec<CallFrame>) {
    if frames.is_empty() {
        return;
    }
    FRAMES.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < FRAME_POOL {
            pool.push(frames);
        }
    });
}

/// One run of an executable.
pub struct Vm<'a, C: ContextObject> {
    pub(crate) executable: &'a Executable<C>,
    /// This run's guest memory.
    pub memory: MemoryMapping<'a>,
    /// This run's context: budget and host state.
    pub context: &'a mut C,
    pub(crate) state: State,
}

impl<'a, C: ContextObject> Vm<'a, C> {
    /// A VM ready to run `executable` from its entry point.
    pub fn new(
        executable: &'a Executable<C>,
        context: &'a mut C,
        memory: MemoryMapping<'a>,
    ) -> Self {
        let config = executable.config();
        let frame_top = if executable.version().dynamic_stack_frames() {
            config.stack_size()
        } else {
            config.stack_frame_size
        };
        let mut vm = Vm {
            executable,
            memory,
            context,
            state: State {
                regs: [0; 256],
                pc: executable.entry_pc(),
                due: 0,
                budget: 0,
                initial: 0,
                depth: 0,
                frames: frames(config.max_call_depth),
                started: false,
                outcome: None,
                instructions: 0,
                host_calls: 0,
            },
        };
        vm.state.regs[10] = MM_STACK_START.saturating_add(frame_top as u64);
        vm
    }

    /// Ends the VM and gives back its memory (to read what the program left there) and the
    /// context it borrowed.
    pub fn into_parts(self) -> (MemoryMapping<'a>, &'a mut C) {
        (self.memory, self.context)
    }

    /// The executable being run.
    pub fn executable(&self) -> &'a Executable<C> {
        self.executable
    }

    /// Registers r0–r10.
    pub fn registers(&self) -> [u64; 11] {
        let mut out = [0u64; 11];
        out.copy_from_slice(&self.state.regs[..11]);
        out
    }

    /// Sets register `index` (0–10); other indices are ignored.
    pub fn set_register(&mut self, index: usize, value: u64) {
        if index <= 10 {
            self.state.regs[index] = value;
        }
    }

    /// The instruction index of the next instruction.
    pub fn pc(&self) -> usize {
        self.state.pc
    }

    /// Moves execution to instruction index `pc`.
    pub fn set_pc(&mut self, pc: usize) {
        self.state.pc = pc;
    }

    /// Calls currently nested.
    pub fn call_depth(&self) -> usize {
        self.state.depth
    }

    /// The frames of the calls currently nested, outermost first: each holds the caller's
    /// saved registers and where its `exit` returns to.
    pub fn call_frames(&self) -> &[CallFrame] {
        self.state.frames.get(..self.state.depth).unwrap_or(&[])
    }

    /// Syscalls this run has started (an embedder's or a debugger's way to tell that a step
    /// called the host).
    pub fn host_calls(&self) -> u64 {
        self.state.host_calls
    }

    /// Whether the run has ended.
    pub fn is_finished(&self) -> bool {
        self.state.outcome.is_some()
    }

    /// The outcome, once the run has ended.
    pub fn outcome(&self) -> Option<&Result<u64, EbpfError>> {
        self.state.outcome.as_ref()
    }

    /// Instructions counted so far (final once the run has ended).
    pub fn instruction_count(&self) -> u64 {
        if self.state.outcome.is_some() {
            return self.state.instructions;
        }
        if !self.executable.config().enable_instruction_meter {
            return 0;
        }
        if !self.state.started {
            return 0;
        }
        // The budget at the last settlement is the context's remaining budget then (the run's
        // start, or after a syscall), so this reads the VM's own state only: the same before
        // and after a debugger puts an earlier state back.
        let settled = self.state.initial.saturating_sub(self.state.budget);
        settled.saturating_add(self.state.due)
    }

    /// Budget left before the next instruction (what the meter would allow).
    pub fn remaining_budget(&self) -> u64 {
        if !self.state.started {
            return self.context.get_remaining();
        }
        self.state.budget.saturating_sub(self.state.due)
    }

    /// Ends the run from outside, between two instructions, with [`EbpfError::Aborted`] and
    /// `reason`: how an embedder stops a run it drives with [`Vm::step`] (a client's kill, a
    /// deadline). A run that has already ended keeps its outcome.
    pub fn abort(&mut self, reason: impl Into<String>) -> (u64, Result<u64, EbpfError>) {
        if self.state.outcome.is_none() {
            self.start_if_needed();
            self.finish(Err(EbpfError::Aborted {
                reason: reason.into(),
            }));
        }
        self.result()
    }

    /// (instructions, outcome) of a finished run.
    pub(crate) fn result(&self) -> (u64, Result<u64, EbpfError>) {
        let outcome = self
            .state
            .outcome
            .clone()
            .unwrap_or(Err(EbpfError::ExecutionOverrun));
        (self.state.instructions, outcome)
    }

    /// Starts the run if it has not started: takes the budget from the context, as the first
    /// step does (a debugger that saves the state before the first step starts the run first,
    /// so that putting that state back never asks the context again).
    pub fn start_if_needed(&mut self) {
        if self.state.started {
            return;
        }
        self.state.started = true;
        let remaining = self.context.get_remaining();
        self.state.initial = remaining;
        self.state.budget = if self.executable.config().enable_instruction_meter {
            remaining
        } else {
            u64::MAX
        };
        self.state.due = 0;
    }

    /// Settles the meter with the context and records the outcome.
    pub(crate) fn finish(&mut self, outcome: Result<u64, EbpfError>) {
        let instructions = if self.executable.config().enable_instruction_meter {
            self.context.consume(self.state.due);
            self.state.due = 0;
            self.state
                .initial
                .saturating_sub(self.context.get_remaining())
        } else {
            0
        };
        self.state.instructions = instructions;
        self.state.outcome = Some(outcome);
    }
}
