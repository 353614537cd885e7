//! The blocking event loop: runs the VM until something worth telling the client happens, and
//! checks for incoming bytes (an interrupt) every few hundred instructions.

use super::target::{DebugTarget, Resume};
use crate::vm::ContextObject;
use gdbstub::common::Signal;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::Target;
use std::marker::PhantomData;
use std::net::TcpStream;

/// Instructions between two looks at the connection while running.
const POLL_EVERY: u32 = 256;

pub(super) struct VmEventLoop<'v, 'a, C>(PhantomData<(&'v (), &'a (), C)>);

type Stop = SingleThreadStopReason<u64>;

impl<'v, 'a: 'v, C: ContextObject + 'a> BlockingEventLoop for VmEventLoop<'v, 'a, C> {
    type Target = DebugTarget<'v, 'a, C>;
    type Connection = TcpStream;
    type StopReason = Stop;

    fn wait_for_stop_reason(
        target: &mut Self::Target,
        conn: &mut Self::Connection,
    ) -> Result<
        Event<Stop>,
        WaitForStopReasonError<
            <Self::Target as Target>::Error,
            <Self::Connection as Connection>::Error,
        >,
    > {
        if let Some(stop) = target.finished_stop() {
            return Ok(Event::TargetStopped(stop));
        }
        if target.resume == Resume::Step {
            let watched = target.watch_hit();
            let stop = target.step_vm();
            return Ok(Event::TargetStopped(stop.unwrap_or(match watched {
                Some((kind, addr)) => SingleThreadStopReason::Watch {
                    tid: (),
                    kind,
                    addr,
                },
                None => SingleThreadStopReason::DoneStep,
            })));
        }
        let mut first = true;
        let mut countdown = POLL_EVERY;
        loop {
            // A breakpoint where the run resumes has just been reported: go past it first.
            if !first && target.breakpoints.contains(&target.pc_address()) {
                return Ok(Event::TargetStopped(SingleThreadStopReason::SwBreak(())));
            }
            first = false;
            let watched = target.watch_hit();
            if let Some(stop) = target.step_vm() {
                return Ok(Event::TargetStopped(stop));
            }
            if let Some((kind, addr)) = watched {
                return Ok(Event::TargetStopped(SingleThreadStopReason::Watch {
                    tid: (),
                    kind,
                    addr,
                }));
            }
            countdown -= 1;
            if countdown == 0 {
                countdown = POLL_EVERY;
                match conn.peek() {
                    Ok(Some(_)) => {
                        let byte = conn.read().map_err(WaitForStopReasonError::Connection)?;
                        return Ok(Event::IncomingData(byte));
                    }
                    Ok(None) => {}
                    Err(error) => return Err(WaitForStopReasonError::Connection(error)),
                }
            }
        }
    }

    fn on_interrupt(
        _target: &mut Self::Target,
    ) -> Result<Option<Stop>, <Self::Target as Target>::Error> {
        Ok(Some(SingleThreadStopReason::Signal(Signal::SIGINT)))
    }
}
