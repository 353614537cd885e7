//! One register at a time, gdbstub's single-register-access extension (`p`/`P`, which lldb
//! uses): the registers of arch.rs by number. The pc is an address the client sees (target.rs);
//! the remaining budget reads but does not write.

use super::arch::SbpfRegId;
use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::target::ext::base::single_register_access::SingleRegisterAccess;
use gdbstub::target::{TargetError, TargetResult};

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
        // Writing back the value a register has changes nothing, in the past too: lldb drops
        // its cached registers after a successful write, the way a user refreshes them after
        // `monitor reverse-step`.
        let unchanged = match register {
            SbpfRegId::General(index) => {
                self.vm.registers().get(usize::from(index)) == Some(&value)
            }
            SbpfRegId::Pc => self.pc_address() == value,
            SbpfRegId::Remaining => false,
        };
        if unchanged {
            return Ok(());
        }
        self.refuse_change_in_past()?;
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
        self.history.changed(self.vm);
        Ok(())
    }
}
