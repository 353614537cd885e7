//! `monitor` commands: `info`, `regions`, `trace on|off`, `help`.

use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::target::ext::monitor_cmd::{outputln, ConsoleOutput, MonitorCmd};

impl<C: ContextObject> MonitorCmd for DebugTarget<'_, '_, C> {
    fn handle_monitor_cmd(
        &mut self,
        cmd: &[u8],
        mut out: ConsoleOutput<'_>,
    ) -> Result<(), Self::Error> {
        let command = String::from_utf8_lossy(cmd);
        match command.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["info"] | [] => self.info(&mut out),
            ["regions"] => {
                for region in self.vm.memory.regions() {
                    let range = region.vm_range();
                    let gap = if region.gap_size() > 0 {
                        format!(", frames of {} bytes with gaps", region.gap_size())
                    } else {
                        String::new()
                    };
                    let access = if region.is_writable() { "rw" } else { "r-" };
                    outputln!(
                        out,
                        "{:#014x}-{:#014x} {access} {} bytes{gap}",
                        range.start,
                        range.end,
                        region.len()
                    );
                }
            }
            ["trace", "on"] => {
                self.trace = true;
                outputln!(out, "tracing executed instructions to the VM's stderr");
            }
            ["trace", "off"] => {
                self.trace = false;
                outputln!(out, "tracing off");
            }
            ["help"] => {
                outputln!(
                    out,
                    "info          version, instructions, budget, pc, function, outcome"
                );
                outputln!(out, "regions       the memory map");
                outputln!(
                    out,
                    "trace on|off  print every executed instruction on the VM's stderr"
                );
            }
            _ => outputln!(
                out,
                "unknown monitor command {command:?}; try: monitor help"
            ),
        }
        Ok(())
    }
}

impl<C: ContextObject> DebugTarget<'_, '_, C> {
    fn info(&self, out: &mut ConsoleOutput<'_>) {
        let executable = self.vm.executable();
        let pc = self.vm.pc();
        outputln!(out, "version: {}", executable.version());
        outputln!(out, "instructions: {}", self.vm.instruction_count());
        outputln!(out, "remaining: {}", self.vm.remaining_budget());
        outputln!(out, "pc: {} (address {:#x})", pc, self.pc_address());
        if let Some((start, name)) = self.options.functions.range(..=pc).next_back() {
            outputln!(out, "function: {name} (+{})", pc - start);
        }
        let registers = self.vm.registers();
        outputln!(out, "r0: {:#018x} ({})", registers[0], registers[0]);
        match self.vm.outcome() {
            Some(Ok(value)) => outputln!(out, "outcome: exited with r0 = {value:#x} ({value})"),
            Some(Err(error)) => outputln!(out, "outcome: {}: {error}", error.kind_name()),
            None => outputln!(out, "outcome: running"),
        }
    }
}
