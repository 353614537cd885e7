//! `monitor` commands, gdbstub's monitor-command extension (`qRcmd`): `info`, `regions`,
//! `backtrace`, `trace on|off`, `help`.
//!
//! The invoke stack (which program invoked which, [`DebugOptions::invoke_stack`]) is the
//! embedder's to tell: the debugger knows a VM, not the runtime that runs it.
//!
//! [`DebugOptions::invoke_stack`]: super::DebugOptions::invoke_stack

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
            ["backtrace"] | ["bt"] | ["frames"] => self.backtrace(&mut out),
            ["trace", "on"] => {
                self.client.with(|shared| shared.trace = true);
                outputln!(out, "tracing executed instructions to the VM's stderr");
            }
            ["trace", "off"] => {
                self.client.with(|shared| shared.trace = false);
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
                    "backtrace     the invoke stack: the programs, outermost first (also bt, frames)"
                );
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
        let stack = &self.options.invoke_stack;
        if let Some(program) = stack.last() {
            outputln!(out, "invoke depth: {} (stack height)", stack.len());
            outputln!(out, "program: {program}");
        }
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

impl<C: ContextObject> DebugTarget<'_, '_, C> {
    /// The invoke stack, outermost first, one line a program with its depth.
    fn backtrace(&self, out: &mut ConsoleOutput<'_>) {
        let stack = &self.options.invoke_stack;
        if stack.is_empty() {
            outputln!(
                out,
                "depth 1: the program (no invoke stack: not run by a runtime)"
            );
        }
        for (index, program) in stack.iter().enumerate() {
            let here = if index + 1 == stack.len() {
                " (running)"
            } else {
                ""
            };
            outputln!(out, "depth {}: {program}{here}", index + 1);
        }
    }
}
