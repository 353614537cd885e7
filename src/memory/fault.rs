//! What a refused guest access is, in memory's own terms: the access, where, and where the
//! reference says it fell. The VM turns it into its trap (`EbpfError`) or a syscall's error; the
//! report texts live there.

use std::fmt;

/// Whether a memory access reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessType {
    /// A read.
    Load,
    /// A write.
    Store,
}

impl fmt::Display for AccessType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccessType::Load => "load",
            AccessType::Store => "store",
        })
    }
}

/// An access the mapping refused: outside every region, across a region's end, or a store to
/// read-only memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessFault {
    /// Load or store.
    pub access: AccessType,
    /// Guest address.
    pub vaddr: u64,
    /// Bytes accessed.
    pub len: u64,
    /// Where the reference places the address.
    pub place: FaultPlace,
}

/// Where a refused access fell, as the reference reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPlace {
    /// Next to the stack, in a version with fixed frames: the frame the address falls in (-1 is
    /// just below the stack).
    StackFrame(i64),
    /// Elsewhere: `program`, `stack`, `heap`, `input`, `allocated` (another mapped region) or
    /// `unallocated` (no region contains the address).
    Region(&'static str),
}
