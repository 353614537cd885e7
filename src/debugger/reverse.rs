//! Going back: gdbstub's reverse-step and reverse-continue extensions (`bs`, `bc`), and the
//! searches behind them and behind `monitor reverse-step` / `monitor reverse-continue`.
//!
//! Both move through the run's record (history.rs), never through the host:
//!
//! * one step back is the position before this one, reached by putting back the last
//!   checkpoint before it and replaying;
//! * a reverse continue looks for the last position before this one where a forward run would
//!   have stopped: at a breakpoint (the pc is on one), or in front of an instruction that
//!   touches watched memory (the state before the access: going backwards, the access is the
//!   next thing that would be undone). It replays the record one stretch between checkpoints
//!   at a time, newest first, and goes to the last hit of the first stretch that has one; with
//!   none, it stops at the history's beginning, which the client hears as
//!   `replaylog:begin`.

use super::shared::Resume;
use super::target::{DebugTarget, Stop};
use crate::vm::ContextObject;
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::ext::base::reverse_exec::{ReplayLogPosition, ReverseCont, ReverseStep};

impl<C: ContextObject> ReverseStep<()> for DebugTarget<'_, '_, C> {
    fn reverse_step(&mut self, _thread: ()) -> Result<(), Self::Error> {
        self.client
            .with(|shared| shared.resume = Resume::ReverseStep);
        Ok(())
    }
}

impl<C: ContextObject> ReverseCont<()> for DebugTarget<'_, '_, C> {
    fn reverse_cont(&mut self) -> Result<(), Self::Error> {
        self.client
            .with(|shared| shared.resume = Resume::ReverseContinue);
        Ok(())
    }
}

/// The stop at the beginning of the record.
fn at_beginning() -> Stop {
    SingleThreadStopReason::ReplayLog {
        tid: None,
        pos: ReplayLogPosition::Begin,
    }
}

impl<C: ContextObject> DebugTarget<'_, '_, C> {
    /// Puts the program back at the present of its record, if it is in the past.
    pub(super) fn return_to_present(&mut self) {
        if self.history.in_past() {
            let present = self.history.present();
            if let Err(unreachable) = self.history.go_to(self.vm, present) {
                self.note(&format!("cannot return to the present: {unreachable:?}"));
            }
        }
    }

    /// One instruction back; at the history's beginning (or with recording off), a stop there.
    pub(super) fn step_back(&mut self) -> Stop {
        self.step_back_by(1)
    }

    /// `count` instructions back, in one move (the state there is the one forward execution
    /// had: no need to stop at each on the way); a stop at the beginning when the record holds
    /// fewer.
    pub(super) fn step_back_by(&mut self, count: u64) -> Stop {
        let (position, beginning) = (self.history.position(), self.history.beginning());
        if !self.history.is_enabled() || position <= beginning {
            return at_beginning();
        }
        let target = position.saturating_sub(count).max(beginning);
        match self.history.go_to(self.vm, target) {
            Ok(()) if position - target == count => SingleThreadStopReason::DoneStep,
            Ok(()) => at_beginning(),
            Err(unreachable) => {
                self.note(&format!("cannot step back: {unreachable:?}"));
                at_beginning()
            }
        }
    }

    /// Back to the last earlier breakpoint or watched access (module docs).
    pub(super) fn continue_back(&mut self) -> Stop {
        if !self.history.is_enabled() {
            return at_beginning();
        }
        let until = self.history.position();
        for stretch in self.history.segments_before(until) {
            match self.last_hit_in(stretch) {
                Ok(Some((position, stop))) => {
                    return match self.history.go_to(self.vm, position) {
                        Ok(()) => stop,
                        Err(unreachable) => {
                            self.note(&format!("cannot go back: {unreachable:?}"));
                            at_beginning()
                        }
                    };
                }
                Ok(None) => {}
                Err(reason) => {
                    self.note(&format!("cannot go back: {reason}"));
                    break;
                }
            }
        }
        let beginning = self.history.beginning();
        if let Err(unreachable) = self.history.go_to(self.vm, beginning) {
            self.note(&format!("cannot go back: {unreachable:?}"));
        }
        at_beginning()
    }

    /// The last position of `stretch` where a forward run would stop, and that stop.
    fn last_hit_in(
        &mut self,
        stretch: std::ops::Range<u64>,
    ) -> Result<Option<(u64, Stop)>, String> {
        self.history
            .go_to(self.vm, stretch.start)
            .map_err(|unreachable| format!("{unreachable:?}"))?;
        let mut last = None;
        loop {
            let position = self.history.position();
            if let Some((kind, addr)) = self.watch_hit() {
                last = Some((
                    position,
                    SingleThreadStopReason::Watch {
                        tid: (),
                        kind,
                        addr,
                    },
                ));
            } else if self.at_breakpoint() {
                last = Some((position, SingleThreadStopReason::SwBreak(())));
            }
            if position.saturating_add(1) >= stretch.end {
                return Ok(last);
            }
            self.history
                .step_forward(self.vm)
                .map_err(|unreachable| format!("{unreachable:?}"))?;
        }
    }
}
