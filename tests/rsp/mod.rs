//! A small gdb-remote (RSP) client of our own, and a stub served in a thread, for the tests that
//! speak the protocol packet by packet.
#![allow(dead_code)]

use sbvm::debugger::{serve, DebugOptions, SessionEnd, KILLED};
use sbvm::env::{standard_runtime, standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, EbpfError, Executable, FunctionRegistry};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

pub type Outcome = (SessionEnd, (u64, Result<u64, EbpfError>));

/// The outcome of a run the client killed: aborted from outside, saying so.
pub fn killed() -> Result<u64, EbpfError> {
    Err(EbpfError::Aborted {
        reason: KILLED.to_string(),
    })
}

/// The signal number of a stop reply (`S0b` or `T0bthread:…`).
pub fn stop_signal(reply: &str) -> u8 {
    assert!(
        reply.starts_with('S') || reply.starts_with('T'),
        "not a stop reply: {reply}"
    );
    u8::from_str_radix(&reply[1..3], 16).unwrap()
}

/// Serves `source` on a fresh port in a thread; returns the client end and the join handle.
pub fn start(
    source: &'static str,
    version: SbpfVersion,
    budget: u64,
) -> (Client, thread::JoinHandle<Outcome>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let runtime = Arc::new(standard_runtime(Config::default()));
        let executable = Executable::from_assembly(source, version, runtime).unwrap();
        let mut context = EnvContext::new(budget);
        let mut vm = standard_vm(&executable, &mut context, vec![0; 16], 1024).unwrap();
        let (stream, _) = listener.accept().unwrap();
        // The stub's notes on stderr are for a person at a debugger; here they would only bury
        // the test output (cli/tests/debug_session.rs checks them).
        let options = DebugOptions {
            stderr_notes: false,
            ..DebugOptions::default()
        };
        serve(&mut vm, stream, &options)
    });
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    (Client::new(stream), handle)
}

impl Client {
    /// A client on `stream`: a stuck stub fails the test after 10 s, and small packets go out at
    /// once (an ack and the next packet would otherwise wait on each other: Nagle's algorithm
    /// against delayed acks).
    pub fn new(stream: TcpStream) -> Self {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buffer: Vec::new(),
        }
    }
}

pub struct Client {
    pub stream: TcpStream,
    pub buffer: Vec<u8>,
}

impl Client {
    pub fn send_raw(&mut self, bytes: &[u8]) {
        // The stub may have closed the connection (the garbage test); that shows in replies.
        let _ = self.stream.write_all(bytes);
    }

    pub fn send(&mut self, packet: &str) {
        let checksum = packet.bytes().fold(0u8, |sum, byte| sum.wrapping_add(byte));
        self.send_raw(format!("${packet}#{checksum:02x}").as_bytes());
    }

    /// The next packet's payload (acks skipped), run-length encoding expanded.
    pub fn receive(&mut self) -> String {
        loop {
            if let Some(start) = self.buffer.iter().position(|b| *b == b'$') {
                if let Some(end) = self.buffer[start..].iter().position(|b| *b == b'#') {
                    let end = start + end;
                    if self.buffer.len() >= end + 3 {
                        let payload = self.buffer[start + 1..end].to_vec();
                        self.buffer.drain(..end + 3);
                        self.send_raw(b"+");
                        return expand(&payload);
                    }
                }
            }
            let mut chunk = [0u8; 4096];
            let read = self.stream.read(&mut chunk).unwrap();
            assert!(read > 0, "the stub closed the connection");
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }

    pub fn ask(&mut self, packet: &str) -> String {
        self.send(packet);
        self.receive()
    }

    /// A monitor command's console output (`O` packets up to the final `OK`).
    pub fn monitor(&mut self, command: &str) -> String {
        self.send(&format!("qRcmd,{}", to_hex(command.as_bytes())));
        let mut text = String::new();
        loop {
            let reply = self.receive();
            match reply.strip_prefix('O') {
                Some(output) if reply != "OK" => {
                    text.push_str(&String::from_utf8_lossy(&hex(output)))
                }
                _ => return text,
            }
        }
    }

    pub fn register(&mut self, number: usize) -> u64 {
        let reply = self.ask(&format!("p{number:x}"));
        u64::from_le_bytes(hex(&reply).try_into().unwrap())
    }
}

pub fn expand(payload: &[u8]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < payload.len() {
        if payload[i] == b'*' && i > 0 && i + 1 < payload.len() {
            let last = *out.last().unwrap();
            for _ in 0..(payload[i + 1] - 29) {
                out.push(last);
            }
            i += 2;
        } else {
            out.push(payload[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub const COUNTDOWN: &str = "mov64 r0, 0
mov64 r1, 5
loop:
stxdw [r10-8], r1
add64 r0, r1
add64 r1, -1
jne r1, 0, loop
exit";

/// What a served run left: the session's outcome and the context's log lines.
pub type Served = (Outcome, Vec<Vec<u8>>);

/// Serves `text` (raw bytecode, or assembly when `assembly`) in `version` with `options` on a
/// fresh port in a thread, with 16 bytes of input; returns the client and the join handle.
pub fn start_with(
    program: Vec<u8>,
    assembly: bool,
    version: SbpfVersion,
    budget: u64,
    options: DebugOptions,
) -> (Client, thread::JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let executable = build(&program, assembly, version);
        let mut context = EnvContext::new(budget);
        let mut vm = standard_vm(&executable, &mut context, vec![0; 16], 1024).unwrap();
        let (stream, _) = listener.accept().unwrap();
        let outcome = serve(&mut vm, stream, &options);
        drop(vm);
        (outcome, context.logs)
    });
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    (Client::new(stream), handle)
}

/// The executable of raw bytecode or assembly, in the standard runtime.
pub fn build(program: &[u8], assembly: bool, version: SbpfVersion) -> Executable<EnvContext> {
    let runtime = Arc::new(standard_runtime(Config::default()));
    if assembly {
        let source = std::str::from_utf8(program).unwrap();
        Executable::from_assembly(source, version, runtime).unwrap()
    } else {
        Executable::from_text_bytes(program, version, runtime, FunctionRegistry::default()).unwrap()
    }
}
