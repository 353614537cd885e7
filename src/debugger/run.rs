//! Running the program for the client: until something worth telling it happens, with a look
//! at the connection for Ctrl-C when the run starts and every few hundred instructions.

use super::resume::Resume;
use super::target::DebugTarget;
use super::wire::Wire;
use crate::vm::ContextObject;
use gdbstub::common::Signal;
use gdbstub::stub::SingleThreadStopReason;

/// Instructions between two looks at the connection while running.
const POLL_EVERY: u32 = 256;

pub(super) type Stop = SingleThreadStopReason<u64>;

/// Resumes the program as the client asked (one step or a continue) and returns why it stopped.
/// Fails only when the connection does.
pub(super) fn run_until_stop<C: ContextObject>(
    target: &mut DebugTarget<'_, '_, C>,
    wire: &mut Wire,
) -> std::io::Result<Stop> {
    if let Some(stop) = target.finished_stop() {
        return Ok(stop);
    }
    // A Ctrl-C that came while the program was stopped interrupts this resume (gdb manual,
    // “Interrupts”), before it runs anything.
    if wire.interrupt_requested()? {
        return Ok(SingleThreadStopReason::Signal(Signal::SIGINT));
    }
    if target.resume == Resume::Step {
        let watched = target.watch_hit();
        let stop = target.step_vm();
        return Ok(stop.unwrap_or(match watched {
            Some((kind, addr)) => SingleThreadStopReason::Watch {
                tid: (),
                kind,
                addr,
            },
            None => SingleThreadStopReason::DoneStep,
        }));
    }
    let mut first = true;
    let mut countdown = POLL_EVERY;
    loop {
        // A breakpoint where the run resumes has just been reported: go past it first.
        if !first && target.breakpoints.contains(&target.pc_address()) {
            return Ok(SingleThreadStopReason::SwBreak(()));
        }
        first = false;
        let watched = target.watch_hit();
        if let Some(stop) = target.step_vm() {
            return Ok(stop);
        }
        if let Some((kind, addr)) = watched {
            return Ok(SingleThreadStopReason::Watch {
                tid: (),
                kind,
                addr,
            });
        }
        countdown -= 1;
        if countdown == 0 {
            countdown = POLL_EVERY;
            if wire.interrupt_requested()? {
                return Ok(SingleThreadStopReason::Signal(Signal::SIGINT));
            }
        }
    }
}
