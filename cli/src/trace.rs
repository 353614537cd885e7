//! `--trace`: run a VM one instruction at a time, printing each before it runs with the
//! registers and the budget left (to stderr when stdout carries JSON).

use crate::report;
use sbvm::isa::disasm::instruction_text_with;
use sbvm::vm::{ContextObject, EbpfError, StopReason, Vm};

/// Runs `vm` to its end single-stepping, one line per instruction; returns the count and outcome.
pub fn run_traced<C: ContextObject>(
    vm: &mut Vm<'_, C>,
    to_stderr: bool,
) -> (u64, Result<u64, EbpfError>) {
    let executable = vm.executable();
    let symbols = crate::location::registry_symbols(executable);
    loop {
        let pc = vm.pc();
        let text = instruction_text_with(executable.text(), pc, executable.version(), &symbols)
            .unwrap_or_else(|| "(past the end)".into());
        let registers: Vec<String> = vm
            .registers()
            .iter()
            .enumerate()
            .map(|(i, r)| format!("r{i}={r:#x}"))
            .collect();
        let line = format!(
            "{pc:>6}  {text:<36} {}  budget={}",
            registers.join(" "),
            vm.remaining_budget()
        );
        if to_stderr {
            report::err(&line);
        } else {
            report::out(&line);
        }
        match vm.step() {
            StopReason::Stepped => continue,
            StopReason::Exited(value) => return (vm.instruction_count(), Ok(value)),
            StopReason::Faulted(error) => return (vm.instruction_count(), Err(error)),
        }
    }
}
