//! The gdbstub target: an adapter that drives a [`Vm`] through its public API — registers,
//! `step()`, the memory mapping. What the client set (breakpoints, watchpoints, how to resume)
//! is the client's, shared with the sessions of the programs this one invokes (client.rs).
//! Resuming and breakpoints are their own extensions (resume.rs, breakpoints.rs); the run
//! itself is run.rs.

use super::arch::{Sbpf, SbpfRegId, SbpfRegisters};
use super::shared::{Client, Resume};
use super::DebugOptions;
use crate::isa::table::{lookup, Kind, Source};
use crate::isa::Insn;
use crate::vm::{ContextObject, EbpfError, StopReason, Vm};
use gdbstub::common::{Endianness, Pid, Signal};
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::ext::base::single_register_access::{
    SingleRegisterAccess, SingleRegisterAccessOps,
};
use gdbstub::target::ext::base::singlethread::{SingleThreadBase, SingleThreadResumeOps};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{BreakpointsOps, WatchKind};
use gdbstub::target::ext::host_info::{HostInfo, HostInfoOps, HostInfoResponse};
use gdbstub::target::ext::monitor_cmd::MonitorCmdOps;
use gdbstub::target::ext::process_info::{ProcessInfo, ProcessInfoOps, ProcessInfoResponse};
use gdbstub::target::{Target, TargetError, TargetResult};
use std::io::Write;

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
        EbpfError::Killed => Signal::SIGKILL,
    }
}

impl<'v, 'a, C: ContextObject> DebugTarget<'v, 'a, C> {
    pub(super) fn new(vm: &'v mut Vm<'a, C>, options: &'v DebugOptions, client: Client) -> Self {
        DebugTarget {
            vm,
            options,
            client,
            fault_reported: None,
            callee: false,
            pending_stop: None,
            entry_unreported: false,
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
        let info = lookup(executable.version(), insn.opcode)?;
        let registers = self.vm.registers();
        let base = |register: u8| registers.get(usize::from(register)).copied().unwrap_or(0);
        let offset = insn.off as i64 as u64;
        match info.kind {
            Kind::Load(size) => Some((
                base(insn.src).wrapping_add(offset),
                size.bytes(),
                WatchKind::Read,
            )),
            Kind::Store(size, Source::Imm | Source::Reg) => Some((
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

    /// Runs one instruction, tracing it when asked; `Some` when the program stopped for good.
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
        match self.vm.step() {
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

    /// Guest bytes for the client: through the memory mapping, or (for the text's symbol
    /// addresses, which before V3 are not guest addresses) from the text itself.
    fn read_memory(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        if let Ok(bytes) = self.vm.memory.read_bytes(addr, len as u64) {
            return Some(bytes.to_vec());
        }
        let executable = self.vm.executable();
        let base = executable.symbol_address(0);
        let start = usize::try_from(addr.checked_sub(base)?).ok()?;
        let text = executable.text();
        (start < text.len()).then(|| text[start..(start + len).min(text.len())].to_vec())
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
    fn guard_rail_implicit_sw_breakpoints(&self) -> bool {
        true
    }
}

impl<C: ContextObject> SingleThreadBase for DebugTarget<'_, '_, C> {
    fn read_registers(&mut self, registers: &mut SbpfRegisters) -> TargetResult<(), Self> {
        registers.r = self.vm.registers();
        registers.pc = self.pc_address();
        registers.remaining = self.vm.remaining_budget();
        Ok(())
    }

    fn write_registers(&mut self, registers: &SbpfRegisters) -> TargetResult<(), Self> {
        let pc = self
            .vm
            .executable()
            .pc_at_symbol_address(registers.pc)
            .ok_or(TargetError::NonFatal)?;
        for (index, value) in registers.r.iter().enumerate() {
            self.vm.set_register(index, *value);
        }
        self.vm.set_pc(pc);
        Ok(())
    }

    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, (), Self>> {
        Some(self)
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        if let Some(bytes) = self.read_memory(start, data.len()) {
            data[..bytes.len()].copy_from_slice(&bytes);
            return Ok(bytes.len());
        }
        // A range that runs off the mapped memory: as many bytes as are readable, or an error.
        let mut read = 0;
        while read < data.len() {
            match self.read_memory(start.wrapping_add(read as u64), 1) {
                Some(byte) if byte.len() == 1 => data[read] = byte[0],
                _ => break,
            }
            read += 1;
        }
        if read == 0 {
            return Err(TargetError::NonFatal);
        }
        Ok(read)
    }

    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        let target = self
            .vm
            .memory
            .write_bytes(start, data.len() as u64)
            .map_err(|_| TargetError::NonFatal)?;
        target.copy_from_slice(data);
        Ok(())
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl<C: ContextObject> SingleRegisterAccess<()> for DebugTarget<'_, '_, C> {
    fn read_register(
        &mut self,
        _tid: (),
        register: SbpfRegId,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        let value = match register {
            SbpfRegId::General(index) => self.vm.registers()[usize::from(index)],
            SbpfRegId::Pc => self.pc_address(),
            SbpfRegId::Remaining => self.vm.remaining_budget(),
        };
        let bytes = value.to_le_bytes();
        let len = buf.len().min(8);
        buf[..len].copy_from_slice(&bytes[..len]);
        Ok(len)
    }

    fn write_register(
        &mut self,
        _tid: (),
        register: SbpfRegId,
        value: &[u8],
    ) -> TargetResult<(), Self> {
        // Every register is 8 bytes (arch.rs); any other size is the client's mistake.
        let bytes: [u8; 8] = value.try_into().map_err(|_| TargetError::NonFatal)?;
        let value = u64::from_le_bytes(bytes);
        match register {
            SbpfRegId::General(index) => self.vm.set_register(usize::from(index), value),
            SbpfRegId::Pc => {
                let pc = self
                    .vm
                    .executable()
                    .pc_at_symbol_address(value)
                    .ok_or(TargetError::NonFatal)?;
                self.vm.set_pc(pc);
            }
            // The budget belongs to the host.
            SbpfRegId::Remaining => return Err(TargetError::NonFatal),
        }
        Ok(())
    }
}

impl<C: ContextObject> HostInfo for DebugTarget<'_, '_, C> {
    fn host_info(
        &self,
        write_item: &mut dyn FnMut(&HostInfoResponse<'_>),
    ) -> Result<(), Self::Error> {
        write_item(&HostInfoResponse::Triple(&self.options.host_triple));
        write_item(&HostInfoResponse::Endianness(Endianness::Little));
        write_item(&HostInfoResponse::PointerSize(8));
        Ok(())
    }
}

impl<C: ContextObject> ProcessInfo for DebugTarget<'_, '_, C> {
    fn process_info(
        &self,
        write_item: &mut dyn FnMut(&ProcessInfoResponse<'_>),
    ) -> Result<(), Self::Error> {
        write_item(&ProcessInfoResponse::Pid(Pid::MIN));
        write_item(&ProcessInfoResponse::Triple(&self.options.host_triple));
        write_item(&ProcessInfoResponse::Endianness(Endianness::Little));
        write_item(&ProcessInfoResponse::PointerSize(8));
        Ok(())
    }
}
