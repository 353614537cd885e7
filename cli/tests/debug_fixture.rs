//! `sbvm debug --fixture`: a Solana instruction served over the gdb remote protocol. A minimal
//! client asks where the program stopped, reads the registers (r1 must point at the serialized
//! input, r2 at the instruction data, as Agave passes them), continues to the end, and the
//! report must match the fixture (mollusk's outcome, in shared/solana-oracle).

mod common;

use common::{exchange, solana_oracle_dir};
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn a_fixture_runs_under_a_gdb_remote_client_and_reports_like_sbvm_fixture() {
    let Some(shared) = solana_oracle_dir() else {
        return;
    };
    let (child, port) = common::debug_fixture(
        &shared.join("fixtures/p-token/transfer.json"),
        &shared.join("programs"),
    );

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
    assert_eq!(common::register(&registers, 1), 0x4_0000_0000);
    let header = 8 + 3 * (8 + 32 + 32 + 8 + 8 + 10240 + 8);
    let data_of_token_accounts = 2 * (165 + 3);
    assert_eq!(
        common::register(&registers, 2),
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
