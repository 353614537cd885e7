//! `qProcessInfo`, gdbstub's (lldb) process-info extension: one process (the lowest pid) with
//! the facts `qHostInfo` gives (host_info.rs says why the triple is a host's).

use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::common::{Endianness, Pid};
use gdbstub::target::ext::process_info::{ProcessInfo, ProcessInfoResponse};

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
