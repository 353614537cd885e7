//! Loads and stores: the address is a register plus the signed offset; every access goes
//! through the memory mapping's checks.

use crate::isa::table::AtomicOp;
use crate::program::{Extension, Op, Width};
use crate::vm::{ContextObject, EbpfError, Vm};

impl<C: ContextObject> Vm<'_, C> {
    /// `dst = *(width *)(src + off)`, zero- or (eBPF `ldxs`) sign-extended.
    #[inline(always)]
    pub(super) fn load(
        &mut self,
        op: &Op,
        width: Width,
        extension: Extension,
    ) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.src)].wrapping_add(op.offset());
        let value = self.read(address, width)?;
        self.state.regs[usize::from(op.dst)] = match extension {
            Extension::Sign => sign_extend(value, width),
            Extension::Zero | Extension::Full => value,
        };
        Ok(())
    }

    /// The `width` bytes at `address`, zero-extended.
    #[inline(always)]
    fn read(&mut self, address: u64, width: Width) -> Result<u64, EbpfError> {
        Ok(match width {
            Width::W8 => u64::from(self.memory.load::<1>(address)?[0]),
            Width::W16 => u64::from(u16::from_le_bytes(self.memory.load::<2>(address)?)),
            Width::W32 => u64::from(u32::from_le_bytes(self.memory.load::<4>(address)?)),
            Width::W64 => u64::from_le_bytes(self.memory.load::<8>(address)?),
        })
    }

    /// eBPF `lock`: `[dst + off] ∘= src` at `width`; with `fetch`, the old value (zero-extended)
    /// comes back in `src` — in `r0` for `cmpxchg`, which stores `src` only where the memory
    /// equals `r0` (its low 32 bits for the 32-bit form). A guest runs on one thread, so a
    /// read then a write is atomic; a fault leaves memory and registers as they were.
    #[inline(never)]
    pub(super) fn atomic(
        &mut self,
        op: &Op,
        atomic: AtomicOp,
        fetch: bool,
        width: Width,
    ) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.dst)].wrapping_add(op.offset());
        let operand = self.state.regs[usize::from(op.src)];
        // A store is checked first so that a read-only target faults as a write, as the
        // access is one.
        self.memory
            .prepare_store(address, u64::from(width.bytes()))?;
        let old = self.read(address, width)?;
        let new = match atomic {
            AtomicOp::Add => old.wrapping_add(operand),
            AtomicOp::Or => old | operand,
            AtomicOp::And => old & operand,
            AtomicOp::Xor => old ^ operand,
            AtomicOp::Xchg => operand,
            AtomicOp::Cmpxchg => {
                let expected = self.state.regs[0];
                if truncate(expected, width) == old {
                    operand
                } else {
                    old
                }
            }
        };
        self.store_at(address, width, new)?;
        if fetch {
            let target = if atomic == AtomicOp::Cmpxchg {
                0
            } else {
                op.src
            };
            self.state.regs[usize::from(target)] = old;
        }
        Ok(())
    }

    /// `*(width *)(dst + off) = value`, truncated to the width.
    #[inline(always)]
    pub(super) fn store(&mut self, op: &Op, width: Width, value: u64) -> Result<(), EbpfError> {
        let address = self.state.regs[usize::from(op.dst)].wrapping_add(op.offset());
        self.store_at(address, width, value)
    }

    #[inline(always)]
    fn store_at(&mut self, address: u64, width: Width, value: u64) -> Result<(), EbpfError> {
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

/// `value`'s low `width` bytes, sign-extended.
#[inline(always)]
fn sign_extend(value: u64, width: Width) -> u64 {
    match width {
        Width::W8 => value as u8 as i8 as i64 as u64,
        Width::W16 => value as u16 as i16 as i64 as u64,
        Width::W32 => value as u32 as i32 as i64 as u64,
        Width::W64 => value,
    }
}

/// `value`'s low `width` bytes.
#[inline(always)]
fn truncate(value: u64, width: Width) -> u64 {
    match width {
        Width::W8 => u64::from(value as u8),
        Width::W16 => u64::from(value as u16),
        Width::W32 => u64::from(value as u32),
        Width::W64 => value,
    }
}
