//! `sbvm debug --fixture`: a Solana instruction served over the gdb remote protocol. A minimal
//! client asks where the program stopped, reads the registers (r1 must point at the serialized
//! input, r2 at the instruction data, as Agave passes them), continues to the end, and the
//! report must match the fixture (mollusk's outcome, in shared/solana-oracle).

mod common;

use common::solana_oracle_dir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Sends one packet and returns the reply's payload (acknowledging it).
fn exchange(stream: &mut TcpStream, payload: &str) -> String {
    let checksum = payload
        .bytes()
        .fold(0u8, |sum, byte| sum.wrapping_add(byte));
    write!(stream, "${payload}#{checksum:02x}").unwrap();
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    // Skip acknowledgements, then read `$…#xx`.
    loop {
        stream.read_exact(&mut byte).unwrap();
        if byte[0] == b'$' {
            break;
        }
    }
    loop {
        stream.read_exact(&mut byte).unwrap();
        if byte[0] == b'#' {
            break;
        }
        reply.push(byte[0]);
    }
    let mut checksum = [0u8; 2];
    stream.read_exact(&mut checksum).unwrap();
    stream.write_all(b"+").unwrap();
    run_length_decoded(&reply)
}

/// Expands the protocol's run-length encoding: `x*n` repeats `x` (`n` − 29) more times.
fn run_length_decoded(reply: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut bytes = reply.iter();
    while let Some(&byte) = bytes.next() {
        if byte == b'*' {
            let count = bytes.next().map_or(0, |n| n.saturating_sub(29));
            let last = *out.last().unwrap();
            out.extend(std::iter::repeat_n(last, usize::from(count)));
        } else {
            out.push(byte);
        }
    }
    String::from_utf8(out).unwrap()
}

fn register(registers: &str, index: usize) -> u64 {
    let hex = &registers[index * 16..index * 16 + 16];
    u64::from_le_bytes(
        (0..8)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap(),
    )
}

#[test]
fn a_fixture_runs_under_a_gdb_remote_client_and_reports_like_sbvm_fixture() {
    let Some(shared) = solana_oracle_dir() else {
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(["debug", "--fixture"])
        .arg(shared.join("fixtures/p-token/transfer.json"))
        .arg("--programs")
        .arg(shared.join("programs"))
        .args(["--port", "0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    std::thread::spawn(move || for _ in stderr.lines() {});

    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    assert!(
        exchange(&mut stream, "?").starts_with('T'),
        "stopped at entry"
    );
    let registers = exchange(&mut stream, "g");
    // Agave's entry registers: r1 = the input, r2 = the instruction data, which follows the
    // three accounts (two token accounts of 165 bytes and a wallet; serialize.rs's layout).
    assert_eq!(register(&registers, 1), 0x4_0000_0000);
    let header = 8 + 3 * (8 + 32 + 32 + 8 + 8 + 10240 + 8);
    let data_of_token_accounts = 2 * (165 + 3);
    assert_eq!(
        register(&registers, 2),
        0x4_0000_0000 + header + data_of_token_accounts + 8
    );
    let stop = exchange(&mut stream, "c");
    assert!(stop.starts_with('W'), "the program ran to its end: {stop}");
    drop(stream);

    let output = child.wait_with_output().unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(output.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(report["matches"], true, "{report}");
    assert_eq!(report["compute_units_consumed"], 76);
    assert!(output.status.success());
}
