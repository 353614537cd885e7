//! The client's side of a session, shared by every VM it follows: one program and the programs it
//! invokes.
//!
//! A program that invokes another runs the callee in a nested VM *inside* one of its own steps
//! (the invoke syscall). The client sees one process throughout, so what it set up must outlive
//! any one VM and be at hand inside that step, while the caller's session waits, Running, for a
//! stop to report:
//!
//! ```text
//!   Client = Rc<RefCell<Shared>>: the wire, what was negotiated, breakpoints, watchpoints,
//!   │                             how the client last resumed, trace, the session's end
//!   ├── the caller's session: gdbstub ──► DebugTarget(caller's VM) ── step: invoke ──┐
//!   └── the callee's session: a fresh gdbstub ──► DebugTarget(callee's VM)  ◄────────┘
//!         started Running (a muted replay of the negotiated packets and of the client's last
//!         `vCont;c`/`vCont;s`); reports the callee's stops; returns, reporting nothing, when
//!         the callee ends — the caller's run then goes on as the client last resumed
//! ```
//!
//! The state is borrowed only briefly — never across a VM step, so a callee's session (which
//! runs inside a step) can take it — and never across a call into gdbstub that may call back.
//! Once the session is over (a detach, a kill, a lost connection), every VM still to run in the
//! instruction runs undebugged: a callee finishes by itself and its caller's session ends too.

use super::session;
use super::shared::Client;
use super::{DebugOptions, RunResult, SessionEnd, KILLED};
use crate::vm::{ContextObject, Vm};

impl Client {
    /// Serves the client the top-level program's VM until it detaches, kills the program, the
    /// program ends or the connection fails; then finishes the run. The session follows the
    /// program into the programs it invokes when their VMs are run with [`Client::serve_callee`].
    pub fn serve<C: ContextObject>(
        &self,
        vm: &mut Vm<'_, C>,
        options: &DebugOptions,
    ) -> (SessionEnd, RunResult) {
        let end = match self.end() {
            Some(end) => end,
            None => {
                let end = session::run(vm, self, options, false).unwrap_or(SessionEnd::Finished);
                self.with(|shared| shared.end = Some(end.clone()));
                end
            }
        };
        (end.clone(), finish(vm, &end, options))
    }

    /// Serves the client the VM of an invoked program (called inside the caller's step, while
    /// the caller's session waits for a stop): its stops are reported to the client as the
    /// program's; when it ends, nothing is reported and the caller goes on as the client last
    /// resumed. Once the session is over, the VM simply runs.
    pub fn serve_callee<C: ContextObject>(
        &self,
        vm: &mut Vm<'_, C>,
        options: &DebugOptions,
    ) -> RunResult {
        // Over already (a detach, or a later instruction's program): nothing to follow.
        if self.end().is_some() {
            return vm.execute_with(options.engine);
        }
        match session::run(vm, self, options, true) {
            // The callee ended; the caller's session goes on.
            None => finish(vm, &SessionEnd::Finished, options),
            Some(end) => {
                self.with(|shared| shared.end = Some(end.clone()));
                finish(vm, &end, options)
            }
        }
    }
}

/// Finishes a run after its session (which left it at the present of its record, never in
/// the past: session.rs): a killed run is aborted with [`KILLED`] (a run already ended keeps
/// its outcome: a caller whose callee was killed ends with the failed invoke, which says so),
/// any other runs to its end with the session's engine.
fn finish<C: ContextObject>(
    vm: &mut Vm<'_, C>,
    end: &SessionEnd,
    options: &DebugOptions,
) -> RunResult {
    match end {
        SessionEnd::Killed => vm.abort(KILLED),
        _ => vm.execute_with(options.engine),
    }
}
