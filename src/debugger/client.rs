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

use super::framing::packet;
use super::resume::Resume;
use super::target::Watchpoint;
use super::wire::Wire;
use super::{DebugOptions, RunResult, SessionEnd};
use crate::vm::{ContextObject, EbpfError, Vm};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::net::TcpStream;
use std::rc::Rc;

/// One client's connection and what it set, shared by the sessions of the VMs it follows (a
/// program and the programs it invokes). Clones share it.
#[derive(Clone)]
pub struct Client(Rc<RefCell<Shared>>);

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Client")
    }
}

/// What outlives one VM's session.
pub(super) struct Shared {
    pub wire: Wire,
    pub negotiated: Negotiated,
    pub breakpoints: BTreeSet<u64>,
    pub watchpoints: Vec<Watchpoint>,
    /// How the client last resumed the program.
    pub resume: Resume,
    /// `monitor trace on`.
    pub trace: bool,
    /// How the session ended, once it has.
    pub end: Option<SessionEnd>,
}

/// What the client negotiated, for a new gdbstub.
#[derive(Default)]
pub(super) struct Negotiated {
    /// The client's `qSupported` packet.
    features: Option<Vec<u8>>,
    pub no_ack: bool,
}

impl Negotiated {
    /// Notes what a packet gdbstub took negotiated.
    pub fn note(&mut self, packet: &[u8]) {
        let body = body_of(packet);
        if body.starts_with(b"qSupported") {
            self.features = Some(packet.to_vec());
        }
        if body == b"QStartNoAckMode" {
            self.no_ack = true;
        }
    }

    /// The packets that bring a new gdbstub to the negotiated state.
    pub fn replay(&self) -> Vec<Vec<u8>> {
        let mut packets: Vec<Vec<u8>> = self.features.iter().cloned().collect();
        if self.no_ack {
            packets.push(packet(b"QStartNoAckMode"));
        }
        packets
    }
}

/// The body of `$body#cc`.
pub(super) fn body_of(packet: &[u8]) -> &[u8] {
    packet.get(1..packet.len().saturating_sub(3)).unwrap_or(&[])
}

impl Client {
    /// A client connected on `stream`, not yet served.
    pub fn new(stream: TcpStream) -> Self {
        Client(Rc::new(RefCell::new(Shared {
            wire: Wire::new(stream),
            negotiated: Negotiated::default(),
            breakpoints: BTreeSet::new(),
            watchpoints: Vec::new(),
            resume: Resume::Continue,
            trace: false,
            end: None,
        })))
    }

    /// Runs `f` on the shared state. Never called while it is already borrowed (module docs).
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }

    /// How the session ended, once it has (a callee's session may end it).
    pub fn end(&self) -> Option<SessionEnd> {
        self.with(|shared| shared.end.clone())
    }

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
                let end =
                    super::session::run(vm, self, options, false).unwrap_or(SessionEnd::Finished);
                self.with(|shared| shared.end = Some(end.clone()));
                end
            }
        };
        (end.clone(), finish(vm, &end))
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
            return vm.execute();
        }
        match super::session::run(vm, self, options, true) {
            // The callee ended; the caller's session goes on.
            None => finish(vm, &SessionEnd::Finished),
            Some(end) => {
                self.with(|shared| shared.end = Some(end.clone()));
                finish(vm, &end)
            }
        }
    }
}

/// Finishes a run after its session: a killed run ends as killed (a run already ended keeps its
/// outcome: a caller whose callee was killed ends with the failed invoke, which says so), any
/// other runs to its end.
fn finish<C: ContextObject>(vm: &mut Vm<'_, C>, end: &SessionEnd) -> RunResult {
    match end {
        SessionEnd::Killed => vm.abort(EbpfError::Killed),
        _ => vm.execute(),
    }
}
