//! `bpf_trace_printk`'s formatting ([`format_trace`]): the kernel's conversions, flags and
//! widths, and the formats it refuses.

use sbvm::ebpf::helpers::{format_trace, MAX_TRACE_MESSAGE};
use sbvm::ebpf::maps::errno::EINVAL;

/// Formats with no guest strings.
fn format(fmt: &str, args: [u64; 3]) -> Result<String, i64> {
    format_trace(format!("{fmt}\0").as_bytes(), args, |_| None)
}

const MIN_I32: u64 = 0xffff_ffff_8000_0000;

#[test]
fn integers_follow_the_length_modifiers() {
    // kernel/bpf/helpers.c bpf_bprintf_prepare: without `l` the argument is an int (its low
    // 32 bits); `l` and `ll` take all 64 (C's printf for the digits).
    assert_eq!(format("%d", [MIN_I32, 0, 0]).as_deref(), Ok("-2147483648"));
    assert_eq!(format("%i", [MIN_I32, 0, 0]).as_deref(), Ok("-2147483648"));
    assert_eq!(
        format("%lld", [MIN_I32, 0, 0]).as_deref(),
        Ok("-2147483648")
    );
    assert_eq!(format("%ld", [u64::MAX, 0, 0]).as_deref(), Ok("-1"));
    assert_eq!(format("%u", [MIN_I32, 0, 0]).as_deref(), Ok("2147483648"));
    assert_eq!(
        format("%llu", [MIN_I32, 0, 0]).as_deref(),
        Ok("18446744071562067968")
    );
    assert_eq!(format("%x", [MIN_I32, 0, 0]).as_deref(), Ok("80000000"));
    assert_eq!(
        format("%llx", [MIN_I32, 0, 0]).as_deref(),
        Ok("ffffffff80000000")
    );
    assert_eq!(format("%lX", [0xabc, 0, 0]).as_deref(), Ok("ABC"));
    assert_eq!(format("%d %u %x", [5, 6, 255]).as_deref(), Ok("5 6 ff"));
}

#[test]
fn flags_and_widths_as_printf() {
    // C printf: `-` left-justifies, `0` pads with zeros after the sign, `+` and ` ` sign.
    assert_eq!(format("[%5d]", [42, 0, 0]).as_deref(), Ok("[   42]"));
    assert_eq!(format("[%-5d]", [42, 0, 0]).as_deref(), Ok("[42   ]"));
    assert_eq!(format("[%05d]", [u64::MAX, 0, 0]).as_deref(), Ok("[-0001]"));
    assert_eq!(format("[%+d|% d]", [7, 7, 0]).as_deref(), Ok("[+7| 7]"));
    assert_eq!(
        format("[%08llx]", [0xbeef, 0, 0]).as_deref(),
        Ok("[0000beef]")
    );
}

#[test]
fn strings_chars_pointers_and_percent() {
    let text = |address: u64| (address == 0x1000).then(|| b"world".to_vec());
    let fmt = b"hello %s!\0";
    assert_eq!(
        format_trace(fmt, [0x1000, 0, 0], text).as_deref(),
        Ok("hello world!")
    );
    // An unreadable string prints empty (bpf_bprintf_prepare: copy fails → "").
    assert_eq!(
        format_trace(fmt, [0x2000, 0, 0], text).as_deref(),
        Ok("hello !")
    );
    assert_eq!(
        format("%c%c", [0x4f, 0x14b, 0]).as_deref(),
        Ok("OK"),
        "low byte"
    );
    assert_eq!(format("100%%", [0, 0, 0]).as_deref(), Ok("100%"));
    // %% takes no argument: three conversions and two %% are fine.
    assert_eq!(format("%%%d%%%d%d", [1, 2, 3]).as_deref(), Ok("%1%23"));
    // The kernel hashes %p; with no kernel behind it we print the value.
    assert_eq!(format("%p", [0xdead, 0, 0]).as_deref(), Ok("0xdead"));
    assert_eq!(format("%px %pK.", [1, 2, 0]).as_deref(), Ok("0x1 0x2."));
    let both = |address: u64| Some(format!("s{address}").into_bytes());
    assert_eq!(
        format_trace(b"%pks,%pus\0", [1, 2, 0], both).as_deref(),
        Ok("s1,s2")
    );
}

#[test]
fn what_the_kernel_refuses() {
    // bpf_bprintf_prepare returns -EINVAL for each of these.
    let einval = Err(-EINVAL);
    assert_eq!(format("%q", [0; 3]), einval, "unknown conversion");
    assert_eq!(format("%d %d %d %d", [0; 3]), einval, "a fourth conversion");
    assert_eq!(format("%lllu", [0; 3]), einval, "three l");
    assert_eq!(format("%.3d", [0; 3]), einval, "no precision");
    assert_eq!(format("%sx", [0; 3]), einval, "%s followed by a letter");
    assert_eq!(
        format("%pi4", [0; 3]),
        einval,
        "IP addresses are not offered"
    );
    assert_eq!(format("%", [0; 3]), einval, "a lone % at the end");
    assert_eq!(format("caf\u{e9}", [0; 3]), einval, "not ASCII");
    assert_eq!(
        format_trace(b"\x01\0", [0; 3], |_| None),
        einval,
        "not printable"
    );
    assert_eq!(format_trace(b"no terminator", [0; 3], |_| None), einval);
    // The format ends at its first NUL; what follows is not looked at.
    assert_eq!(
        format_trace(b"ok\0%q", [0; 3], |_| None).as_deref(),
        Ok("ok")
    );
}

#[test]
fn the_message_is_cut_at_the_kernel_buffer() {
    // MAX_BPRINTF_BUF is 1024 bytes with the NUL.
    let wide = format("%1000d%1000d", [1, 2, 0]).unwrap();
    assert_eq!(wide.len(), MAX_TRACE_MESSAGE);
    assert!(wide.ends_with(' '));
}
