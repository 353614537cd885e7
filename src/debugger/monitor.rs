//! `monitor` commands, gdbstub's monitor-command extension (`qRcmd`): `info`, `regions`,
//! `backtrace`, `cu`, `trace on|off`, `record [on|off]`, `reverse-step [N]`,
//! `reverse-continue`, `help`.
//!
//! The two reverse commands move the program as `bs` and `bc` do (reverse.rs), for clients
//! without reverse commands; they answer with where the program stopped. A client caches
//! registers across a monitor command, so it should read them again afterwards.
//!
//! The invoke stack (which program invoked which, [`DebugOptions::invoke_stack`]) is the
//! embedder's to tell: the debugger knows a VM, not the runtime that runs it.
//!
//! [`DebugOptions::invoke_stack`]: super::DebugOptions::invoke_stack

use super::target::{DebugTarget, Stop};
use crate::vm::ContextObject;
use gdbstub::stub::SingleThreadStopReason;
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
            ["cu"] => self.compute_units(&mut out),
            ["record"] => self.record_info(&mut out),
            ["record", "on"] => {
                self.history.set_enabled(self.vm, true);
                outputln!(
                    out,
                    "recording from here: reverse-step and reverse-continue go back to this point"
                );
            }
            ["record", "off"] => {
                // The program goes back to the present first: the host's state is the present's.
                self.return_to_present();
                self.history.set_enabled(self.vm, false);
                outputln!(out, "recording off; the record is forgotten");
            }
            ["reverse-step"] => self.reverse_steps(1, &mut out),
            ["reverse-step", count] => match count.parse::<u64>() {
                Ok(count) => self.reverse_steps(count, &mut out),
                Err(_) => outputln!(
                    out,
                    "reverse-step takes a number of instructions, not {count:?}"
                ),
            },
            ["reverse-continue"] => {
                let stop = self.continue_back();
                self.say_where(&stop, &mut out);
            }
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
                    "backtrace     the call frames with function names, then the invoke stack (also bt)"
                );
                outputln!(out, "cu            compute units used so far and remaining");
                outputln!(
                    out,
                    "record [on|off]  what is recorded for going back; start or stop recording"
                );
                outputln!(
                    out,
                    "reverse-step [N]  go back N instructions (1 by default)"
                );
                outputln!(
                    out,
                    "reverse-continue  go back to the last breakpoint or watched access, or the record's start"
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
        if self.history.is_enabled() {
            outputln!(
                out,
                "position: {} (recorded up to {})",
                self.history.position(),
                self.history.present()
            );
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
    /// `name+offset` of the function holding instruction `pc`, or `?`.
    fn function_at(&self, pc: usize) -> String {
        match self.options.functions.range(..=pc).next_back() {
            Some((start, name)) => format!("{name}+{}", pc - start),
            None => "?".to_string(),
        }
    }

    /// The VM's call frames, innermost first (the current pc, then each call instruction that
    /// is waiting for its `exit`), then the invoke stack, outermost first.
    fn backtrace(&self, out: &mut ConsoleOutput<'_>) {
        let pc = self.vm.pc();
        outputln!(
            out,
            "#0 pc {pc} ({:#x}) in {}",
            self.pc_address(),
            self.function_at(pc)
        );
        for (number, frame) in self.vm.call_frames().iter().rev().enumerate() {
            // A call is one slot: the caller's call instruction is just before the return pc.
            let call = usize::try_from(frame.return_pc.saturating_sub(1)).unwrap_or(usize::MAX);
            outputln!(
                out,
                "#{} pc {call} ({:#x}) in {}, r10 = {:#x}",
                number + 1,
                self.address_of(call),
                self.function_at(call),
                frame.frame_pointer
            );
        }
        let stack = &self.options.invoke_stack;
        if stack.is_empty() {
            outputln!(out, "invoke depth 1: the program (not run by a runtime)");
        }
        for (index, program) in stack.iter().enumerate() {
            let here = if index + 1 == stack.len() {
                " (running)"
            } else {
                ""
            };
            outputln!(out, "invoke depth {}: {program}{here}", index + 1);
        }
    }

    /// Compute units: the meter counts one per instruction plus what syscalls charged.
    fn compute_units(&self, out: &mut ConsoleOutput<'_>) {
        let used = self.vm.instruction_count();
        let remaining = self.vm.remaining_budget();
        outputln!(
            out,
            "compute units used: {used}; remaining: {remaining} (of {} when the program started)",
            used.saturating_add(remaining)
        );
    }

    fn record_info(&self, out: &mut ConsoleOutput<'_>) {
        let history = &self.history;
        if !history.is_enabled() {
            outputln!(out, "recording: off (monitor record on starts it)");
            return;
        }
        let (checkpoints, bytes) = history.size();
        outputln!(out, "recording: on");
        outputln!(
            out,
            "position: {} of {} recorded instructions (the record starts at {})",
            history.position(),
            history.present(),
            history.beginning()
        );
        outputln!(
            out,
            "checkpoints: {checkpoints}, holding {bytes} bytes of memory pages"
        );
    }

    fn reverse_steps(&mut self, count: u64, out: &mut ConsoleOutput<'_>) {
        let stop = self.step_back_by(count);
        self.say_where(&stop, out);
    }

    /// Where a move backwards stopped, and why.
    fn say_where(&self, stop: &Stop, out: &mut ConsoleOutput<'_>) {
        let why = match stop {
            SingleThreadStopReason::SwBreak(()) => "at a breakpoint".to_string(),
            SingleThreadStopReason::Watch { addr, .. } => {
                format!("before an access to watched memory at {addr:#x}")
            }
            SingleThreadStopReason::ReplayLog { .. } => "at the start of the record".to_string(),
            _ => "stepped back".to_string(),
        };
        outputln!(
            out,
            "{why}: pc {} ({:#x}) in {}, position {}",
            self.vm.pc(),
            self.pc_address(),
            self.function_at(self.vm.pc()),
            self.history.position()
        );
        // Clients keep the registers they read before a monitor command (lldb does): here
        // they are as they are now.
        let registers = self.vm.registers();
        let shown: Vec<String> = registers
            .iter()
            .enumerate()
            .map(|(index, value)| format!("r{index}={value:#x}"))
            .collect();
        outputln!(out, "{}", shown.join(" "));
    }
}
