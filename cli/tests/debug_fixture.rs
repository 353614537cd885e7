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

/// The compute units `monitor cu` says were used.
fn units_used(stream: &mut TcpStream) -> u64 {
    let said = common::monitor(stream, "cu");
    said.strip_prefix("compute units used: ")
        .and_then(|rest| rest.split(';').next())
        .and_then(|used| used.parse().ok())
        .unwrap_or_else(|| panic!("{said}"))
}

#[test]
fn a_fixture_goes_back_and_forth_and_still_ends_as_agave_says() {
    let Some(programs) = common::token_2022_programs() else {
        return;
    };
    // Token-2022's approve (mollusk's fixture: 1,035 compute units), whose code calls functions.
    let fixture = common::solana_data().join("token-2022/approve.json");
    for engine in ["interpreter", "jit"] {
        let (child, port) = common::debug_fixture_with(
            &fixture,
            &programs,
            &["--engine", engine, "--checkpoint-interval", "16"],
        );
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        // Forward 40 instructions, keeping what the client saw at each.
        let mut seen = vec![(exchange(&mut stream, "g"), units_used(&mut stream))];
        let mut nested = None;
        for _ in 0..40 {
            exchange(&mut stream, "vCont;s");
            seen.push((exchange(&mut stream, "g"), units_used(&mut stream)));
            let frames = common::monitor(&mut stream, "backtrace");
            if frames.contains("\n#1 ") {
                nested.get_or_insert(frames);
            }
        }
        // The program calls functions of its own within 40 instructions; the backtrace
        // names them from the ELF's function registry.
        let frames = nested.expect("a call within 40 instructions");
        assert!(frames.starts_with("#0 pc "), "{frames}");
        assert!(!frames.lines().next().unwrap().ends_with(" ?"), "{frames}");
        assert!(frames.contains("invoke depth 1: "), "{frames}");
        // Back to the start: nothing breaks on the way, so the record's beginning; the budget
        // is whole again.
        let stop = exchange(&mut stream, "bc");
        assert!(stop.contains("replaylog:begin"), "{engine}: {stop}");
        assert_eq!(
            (exchange(&mut stream, "g"), units_used(&mut stream)),
            seen[0]
        );
        assert_eq!(units_used(&mut stream), 0);
        // Forward again through the record: what forward execution showed, step by step.
        for (step, expected) in seen.iter().enumerate().skip(1) {
            exchange(&mut stream, "vCont;s");
            let now = (exchange(&mut stream, "g"), units_used(&mut stream));
            assert_eq!(&now, expected, "{engine}: step {step}");
        }
        for _ in 0..5 {
            exchange(&mut stream, "bs");
        }
        assert_eq!(
            (exchange(&mut stream, "g"), units_used(&mut stream)),
            seen[35],
            "{engine}"
        );
        let stop = exchange(&mut stream, "c");
        assert!(stop.starts_with('W'), "{engine}: {stop}");
        drop(stream);
        // Agave's outcome, accounts and compute units (mollusk's fixture), after all that.
        let output = child.wait_with_output().unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(output.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
        assert_eq!(report["matches"], true, "{engine}: {report}");
        assert_eq!(report["compute_units_consumed"], 1035, "{engine}");
    }
}
