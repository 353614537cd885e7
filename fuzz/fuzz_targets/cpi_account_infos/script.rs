//! The scripts both programs run: `tests/data/solana/cpi/programs/cpi_script.asm` executes its
//! instruction data as 48-byte records `[op][a1..a5]`, each argument resolved by its top byte
//! (0 as is, 1 input + low bits, 2 instruction data + low bits). Heap and stack addresses have
//! a zero top byte, so they go as they are.
//!
//! The caller's instruction data is its script followed by the blob:
//!
//! ```text
//! [caller ops (stores, changes)]                    each one or two records
//! [memcpy HEAP  <- data + records_len, blob_len]    the whole blob to the heap
//! [memcpy STACK <- data + records_len, min(blob_len, STACK_COPY)]
//! [invoke_c or invoke_rust r1..r5]
//! [exit_last]                                       exit with the invoke's result
//! [blob bytes]                                      at records_len in the data
//! ```
//!
//! The callee's script is the invoked instruction's data: its targets are fields of its own
//! serialized input, so the harness lays out the callee's input like the caller's and points
//! at what the callee will see. A [`Change`] is the same move for either side: set a data
//! length, transfer lamports, write a data word, as a real program would.

use crate::addresses::{Record, Resolver, HEAP, INPUT, STACK};
use crate::blob::STACK_COPY;
use crate::spec::{CalleeData, CalleeOp, CallerOp, Change, Field, Reg, Target};

/// Script argument tags.
const TAG_INPUT: u64 = 1 << 56;
const TAG_DATA: u64 = 2 << 56;

// Script ops.
const OP_EXIT: u64 = 0;
const OP_STORE64: u64 = 1;
const OP_STORE8: u64 = 2;
const OP_INVOKE_C: u64 = 3;
const OP_INVOKE_RUST: u64 = 4;
const OP_LOG: u64 = 6;
const OP_SET_RETURN_DATA: u64 = 7;
const OP_ADD64: u64 = 11;
const OP_EXIT_LAST: u64 = 13;
const OP_MEMCPY: u64 = 14;

impl Change {
    fn script(&self, records: &[Record]) -> Vec<u8> {
        let at = |position: u8, field: Field, offset: u64| {
            let addr = if records.is_empty() {
                INPUT
            } else {
                records[usize::from(position) % records.len()].field(field)
            };
            TAG_INPUT | (addr.wrapping_add(offset).wrapping_sub(INPUT) & ((1 << 56) - 1))
        };
        match *self {
            Change::SetLen(position, len) => record(
                OP_STORE64,
                [at(position, Field::DataLen, 0), u64::from(len), 0, 0, 0],
            ),
            Change::Transfer(from, to, amount) => {
                let mut script = record(
                    OP_ADD64,
                    [
                        at(from, Field::Lamports, 0),
                        u64::from(amount).wrapping_neg(),
                        0,
                        0,
                        0,
                    ],
                );
                script.extend(record(
                    OP_ADD64,
                    [at(to, Field::Lamports, 0), u64::from(amount), 0, 0, 0],
                ));
                script
            }
            Change::Fill(position, offset, value) => record(
                OP_STORE64,
                [
                    at(position, Field::Data, u64::from(offset)),
                    value & ((1 << 56) - 1),
                    0,
                    0,
                    0,
                ],
            ),
        }
    }
}

fn record(op: u64, args: [u64; 5]) -> Vec<u8> {
    std::iter::once(op)
        .chain(args)
        .flat_map(u64::to_le_bytes)
        .collect()
}

/// The callee's script: its targets are offsets into its own input (tag 1).
pub fn callee_data(data: &CalleeData, records: &[Record]) -> Vec<u8> {
    let ops = match data {
        CalleeData::Raw(bytes) => return bytes.clone(),
        CalleeData::Script(ops) => ops,
    };
    let target = |target: &Target| {
        let addr = if records.is_empty() {
            INPUT
        } else {
            records[usize::from(target.position) % records.len()].field(target.field)
        };
        let addr = addr.wrapping_add_signed(i64::from(target.delta));
        TAG_INPUT | (addr.wrapping_sub(INPUT) & ((1 << 56) - 1))
    };
    let mut script = Vec::new();
    for op in ops.iter().take(16) {
        script.extend(match op {
            CalleeOp::Store64(t, value) => {
                record(OP_STORE64, [target(t), *value & ((1 << 56) - 1), 0, 0, 0])
            }
            CalleeOp::Store8(t, value) => {
                record(OP_STORE8, [target(t), u64::from(*value), 0, 0, 0])
            }
            CalleeOp::Add64(t, value) => record(OP_ADD64, [target(t), *value, 0, 0, 0]),
            CalleeOp::Log(t, len) => record(OP_LOG, [target(t), u64::from(*len), 0, 0, 0]),
            CalleeOp::ReturnData(t, len) => {
                record(OP_SET_RETURN_DATA, [target(t), u64::from(*len), 0, 0, 0])
            }
            CalleeOp::Exit(code) => record(OP_EXIT, [u64::from(*code), 0, 0, 0, 0]),
            CalleeOp::Change(change) => change.script(records),
        });
    }
    script.extend(record(OP_EXIT, [0; 5]));
    script
}

/// The registers of the invoke: the harness's own value for each (the instruction, the infos
/// and their count, the signer seeds and their count) or, when the case says so, a hint.
pub fn registers(regs: &[Reg; 5], auto: [u64; 5], resolve: &Resolver) -> [u64; 5] {
    let mut args = [0u64; 5];
    for (arg, (reg, auto)) in args.iter_mut().zip(regs.iter().zip(auto)) {
        *arg = match reg {
            Reg::Auto => auto,
            // Absolute addresses have a zero top byte: the script takes them as they are.
            Reg::Ptr(ptr) => resolve.ptr(*ptr),
        };
    }
    args
}

/// The caller's script: its stores, copy the blob, invoke, exit with the result.
pub fn caller_script(
    stores: &[CallerOp],
    rust: bool,
    args: [u64; 5],
    blob: &[u8],
    resolve: &Resolver,
) -> Vec<u8> {
    let mut script = Vec::new();
    for op in stores {
        script.extend(match *op {
            CallerOp::Change(ref change) => change.script(resolve.records),
            CallerOp::Store(position, field, delta, value) => {
                let addr = resolve
                    .record(position)
                    .field(field)
                    .wrapping_add_signed(i64::from(delta));
                let arg = TAG_INPUT | (addr.wrapping_sub(INPUT) & ((1 << 56) - 1));
                record(OP_STORE64, [arg, value & ((1 << 56) - 1), 0, 0, 0])
            }
        });
    }
    let records_len = script.len() + 4 * 48;
    let blob_arg = TAG_DATA | records_len as u64;
    let blob_len = blob.len() as u64;
    script.extend(record(OP_MEMCPY, [HEAP, blob_arg, blob_len, 0, 0]));
    let stack_len = blob_len.min(STACK_COPY as u64);
    script.extend(record(OP_MEMCPY, [STACK, blob_arg, stack_len, 0, 0]));
    let invoke = if rust { OP_INVOKE_RUST } else { OP_INVOKE_C };
    script.extend(record(invoke, args));
    script.extend(record(OP_EXIT_LAST, [0; 5]));
    debug_assert_eq!(script.len(), records_len);
    script.extend_from_slice(blob);
    script
}
