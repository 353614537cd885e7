//! Breakpoints and watchpoints, gdbstub's extensions: addresses the client sets, kept by the
//! client (client.rs), so they hold in every program the session follows — each program's text
//! is mapped at the same guest addresses, so a breakpoint hits in whichever program runs there.
//! run.rs checks them between instructions.

use super::shared::Watchpoint;
use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, HwWatchpoint, HwWatchpointOps, SwBreakpoint, SwBreakpointOps, WatchKind,
};
use gdbstub::target::TargetResult;

impl<C: ContextObject> Breakpoints for DebugTarget<'_, '_, C> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl<C: ContextObject> SwBreakpoint for DebugTarget<'_, '_, C> {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        if self.vm.executable().pc_at_symbol_address(addr).is_none() {
            return Ok(false);
        }
        self.client.with(|shared| shared.breakpoints.insert(addr));
        Ok(true)
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.client.with(|shared| shared.breakpoints.remove(&addr)))
    }
}

impl<C: ContextObject> HwWatchpoint for DebugTarget<'_, '_, C> {
    fn add_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: WatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self.client.with(|shared| {
            if len == 0 || shared.watchpoints.len() >= 64 {
                return false;
            }
            shared.watchpoints.push(Watchpoint { addr, len, kind });
            true
        }))
    }

    fn remove_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: WatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self.client.with(|shared| {
            let before = shared.watchpoints.len();
            shared
                .watchpoints
                .retain(|watch| *watch != Watchpoint { addr, len, kind });
            shared.watchpoints.len() != before
        }))
    }
}
