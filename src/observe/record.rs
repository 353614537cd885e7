//! Observing runs one instruction at a time: [`Observation::run`] steps a VM with
//! [`Vm::step`] (the same results and counts as `execute`) and, around each step, reads where it
//! is and what the meter says.
//!
//! ```text
//!   before a step: pc, call frames ─► stack (function of each frame's call site, then of pc)
//!                  hits[pc] += 1
//!   the step       (a syscall may run a whole nested program, observed by the same Observation)
//!   after a step:  units = instruction_count delta − units the nested runs recorded meanwhile
//!                  profile[stack] += units
//! ```
//!
//! The deltas of a run add up to its instruction count, so the profile's units add up to it
//! too: a syscall's cost lands on the function that executed the syscall instruction, and a
//! nested run's units on its own frames, stacked under the caller's stack at the syscall with
//! each frame named `<program>:<function>`.
//!
//! One [`Observation`] is shared (cloned) by every run it watches: a driver that runs a callee's
//! VM inside the caller's syscall hands the callee the same one (see [`super::ObservingDriver`]).

use super::coverage::Coverage;
use super::names::FunctionNames;
use super::profile::Profile;
use crate::vm::{ContextObject, EbpfError, StopReason, Vm};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The frame of units the runtime charged outside any observed instruction (a builtin program's
/// cost, a Solana program's heap cost, the rest of the budget a fault takes).
pub const RUNTIME_FRAME: &str = "[runtime]";

/// What the observed runs recorded: a profile and coverage, shared by clones.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    recording: Rc<RefCell<Recording>>,
}

#[derive(Debug, Default)]
struct Recording {
    profile: Profile,
    coverage: Coverage,
    /// The runs in progress, outermost first (more than one while a program invokes another).
    runs: Vec<RunInProgress>,
    /// Units recorded so far, by every run.
    observed: u64,
}

/// One VM run being observed.
#[derive(Debug)]
struct RunInProgress {
    program: String,
    /// The stack of the caller at the syscall that started this run (empty at the top).
    prefix: Vec<String>,
    /// `<program>:` for a nested run, else empty: put before each of this run's frame names.
    frame_prefix: String,
    names: FunctionNames,
    /// The current stack as function indices, outermost first.
    stack: Vec<u32>,
    units: HashMap<Vec<u32>, u64>,
    hits: Vec<u64>,
}

impl RunInProgress {
    fn frame_names(&self, stack: &[u32]) -> Vec<String> {
        let own = stack.iter().map(|index| {
            let name = self.names.name(*index as usize);
            format!("{}{name}", self.frame_prefix)
        });
        self.prefix.iter().cloned().chain(own).collect()
    }
}

impl Observation {
    /// A new, empty observation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `vm` (not yet started) to its end one instruction at a time, recording its profile
    /// and coverage under `program` (a name for its coverage; the prefix of its frames when it
    /// runs inside another observed run), its functions named by `names`. Returns what
    /// [`Vm::execute`] would: the instruction count and the outcome.
    pub fn run<C: ContextObject>(
        &self,
        vm: &mut Vm<'_, C>,
        program: &str,
        names: FunctionNames,
    ) -> (u64, Result<u64, EbpfError>) {
        self.begin(program, names, vm.executable().text().len() / 8);
        let outcome = loop {
            let before = vm.instruction_count();
            let observed_before = self.before_step(vm);
            let stop = vm.step();
            let units = vm.instruction_count().saturating_sub(before);
            self.after_step(units, observed_before);
            match stop {
                StopReason::Stepped => continue,
                StopReason::Exited(value) => break Ok(value),
                StopReason::Faulted(error) => break Err(error),
            }
        };
        self.end(vm);
        (vm.instruction_count(), outcome)
    }

    /// Units recorded so far by every observed run (the profile's total, but for
    /// [`Observation::charge_runtime`]).
    pub fn observed_units(&self) -> u64 {
        self.recording.borrow().observed
    }

    /// Records `units` the runtime charged outside the observed instructions, as the stack
    /// [`RUNTIME_FRAME`].
    pub fn charge_runtime(&self, units: u64) {
        let mut recording = self.recording.borrow_mut();
        recording.profile.add(&[RUNTIME_FRAME], units);
        recording.observed = recording.observed.saturating_add(units);
    }

    /// The profile recorded so far.
    pub fn profile(&self) -> Profile {
        self.recording.borrow().profile.clone()
    }

    /// The coverage recorded so far.
    pub fn coverage(&self) -> Coverage {
        self.recording.borrow().coverage.clone()
    }

    fn begin(&self, program: &str, names: FunctionNames, slots: usize) {
        let mut recording = self.recording.borrow_mut();
        let (prefix, frame_prefix) = match recording.runs.last() {
            Some(caller) => (caller.frame_names(&caller.stack), format!("{program}:")),
            None => (Vec::new(), String::new()),
        };
        recording.runs.push(RunInProgress {
            program: program.to_string(),
            prefix,
            frame_prefix,
            names,
            stack: Vec::new(),
            units: HashMap::new(),
            hits: vec![0; slots],
        });
    }

    /// Notes where the run is before a step; returns the units recorded so far.
    fn before_step<C: ContextObject>(&self, vm: &Vm<'_, C>) -> u64 {
        let mut recording = self.recording.borrow_mut();
        let observed = recording.observed;
        let Some(run) = recording.runs.last_mut() else {
            return observed;
        };
        let pc = vm.pc();
        run.stack.clear();
        for frame in vm.call_frames() {
            // A frame returns to the instruction after its call: the call lies in the caller.
            let call_site = usize::try_from(frame.return_pc.saturating_sub(1)).unwrap_or(0);
            run.stack.push(index_u32(run.names.index_at(call_site)));
        }
        run.stack.push(index_u32(run.names.index_at(pc)));
        if let Some(hits) = run.hits.get_mut(pc) {
            *hits = hits.saturating_add(1);
        }
        observed
    }

    /// Charges a step's `units` (less what nested runs recorded during it) to the stack.
    fn after_step(&self, units: u64, observed_before: u64) {
        let mut recording = self.recording.borrow_mut();
        let nested = recording.observed.saturating_sub(observed_before);
        let own = units.saturating_sub(nested);
        recording.observed = recording.observed.saturating_add(own);
        let Some(run) = recording.runs.last_mut() else {
            return;
        };
        if let Some(total) = run.units.get_mut(run.stack.as_slice()) {
            *total = total.saturating_add(own);
        } else {
            run.units.insert(run.stack.clone(), own);
        }
    }

    fn end<C: ContextObject>(&self, vm: &Vm<'_, C>) {
        let mut recording = self.recording.borrow_mut();
        let Some(run) = recording.runs.pop() else {
            return;
        };
        for (stack, units) in &run.units {
            let frames = run.frame_names(stack);
            let frames: Vec<&str> = frames.iter().map(String::as_str).collect();
            recording.profile.add(&frames, *units);
        }
        recording
            .coverage
            .add_run(&run.program, vm.executable(), &run.names, &run.hits);
    }
}

/// A function index as the stack keeps it (a program has far fewer than 2^32 functions; an
/// index beyond saturates to a name-less frame rather than wrapping to another function).
fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}
