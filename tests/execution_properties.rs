//! Properties of execution on random programs: never a panic or a hang under a budget; single
//! steps agree with the fast loop; and (with `SBVM_ORACLE`) every outcome agrees with the live
//! reference. Seeds are printed on failure; `SBVM_SEED`/`SBVM_SEEDS` as in roundtrip.rs.

mod common;

use common::gen::{code_like_bytes, valid_program};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sbvm::env::{standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{EbpfError, Executable, StopReason};

#[derive(Debug, PartialEq, Eq)]
struct Observed {
    result: Result<u64, EbpfError>,
    instructions: u64,
    pc: usize,
    registers: [u64; 11],
}

fn run_fast(executable: &Executable<EnvContext>, budget: u64, input: &[u8]) -> Observed {
    let mut context = EnvContext::new(budget);
    let mut vm = standard_vm(executable, &mut context, input.to_vec(), 1024).unwrap();
    let (instructions, result) = vm.execute();
    Observed {
        result,
        instructions,
        pc: vm.pc(),
        registers: vm.registers(),
    }
}

fn run_stepping(executable: &Executable<EnvContext>, budget: u64, input: &[u8]) -> Observed {
    let mut context = EnvContext::new(budget);
    let mut vm = standard_vm(executable, &mut context, input.to_vec(), 1024).unwrap();
    let mut steps = 0u64;
    let result = loop {
        match vm.step() {
            StopReason::Stepped => steps += 1,
            StopReason::Exited(value) => break Ok(value),
            StopReason::Faulted(error) => break Err(error),
        }
        assert!(steps <= budget + 1, "stepping outran the budget");
    };
    Observed {
        result,
        instructions: vm.instruction_count(),
        pc: vm.pc(),
        registers: vm.registers(),
    }
}

#[test]
fn arbitrary_bytecode_never_panics_or_hangs() {
    let mut executed = 0;
    for seed in common::seeds(300) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL.into_iter().chain([SbpfVersion::Ebpf]) {
            // Random bytes rarely verify; valid programs with a few bits flipped often do.
            let mut bytes = if rng.random_bool(0.2) {
                code_like_bytes(&mut rng, 48)
            } else {
                valid_program(&mut rng, version, 40)
            };
            for _ in 0..rng.random_range(0..4) {
                if !bytes.is_empty() {
                    let at = rng.random_range(0..bytes.len());
                    bytes[at] ^= 1 << rng.random_range(0..8);
                }
            }
            if let Some(executable) = common::raw_executable(&bytes, version) {
                let observed = run_fast(&executable, 300, &[0u8; 64]);
                assert!(
                    observed.instructions <= 300,
                    "seed {seed} {version}: {observed:?}"
                );
                executed += 1;
            }
        }
    }
    eprintln!("{executed} arbitrary programs verified and ran");
    assert!(
        executed >= 300,
        "only {executed} programs got past the verifier"
    );
}

#[test]
fn single_steps_agree_with_the_fast_loop() {
    let mut kinds = std::collections::BTreeSet::new();
    for seed in common::seeds(150) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL.into_iter().chain([SbpfVersion::Ebpf]) {
            let text = valid_program(&mut rng, version, 40);
            let executable =
                common::raw_executable(&text, version).expect("generated programs verify");
            let budget = rng.random_range(1..400);
            let fast = run_fast(&executable, budget, &[7u8; 64]);
            let stepped = run_stepping(&executable, budget, &[7u8; 64]);
            assert_eq!(fast, stepped, "seed {seed} {version} budget {budget}");
            kinds.insert(
                fast.result
                    .as_ref()
                    .map_or_else(|e| e.kind_name(), |_| "ok"),
            );
        }
    }
    // The comparison means little unless the programs end in many different ways.
    assert!(kinds.len() >= 6, "outcomes seen: {kinds:?}");
}

#[test]
fn random_programs_agree_with_the_live_reference() {
    let Some(oracle) = common::oracle() else {
        common::skip("SBVM_ORACLE not set; differential execution check skipped");
        return;
    };
    for seed in common::seeds(100) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL {
            let text = valid_program(&mut rng, version, 30);
            let executable =
                common::raw_executable(&text, version).expect("generated programs verify");
            let budget = rng.random_range(1..300);
            let ours = run_fast(&executable, budget, &[]);
            let json = common::oracle_run_raw(&oracle, &text, version, budget);
            let reference_error = json["error"].as_str().map(|e| {
                if e.starts_with("SyscallError") {
                    "SyscallError".to_string()
                } else {
                    e.to_string()
                }
            });
            let our_error = ours
                .result
                .as_ref()
                .err()
                .map(common::reference_error_debug);
            let label = format!("seed {seed} {version} budget {budget}");
            assert_eq!(our_error, reference_error, "{label}");
            assert_eq!(
                ours.result.as_ref().ok().copied(),
                json["result"].as_u64(),
                "{label}"
            );
            assert_eq!(
                ours.instructions,
                json["instructions"].as_u64().unwrap(),
                "{label}"
            );
            assert_eq!(ours.pc as u64, json["pc"].as_u64().unwrap(), "{label}");
        }
    }
}
