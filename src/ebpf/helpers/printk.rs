//! Helper 6, `bpf_trace_printk(fmt, fmt_size, a1, a2, a3)`, and its formatter.
//!
//! The kernel checks the format (`bpf_bprintf_prepare`, `kernel/bpf/helpers.c`) and then
//! prints it with its own `vsnprintf`; [`format_trace`] does both in one pass and refuses
//! what the kernel refuses, with `-EINVAL`:
//!
//! * the format ends at its first NUL, which must lie within `fmt_size` bytes;
//! * every byte before it is printable ASCII or white space;
//! * at most three conversions (`MAX_TRACE_PRINTK_VARARGS`); `%%` is not one;
//! * a conversion is `%`, then optional flags `0 + - space`, an optional width, then one of:
//!
//! | conversion | argument | printed as |
//! |------------|----------|------------|
//! | `d i` / `ld li lld lli` | low 32 bits, signed / all 64 bits, signed | decimal |
//! | `u` / `lu llu` | low 32 bits / 64 bits | decimal |
//! | `x X` / `lx lX llx llX` | low 32 bits / 64 bits | hex, lower / upper case |
//! | `c` | low 8 bits | that byte |
//! | `s`, `pks`, `pus` | a guest address | the NUL-terminated string there (at most [`MAX_TRACE_STRING`] bytes; unreadable: empty) |
//! | `p`, `pK`, `px`, `ps`, `pS`, `pB` | 64 bits | `0x` and lower-case hex |
//!
//! A string conversion must be followed by the end, white space or punctuation; there may
//! be several (kernels before 5.13 allowed one `%s`, current ones share one 512-byte buffer
//! among the arguments, which [`MAX_TRACE_STRING`] approximates per string). The kernel
//! prints `%p` as a hashed pointer and `%ps %pS %pB` as a symbol; with no kernel behind the
//! pointer we print its value. The kernel's `%pi4 %pI4 %pi6 %pI6` (IP addresses) are not
//! offered: `-EINVAL`. The message is cut at [`MAX_TRACE_MESSAGE`] bytes, the kernel's
//! `MAX_BPRINTF_BUF` less its NUL.
//!
//! The helper returns the bytes of the message (after the cut: the kernel returns the length
//! before it), and the log keeps the message with one trailing newline removed. Bytes that
//! are not UTF-8 (from a `%s` or `%c`) become U+FFFD in the text.

use super::{errno, HelperContext};
use crate::ebpf::maps::errno::EINVAL;
use crate::memory::MemoryMapping;
use crate::vm::SyscallError;

/// Most bytes of a formatted message: the kernel's `MAX_BPRINTF_BUF` (1024) less its NUL.
pub const MAX_TRACE_MESSAGE: usize = 1023;
/// Most bytes a `%s` copies from the guest: the kernel's `MAX_BPRINTF_BIN_ARGS` (512), the
/// room all arguments share, less the NUL.
pub const MAX_TRACE_STRING: usize = 511;

/// Formats `fmt` (its bytes up to a NUL) with `args` as `bpf_trace_printk` does;
/// `read_str(address)` gives the bytes of a `%s` string (`None`: unreadable, printed empty).
/// A format the kernel refuses is `Err(-EINVAL)`.
pub fn format_trace(
    fmt: &[u8],
    args: [u64; 3],
    read_str: impl FnMut(u64) -> Option<Vec<u8>>,
) -> Result<String, i64> {
    format_bytes(fmt, args, read_str).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// [`format_trace`] before the bytes become text.
fn format_bytes(
    fmt: &[u8],
    args: [u64; 3],
    mut read_str: impl FnMut(u64) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, i64> {
    let end = fmt.iter().position(|&byte| byte == 0).ok_or(-EINVAL)?;
    let fmt = fmt.get(..end).unwrap_or_default();
    let mut out = Output::default();
    let mut args = args.into_iter();
    let mut at = 0;
    while let Some(&byte) = fmt.get(at) {
        if !is_print(byte) && !is_space(byte) {
            return Err(-EINVAL);
        }
        at += 1;
        if byte != b'%' {
            out.push(byte);
            continue;
        }
        if fmt.get(at) == Some(&b'%') {
            out.push(b'%');
            at += 1;
            continue;
        }
        let arg = args.next().ok_or(-EINVAL)?;
        let (spec, len) = Spec::parse(fmt.get(at..).unwrap_or_default())?;
        at += len;
        spec.print(arg, &mut out, &mut read_str);
    }
    Ok(out.bytes)
}

/// C's `isprint` in the ASCII range.
fn is_print(byte: u8) -> bool {
    (0x20..=0x7e).contains(&byte)
}

/// C's `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// What may follow a string conversion: the end, white space or punctuation.
fn ends_conversion(next: Option<&u8>) -> bool {
    next.is_none_or(|&byte| is_space(byte) || byte.is_ascii_punctuation())
}

/// One conversion: flags, width and what to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    width: usize,
    conversion: Conversion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conversion {
    Integer {
        wide: bool,
        signed: bool,
        radix: Radix,
    },
    Pointer,
    String,
    Char,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Radix {
    Decimal,
    Hex,
    UpperHex,
}

impl Spec {
    /// Reads a conversion from `text` (what follows its `%`): the spec and the bytes it took.
    fn parse(text: &[u8]) -> Result<(Spec, usize), i64> {
        let mut spec = Spec {
            left: false,
            zero: false,
            plus: false,
            space: false,
            width: 0,
            conversion: Conversion::Char,
        };
        let mut at = 0;
        while let Some(&flag) = text.get(at) {
            match flag {
                b'-' => spec.left = true,
                b'0' => spec.zero = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                _ => break,
            }
            at += 1;
        }
        if matches!(text.get(at), Some(b'1'..=b'9')) {
            while let Some(digit @ b'0'..=b'9') = text.get(at).copied() {
                // Wider than the message only pads bytes that are cut anyway.
                spec.width = (spec.width * 10 + usize::from(digit - b'0')).min(MAX_TRACE_MESSAGE);
                at += 1;
            }
        }
        let (conversion, len) = match text.get(at).copied() {
            Some(b'p') => match (text.get(at + 1).copied(), text.get(at + 2).copied()) {
                (Some(b'k' | b'u'), Some(b's')) if ends_conversion(text.get(at + 3)) => {
                    (Conversion::String, 3)
                }
                (Some(b'K' | b'x' | b's' | b'S' | b'B'), _) => (Conversion::Pointer, 2),
                (next, _) if ends_conversion(next.as_ref()) => (Conversion::Pointer, 1),
                _ => return Err(-EINVAL),
            },
            Some(b's') if ends_conversion(text.get(at + 1)) => (Conversion::String, 1),
            Some(b'c') => (Conversion::Char, 1),
            _ => {
                let longs = text.get(at..).unwrap_or_default();
                let wide = longs.first() == Some(&b'l');
                let skip = longs
                    .iter()
                    .take(2)
                    .take_while(|&&byte| byte == b'l')
                    .count();
                let (signed, radix) = match longs.get(skip) {
                    Some(b'd' | b'i') => (true, Radix::Decimal),
                    Some(b'u') => (false, Radix::Decimal),
                    Some(b'x') => (false, Radix::Hex),
                    Some(b'X') => (false, Radix::UpperHex),
                    _ => return Err(-EINVAL),
                };
                let conversion = Conversion::Integer {
                    wide,
                    signed,
                    radix,
                };
                (conversion, skip + 1)
            }
        };
        spec.conversion = conversion;
        Ok((spec, at + len))
    }

    /// Prints `arg` as the spec says.
    fn print(self, arg: u64, out: &mut Output, read_str: &mut impl FnMut(u64) -> Option<Vec<u8>>) {
        match self.conversion {
            Conversion::Integer {
                wide,
                signed,
                radix,
            } => {
                // Without `l` the argument is an `int`: its low 32 bits.
                let (negative, magnitude) = match (wide, signed) {
                    (true, true) => ((arg as i64) < 0, (arg as i64).unsigned_abs()),
                    (false, true) => (
                        (arg as u32 as i32) < 0,
                        u64::from((arg as u32 as i32).unsigned_abs()),
                    ),
                    (true, false) => (false, arg),
                    (false, false) => (false, u64::from(arg as u32)),
                };
                let digits = match radix {
                    Radix::Decimal => magnitude.to_string(),
                    Radix::Hex => format!("{magnitude:x}"),
                    Radix::UpperHex => format!("{magnitude:X}"),
                };
                let sign: &[u8] = match (signed, negative) {
                    (true, true) => b"-",
                    (true, false) if self.plus => b"+",
                    (true, false) if self.space => b" ",
                    _ => b"",
                };
                self.pad(out, sign, digits.as_bytes(), self.zero);
            }
            Conversion::Pointer => self.pad(out, b"", format!("{arg:#x}").as_bytes(), false),
            Conversion::String => {
                let bytes = read_str(arg).unwrap_or_default();
                let len = bytes
                    .iter()
                    .position(|&byte| byte == 0)
                    .unwrap_or(bytes.len())
                    .min(MAX_TRACE_STRING);
                self.pad(out, b"", bytes.get(..len).unwrap_or_default(), false);
            }
            Conversion::Char => self.pad(out, b"", &[arg as u8], false),
        }
    }

    /// Writes `prefix` and `body` in a field of the spec's width: spaces before (or after,
    /// left-justified), or zeros between prefix and body.
    fn pad(self, out: &mut Output, prefix: &[u8], body: &[u8], zero: bool) {
        let fill = self
            .width
            .saturating_sub(prefix.len().saturating_add(body.len()));
        if self.left {
            out.extend(prefix);
            out.extend(body);
            out.repeat(b' ', fill);
        } else if zero {
            out.extend(prefix);
            out.repeat(b'0', fill);
            out.extend(body);
        } else {
            out.repeat(b' ', fill);
            out.extend(prefix);
            out.extend(body);
        }
    }
}

/// The message being formatted, cut at [`MAX_TRACE_MESSAGE`] bytes.
#[derive(Debug, Default)]
struct Output {
    bytes: Vec<u8>,
}

impl Output {
    fn room(&self) -> usize {
        MAX_TRACE_MESSAGE.saturating_sub(self.bytes.len())
    }

    fn push(&mut self, byte: u8) {
        if self.room() > 0 {
            self.bytes.push(byte);
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        let take = bytes.len().min(self.room());
        self.bytes
            .extend_from_slice(bytes.get(..take).unwrap_or_default());
    }

    fn repeat(&mut self, byte: u8, count: usize) {
        let take = count.min(self.room());
        self.bytes.resize(self.bytes.len() + take, byte);
    }
}

/// `trace_printk(fmt, fmt_size, a1, a2, a3)`: formats into the context's log; returns the
/// message's length, or `-EINVAL`. The format must be readable for `fmt_size` bytes.
pub(super) fn trace_printk(
    context: &mut HelperContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [fmt, fmt_size, a1, a2, a3] = args;
    if fmt_size == 0 {
        return Ok(errno(-EINVAL));
    }
    let bytes = memory.read_bytes(fmt, fmt_size)?;
    // Only the format up to its NUL is copied out (the size may be large).
    let Some(end) = bytes.iter().position(|&byte| byte == 0) else {
        return Ok(errno(-EINVAL));
    };
    let fmt = bytes.get(..=end).unwrap_or_default().to_vec();
    let memory = &*memory;
    let message = match format_bytes(&fmt, [a1, a2, a3], |address| read_c_string(memory, address)) {
        Ok(message) => message,
        Err(negative) => return Ok(errno(negative)),
    };
    let written = message.len() as u64;
    let kept = message.strip_suffix(b"\n").unwrap_or(&message);
    context.record_log(String::from_utf8_lossy(kept).into_owned());
    Ok(written)
}

/// The NUL-terminated guest string at `address`, at most [`MAX_TRACE_STRING`] bytes of it;
/// `None` if a byte before its end (or the cut) is unreadable, as the kernel's
/// `strncpy_from_kernel_nofault` fails.
fn read_c_string(memory: &MemoryMapping<'_>, address: u64) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    while bytes.len() < MAX_TRACE_STRING {
        let at = address.checked_add(bytes.len() as u64)?;
        match memory.read_bytes(at, 1).ok()?.first().copied()? {
            0 => break,
            byte => bytes.push(byte),
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversion_takes_its_flags_width_and_letters() {
        // The grammar of bpf_bprintf_prepare: [0 +-]* [1-9][0-9]* then the conversion.
        let (spec, len) = Spec::parse(b"-08lld rest").unwrap();
        assert_eq!(len, 6);
        assert!(spec.left && spec.zero && spec.width == 8);
        assert_eq!(
            spec.conversion,
            Conversion::Integer {
                wide: true,
                signed: true,
                radix: Radix::Decimal
            }
        );
        assert_eq!(Spec::parse(b"pK").map(|(_, len)| len), Ok(2));
        assert_eq!(Spec::parse(b"p ").map(|(_, len)| len), Ok(1));
        assert_eq!(Spec::parse(b"pks.").map(|(_, len)| len), Ok(3));
        assert_eq!(Spec::parse(b"s").map(|(_, len)| len), Ok(1));
        assert_eq!(
            Spec::parse(b"99999999999c").map(|(s, _)| s.width),
            Ok(MAX_TRACE_MESSAGE)
        );
        assert_eq!(Spec::parse(b"pz"), Err(-EINVAL));
        assert_eq!(Spec::parse(b""), Err(-EINVAL));
    }
}
