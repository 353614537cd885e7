//! `sbvm debug --fixture`: a Solana instruction served over the gdb remote protocol. A minimal
//! client asks where the program stopped, reads the registers (r1 must point at the serialized
//! input, r2 at the instruction data, as Agave passes them), continues to the end, and the
//! report must match the fixture (mollusk's outcome, in shared/solana-oracle).

mod common;

use common::{debug_port, exchange, solana_oracle_dir};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

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
    let port = debug_port(&mut stderr);
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
