//! The gdbstub target: an adapter that drives a [`Vm`] through its public API — registers,
//! `step()`, the memory mapping. What the client set (breakpoints, watchpoints, how to resume)
//! is the client's, shared with the sessions of the programs this one invokes (client.rs).
//!
//! This file holds the target itself, the extensions it offers and what they share (the pc as
//! an address, the next access, a step, the signal of a fault); each extension is its own file,
//! named as gdbstub names it, as gdbstub's own examples are laid out:
//!
//! ```text
//!   base.rs                    registers (g/G) and memory (m/M)
//!   single_register_access.rs  one register (p/P)
//!   resume.rs                  continue and single step (vCont)
//!   breakpoints.rs             software breakpoints and watchpoints (Z/z)
//!   monitor.rs                 monitor commands (qRcmd)
//!   host_info.rs               qHostInfo (lldb)
//!   process_info.rs            qProcessInfo (lldb)
//!   lldb_register_info.rs      qRegisterInfo (lldb)
//! ```
//!
//! The run between two stops is run.rs.

use super::arch::Sbpf;
use super::history::History;
use super::marks::Marks;
use super::shared::{Client, Resume};
use super::DebugOptions;
use crate::isa::table::{lookup, Kind, Source};
use crate::isa::Insn;
use crate::vm::{ContextObject, EbpfError, StopReason, Vm};
use gdbstub::common::Signal;
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{BreakpointsOps, WatchKind};
use gdbstub::target::ext::host_info::HostInfoOps;
use gdbstub::target::ext::lldb_register_info_override::LldbRegisterInfoOverrideOps;
use gdbstub::target::ext::monitor_cmd::MonitorCmdOps;
use gdbstub::target::ext::process_info::ProcessInfoOps;
use gdbstub::target::Target;
use std::io::Write;

/// A stop to report to the client.
pub(super) type Stop = SingleThreadStopReason<u64>;

/// The debugger's view of one run.
pub struct DebugTarget<'v, 'a, C: ContextObject> {
    pub(super) vm: &'v mut Vm<'a, C>,
    pub(super) options: &'v DebugOptions,
    /// The client, and what it set (client.rs).
    pub(super) client: Client,
    /// A fault was reported as a signal; the next resume reports the process terminated.
    pub(super) fault_reported: Option<Signal>,
    /// The VM is an invoked program's: its end is not reported (the caller goes on).
    pub(super) callee: bool,
    /// The stop the next run reports before running anything (a step into a callee).
    pub(super) pending_stop: Option<SingleThreadStopReason<u64>>,
    /// Nothing was reported at the current instruction yet (a callee's first), so a
    /// breakpoint there hits when the run starts.
    pub(super) entry_unreported: bool,
    /// The run's recorded past, for going back (history.rs).
    pub(super) history: History,
    /// Where the engine stops between stops (marks.rs, until_marked.rs).
    pub(super) marks: Marks,
}

/// The signal a fault is reported as.
pub(super) fn signal_of(error: &EbpfError) -> Signal {
    match error {
        EbpfError::AccessViolation { .. }
        | EbpfError::StackAccessViolation { .. }
        | EbpfError::CallDepthExceeded
        | EbpfError::CallOutsideTextSegment
        | EbpfError::ExecutionOverrun => Signal::SIGSEGV,
        EbpfError::DivideByZero | EbpfError::DivideOverflow => Signal::SIGFPE,
        EbpfError::InvalidInstruction | EbpfError::UnsupportedInstruction => Signal::SIGILL,
        EbpfError::ExceededMaxInstructions => Signal::SIGXCPU,
        EbpfError::SyscallError { .. } | EbpfError::JitCompileFailed { .. } => Signal::SIGABRT,
        EbpfError::Aborted { .. } => Signal::SIGKILL,
    }
}

impl<'v, 'a, C: ContextObject> DebugTarget<'v, 'a, C> {
    pub(super) fn new(vm: &'v mut Vm<'a, C>, options: &'v DebugOptions, client: Client) -> Self {
        let history = History::start(vm, options.record, options.checkpoint_interval);
        DebugTarget {
            history,
            marks: Marks::default(),
            vm,
            options,
            client,
            fault_reported: None,
            callee: false,
            pending_stop: None,
            entry_unreported: false,
        }
    }

    /// A line on stderr for the person at the debugger, unless notes are off (a closed stderr
    /// must not take the run down: eprintln! would panic).
    pub(super) fn note(&self, message: &str) {
        if self.options.stderr_notes {
            let _ = writeln!(std::io::stderr(), "sbvm debugger: {message}");
        }
    }

    /// How the client last resumed the program.
    pub(super) fn resume(&self) -> Resume {
        self.client.with(|shared| shared.resume)
    }

    /// Whether a breakpoint sits at the current pc.
    pub(super) fn at_breakpoint(&self) -> bool {
        let pc = self.pc_address();
        self.client.with(|shared| shared.breakpoints.contains(&pc))
    }

    /// Whether the client sent Ctrl-C (wire.rs).
    pub(super) fn interrupt_requested(&self) -> std::io::Result<bool> {
        self.client.with(|shared| shared.wire.interrupt_requested())
    }

    /// The address the client sees for instruction `pc`.
    pub(super) fn address_of(&self, pc: usize) -> u64 {
        self.vm.executable().symbol_address(pc)
    }

    /// The current pc as an address.
    pub(super) fn pc_address(&self) -> u64 {
        self.address_of(self.vm.pc())
    }

    /// The guest memory the next instruction reads or writes, if it is a load or store.
    pub(super) fn next_access(&self) -> Option<(u64, u64, WatchKind)> {
        let executable = self.vm.executable();
        let insn = Insn::at(executable.text(), self.vm.pc())?;
        let info = lookup(executable.version(), &insn)?;
        let registers = self.vm.registers();
        let base = |register: u8| registers.get(usize::from(register)).copied().unwrap_or(0);
        let offset = insn.off as i64 as u64;
        match info.kind {
            Kind::Load(size) | Kind::LoadSigned(size) => Some((
                base(insn.src).wrapping_add(offset),
                size.bytes(),
                WatchKind::Read,
            )),
            // An atomic reads and writes; a write watchpoint is what it can trigger first.
            Kind::Store(size, Source::Imm | Source::Reg) | Kind::Atomic(size) => Some((
                base(insn.dst).wrapping_add(offset),
                size.bytes(),
                WatchKind::Write,
            )),
            _ => None,
        }
    }

    /// The watchpoint the next instruction would trigger, as (kind, watched address).
    pub(super) fn watch_hit(&self) -> Option<(WatchKind, u64)> {
        if self.client.with(|shared| shared.watchpoints.is_empty()) {
            return None;
        }
        let (addr, len, access) = self.next_access()?;
        let end = addr.checked_add(len)?;
        self.client.with(|shared| {
            shared.watchpoints.iter().find_map(|watch| {
                let watch_end = watch.addr.saturating_add(watch.len);
                let overlaps = addr < watch_end && watch.addr < end;
                let kind_matches = match watch.kind {
                    WatchKind::Write => access == WatchKind::Write,
                    WatchKind::Read => access == WatchKind::Read,
                    WatchKind::ReadWrite => true,
                };
                (overlaps && kind_matches).then_some((watch.kind, watch.addr))
            })
        })
    }

    /// Runs one instruction forward — live at the present (recording it), or from the record
    /// in the past — tracing it when asked; `Some` when the program stopped for good.
    pub(super) fn step_vm(&mut self) -> Option<SingleThreadStopReason<u64>> {
        if self.client.with(|shared| shared.trace) {
            let executable = self.vm.executable();
            let text = crate::isa::disasm::instruction_text(
                executable.text(),
                self.vm.pc(),
                executable.version(),
            );
            // A closed stderr must not take the run down (eprintln! would panic).
            let _ = writeln!(
                std::io::stderr(),
                "trace {:#x}: {}",
                self.pc_address(),
                text.unwrap_or_default()
            );
        }
        let stopped = if self.history.in_past() {
            match self.history.step_forward(self.vm) {
                Ok(stopped) => stopped,
                Err(unreachable) => {
                    self.note(&format!("replay stopped: {unreachable:?}"));
                    return Some(SingleThreadStopReason::Signal(Signal::SIGTRAP));
                }
            }
        } else {
            let (host_calls, layout) = (self.vm.host_calls(), self.vm.memory.regions_generation());
            let stopped = self.vm.step();
            self.history.ran(self.vm, host_calls, layout);
            stopped
        };
        match stopped {
            StopReason::Stepped => None,
            StopReason::Exited(value) => Some(SingleThreadStopReason::Exited(value as u8)),
            StopReason::Faulted(error) => {
                let signal = signal_of(&error);
                self.fault_reported = Some(signal);
                Some(SingleThreadStopReason::Signal(signal))
            }
        }
    }

    /// The stop to report when the client resumes a run that has already ended.
    pub(super) fn finished_stop(&mut self) -> Option<SingleThreadStopReason<u64>> {
        match self.vm.outcome()? {
            Ok(value) => Some(SingleThreadStopReason::Exited(*value as u8)),
            Err(error) => Some(SingleThreadStopReason::Terminated(
                self.fault_reported.unwrap_or_else(|| signal_of(error)),
            )),
        }
    }
}

impl<C: ContextObject> Target for DebugTarget<'_, '_, C> {
    type Arch = Sbpf;
    type Error = &'static str;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }
    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
    fn support_monitor_cmd(&mut self) -> Option<MonitorCmdOps<'_, Self>> {
        Some(self)
    }
    fn support_host_info(&mut self) -> Option<HostInfoOps<'_, Self>> {
        Some(self)
    }
    fn support_process_info(&mut self) -> Option<ProcessInfoOps<'_, Self>> {
        Some(self)
    }
    fn support_lldb_register_info_override(
        &mut self,
    ) -> Option<LldbRegisterInfoOverrideOps<'_, Self>> {
        Some(self)
    }
    fn guard_rail_implicit_sw_breakpoints(&self) -> bool {
        true
    }
}
