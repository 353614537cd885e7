//! Running the program for the client: until something worth telling it happens, with a look
//! at the connection for Ctrl-C when the run starts and every so often (every few hundred
//! instructions the debugger steps itself, every million the engine runs between marks).
//!
//! ```text
//!   backwards (bs, bc)      → reverse.rs, through the record
//!   forward, in the past    → one step at a time, from the record (history.rs)
//!   forward, at the present → continue: the engine's loop until a mark (until_marked.rs);
//!                             at a mark, or for a single step, one step here: the breakpoint
//!                             and watchpoints looked at, the step recorded
//! ```
//!
//! One step may run a whole nested VM: an invoke syscall runs the callee under its own session
//! (client.rs), which may report stops, take requests and resumes, and end the session. So
//! after every step the run asks the shared state again: is the session over (the client
//! detached or killed inside the callee)? How did the client last resume? A single step that
//! ended the callee stops here, after the invoke completes; a continue goes on.

use super::shared::Resume;
use super::target::{DebugTarget, Stop};
use super::until_marked::Stretch;
use super::SessionEnd;
use crate::vm::ContextObject;
use gdbstub::common::Signal;
use gdbstub::stub::SingleThreadStopReason;

/// Instructions stepped here between two looks at the connection.
const POLL_EVERY: u32 = 256;

/// How a run for the client ended.
pub(super) enum Ran {
    /// A stop to report (or, for a callee, its end).
    Stop(Stop),
    /// The session ended while a callee ran inside the last step.
    Over(SessionEnd),
}

/// Resumes the program as the client asked (one step or a continue) and returns why it stopped.
/// Fails only when the connection does.
pub(super) fn run_until_stop<C: ContextObject>(
    target: &mut DebugTarget<'_, '_, C>,
) -> std::io::Result<Ran> {
    if let Some(stop) = target.pending_stop.take() {
        return Ok(Ran::Stop(stop));
    }
    // Going back needs no host and is bounded by the record: no look at the connection.
    match target.resume() {
        Resume::ReverseStep => return Ok(Ran::Stop(target.step_back())),
        Resume::ReverseContinue => return Ok(Ran::Stop(target.continue_back())),
        Resume::Step | Resume::Continue => {}
    }
    if let Some(stop) = target.finished_stop() {
        return Ok(Ran::Stop(stop));
    }
    // A Ctrl-C that came while the program was stopped interrupts this resume (gdb manual,
    // “Interrupts”), before it runs anything.
    if target.interrupt_requested()? {
        return Ok(Ran::Stop(SingleThreadStopReason::Signal(Signal::SIGINT)));
    }
    // A breakpoint where the run resumes has just been reported: go past it first. A callee's
    // first instruction has not been reported.
    let mut past_breakpoint = !std::mem::take(&mut target.entry_unreported);
    // The instruction where the run resumes may be marked (until_marked.rs): it is stepped here.
    let mut interpret_next = past_breakpoint;
    let mut countdown = POLL_EVERY;
    loop {
        let resume = target.resume();
        if !past_breakpoint && resume == Resume::Continue && target.at_breakpoint() {
            return Ok(Ran::Stop(SingleThreadStopReason::SwBreak(())));
        }
        past_breakpoint = false;
        if resume == Resume::Continue && !interpret_next && target.runs_until_marked() {
            match target.run_until_marked() {
                // A breakpoint, a watched access or a syscall: looked at, then stepped here.
                Stretch::AtMark => interpret_next = true,
                Stretch::Paused => {
                    if target.interrupt_requested()? {
                        return Ok(Ran::Stop(SingleThreadStopReason::Signal(Signal::SIGINT)));
                    }
                }
                Stretch::Ended(stop) => return Ok(Ran::Stop(stop)),
            }
            continue;
        }
        interpret_next = false;
        let watched = target.watch_hit();
        let stopped = target.step_vm();
        // A callee that ran inside this step may have ended the session (its invoke then
        // failed: nothing more is reported).
        if let Some(end) = target.client.end() {
            return Ok(Ran::Over(end));
        }
        if let Some(stop) = stopped {
            return Ok(Ran::Stop(stop));
        }
        if let Some((kind, addr)) = watched {
            return Ok(Ran::Stop(SingleThreadStopReason::Watch {
                tid: (),
                kind,
                addr,
            }));
        }
        // Asked again: a callee's session may have changed it.
        if target.resume() == Resume::Step {
            return Ok(Ran::Stop(SingleThreadStopReason::DoneStep));
        }
        countdown -= 1;
        if countdown == 0 {
            countdown = POLL_EVERY;
            if target.interrupt_requested()? {
                return Ok(Ran::Stop(SingleThreadStopReason::Signal(Signal::SIGINT)));
            }
        }
    }
}
