//! Loads and stores: the address is a register plus the signed offset; every access goes
//! through the memory mapping's checks.

use crate::program::{Op, Width};
use crate::vm::{ContextObject, EbpfError, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// `dst = *(width *)(src + off)`, zero-extended.
    #[inline(always)]
    pub(super) fn load(&mut self, op: &Op, width: Width) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.src)].wrapping_add(op.offset());
        let value = match width {
            Width::W8 => u64::from(self.memory.load::<1>(address)?[0]),
            Width::W16 => u64::from(u16::from_le_bytes(self.memory.load::<2>(address)?)),
            Width::W32 => u64::from(u32::from_le_bytes(self.memory.load::<4>(address)?)),
            Width::W64 => u64::from_le_bytes(self.memory.load::<8>(address)?),
        };
        self.state.regs[usize::from(op.dst)] = value;
        Ok(())
    }

    /// `*(width *)(dst + off) = value`, truncated to the width.
    #[inline(always)]
    pub(super) fn store(&mut self, op: &Op, width: Width, value: u64) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.dst)].wrapping_add(op.offset());
        let stored = match width {
            Width::W8 => self.memory.store::<1>(address, [value as u8]),
            Width::W16 => self
                .memory
                .store::<2>(address, (value as u16).to_le_bytes()),
            Width::W32 => self
                .memory
                .store::<4>(address, (value as u32).to_le_bytes()),
            Width::W64 => self.memory.store::<8>(address, value.to_le_bytes()),
        };
        Ok(stored?)
    }
}
