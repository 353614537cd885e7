//! The recorded past of a run, for going back: checkpoints of the whole VM state, and replay
//! between them.
//!
//! A position counts the instructions run since recording began (position 0 is the state
//! then). A checkpoint is the VM state ([`VmState`]: registers, pc, meter, call frames,
//! outcome) and the guest memory ([`MemoryImage`]: only the pages that changed since the last
//! checkpoint are copied) at one position. Checkpoints are taken
//!
//! * every [`INTERVAL`] instructions (or [`super::DebugOptions::checkpoint_interval`]), so
//!   that going back replays at most that many;
//! * after every step that reached the host — a syscall, a change of the memory layout (a
//!   region grown or replaced by a hook), the run's end (which settles the budget with the
//!   context) — and after the client changed registers or memory.
//!
//! Those are the steps a replay could not repeat without calling the host twice, or could not
//! repeat at all. Going to position `p` puts back the last checkpoint at or before `p` and runs
//! the instructions between with [`Vm::step`]; none of them reaches the host, because each such
//! step has a checkpoint right after it, which the replay puts back instead of running the
//! step. So a syscall's effects — its result in r0, what it wrote to memory, the compute units
//! it charged — are recorded once, when it runs, and replayed from the record: the host (the
//! context, the logs, a program invoked through CPI) sees each call once.
//!
//! ```text
//!   0 ────── 65,536 ──── 90,112 ─┬─ 90,113 ───────── 131,073 ── … ── present
//!   start    every INTERVAL      syscall at 90,112: checkpoint after it
//!   go to 100,000: put back 90,113, step 9,887 instructions
//! ```
//!
//! The present is the furthest position reached; between a checkpoint and the present the
//! run is the same whether it is replayed or was run. A client may change registers and memory
//! only at the present (earlier, the record's future would no longer follow from them).
//!
//! The record starts over when the memory layout changed since the last checkpoint (earlier
//! images no longer fit the regions), and keeps at most [`MEMORY_LIMIT`] bytes of pages,
//! forgetting the oldest checkpoints first; either way the history's beginning moves forward,
//! and going back stops there.

use super::memory_image::MemoryImage;
use crate::vm::{ContextObject, StopReason, Vm, VmState};
use std::collections::BTreeMap;

/// Instructions between two periodic checkpoints, unless the options say otherwise.
pub const INTERVAL: u64 = 65_536;

/// Bytes of memory pages the history keeps at most.
pub(super) const MEMORY_LIMIT: usize = 512 << 20;

/// One saved moment.
#[derive(Debug, Clone)]
struct Checkpoint {
    vm: VmState,
    memory: MemoryImage,
    /// The step that led here reached the host: a replay puts this back rather than run it.
    after_host: bool,
}

/// What a replayed step did, as [`Vm::step`] says it.
pub(super) type Replayed = StopReason;

/// Why going to a position failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unreachable {
    /// Before the history's beginning.
    BeforeBeginning,
    /// Past the present.
    Future,
    /// The replay met something a replay must not do (a bug if it happens; nothing of the host
    /// was called: the step that would have is not run).
    Diverged(String),
}

/// The recorded past of one VM's run.
#[derive(Debug)]
pub(super) struct History {
    checkpoints: BTreeMap<u64, Checkpoint>,
    /// Where the VM is now.
    position: u64,
    /// The furthest position reached.
    present: u64,
    /// Bytes of pages the checkpoints hold (approximate when pages are shared).
    bytes: usize,
    /// Whether the run is recorded (`monitor record on|off`).
    enabled: bool,
    /// Instructions between two periodic checkpoints.
    interval: u64,
}

impl History {
    /// A history that records from the VM's state now (position 0). The run is started first
    /// if it was not (its budget taken from the context), so that a replay from here never asks
    /// the context again.
    pub fn start<C: ContextObject>(vm: &mut Vm<'_, C>, enabled: bool, interval: u64) -> Self {
        if enabled {
            vm.start_if_needed();
        }
        let mut history = History {
            checkpoints: BTreeMap::new(),
            position: 0,
            present: 0,
            bytes: 0,
            enabled,
            interval: interval.max(1),
        };
        if enabled {
            history.checkpoint(vm, false);
        }
        history
    }

    /// Whether the run is being recorded.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Starts recording from now, or stops and forgets the record.
    pub fn set_enabled<C: ContextObject>(&mut self, vm: &mut Vm<'_, C>, enabled: bool) {
        if enabled == self.enabled {
            return;
        }
        *self = History::start(vm, enabled, self.interval);
    }

    /// Where the VM is.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The furthest position reached.
    pub fn present(&self) -> u64 {
        self.present
    }

    /// The earliest position one can go back to.
    pub fn beginning(&self) -> u64 {
        self.checkpoints
            .keys()
            .next()
            .copied()
            .unwrap_or(self.present)
    }

    /// Whether the VM is behind the present (replaying its record).
    pub fn in_past(&self) -> bool {
        self.position < self.present
    }

    /// Checkpoints kept, and bytes of memory pages they hold.
    pub fn size(&self) -> (usize, usize) {
        (self.checkpoints.len(), self.bytes)
    }

    /// Notes one instruction run live at the present: `host_calls` and `layout` are the VM's
    /// [`Vm::host_calls`] and memory layout generation before the step.
    pub fn ran<C: ContextObject>(&mut self, vm: &Vm<'_, C>, host_calls: u64, layout: u64) {
        self.ran_many(vm, 1, host_calls, layout);
    }

    /// Instructions until the next periodic checkpoint, when recording.
    pub fn until_checkpoint(&self) -> Option<u64> {
        if !self.enabled {
            return None;
        }
        let last = self.checkpoints.keys().next_back().copied().unwrap_or(0);
        let since = self.position.saturating_sub(last);
        Some(self.interval.saturating_sub(since).max(1))
    }

    /// Notes `count` instructions run live at the present, none of which reached the host
    /// except perhaps the last (as [`History::ran`] tells). A layout change somewhere in a
    /// stretch of several (compiled code ran them) cannot be replayed across: the record starts
    /// again after it.
    pub fn ran_many<C: ContextObject>(
        &mut self,
        vm: &Vm<'_, C>,
        count: u64,
        host_calls: u64,
        layout: u64,
    ) {
        if !self.enabled || count == 0 {
            return;
        }
        self.position = self.position.saturating_add(count);
        self.present = self.position;
        let relaid = vm.memory.regions_generation() != layout;
        if relaid && count > 1 {
            self.checkpoints.clear();
            self.bytes = 0;
        }
        let reached_host = vm.host_calls() != host_calls || relaid || vm.is_finished();
        let last = self.checkpoints.keys().next_back().copied().unwrap_or(0);
        if reached_host || self.position.saturating_sub(last) >= self.interval {
            self.checkpoint(vm, reached_host);
        }
    }

    /// The client changed registers or memory at the present: the record's next steps start
    /// from the changed state.
    pub fn changed<C: ContextObject>(&mut self, vm: &Vm<'_, C>) {
        if self.enabled {
            self.checkpoint(vm, true);
        }
    }

    fn checkpoint<C: ContextObject>(&mut self, vm: &Vm<'_, C>, after_host: bool) {
        let previous = self
            .checkpoints
            .values()
            .next_back()
            .map(|last| &last.memory);
        let (memory, allocated) = MemoryImage::take(&vm.memory, previous);
        if previous.is_some_and(|previous| previous.layout != memory.layout) {
            // The regions changed: earlier images cannot be put back over them.
            self.checkpoints.clear();
            self.bytes = 0;
        }
        self.bytes = self.bytes.saturating_add(allocated);
        self.checkpoints.insert(
            self.position,
            Checkpoint {
                vm: vm.save_state(),
                memory,
                after_host,
            },
        );
        // Forget the oldest until within the limit (the newest is always kept).
        while self.bytes > MEMORY_LIMIT && self.checkpoints.len() > 1 {
            if let Some((_, oldest)) = self.checkpoints.pop_first() {
                self.bytes = self.bytes.saturating_sub(oldest.memory.own_bytes());
            }
        }
    }

    /// Puts the VM at `target`, between the beginning and the present: the registers, memory,
    /// budget and call frames it had there.
    pub fn go_to<C: ContextObject>(
        &mut self,
        vm: &mut Vm<'_, C>,
        target: u64,
    ) -> Result<(), Unreachable> {
        if target > self.present {
            return Err(Unreachable::Future);
        }
        let Some((&at, checkpoint)) = self.checkpoints.range(..=target).next_back() else {
            return Err(Unreachable::BeforeBeginning);
        };
        // Stepping on from here is cheaper than putting a checkpoint back, when it can.
        if !(at <= self.position && self.position <= target) {
            if !checkpoint.memory.restore(&mut vm.memory) {
                return Err(Unreachable::Diverged(
                    "the memory layout no longer matches the checkpoint".to_string(),
                ));
            }
            vm.restore_state(&checkpoint.vm);
            self.position = at;
        }
        while self.position < target {
            self.step_forward(vm)?;
        }
        Ok(())
    }

    /// Runs one recorded instruction forward (the VM is in the past): from its record when it
    /// reached the host, else with [`Vm::step`].
    pub fn step_forward<C: ContextObject>(
        &mut self,
        vm: &mut Vm<'_, C>,
    ) -> Result<Replayed, Unreachable> {
        if self.position >= self.present {
            return Err(Unreachable::Future);
        }
        let next = self.position.saturating_add(1);
        if let Some(checkpoint) = self.checkpoints.get(&next).filter(|c| c.after_host) {
            if !checkpoint.memory.restore(&mut vm.memory) {
                return Err(Unreachable::Diverged(
                    "the memory layout no longer matches the checkpoint".to_string(),
                ));
            }
            vm.restore_state(&checkpoint.vm);
            self.position = next;
            return Ok(match vm.outcome() {
                None => StopReason::Stepped,
                Some(Ok(value)) => StopReason::Exited(*value),
                Some(Err(error)) => StopReason::Faulted(error.clone()),
            });
        }
        let (host_calls, layout) = (vm.host_calls(), vm.memory.regions_generation());
        let stopped = vm.step();
        if vm.host_calls() != host_calls || vm.memory.regions_generation() != layout {
            return Err(Unreachable::Diverged(format!(
                "a replayed step at position {} reached the host",
                self.position
            )));
        }
        self.position = next;
        Ok(stopped)
    }

    /// The positions before `until` (not included) in runs that each start at a checkpoint,
    /// newest first, as `start..end` ranges: what a backward search replays, one at a time.
    pub fn segments_before(&self, until: u64) -> Vec<std::ops::Range<u64>> {
        let mut ends = until;
        let mut segments = Vec::new();
        for &at in self.checkpoints.range(..until).rev().map(|(at, _)| at) {
            segments.push(at..ends);
            ends = at;
        }
        segments
    }
}
