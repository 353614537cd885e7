//! Loads and stores: the address is a register plus the signed offset; every access goes
//! through the memory mapping's checks.

use super::decode::{Code, Op};
use crate::vm::{ContextObject, EbpfError, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// `dst = *(size *)(src + off)`, zero-extended.
    #[inline(always)]
    pub(super) fn load(&mut self, op: &Op) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.src)].wrapping_add(op.offset());
        let value = match op.code {
            Code::Ld1 => u64::from(self.memory.load::<1>(address)?[0]),
            Code::Ld2 => u64::from(u16::from_le_bytes(self.memory.load::<2>(address)?)),
            Code::Ld4 => u64::from(u32::from_le_bytes(self.memory.load::<4>(address)?)),
            _ => u64::from_le_bytes(self.memory.load::<8>(address)?),
        };
        self.state.regs[usize::from(op.dst)] = value;
        Ok(())
    }

    /// `*(size *)(dst + off) = src or imm`, truncated to the size.
    #[inline(always)]
    pub(super) fn store(&mut self, op: &Op) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.dst)].wrapping_add(op.offset());
        let value = match op.code {
            Code::St1Imm | Code::St2Imm | Code::St4Imm | Code::St8Imm => op.imm,
            _ => self.state.regs[usize::from(op.src)],
        };
        let stored = match op.code {
            Code::St1 | Code::St1Imm => self.memory.store::<1>(address, [value as u8]),
            Code::St2 | Code::St2Imm => self
                .memory
                .store::<2>(address, (value as u16).to_le_bytes()),
            Code::St4 | Code::St4Imm => self
                .memory
                .store::<4>(address, (value as u32).to_le_bytes()),
            _ => self.memory.store::<8>(address, value.to_le_bytes()),
        };
        Ok(stored?)
    }
}
