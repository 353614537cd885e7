//! One client's session: gdbstub's state machine, driven by hand so that a bad request gets an
//! error reply instead of ending the session.
//!
//! gdbstub 0.7 answers most bad requests itself (`E..` for a target's refusal, an empty reply for
//! an unknown packet), but a request it cannot parse or carry out — `m` with a bad address, `Z`
//! without a kind, `G` of the wrong size, a `qXfer` annex it does not serve, `vCont;r` — is an
//! error that consumes the stub: its state machine is gone. So the session:
//!
//! ```text
//!   Wire (framing, wire.rs) ──► gdbstub state machine ──► DebugTarget
//!            ▲                          │ a request it cannot take
//!            │    E16 + a note on stderr │
//!            └──── new gdbstub ◄─────────┘ brought back to the negotiated state
//! ```
//!
//! What a gdbstub remembers of a session is small (gdbstub 0.7, `stub/core_impl.rs`): whether
//! acks are off (`QStartNoAckMode`), whether the client speaks multiprocess (`qSupported`), and
//! the threads named by `H` (meaningless for one thread, which is all a program is). The session
//! keeps the two packets that set the first two and replays them, muted, into the new gdbstub.
//! Requests only fail while the program is stopped (packets that arrive while it runs wait for the
//! stop; see [`super::wire::Wire::interrupt_requested`]), so the new gdbstub starts where the old one was: idle.
//!
//! Ctrl-C never reaches gdbstub: the wire keeps it (framing.rs) and the run asks for it
//! ([`run_until_stop`]), so one that arrives while the program is stopped interrupts the next
//! resume, as the gdb manual asks (“Interrupts”), whatever gdbstub is serving by then.
//!
//! The session serves one VM. A program that invokes another runs the callee's VM inside one of
//! its steps; the callee's session (`callee`, client.rs) is this same loop on the shared client,
//! with two differences: its first gdbstub is brought to Running as well (the client's last
//! `vCont;c` or `vCont;s` replayed, muted, since the client is waiting for a stop), and the
//! callee's end is not reported — the loop returns and the caller's run goes on (run.rs).
//!
//! A limit of gdbstub 0.7: the old `C`/`S` packets (continue or step with a signal) get the
//! empty reply of an unsupported packet, and clients use `vCont`, which `vCont?` offers with `C`
//! and `S`.

use super::framing::{packet, Incoming, PACKET_LIMIT, QUEUE_LIMIT};
use super::run::{run_until_stop, Ran};
use super::shared::{body_of, Client, Link, Resume};
use super::target::{DebugTarget, Stop};
use super::{DebugOptions, SessionEnd};
use crate::vm::{ContextObject, Vm};
use gdbstub::common::Signal;
use gdbstub::stub::state_machine::GdbStubStateMachine;
use gdbstub::stub::{DisconnectReason, GdbStub, GdbStubError, SingleThreadStopReason};
use std::io::{ErrorKind, Write};

type Machine<'v, 'a, C> = GdbStubStateMachine<'static, DebugTarget<'v, 'a, C>, Link>;
type StubError = GdbStubError<&'static str, std::io::Error>;

/// Why one gdbstub's run ended short of the session's end.
enum Break {
    /// gdbstub could not take this packet: the session answers it and goes on.
    Refused { packet: Vec<u8>, reason: String },
    /// This VM's session cannot go on: the session ended, or (`None`) the callee it served ended.
    Over(Option<SessionEnd>),
}

/// Serves the client `vm` until the session ends — or, for a `callee` (an invoked program's VM,
/// client.rs), until the callee's run ends, which is `None`: nothing is reported then, the
/// caller's session goes on.
pub(super) fn run<C: ContextObject>(
    vm: &mut Vm<'_, C>,
    client: &Client,
    options: &DebugOptions,
    callee: bool,
) -> Option<SessionEnd> {
    let notes = Notes(options.stderr_notes);
    let mut target = DebugTarget::new(vm, options, client.clone());
    // A callee's first gdbstub starts Running, resumed as the client last resumed the program.
    let mut resumed = None;
    if callee {
        target.callee = true;
        let resume = client.with(|shared| shared.resume);
        match resume {
            // A step into the invoke stops at the callee's first instruction, before it runs.
            Resume::Step => target.pending_stop = Some(SingleThreadStopReason::DoneStep),
            // Nothing was reported at the callee's first instruction: a breakpoint there hits.
            // (A callee runs only live, going forward: a replay puts an invoke's record back.)
            Resume::Continue | Resume::ReverseStep | Resume::ReverseContinue => {
                target.entry_unreported = true
            }
        }
        resumed = Some(resume);
    }
    let end = loop {
        match serve_with_one_stub(&mut target, client, resumed.take(), notes) {
            Break::Over(end) => break end,
            Break::Refused { packet, reason } => {
                notes.say(&format!(
                    "answered E16 to `{}`: {reason}",
                    preview(body_of(&packet))
                ));
                if let Err(error) = client.with(|shared| shared.wire.answer_error()) {
                    break Some(connection_end(error));
                }
            }
        }
    };
    if let Some(SessionEnd::Lost { reason }) = &end {
        notes.say(&format!("{reason}; the program runs on by itself"));
    }
    // A session that ends with the program in its recorded past (a detach, a kill or a lost
    // connection after going back) leaves it at the present, where the host's state is: the
    // run then goes on, or is aborted, from there, with every syscall called once.
    target.return_to_present();
    end
}

/// Runs one gdbstub until the session ends or it meets a packet it cannot take; `resumed`
/// brings it to Running first (a callee's first gdbstub).
fn serve_with_one_stub<C: ContextObject>(
    target: &mut DebugTarget<'_, '_, C>,
    client: &Client,
    resumed: Option<Resume>,
    notes: Notes,
) -> Break {
    let mut machine: Machine<'_, '_, C> =
        match GdbStub::new(Link(client.clone())).run_state_machine(target) {
            Ok(machine) => machine,
            Err(error) => return stub_failure(error),
        };
    // Bring a new gdbstub to what the client negotiated with the last one, silently.
    let mut replay = client.with(|shared| shared.negotiated.replay());
    match resumed {
        Some(Resume::Continue | Resume::ReverseStep | Resume::ReverseContinue) => {
            replay.push(packet(b"vCont;c"))
        }
        Some(Resume::Step) => replay.push(packet(b"vCont;s")),
        None => {}
    }
    if !replay.is_empty() {
        client.with(|shared| shared.wire.muted = true);
        for packet in &replay {
            machine = match feed(machine, target, packet) {
                Ok(machine) => machine,
                Err(error) => return stub_failure(error),
            };
        }
        client.with(|shared| {
            let _ = shared.wire.send();
            shared.wire.muted = false;
        });
    }
    loop {
        machine = match advance(machine, target, client, notes) {
            Ok(machine) => machine,
            Err(end) => return end,
        };
    }
}

/// One move of the session: a request handled, a run reported, a Ctrl-C, or the end.
fn advance<'v, 'a, C: ContextObject>(
    machine: Machine<'v, 'a, C>,
    target: &mut DebugTarget<'v, 'a, C>,
    client: &Client,
    notes: Notes,
) -> Result<Machine<'v, 'a, C>, Break> {
    match machine {
        GdbStubStateMachine::Idle(gdb) => {
            let incoming = client.with(|shared| shared.wire.next());
            match incoming.map_err(|error| Break::Over(Some(connection_end(error))))? {
                Incoming::Packet(packet) => match feed(gdb.into(), target, &packet) {
                    Ok(machine) => {
                        client.with(|shared| {
                            shared.negotiated.note(&packet);
                            shared.wire.no_ack = shared.negotiated.no_ack;
                        });
                        Ok(machine)
                    }
                    Err(error) if error.is_connection_error() => Err(stub_failure(error)),
                    Err(error) => Err(Break::Refused {
                        packet,
                        reason: refusal_reason(&error),
                    }),
                },
                Incoming::Nack => {
                    sent(client.with(|shared| shared.wire.retransmit()))?;
                    Ok(gdb.into())
                }
                Incoming::Garbled { body } => {
                    notes.say(&format!(
                        "a packet arrived garbled (its checksum does not match its body): `{}`",
                        preview(&body)
                    ));
                    sent(client.with(|shared| shared.wire.reject_garbled()))?;
                    Ok(gdb.into())
                }
                Incoming::Unread { requests } => {
                    notes.say(&format!(
                        "answered E16 to {requests} requests sent while the program ran, unread: \
                         the stub keeps the first {QUEUE_LIMIT} for the stop"
                    ));
                    sent(client.with(|shared| shared.wire.answer_unread(requests)))?;
                    Ok(gdb.into())
                }
                Incoming::TooLong { len } => {
                    notes.say(&format!(
                        "answered E16 to a packet of {len} bytes: the stub takes packets of up \
                         to {PACKET_LIMIT} bytes (the PacketSize it announces)"
                    ));
                    sent(client.with(|shared| shared.wire.answer_error()))?;
                    Ok(gdb.into())
                }
            }
        }
        GdbStubStateMachine::Running(gdb) => {
            match run_until_stop(target)
                .map_err(|error| Break::Over(Some(connection_end(error))))?
            {
                // A callee's end is not the program's: its caller goes on, and reports.
                Ran::Stop(
                    SingleThreadStopReason::Exited(_) | SingleThreadStopReason::Terminated(_),
                ) if target.callee => Err(Break::Over(None)),
                Ran::Stop(stop) => gdb.report_stop(target, stop).map_err(stub_failure),
                Ran::Over(end) => Err(Break::Over(Some(end))),
            }
        }
        // Not reached (Ctrl-C never reaches gdbstub, module docs); answered as gdbstub asks.
        GdbStubStateMachine::CtrlCInterrupt(gdb) => {
            let stop: Option<Stop> = Some(Stop::Signal(Signal::SIGINT));
            gdb.interrupt_handled(target, stop).map_err(stub_failure)
        }
        GdbStubStateMachine::Disconnected(gdb) => Err(Break::Over(Some(match gdb.get_reason() {
            DisconnectReason::Kill => SessionEnd::Killed,
            DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_) => {
                SessionEnd::Finished
            }
            DisconnectReason::Disconnect => SessionEnd::Detached,
        }))),
    }
}

/// A reply the session wrote itself, sent or not.
fn sent(result: std::io::Result<()>) -> Result<(), Break> {
    result.map_err(|error| Break::Over(Some(connection_end(error))))
}

/// Hands gdbstub one whole packet (it takes bytes one at a time).
fn feed<'v, 'a, C: ContextObject>(
    mut machine: Machine<'v, 'a, C>,
    target: &mut DebugTarget<'v, 'a, C>,
    packet: &[u8],
) -> Result<Machine<'v, 'a, C>, StubError> {
    for byte in packet {
        machine = match machine {
            GdbStubStateMachine::Idle(gdb) => gdb.incoming_data(target, *byte)?,
            GdbStubStateMachine::Running(gdb) => gdb.incoming_data(target, *byte)?,
            // A packet's last byte is the only one that can change the state.
            other => return Ok(other),
        };
    }
    Ok(machine)
}

/// What gdbstub says of a packet it could not take. Its `Display` texts for these cases ask the
/// reader to file a gdbstub issue; the kind of error (its `Debug`) says what happened.
fn refusal_reason(error: &StubError) -> String {
    let kind = format!("{error:?}");
    let kind = kind
        .strip_prefix("GdbStubError { kind: ")
        .and_then(|kind| kind.strip_suffix(" }"))
        .unwrap_or(&kind);
    format!("malformed, or a request this stub does not carry out (gdbstub: {kind})")
}

/// A gdbstub error that is not a refused packet: the session cannot go on.
fn stub_failure(error: StubError) -> Break {
    let reason = format!("the stub failed: {error}");
    Break::Over(Some(match error.into_connection_error() {
        Some((error, _)) => connection_end(error),
        None => SessionEnd::Lost { reason },
    }))
}

/// How a connection error ends the session: a closed connection is the client leaving.
fn connection_end(error: std::io::Error) -> SessionEnd {
    match error.kind() {
        ErrorKind::UnexpectedEof => SessionEnd::Detached,
        _ => SessionEnd::Lost {
            reason: format!("the connection failed: {error}"),
        },
    }
}

/// A packet body for a person: printable, and short.
fn preview(body: &[u8]) -> String {
    const SHOWN: usize = 64;
    let text = String::from_utf8_lossy(&body[..body.len().min(SHOWN)])
        .escape_debug()
        .to_string();
    if body.len() > SHOWN {
        format!("{text}…")
    } else {
        text
    }
}

/// Tells the person running the debugger what happened to the session, if they want to know
/// ([`super::DebugOptions::stderr_notes`]).
#[derive(Debug, Clone, Copy)]
struct Notes(bool);

impl Notes {
    fn say(self, message: &str) {
        if self.0 {
            // A closed stderr must not take the session down (eprintln! would panic).
            let _ = writeln!(std::io::stderr(), "sbvm debugger: {message}");
        }
    }
}
