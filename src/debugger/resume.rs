//! Resuming, gdbstub's resume and single-step extensions: the client's `vCont;c`/`vCont;s`
//! (with or without a signal) — and `bc`/`bs`, which reverse.rs takes — only choose how the
//! program goes on; run.rs runs it.

use super::shared::Resume;
use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::common::Signal;
use gdbstub::target::ext::base::reverse_exec::{ReverseContOps, ReverseStepOps};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadResume, SingleThreadSingleStep, SingleThreadSingleStepOps,
};

impl<C: ContextObject> SingleThreadResume for DebugTarget<'_, '_, C> {
    /// The signal is discarded: an sBPF program has no signal handlers to deliver it to. After a
    /// fault the run has ended, so resuming (with the fault's signal, as gdb and lldb do, or
    /// without) reports that end: the process terminated by the fault's signal.
    fn resume(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.client.with(|shared| shared.resume = Resume::Continue);
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }

    /// `bs`: reverse.rs.
    fn support_reverse_step(&mut self) -> Option<ReverseStepOps<'_, (), Self>> {
        Some(self)
    }

    /// `bc`: reverse.rs.
    fn support_reverse_cont(&mut self) -> Option<ReverseContOps<'_, (), Self>> {
        Some(self)
    }
}

impl<C: ContextObject> SingleThreadSingleStep for DebugTarget<'_, '_, C> {
    /// The signal is discarded, as for [`SingleThreadResume::resume`].
    fn step(&mut self, _signal: Option<Signal>) -> Result<(), Self::Error> {
        self.client.with(|shared| shared.resume = Resume::Step);
        Ok(())
    }
}
