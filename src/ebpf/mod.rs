//! The Linux eBPF dialect (RFC 9669): what runs programs that `clang -target bpf` builds.
//!
//! sBPF grew out of Linux eBPF; the two share the instruction encoding and differ in rules
//! (32-bit results are zero-extended, division by zero is defined, helpers are called by a
//! small id, frames are 512 bytes). The instruction set is rows of the one table
//! ([`crate::isa::table`], available in [`crate::isa::SbpfVersion::Ebpf`]); this part holds
//! what surrounds a program of that dialect:
//!
//! ```text
//!   object   clang's relocatable ELF → programs, maps, global data (ET_REL, BTF, relocations)
//!   maps     hash and array maps whose values live in guest memory, across runs
//!   helpers  the helper functions by id (map access, time, trace_printk, random, cpu)
//!   layout   where text, stack, packet, metadata, data sections and maps sit in guest memory
//! ```

pub mod helpers;
pub mod layout;
pub mod map_def;
pub mod maps;
pub mod object;
pub mod program;
pub mod run;
