//! The base operations, gdbstub's `SingleThreadBase`: all registers at once (`g`/`G`) and guest
//! memory (`m`/`M`). A program is one thread; resuming is its own extension (resume.rs), as is
//! reading one register (single_register_access.rs).

use super::arch::SbpfRegisters;
use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::target::ext::base::single_register_access::SingleRegisterAccessOps;
use gdbstub::target::ext::base::singlethread::{SingleThreadBase, SingleThreadResumeOps};
use gdbstub::target::{TargetError, TargetResult};

impl<C: ContextObject> SingleThreadBase for DebugTarget<'_, '_, C> {
    fn read_registers(&mut self, registers: &mut SbpfRegisters) -> TargetResult<(), Self> {
        registers.r = self.vm.registers();
        registers.pc = self.pc_address();
        registers.remaining = self.vm.remaining_budget();
        Ok(())
    }

    fn write_registers(&mut self, registers: &SbpfRegisters) -> TargetResult<(), Self> {
        self.refuse_change_in_past()?;
        let pc = self
            .vm
            .executable()
            .pc_at_symbol_address(registers.pc)
            .ok_or(TargetError::NonFatal)?;
        for (index, value) in registers.r.iter().enumerate() {
            self.vm.set_register(index, *value);
        }
        self.vm.set_pc(pc);
        self.history.changed(self.vm);
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
        self.refuse_change_in_past()?;
        let target = self
            .vm
            .memory
            .write_bytes(start, data.len() as u64)
            .map_err(|_| TargetError::NonFatal)?;
        target.copy_from_slice(data);
        self.history.changed(self.vm);
        Ok(())
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl<C: ContextObject> DebugTarget<'_, '_, C> {
    /// Registers and memory change only at the present: in the recorded past, what follows is
    /// the record, which a change would contradict (history.rs).
    pub(super) fn refuse_change_in_past(&self) -> TargetResult<(), Self> {
        if self.history.in_past() {
            self.note(
                "refused a change of registers or memory in the recorded past: continue \
                 forward to the present first",
            );
            return Err(TargetError::NonFatal);
        }
        Ok(())
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
