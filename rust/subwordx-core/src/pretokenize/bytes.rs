//! GPT-2's byte-to-char table: how byte-level models write bytes as printable chars.

/// GPT-2's byte-to-char table: printable bytes stand for themselves, the 68 others map to U+0100
/// onward in byte order, so every byte string is a printable string (docs/bpe.md §2).
static BYTES_TO_UNICODE: [char; 256] = build_bytes_to_unicode();

const fn is_printable_byte(b: u32) -> bool {
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)
}

const fn build_bytes_to_unicode() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 0x100u32;
    let mut b = 0u32;
    while b < 256 {
        let code = if is_printable_byte(b) {
            b
        } else {
            next += 1;
            next - 1
        };
        table[b as usize] = match char::from_u32(code) {
            Some(c) => c,
            None => panic!("not a char"),
        };
        b += 1;
    }
    table
}

/// GPT-2's `bytes_to_unicode` table: `bytes_to_unicode()[b]` is the char that stands for byte `b`.
pub fn bytes_to_unicode() -> &'static [char; 256] {
    &BYTES_TO_UNICODE
}

/// The inverse of [`bytes_to_unicode`]: the byte a char stands for, or `None` if it is not one of
/// the 256 byte chars.
pub fn unicode_to_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 256 && is_printable_byte(code) {
        return Some(code as u8);
    }
    // U+0100 + k is the k-th non-printable byte: 0x00..=0x20 (33), 0x7F..=0xA0 (34), then 0xAD.
    let k = code.checked_sub(0x100)?;
    match k {
        0..=32 => Some(k as u8),
        33..=66 => Some((0x7f + (k - 33)) as u8),
        67 => Some(0xad),
        _ => None,
    }
}
