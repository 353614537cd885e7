//! What a debug session keeps beyond one VM: the client's connection and what it set up
//! (`client.rs` explains why it is shared), the resume mode, watchpoints, and gdbstub's
//! connection over it. The lowest part of the debugger: the sessions, the target and the run
//! all use it, and it uses only the wire.

use super::framing::packet;
use super::wire::Wire;
use super::SessionEnd;
use gdbstub::conn::Connection;
use gdbstub::target::ext::breakpoints::WatchKind;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::net::TcpStream;
use std::rc::Rc;

/// How the program goes on when the client resumes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resume {
    /// One instruction.
    Step,
    /// Until a breakpoint, a watchpoint, the end or an interrupt.
    Continue,
    /// One instruction back (history.rs).
    ReverseStep,
    /// Back to the last earlier breakpoint or watched access, or the history's beginning.
    ReverseContinue,
}

/// A watched range of guest memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Watchpoint {
    pub addr: u64,
    pub len: u64,
    pub kind: WatchKind,
}

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
}

/// gdbstub's connection: the client's wire, borrowed for each write (the wire is
/// shared by the sessions of every VM the client follows).
pub(super) struct Link(pub(super) Client);

impl Connection for Link {
    type Error = std::io::Error;

    fn write(&mut self, byte: u8) -> Result<(), Self::Error> {
        self.0.with(|shared| shared.wire.queue(&[byte]));
        Ok(())
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), Self::Error> {
        self.0.with(|shared| shared.wire.queue(bytes));
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.with(|shared| shared.wire.send())
    }
}
