//! `sbvm run` and `sbvm fixture` with `--profile` and `--coverage`: the folded stacks add up to
//! the run's count (or the fixture's compute units), the table goes to stderr so `--json`
//! keeps stdout to its one line, and genhtml reads the lcov tracefile.

mod common;

use common::{
    cpi_data, cpi_programs, sbvm, scratch, scratch_arg, skip, solana_data, stderr, stdout,
};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A function called 3 times from a loop, each call logging the compute units left (100 units,
/// src/env/memory.rs).
const LOOP: &str = "
entrypoint:
    mov64 r6, 3
    call function_work
    sub64 r6, 1
    jne r6, 0, -3
    exit
function_work:
    add64 r0, 1
    syscall sol_log_compute_units_
    exit
";

/// The sum of the units of a folded-stacks file.
fn folded_total(path: &Path) -> u64 {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let (_, units) = line.rsplit_once(' ').expect("`stack units`");
            units.parse::<u64>().unwrap()
        })
        .sum()
}

fn json_line(output: &std::process::Output) -> Value {
    let out = stdout(output);
    assert_eq!(
        out.lines().count(),
        1,
        "stdout: {out}\nstderr: {}",
        stderr(output)
    );
    serde_json::from_str(out.trim()).unwrap()
}

/// Runs genhtml on `tracefile`, or says it is not installed.
fn genhtml(tracefile: &Path) -> Option<()> {
    let out = tracefile.with_extension("html");
    match Command::new("genhtml")
        .arg("--quiet")
        .arg("-o")
        .arg(&out)
        .arg(tracefile)
        .output()
    {
        Ok(output) => {
            assert!(output.status.success(), "genhtml: {}", stderr(&output));
            assert!(out.join("index.html").is_file());
            Some(())
        }
        Err(error) => {
            skip(format!(
                "genhtml not runnable ({error}; apt-get install lcov)"
            ));
            None
        }
    }
}

#[test]
fn a_run_profile_adds_up_to_its_instruction_count_with_stdout_kept_to_json() {
    let program = scratch_arg("profile-loop.s", LOOP);
    let profile = scratch("profile-loop.folded", "");
    let output = sbvm(&[
        "run",
        &program,
        "--version",
        "v3",
        "--json",
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = json_line(&output);
    // From the text: entrypoint runs mov, 3 × (call, sub64, jne), exit = 11; function_work
    // runs add64, the syscall (1 + 100) and exit on each of 3 calls = 3 × 103.
    assert_eq!(
        std::fs::read_to_string(&profile).unwrap(),
        "entrypoint 11\nentrypoint;function_work 309\n"
    );
    assert_eq!(line["instructions"], 320);
    assert_eq!(folded_total(&profile), 320);
    let table = stderr(&output);
    assert!(table.contains("total CU"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["309", "309", "function_work"]),
        "{table}"
    );
}

#[test]
fn assembly_coverage_is_an_lcov_over_the_listing_that_genhtml_reads() {
    let program = scratch_arg("coverage-loop.s", LOOP);
    let tracefile = scratch("coverage-loop.lcov", "");
    let output = sbvm(&[
        "run",
        &program,
        "--version",
        "v3",
        "--coverage",
        tracefile.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listing_path = format!("{}.s", tracefile.display());
    let listing = std::fs::read_to_string(&listing_path).unwrap();
    // The listing is what `sbvm disasm --listing` prints for the program.
    let disasm = sbvm(&["disasm", &program, "--version", "v3", "--listing"]);
    assert_eq!(listing, stdout(&disasm));
    let lcov = std::fs::read_to_string(&tracefile).unwrap();
    assert!(lcov.contains(&format!("SF:{listing_path}\n")), "{lcov}");
    // The loop body's lines (listing lines 4–6, under the LBB0 label) ran 3 times, from the text.
    assert!(lcov.contains("DA:4,3\nDA:5,3\nDA:6,3\n"), "{lcov}");
    genhtml(&tracefile);
}

#[test]
fn a_fixture_profile_adds_up_to_the_compute_units_and_the_run_still_matches() {
    let Some(programs) = common::token_2022_programs() else {
        return;
    };
    let fixture = solana_data().join("token-2022/approve.json");
    let profile = scratch("approve.folded", "");
    let tracefile = scratch("approve.lcov", "");
    let output = sbvm(&[
        "fixture",
        fixture.to_str().unwrap(),
        "--programs",
        programs.to_str().unwrap(),
        "--json",
        "--profile",
        profile.to_str().unwrap(),
        "--coverage",
        tracefile.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = json_line(&output);
    assert_eq!(line["matches"], true);
    // mollusk's count, recorded in the fixture.
    assert_eq!(line["compute_units_consumed"], 1_035);
    assert_eq!(folded_total(&profile), 1_035);
    let listing = format!(
        "{}.TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb.s",
        tracefile.display()
    );
    assert!(Path::new(&listing).is_file());
    genhtml(&tracefile);
}

#[test]
fn a_cpi_fixture_profile_stacks_the_callee_under_the_caller() {
    let programs = cpi_programs("observe");
    let fixture = cpi_data().join("fixtures/invoke_callee_logs.json");
    let profile = scratch("cpi.folded", "");
    let output = sbvm(&[
        "fixture",
        fixture.to_str().unwrap(),
        "--programs",
        programs.to_str().unwrap(),
        "--json",
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = json_line(&output);
    assert_eq!(line["matches"], true);
    let folded = std::fs::read_to_string(&profile).unwrap();
    // The callee's own count, as the runtime logs it ("consumed 176 of …", mollusk's log).
    let callee = "5B95ydiUQ2nPY6KhHT9mA3ASLKGtMU9Km8fZs16DNz2V";
    assert!(
        folded.contains(&format!("entrypoint;{callee}:entrypoint 176\n")),
        "{folded}"
    );
    assert_eq!(
        Some(folded_total(&profile)),
        line["compute_units_consumed"].as_u64()
    );
    let _ = std::fs::remove_dir_all(&programs);
}

#[test]
fn observing_refuses_the_jit_and_trace() {
    let program = scratch_arg("observe-refuse.s", LOOP);
    let profile = scratch_arg("observe-refuse.folded", "");
    for extra in [["--engine", "jit"], ["--trace", "--json"]] {
        let mut args = vec!["run", &program, "--version", "v3", "--profile", &profile];
        args.extend(extra);
        let output = sbvm(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{extra:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_builtin_programs_units_are_the_runtime_frame() {
    // The system program runs no sBPF: its cost (150 units, mollusk's count in the fixture) is
    // charged outside any observed instruction.
    let fixture = solana_data().join("system/transfer.json");
    let profile = scratch("system-transfer.folded", "");
    let output = sbvm(&[
        "fixture",
        fixture.to_str().unwrap(),
        "--json",
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json_line(&output)["compute_units_consumed"], 150);
    assert_eq!(
        std::fs::read_to_string(&profile).unwrap(),
        "[runtime] 150\n"
    );
}
