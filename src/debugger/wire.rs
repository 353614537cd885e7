//! The TCP connection, read and written for gdbstub.
//!
//! gdbstub 0.7 ends a session on the first bytes it cannot take: a bad checksum, a packet larger
//! than its buffer, a stray byte between packets, a `-` (it does not retransmit). So the session
//! reads the stream itself ([`Framer`], framing.rs) and hands gdbstub only what it can take:
//!
//! ```text
//!   client ──► Wire::next ─┬─► Packet (checksum checked, ≤ 4,096 bytes) ──► gdbstub
//!                          ├─► Nack (`-`)   the last reply is sent again
//!                          ├─► Garbled      `-` asks for it again (E16 once acks are off)
//!                          ├─► TooLong      answered E16
//!                          └─► Unread       requests beyond the queue: each answered E16
//!
//!   Ctrl-C (0x03) ──► Wire::interrupt_requested, asked by run.rs when a run starts and while
//!                     it goes on
//! ```
//!
//! While the program runs the session takes nothing from the queue, and the wire keeps reading
//! (a little, every few hundred instructions) so that a Ctrl-C behind anything else is seen; the
//! framer's queue is bounded (framing.rs), so a client that floods the stub meanwhile costs no
//! memory, and gets one error reply per request it sent beyond the queue once the program stops.
//!
//! Replies go the other way through `Link` (shared.rs), gdbstub's connection: the bytes of a reply wait in
//! the wire until gdbstub flushes it, so a reply that gdbstub abandons half-written (it fails
//! after starting to answer) can be dropped and replaced by an error reply
//! ([`Wire::answer_error`]).

use super::framing::{packet, Framer, Incoming, WhenFull};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

/// The error reply for a request the stub cannot carry out as sent: `E16`, EINVAL.
const INVALID_REQUEST: &[u8] = b"E16";

/// The client's connection: framed reads, buffered replies.
pub(super) struct Wire {
    stream: TcpStream,
    /// What the client sent, cut into items (framing.rs).
    incoming: Framer,
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
            incoming: Framer::new(),
            outgoing: Vec::new(),
            last_reply: Vec::new(),
            muted: false,
            no_ack: false,
        }
    }

    /// The next thing the client sent, waiting for it. A closed connection is `UnexpectedEof`.
    pub(super) fn next(&mut self) -> std::io::Result<Incoming> {
        loop {
            if let Some(incoming) = self.incoming.next_item() {
                return Ok(incoming);
            }
            self.stream.set_nonblocking(false)?;
            self.receive(WhenFull::Wait)?;
        }
    }

    /// Whether the client sent Ctrl-C since the last time this was asked (reading what has
    /// arrived, without waiting). Every Ctrl-C until now is taken at once: they ask for one
    /// stop. Packets that arrive while the program runs wait for the stop (the client should
    /// not send any then, in all-stop mode), up to the framer's queue.
    pub(super) fn interrupt_requested(&mut self) -> std::io::Result<bool> {
        self.stream.set_nonblocking(true)?;
        let received = self.receive(WhenFull::Count);
        self.stream.set_nonblocking(false)?;
        match received {
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            other => other?,
        }
        Ok(self.incoming.take_interrupt())
    }

    /// Reads what the stream has (blocking or not, as it is set) and cuts it into items.
    fn receive(&mut self, when_full: WhenFull) -> std::io::Result<()> {
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
        self.incoming.push(&chunk[..read], when_full);
        Ok(())
    }

    /// Adds bytes of a reply to what the next send writes (gdbstub's connection writes here).
    pub(super) fn queue(&mut self, bytes: &[u8]) {
        self.outgoing.extend_from_slice(bytes);
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

    /// Answers `requests` requests that were never read (they arrived beyond the framer's queue)
    /// with an error reply each, in batches.
    pub(super) fn answer_unread(&mut self, requests: usize) -> std::io::Result<()> {
        const BATCH: usize = 256;
        let mut one = Vec::new();
        if !self.no_ack {
            one.push(b'+');
        }
        one.extend_from_slice(&packet(INVALID_REQUEST));
        let mut left = requests;
        while left > 0 {
            let now = left.min(BATCH);
            self.outgoing.extend_from_slice(&one.repeat(now));
            self.send()?;
            left -= now;
        }
        Ok(())
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
