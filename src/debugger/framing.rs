//! Cutting the client's byte stream into what the gdb remote protocol says it holds: packets
//! (`$body#cc`), acks (`+`), nacks (`-`) and Ctrl-C (0x03), with anything else between packets
//! ignored, as the protocol asks of a stub. A packet's checksum is checked here, and a packet
//! longer than the stub can take is dropped as it arrives (memory stays bounded whatever the
//! client sends).

use std::collections::VecDeque;

/// The largest packet, `$`…`#cc` included: gdbstub's packet buffer (the default of its builder,
/// announced to the client as `PacketSize` in the `qSupported` reply).
pub(super) const PACKET_LIMIT: usize = 4096;

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
    /// Cut and not yet taken.
    pub(super) items: VecDeque<Incoming>,
}

impl Framer {
    pub(super) fn new() -> Self {
        Framer {
            inbox: Vec::new(),
            framing: Framing::Between,
            items: VecDeque::new(),
        }
    }

    /// Takes received bytes and cuts every whole item they complete.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.inbox.extend_from_slice(bytes);
        let mut at = 0;
        while at < self.inbox.len() {
            if let Framing::Dropping { len, hash } = self.framing {
                let byte = self.inbox[at];
                at += 1;
                let hash = match hash {
                    None => (byte == b'#').then_some(0),
                    Some(digits) => Some(digits + 1),
                };
                self.framing = if hash == Some(2) {
                    self.items.push_back(Incoming::TooLong { len: len + 1 });
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
                            self.items.push_back(checked(&rest[..end]));
                            at += end;
                        }
                        Some(end) => {
                            self.items.push_back(Incoming::TooLong { len: end });
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
                    self.items.push_back(Incoming::Interrupt);
                    at += 1;
                }
                b'-' => {
                    self.items.push_back(Incoming::Nack);
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
            framer.push(chunk);
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
        assert_eq!(
            cut(&[b"\x03-$g#00$g#zz"]),
            vec![
                Incoming::Interrupt,
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
    fn memory_stays_bounded_on_an_endless_packet() {
        let mut framer = Framer::new();
        framer.push(b"$");
        for _ in 0..100 {
            framer.push(&[b'a'; 1000]);
        }
        assert!(framer.inbox.len() <= PACKET_LIMIT, "{}", framer.inbox.len());
        assert!(framer.items.is_empty());
    }
}
