//! Cutting the client's byte stream into what the gdb remote protocol says it holds: packets
//! (`$body#cc`), acks (`+`), nacks (`-`) and Ctrl-C (0x03), with anything else between packets
//! ignored, as the protocol asks of a stub. A packet's checksum is checked here.
//!
//! Memory stays bounded whatever the client sends, and however long the program runs without
//! the session taking what was cut:
//!
//! ```text
//!   bytes ──► inbox (not cut yet: at most one read and an unfinished packet, ≤ PACKET_LIMIT;
//!               │    a longer packet is dropped as it comes)
//!               │
//!               ├─ 0x03 ──────────────► interrupt: one flag, however many arrive
//!               ├─ the first QUEUE_LIMIT items ──► items, in order
//!               └─ beyond them: while the program is stopped, the bytes wait uncut (the session
//!                  reads no more until the queue is empty); while it runs, requests are only
//!                  counted (unread: each gets an error reply at the stop), nacks dropped
//! ```
//!
//! Ctrl-C is a flag rather than an item: the gdb manual (“Interrupts”) asks a stub to interrupt
//! the running program when it arrives and, when the program is stopped, to interrupt it at the
//! next resume; either way many Ctrl-Cs before one stop are one interrupt, and one arriving
//! behind a full queue is still seen.

use std::collections::VecDeque;

/// The largest packet, `$`…`#cc` included: gdbstub's packet buffer (the default of its builder,
/// announced to the client as `PacketSize` in the `qSupported` reply).
pub(super) const PACKET_LIMIT: usize = 4096;

/// The most items that wait to be taken. A client in all-stop mode sends one request at a time
/// and none while the program runs (gdb manual, “Overview”, “Interrupts”), so a full queue
/// means a client flooding the stub: what it sends beyond, while the program runs, is counted,
/// not kept ([`WhenFull`]).
pub(super) const QUEUE_LIMIT: usize = 64;

/// What the framer does with bytes that arrive while its queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WhenFull {
    /// Keep them uncut until the queue has room: nothing is lost, and the caller reads no more
    /// meanwhile (the session, while the program is stopped).
    Wait,
    /// Cut them anyway, so that a Ctrl-C among them is seen; requests are only counted (the
    /// wire, while the program runs and the session takes nothing).
    Count,
}

/// One thing the client sent (Ctrl-C aside: [`Framer::take_interrupt`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Incoming {
    /// A whole packet, `$body#cc`, with a checksum that matches.
    Packet(Vec<u8>),
    /// `-`: the client asks for the last reply again.
    Nack,
    /// A packet whose checksum does not match its body.
    Garbled { body: Vec<u8> },
    /// A packet longer than [`PACKET_LIMIT`] (its bytes are dropped as they arrive).
    TooLong { len: usize },
    /// Requests (packets, garbled or too long) that arrived while the program ran, beyond the
    /// [`QUEUE_LIMIT`] items that wait: only counted, and taken after those items.
    Unread { requests: usize },
}

/// Where the framer is inside the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// Between packets.
    Between,
    /// Inside a packet too long to keep: `len` bytes so far; once `#` arrived, `hash` counts
    /// the checksum digits after it.
    Dropping { len: usize, hash: Option<u8> },
}

/// The byte stream, cut into [`Incoming`] items.
#[derive(Debug)]
pub(super) struct Framer {
    /// Bytes received and not yet cut.
    inbox: Vec<u8>,
    framing: Framing,
    /// Cut and not yet taken: at most [`QUEUE_LIMIT`].
    items: VecDeque<Incoming>,
    /// Requests cut while `items` was full, not yet taken.
    unread: usize,
    /// A Ctrl-C arrived and has not been taken.
    interrupt: bool,
}

impl Framer {
    pub(super) fn new() -> Self {
        Framer {
            inbox: Vec::new(),
            framing: Framing::Between,
            items: VecDeque::new(),
            unread: 0,
            interrupt: false,
        }
    }

    /// The next thing the client sent, in order, if anything whole has arrived.
    pub(super) fn next_item(&mut self) -> Option<Incoming> {
        if self.items.is_empty() && self.unread == 0 {
            self.cut(WhenFull::Wait);
        }
        if let Some(item) = self.items.pop_front() {
            return Some(item);
        }
        (self.unread > 0).then(|| Incoming::Unread {
            requests: std::mem::take(&mut self.unread),
        })
    }

    /// Whether a Ctrl-C arrived since the last time this was asked (all of them at once).
    pub(super) fn take_interrupt(&mut self) -> bool {
        std::mem::take(&mut self.interrupt)
    }

    /// Queues `item`, or counts it once the queue is full (a nack then is dropped: it asks for
    /// the last reply again, and those already queued will send it). Once one is counted, all
    /// are until the count is taken: the count stays behind every queued item.
    fn queue(&mut self, item: Incoming) {
        if self.items.len() < QUEUE_LIMIT && self.unread == 0 {
            self.items.push_back(item);
        } else if item != Incoming::Nack {
            self.unread = self.unread.saturating_add(1);
        }
    }

    /// Takes received bytes and cuts the whole items they complete: as many as the queue holds
    /// (the rest wait, uncut, for [`Framer::next_item`]), or all of them (`when_full`).
    pub(super) fn push(&mut self, bytes: &[u8], when_full: WhenFull) {
        self.inbox.extend_from_slice(bytes);
        self.cut(when_full);
    }

    /// Cuts whole items from the inbox.
    fn cut(&mut self, when_full: WhenFull) {
        let mut at = 0;
        while at < self.inbox.len() {
            if when_full == WhenFull::Wait && self.items.len() >= QUEUE_LIMIT {
                break;
            }
            if let Framing::Dropping { len, hash } = self.framing {
                let byte = self.inbox[at];
                at += 1;
                let hash = match hash {
                    None => (byte == b'#').then_some(0),
                    Some(digits) => Some(digits + 1),
                };
                self.framing = if hash == Some(2) {
                    self.queue(Incoming::TooLong { len: len + 1 });
                    Framing::Between
                } else {
                    Framing::Dropping { len: len + 1, hash }
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
                            let item = checked(&rest[..end]);
                            self.queue(item);
                            at += end;
                        }
                        Some(end) => {
                            self.queue(Incoming::TooLong { len: end });
                            at += end;
                        }
                        // Not all here yet: keep it, unless it is already too long to keep.
                        None if rest.len() > PACKET_LIMIT => {
                            // A `#` here is among the last two bytes (else the packet would be
                            // whole): count the checksum digits after it.
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
                    self.interrupt = true;
                    at += 1;
                }
                b'-' => {
                    self.queue(Incoming::Nack);
                    at += 1;
                }
                // `+` acknowledges a reply (nothing to do); anything else here is noise.
                _ => at += 1,
            }
        }
        self.inbox.drain(..at);
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

#[cfg(test)]
mod tests {
    //! Expected items follow the gdb remote protocol's framing (gdb manual, “Overview” and
    //! “Packet Acknowledgment”): `$`, the body, `#`, two hex digits of the body's byte sum.

    use super::*;

    fn cut(chunks: &[&[u8]]) -> Vec<Incoming> {
        let mut framer = Framer::new();
        for chunk in chunks {
            framer.push(chunk, WhenFull::Wait);
        }
        framer.items.into_iter().collect()
    }

    #[test]
    fn packets_come_whole_in_any_chunks_and_noise_between_them_is_ignored() {
        // "g" sums to 0x67; "?" to 0x3f.
        let stream = b"+junk$g#67+\x7f$?#3f";
        let whole = vec![
            Incoming::Packet(b"$g#67".to_vec()),
            Incoming::Packet(b"$?#3f".to_vec()),
        ];
        assert_eq!(cut(&[stream]), whole);
        let bytewise: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(cut(&bytewise), whole);
        assert_eq!(cut(&[b"$g", b"#6"]), vec![], "not whole yet");
    }

    #[test]
    fn control_bytes_and_bad_checksums() {
        let mut framer = Framer::new();
        framer.push(b"\x03-$g#00\x03$g#zz", WhenFull::Wait);
        assert!(framer.take_interrupt(), "0x03 between packets is Ctrl-C");
        assert!(!framer.take_interrupt(), "both taken at once");
        assert_eq!(
            framer.items.into_iter().collect::<Vec<_>>(),
            vec![
                Incoming::Nack,
                Incoming::Garbled {
                    body: b"g".to_vec()
                },
                Incoming::Garbled {
                    body: b"g".to_vec()
                },
            ]
        );
    }

    #[test]
    fn an_oversized_packet_is_dropped_and_the_next_one_still_cut() {
        let long = [b"$".as_slice(), &[b'a'; PACKET_LIMIT], b"#00"].concat();
        let next = b"$g#67";
        let expected = vec![
            Incoming::TooLong {
                len: PACKET_LIMIT + 4,
            },
            Incoming::Packet(next.to_vec()),
        ];
        // Whole, and split at every place around the `#` and its digits.
        let stream = [long.as_slice(), next].concat();
        assert_eq!(cut(&[&stream]), expected);
        for split in PACKET_LIMIT - 2..PACKET_LIMIT + 6 {
            let (head, tail) = stream.split_at(split);
            assert_eq!(cut(&[head, tail]), expected, "split at {split}");
        }
        // A packet of exactly the limit is kept.
        let body = vec![b'a'; PACKET_LIMIT - 4];
        let fits = packet(&body);
        assert_eq!(fits.len(), PACKET_LIMIT);
        assert_eq!(cut(&[&fits]), vec![Incoming::Packet(fits.clone())]);
    }

    #[test]
    fn a_0x03_inside_a_packet_is_packet_data() {
        // gdb manual, “Interrupts”: an X packet may carry an unescaped 0x03.
        let with_data = packet(b"X0,1:\x03");
        let mut framer = Framer::new();
        framer.push(&with_data, WhenFull::Wait);
        assert!(!framer.take_interrupt());
        assert_eq!(framer.next_item(), Some(Incoming::Packet(with_data)));
    }

    #[test]
    fn a_flood_is_counted_not_kept_and_ctrl_c_behind_it_is_seen() {
        // What the session takes nothing from while the program runs: packets, nacks, bad
        // checksums and oversized packets, far beyond the queue.
        let question = packet(b"?");
        let oversized = [b"$".as_slice(), &[b'a'; PACKET_LIMIT], b"#00"].concat();
        let mut framer = Framer::new();
        let mut requests = 0;
        for round in 0..10_000 {
            framer.push(&question, WhenFull::Count);
            framer.push(b"-$g#00", WhenFull::Count);
            requests += 2;
            if round % 100 == 0 {
                framer.push(&oversized, WhenFull::Count);
                requests += 1;
            }
            assert!(framer.items.len() <= QUEUE_LIMIT, "{}", framer.items.len());
            assert!(framer.inbox.len() <= PACKET_LIMIT, "{}", framer.inbox.len());
        }
        framer.push(b"\x03", WhenFull::Count);
        assert!(framer.take_interrupt(), "a Ctrl-C behind the flood");
        // In order: the queue, then one count for every request beyond it (nacks beyond it are
        // dropped), then what comes next.
        framer.push(&question, WhenFull::Count);
        let mut queued = Vec::new();
        while !framer.items.is_empty() {
            queued.extend(framer.next_item());
        }
        assert_eq!(queued.len(), QUEUE_LIMIT);
        let kept_requests = queued.iter().filter(|i| **i != Incoming::Nack).count();
        assert_eq!(
            framer.next_item(),
            Some(Incoming::Unread {
                requests: requests + 1 - kept_requests
            })
        );
        assert_eq!(framer.next_item(), None);
    }

    #[test]
    fn while_stopped_a_burst_beyond_the_queue_waits_and_nothing_is_lost() {
        // 800 packets in one read, more than the queue holds: all come out, in order.
        let packets: Vec<Vec<u8>> = (0..800)
            .map(|n| packet(format!("m{n:x},8").as_bytes()))
            .collect();
        let mut framer = Framer::new();
        framer.push(&packets.concat(), WhenFull::Wait);
        assert!(framer.items.len() <= QUEUE_LIMIT, "{}", framer.items.len());
        let mut out = Vec::new();
        while let Some(item) = framer.next_item() {
            assert!(framer.items.len() <= QUEUE_LIMIT);
            out.push(item);
        }
        let expected: Vec<Incoming> = packets.into_iter().map(Incoming::Packet).collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn requests_after_counted_ones_are_counted_too() {
        // Replies go in request order: nothing queued may overtake the count.
        let question = packet(b"?");
        let mut framer = Framer::new();
        framer.push(&question.repeat(QUEUE_LIMIT + 1), WhenFull::Count);
        framer.next_item();
        framer.push(&question, WhenFull::Count);
        let rest: Vec<Incoming> = std::iter::from_fn(|| framer.next_item()).collect();
        assert_eq!(rest.len(), QUEUE_LIMIT);
        assert_eq!(rest.last(), Some(&Incoming::Unread { requests: 2 }));
    }

    #[test]
    fn memory_stays_bounded_on_an_endless_packet() {
        let mut framer = Framer::new();
        framer.push(b"$", WhenFull::Wait);
        for _ in 0..100 {
            framer.push(&[b'a'; 1000], WhenFull::Wait);
        }
        assert!(framer.inbox.len() <= PACKET_LIMIT, "{}", framer.inbox.len());
        assert!(framer.items.is_empty());
    }
}
