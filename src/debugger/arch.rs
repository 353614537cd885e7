//! The sBPF architecture as gdbstub sees it: thirteen 64-bit registers, little-endian.
//!
//! | number | name        | what                                             |
//! |--------|-------------|--------------------------------------------------|
//! | 0–9    | r0–r9       | general purpose                                  |
//! | 10     | r10 (`fp`)  | frame pointer                                    |
//! | 11     | pc          | address of the next instruction (see below)      |
//! | 12     | remaining   | instruction budget left (read-only)              |
//!
//! The pc is a byte address: the address the program's ELF symbols use for the instruction
//! (so breakpoints by symbol address work), or the VM address for assembly and raw programs.
//!
//! gdb reads the registers from the target description below; lldb asks for them one by one
//! (`qRegisterInfo`, lldb_register_info.rs).

use gdbstub::arch::{Arch, RegId, Registers};
use std::num::NonZeroUsize;

/// Register values in gdb's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbpfRegisters {
    /// r0–r10.
    pub r: [u64; 11],
    /// The pc as an address.
    pub pc: u64,
    /// Instruction budget left.
    pub remaining: u64,
}

impl Registers for SbpfRegisters {
    type ProgramCounter = u64;

    fn pc(&self) -> u64 {
        self.pc
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        for value in self.r.iter().chain([&self.pc, &self.remaining]) {
            for byte in value.to_le_bytes() {
                write_byte(Some(byte));
            }
        }
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if bytes.len() != 13 * 8 {
            return Err(());
        }
        let mut values = bytes.chunks_exact(8).map(|chunk| {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            u64::from_le_bytes(word)
        });
        for slot in self.r.iter_mut() {
            *slot = values.next().ok_or(())?;
        }
        self.pc = values.next().ok_or(())?;
        self.remaining = values.next().ok_or(())?;
        Ok(())
    }
}

/// One register, by gdb number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbpfRegId {
    /// r0–r10.
    General(u8),
    /// The pc.
    Pc,
    /// The remaining budget.
    Remaining,
}

impl RegId for SbpfRegId {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        let register = match id {
            0..=10 => SbpfRegId::General(id as u8),
            11 => SbpfRegId::Pc,
            12 => SbpfRegId::Remaining,
            _ => return None,
        };
        Some((register, NonZeroUsize::new(8)))
    }
}

/// The architecture.
pub enum Sbpf {}

const TARGET_XML: &str = r#"<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>sbpf</architecture>
  <feature name="org.sbvm.sbpf.core">
    <reg name="r0" bitsize="64" regnum="0" type="uint64" encoding="uint" format="hex" dwarf_regnum="0"/>
    <reg name="r1" bitsize="64" regnum="1" type="uint64" encoding="uint" format="hex" dwarf_regnum="1" generic="arg1"/>
    <reg name="r2" bitsize="64" regnum="2" type="uint64" encoding="uint" format="hex" dwarf_regnum="2" generic="arg2"/>
    <reg name="r3" bitsize="64" regnum="3" type="uint64" encoding="uint" format="hex" dwarf_regnum="3" generic="arg3"/>
    <reg name="r4" bitsize="64" regnum="4" type="uint64" encoding="uint" format="hex" dwarf_regnum="4" generic="arg4"/>
    <reg name="r5" bitsize="64" regnum="5" type="uint64" encoding="uint" format="hex" dwarf_regnum="5" generic="arg5"/>
    <reg name="r6" bitsize="64" regnum="6" type="uint64" encoding="uint" format="hex" dwarf_regnum="6"/>
    <reg name="r7" bitsize="64" regnum="7" type="uint64" encoding="uint" format="hex" dwarf_regnum="7"/>
    <reg name="r8" bitsize="64" regnum="8" type="uint64" encoding="uint" format="hex" dwarf_regnum="8"/>
    <reg name="r9" bitsize="64" regnum="9" type="uint64" encoding="uint" format="hex" dwarf_regnum="9"/>
    <reg name="r10" bitsize="64" regnum="10" type="data_ptr" encoding="uint" format="hex" dwarf_regnum="10" generic="fp" altname="fp"/>
    <reg name="pc" bitsize="64" regnum="11" type="code_ptr" encoding="uint" format="hex" dwarf_regnum="11" generic="pc"/>
    <reg name="remaining" bitsize="64" regnum="12" type="uint64" encoding="uint" format="decimal"/>
  </feature>
</target>
"#;

impl Arch for Sbpf {
    type Usize = u64;
    type Registers = SbpfRegisters;
    /// Any kind: lldb sends the size of a breakpoint instruction of the architecture it thinks
    /// the target is (1 for x86); an sBPF breakpoint is a whole instruction whatever the kind.
    type BreakpointKind = usize;
    type RegId = SbpfRegId;

    fn target_description_xml() -> Option<&'static str> {
        Some(TARGET_XML)
    }
}
