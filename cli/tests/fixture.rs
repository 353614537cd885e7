//! `sbvm fixture` as a user runs it: agreement with mollusk's fixtures (shared/solana-oracle),
//! the JSON line, the exit statuses (0 all match, 1 a field differs, 2 bad input, 3 a program
//! that does not load), --bench and --trace, and clear errors for broken fixtures.

mod common;

use common::{scratch, solana_oracle_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sbvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .output()
        .unwrap()
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn every_p_token_fixture_matches_and_the_json_line_has_the_contract() {
    let Some(oracle) = solana_oracle_dir() else {
        return;
    };
    let programs = oracle.join("programs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(oracle.join("fixtures/p-token"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    for engine in ["interpreter", "jit"] {
        let mut args = vec![
            "fixture",
            "--json",
            "--engine",
            engine,
            "--programs",
            text(&programs),
        ];
        args.extend(files.iter().map(|file| text(file)));
        let out = sbvm(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<serde_json::Value> = stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len(), files.len());
        assert!(stdout.lines().all(|line| line.starts_with("{\"name\":")));
        for line in &lines {
            let mut keys: Vec<&str> = line
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            let mut expected = [
                "name",
                "result",
                "compute_units_consumed",
                "return_data",
                "logs",
                "accounts",
                "matches",
            ];
            expected.sort_unstable();
            assert_eq!(keys, expected);
            assert_eq!(line["matches"], true, "{line}");
        }
        // mollusk's get_account_data_size fixture returns 165 (a token account's size).
        let size = lines
            .iter()
            .find(|l| l["name"] == "get_account_data_size")
            .unwrap();
        assert_eq!(size["return_data"], "a500000000000000");
    }
}

#[test]
fn a_difference_exits_1_and_is_shown_field_by_field() {
    let Some(oracle) = solana_oracle_dir() else {
        return;
    };
    let original = std::fs::read_to_string(oracle.join("fixtures/p-token/transfer.json")).unwrap();
    // mollusk's transfer costs 76 units; claim 77.
    let edited = original.replace(
        "\"compute_units_consumed\":76",
        "\"compute_units_consumed\":77",
    );
    assert_ne!(edited, original);
    let file = scratch("transfer_edited.json", &edited);
    let programs = oracle.join("programs");
    let out = sbvm(&["fixture", "--programs", text(&programs), text(&file)]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("DIFFERS"), "{stdout}");
    assert!(
        stdout.contains("compute_units_consumed: expected 77, got 76"),
        "{stdout}"
    );
}

#[test]
fn programs_are_found_beside_the_oracle_fixtures_and_bench_and_trace_work() {
    let Some(oracle) = solana_oracle_dir() else {
        return;
    };
    let transfer = oracle.join("fixtures/p-token/transfer.json");
    // No --programs: the oracle's layout (fixtures/<kind>/ beside programs/) is searched.
    let out = sbvm(&[
        "fixture",
        "--bench",
        "--iters",
        "20",
        "--json",
        text(&transfer),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(line["ns_median"].as_u64().unwrap() > 0);
    let out = sbvm(&["fixture", "--trace", text(&transfer)]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    // 76 instructions, each traced with the budget (mollusk's count).
    assert_eq!(stdout.lines().filter(|l| l.contains("budget=")).count(), 76);
    let out = sbvm(&["fixture", "--trace", "--engine", "jit", text(&transfer)]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn broken_fixtures_and_missing_programs_are_reported_not_panicked_on() {
    let Some(oracle) = solana_oracle_dir() else {
        return;
    };
    let original = std::fs::read_to_string(oracle.join("fixtures/p-token/transfer.json")).unwrap();
    let programs = oracle.join("programs");
    let cases: [(&str, String, i32, &str); 6] = [
        ("truncated", original[..original.len() / 2].to_string(), 2, "(document)"),
        ("not_json", "{\"name\": ".to_string(), 2, "(document)"),
        (
            "bad_key",
            original.replacen("CktRuQ2mttgRGkXJtyksdKHjUdc2C4TgDzyB98oEzy8", "CktRuQ2mttgRGkXJtyksdKHjUdc2C4TgDzyB98oEzy0", 1),
            2,
            "instruction.accounts[0].pubkey: invalid base58 character '0'",
        ),
        (
            "missing_program",
            original.replace("\"program\":\"p-token.so\"", "\"program\":\"no-such-program.so\""),
            3,
            "no-such-program.so",
        ),
        (
            // A program "file" without end is not a program file: never read.
            "endless_program",
            original.replace("\"program\":\"p-token.so\"", "\"program\":\"/dev/zero\""),
            3,
            "/dev/zero not found",
        ),
        (
            "account_not_given",
            original.replacen(
                "\"accounts\":[{\"pubkey\":\"CktRuQ2mttgRGkXJtyksdKHjUdc2C4TgDzyB98oEzy8\",\"lamports\"",
                "\"accounts\":[{\"pubkey\":\"11111111111111111111111111111112\",\"lamports\"",
                1,
            ),
            2,
            "is named by the instruction but not given",
        ),
    ];
    for (name, contents, status, message) in cases {
        let file = scratch(&format!("{name}.json"), &contents);
        let out = sbvm(&["fixture", "--programs", text(&programs), text(&file)]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(status), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    let out = sbvm(&["fixture", "/no/such/fixture.json"]);
    assert_eq!(out.status.code(), Some(2));
    // A fixture file without end is refused at the documented limit (256 MiB), not read until
    // memory runs out.
    let out = sbvm(&["fixture", "/dev/zero"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("at most 268435456 bytes"), "{stderr}");
}

#[test]
fn builtin_fixtures_need_no_program_file_and_must_name_a_builtin() {
    // The system program's fixtures ("program": ""), mollusk's outcomes: all match, no --programs.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/solana/system");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| text(&path).to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 80, "{} system fixtures", files.len());
    for engine in ["interpreter", "jit"] {
        let mut args = vec!["fixture", "--json", "--engine", engine];
        args.extend(files.iter().map(String::as_str));
        let out = sbvm(&args);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(0), "{engine}: {stdout}");
        assert_eq!(stdout.lines().count(), files.len());
    }
    // A file-less fixture for a program that is not a builtin is refused, naming the program.
    let original = std::fs::read_to_string(dir.join("transfer.json")).unwrap();
    let not_builtin = original.replace(
        "\"program_id\":\"11111111111111111111111111111111\"",
        "\"program_id\":\"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA\"",
    );
    assert_ne!(not_builtin, original);
    let file = scratch("not_builtin.json", &not_builtin);
    let out = sbvm(&["fixture", text(&file)]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
            && stderr.contains("builtin"),
        "{stderr}"
    );
}
