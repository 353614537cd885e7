//! The TCP connection, framed before gdbstub sees it.
//!
//! gdbstub 0.7 ends a session on the first packet it cannot take: a bad checksum, a packet larger
//! than its buffer, a stray byte between packets, a `-` (it does not retransmit). So the session
//! reads the stream itself and hands gdbstub only what it can take:
//!
//! ```text
//!   client bytes ──► Wire::next ──► Incoming::Packet ($body#cc, checksum checked, ≤ 4096 bytes) ──► gdbstub
//!                               ├─► Incoming::Interrupt (0x03)                                  ──► gdbstub
//!                               ├─► Incoming::Nack (-)        the last reply is sent again
//!                               ├─► Incoming::Garbled         `-` asks for it again (E16 once acks are off)
//!                               └─► Incoming::TooLong         answered E16
//!   `+` and bytes outside any packet are dropped (the protocol tells stubs to ignore them).
//! ```
//!
//! Replies go the other way through [`Link`], gdbstub's connection: the bytes of a reply wait in
//! the wire until gdbstub flushes it, so a reply that gdbstub abandons half-written (it fails
//! after starting to answer) can be dropped and replaced by an error reply
//! ([`Wire::answer_error`]).

use gdbstub::conn::Connection;
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

/// The largest packet, `$`…`#cc` included: gdbstub's packet buffer (the default of its builder,
/// announced to the client as `PacketSize` in the `qSupported` reply).
pub(super) const PACKET_LIMIT: usize = 4096;

/// The error reply for a request the stub cannot carry out as sent: `E16`, EINVAL.
const INVALID_REQUEST: &[u8] = b"E16";

/// One thing the client sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Incoming {
    /// A whole packet, `$body#cc`, with a checksum that matches.
    Packet(Vec<u8>),
    /// Ctrl-C.
    Interrupt,
    /// `-`: the client asks for the last reply again.
    Nack,
    /// A packet whose checksum does not match its body.
    Garbled { body: Vec<u8> },
    /// A packet longer than [`PACKET_LIMIT`] (its bytes are dropped as they arrive).
    TooLong { len: usize },
}

/// Where the framer is inside the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// Between packets.
    Between,
    /// Inside a packet too long to keep: `len` bytes so far, `hash` once `#` arrived (and how
    /// many checksum digits followed it).
    Dropping { len: usize, hash: Option<u8> },
}

/// The client's connection: framed reads, buffered replies.
pub(super) struct Wire {
    stream: TcpStream,
    /// Bytes read and not yet framed.
    inbox: Vec<u8>,
    framing: Framing,
    /// Framed and not yet handed out.
    pending: VecDeque<Incoming>,
    /// Reply bytes gdbstub wrote and has not flushed.
    outgoing: Vec<u8>,
    /// The last reply packet sent, for a `-`.
    last_reply: Vec<u8>,
    /// Replies are swallowed (while a new gdbstub is brought to the negotiated state).
    pub(super) muted: bool,
    /// The client and the stub agreed to stop sending `+`/`-` (`QStartNoAckMode`).
    pub(super) no_ack: bool,
}

impl Wire {
    pub(super) fn new(stream: TcpStream) -> Self {
        // Replies are small and a client waits for each one.
        let _ = stream.set_nodelay(true);
        Wire {
            stream,
            inbox: Vec::new(),
            framing: Framing::Between,
            pending: VecDeque::new(),
            outgoing: Vec::new(),
            last_reply: Vec::new(),
            muted: false,
            no_ack: false,
        }
    }

    /// The next thing the client sent, waiting for it. A closed connection is `UnexpectedEof`.
    pub(super) fn next(&mut self) -> std::io::Result<Incoming> {
        loop {
            if let Some(incoming) = self.pending.pop_front() {
                return Ok(incoming);
            }
            self.stream.set_nonblocking(false)?;
            self.receive()?;
        }
    }

    /// Whether the client sent Ctrl-C, without waiting. Packets that arrive while the program
    /// runs wait for the stop (the client should not send any then, in all-stop mode).
    pub(super) fn interrupt_requested(&mut self) -> std::io::Result<bool> {
        self.stream.set_nonblocking(true)?;
        let received = self.receive();
        self.stream.set_nonblocking(false)?;
        match received {
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            other => other?,
        }
        let interrupt = self.pending.iter().position(|i| *i == Incoming::Interrupt);
        Ok(interrupt.and_then(|at| self.pending.remove(at)).is_some())
    }

    /// Reads what the stream has (blocking or not, as it is set) and frames it.
    fn receive(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 4096];
        let read = loop {
            match self.stream.read(&mut chunk) {
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        if read == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        self.inbox.extend_from_slice(&chunk[..read]);
        self.frame();
        Ok(())
    }

    /// Moves every whole item of the inbox to `pending`.
    fn frame(&mut self) {
        let mut at = 0;
        while at < self.inbox.len() {
            if let Framing::Dropping { len, hash } = self.framing {
                let byte = self.inbox[at];
                at += 1;
                self.framing = match hash {
                    None if byte == b'#' => Framing::Dropping {
                        len: len + 1,
                        hash: Some(0),
                    },
                    None => Framing::Dropping {
                        len: len + 1,
                        hash: None,
                    },
                    Some(digits) if digits < 1 => Framing::Dropping {
                        len: len + 1,
                        hash: Some(digits + 1),
                    },
                    Some(_) => {
                        self.pending.push_back(Incoming::TooLong { len: len + 1 });
                        Framing::Between
                    }
                };
                continue;
            }
            match self.inbox[at] {
                b'$' => {
                    let rest = &self.inbox[at..];
                    let whole = rest
                        .iter()
                        .position(|byte| *byte == b'#')
                        .map(|hash| hash + 3)
                        .filter(|end| *end <= rest.len());
                    match whole {
                        Some(end) if end <= PACKET_LIMIT => {
                            self.pending.push_back(checked(&rest[..end]));
                            at += end;
                        }
                        Some(end) => {
                            self.pending.push_back(Incoming::TooLong { len: end });
                            at += end;
                        }
                        // Not all here yet: keep it, unless it is already too long to keep.
                        None if rest.len() > PACKET_LIMIT => {
                            // A `#` here is among the last two bytes (else the packet
                            // would be whole): count the checksum digits after it.
                            let hash = rest
                                .iter()
                                .position(|byte| *byte == b'#')
                                .map(|hash| (rest.len() - 1 - hash) as u8);
                            self.framing = Framing::Dropping {
                                len: rest.len(),
                                hash,
                            };
                            at = self.inbox.len();
                        }
                        None => break,
                    }
                }
                0x03 => {
                    self.pending.push_back(Incoming::Interrupt);
                    at += 1;
                }
                b'-' => {
                    self.pending.push_back(Incoming::Nack);
                    at += 1;
                }
                // `+` acknowledges our last reply; anything else outside a packet is noise.
                _ => at += 1,
            }
        }
        self.inbox.drain(..at);
    }

    /// Sends the last reply again (the client's `-`).
    pub(super) fn retransmit(&mut self) -> std::io::Result<()> {
        if self.no_ack || self.last_reply.is_empty() {
            return Ok(());
        }
        Write::write_all(&mut self.stream, &self.last_reply)
    }

    /// Tells the client its packet arrived garbled: `-` asks for it again; once acks are off
    /// there is no asking, so the packet gets an error reply.
    pub(super) fn reject_garbled(&mut self) -> std::io::Result<()> {
        if self.no_ack {
            self.answer_error()
        } else {
            Write::write_all(&mut self.stream, b"-")
        }
    }

    /// Answers the packet being handled with an error reply, in place of whatever gdbstub
    /// started to write for it: its `+` stays (or is added), a half-written reply goes.
    pub(super) fn answer_error(&mut self) -> std::io::Result<()> {
        let acked = self.outgoing.first() == Some(&b'+');
        if let Some(start) = self.outgoing.iter().position(|byte| *byte == b'$') {
            self.outgoing.truncate(start);
        }
        if !acked && !self.no_ack {
            self.outgoing.insert(0, b'+');
        }
        self.outgoing.extend_from_slice(&packet(INVALID_REQUEST));
        self.send()
    }

    /// Sends the buffered reply bytes, remembering the last packet among them.
    pub(super) fn send(&mut self) -> std::io::Result<()> {
        if self.muted {
            self.outgoing.clear();
            return Ok(());
        }
        if let Some(start) = self.outgoing.iter().rposition(|byte| *byte == b'$') {
            self.last_reply = self.outgoing[start..].to_vec();
        }
        let bytes = std::mem::take(&mut self.outgoing);
        Write::write_all(&mut self.stream, &bytes)
    }
}

/// `bytes` (`$body#cc`) as a packet, if its checksum matches.
fn checked(bytes: &[u8]) -> Incoming {
    let body = &bytes[1..bytes.len() - 3];
    let sum = body.iter().fold(0u8, |sum, byte| sum.wrapping_add(*byte));
    let digits = std::str::from_utf8(&bytes[bytes.len() - 2..]).ok();
    match digits.and_then(|digits| u8::from_str_radix(digits, 16).ok()) {
        Some(checksum) if checksum == sum => Incoming::Packet(bytes.to_vec()),
        _ => Incoming::Garbled {
            body: body.to_vec(),
        },
    }
}

/// `body` framed as a packet.
pub(super) fn packet(body: &[u8]) -> Vec<u8> {
    let sum = body.iter().fold(0u8, |sum, byte| sum.wrapping_add(*byte));
    let mut bytes = Vec::with_capacity(body.len() + 4);
    bytes.push(b'$');
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(format!("#{sum:02x}").as_bytes());
    bytes
}

/// gdbstub's connection: the wire, lent for the life of one gdbstub.
pub(super) struct Link<'w>(pub(super) &'w mut Wire);

impl Connection for Link<'_> {
    type Error = std::io::Error;

    fn write(&mut self, byte: u8) -> Result<(), Self::Error> {
        self.0.outgoing.push(byte);
        Ok(())
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), Self::Error> {
        self.0.outgoing.extend_from_slice(bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.send()
    }
}
