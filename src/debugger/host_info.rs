//! `qHostInfo`, gdbstub's (lldb) host-info extension: the triple of
//! [`DebugOptions::host_triple`], little-endian, 8-byte pointers. Stock lldb knows no sBPF
//! triple and reads the registers of a triple it does not know as big-endian, so the triple is a
//! little-endian one it knows, there only to carry the byte order (module docs of the debugger).
//! process_info.rs answers `qProcessInfo` with the same facts.
//!
//! [`DebugOptions::host_triple`]: super::DebugOptions::host_triple

use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::common::Endianness;
use gdbstub::target::ext::host_info::{HostInfo, HostInfoResponse};

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
