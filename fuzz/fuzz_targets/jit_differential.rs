//! Arbitrary bytecode at a fuzzer-chosen version and budget: whatever verifies runs under both
//! engines, which must agree on the result, error, instruction count, final pc, registers and
//! input memory.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sbvm::env::{standard_runtime, standard_vm};
use sbvm::isa::SbpfVersion;
use sbvm::memory::MM_INPUT_START;
use sbvm::vm::{Config, Engine, Executable, FunctionRegistry};
use std::sync::Arc;

#[derive(Debug, Arbitrary)]
struct Case {
    version: u8,
    budget: u16,
    input: [u8; 32],
    text: Vec<u8>,
}

fuzz_target!(|case: Case| {
    // SBPF V0–V4 and Linux eBPF.
    let versions = [SbpfVersion::ALL.as_slice(), &[SbpfVersion::Ebpf]].concat();
    let version = versions[usize::from(case.version) % versions.len()];
    let config = Config {
        enabled_sbpf_versions: version..=version,
        ..Config::default()
    };
    let runtime = Arc::new(standard_runtime(config));
    let Ok(mut executable) =
        Executable::from_text_bytes(&case.text, version, runtime, FunctionRegistry::default())
    else {
        return;
    };
    executable.jit_compile().expect("compiles");
    let run = |engine: Engine| {
        let mut context = sbvm::env::EnvContext::new(u64::from(case.budget));
        let mut vm = standard_vm(&executable, &mut context, case.input.to_vec(), 256).unwrap();
        let (instructions, result) = vm.execute_with(engine);
        let input = vm
            .memory
            .region(MM_INPUT_START)
            .map(|region| region.host_bytes().to_vec());
        (instructions, result, vm.pc(), vm.registers(), input)
    };
    assert_eq!(run(Engine::Interpreter), run(Engine::Jit));
});
