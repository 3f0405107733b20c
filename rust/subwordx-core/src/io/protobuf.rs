//! A minimal protocol-buffers wire-format reader and writer (proto2 / proto3 encoding), enough
//! for SentencePiece's `ModelProto` ([`super::sentencepiece`]) without a protobuf dependency.
//!
//! A message is read into a flat list of [`Field`]s (number + raw value) in file order; typed
//! readers pick the fields they know and keep the rest, so a file saves back with its unknown
//! fields. Every length is checked against the bytes left before anything is allocated: a
//! truncated or corrupt message is an error, never a panic or a huge allocation.
//!
//! Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. Groups (3, 4) are
//! deprecated and absent from SentencePiece files; they are refused.

/// One field's raw value.
#[derive(Clone, Debug, PartialEq)]
pub enum WireValue {
    Varint(u64),
    Fixed64(u64),
    Bytes(Vec<u8>),
    Fixed32(u32),
}

/// One field of a message, as it was on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub number: u32,
    pub value: WireValue,
}

impl Field {
    pub fn varint(number: u32, v: u64) -> Self {
        Field {
            number,
            value: WireValue::Varint(v),
        }
    }
    /// An `int32` (negative values take ten bytes, as protobuf writes them).
    pub fn int32(number: u32, v: i32) -> Self {
        Self::varint(number, i64::from(v) as u64)
    }
    pub fn bool(number: u32, v: bool) -> Self {
        Self::varint(number, u64::from(v))
    }
    pub fn float(number: u32, v: f32) -> Self {
        Field {
            number,
            value: WireValue::Fixed32(v.to_bits()),
        }
    }
    pub fn bytes(number: u32, v: impl Into<Vec<u8>>) -> Self {
        Field {
            number,
            value: WireValue::Bytes(v.into()),
        }
    }

    /// The value as a varint-encoded integer, or an error naming the field.
    pub fn as_u64(&self) -> Result<u64, String> {
        match self.value {
            WireValue::Varint(v) => Ok(v),
            _ => Err(format!("field {} is not a varint", self.number)),
        }
    }
    /// An `int32`/`enum`: the low 32 bits of the varint, as protobuf reads it.
    pub fn as_i32(&self) -> Result<i32, String> {
        self.as_u64().map(|v| v as u32 as i32)
    }
    pub fn as_bool(&self) -> Result<bool, String> {
        self.as_u64().map(|v| v != 0)
    }
    pub fn as_f32(&self) -> Result<f32, String> {
        match self.value {
            WireValue::Fixed32(v) => Ok(f32::from_bits(v)),
            _ => Err(format!("field {} is not a 32-bit float", self.number)),
        }
    }
    pub fn as_bytes(&self) -> Result<&[u8], String> {
        match &self.value {
            WireValue::Bytes(b) => Ok(b),
            _ => Err(format!("field {} is not length-delimited", self.number)),
        }
    }
    pub fn as_string(&self) -> Result<String, String> {
        let b = self.as_bytes()?;
        String::from_utf8(b.to_vec())
            .map_err(|_| format!("field {} is not valid UTF-8", self.number))
    }
}

/// Reads a varint at `*pos`, advancing it.
fn read_varint(buf: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v: u64 = 0;
    for shift in (0..70).step_by(7) {
        let Some(&b) = buf.get(*pos) else {
            return Err(format!("truncated varint at byte {pos}"));
        };
        *pos += 1;
        if shift == 63 && b > 1 {
            return Err(format!("varint too long at byte {}", *pos - 1));
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(format!("varint too long at byte {pos}"))
}

fn take<'a>(buf: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], String> {
    let end = pos
        .checked_add(n)
        .filter(|&e| e <= buf.len())
        .ok_or_else(|| {
            format!(
                "field of {n} bytes at byte {pos} runs past the end ({} bytes)",
                buf.len()
            )
        })?;
    let s = &buf[*pos..end];
    *pos = end;
    Ok(s)
}

/// Parses a message into its fields, in order.
pub fn parse(buf: &[u8]) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = read_varint(buf, &mut pos)?;
        let number = u32::try_from(key >> 3)
            .ok()
            .filter(|&n| n != 0 && n < (1 << 29))
            .ok_or_else(|| format!("invalid field number {} at byte {pos}", key >> 3))?;
        let value = match key & 7 {
            0 => WireValue::Varint(read_varint(buf, &mut pos)?),
            1 => {
                let b = take(buf, &mut pos, 8)?;
                WireValue::Fixed64(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            }
            2 => {
                let n = read_varint(buf, &mut pos)?;
                let n = usize::try_from(n).map_err(|_| format!("length {n} too large"))?;
                WireValue::Bytes(take(buf, &mut pos, n)?.to_vec())
            }
            5 => {
                let b = take(buf, &mut pos, 4)?;
                WireValue::Fixed32(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
            }
            w => return Err(format!("unsupported wire type {w} for field {number}")),
        };
        fields.push(Field { number, value });
    }
    Ok(fields)
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Writes `fields` in the order given.
pub fn write(fields: &[Field], out: &mut Vec<u8>) {
    for f in fields {
        let wire = match f.value {
            WireValue::Varint(_) => 0,
            WireValue::Fixed64(_) => 1,
            WireValue::Bytes(_) => 2,
            WireValue::Fixed32(_) => 5,
        };
        write_varint(out, (u64::from(f.number) << 3) | wire);
        match &f.value {
            WireValue::Varint(v) => write_varint(out, *v),
            WireValue::Fixed64(v) => out.extend_from_slice(&v.to_le_bytes()),
            WireValue::Bytes(b) => {
                write_varint(out, b.len() as u64);
                out.extend_from_slice(b);
            }
            WireValue::Fixed32(v) => out.extend_from_slice(&v.to_le_bytes()),
        }
    }
}

/// `fields` encoded as one message.
pub fn encode(fields: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    write(fields, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_wire_type() {
        let fields = vec![
            Field::varint(1, 300),
            Field::int32(40, -1),
            Field::float(2, -1.5),
            Field::bytes(3, b"abc".to_vec()),
            Field {
                number: 536_870_911,
                value: WireValue::Fixed64(7),
            },
        ];
        let bytes = encode(&fields);
        assert_eq!(parse(&bytes).unwrap(), fields);
        assert_eq!(parse(&bytes).unwrap()[1].as_i32().unwrap(), -1);
        // -1 as int32 is ten bytes on the wire.
        assert_eq!(encode(&[Field::int32(1, -1)]).len(), 11);
    }

    #[test]
    fn corrupt_input_is_an_error() {
        for bad in [
            &[0x0a, 0x05, b'a'][..],               // length past the end
            &[0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f], // huge length
            &[0x08],                               // missing varint
            &[0x08, 0x80],                         // truncated varint
            &[0x00, 0x01],                         // field number 0
            &[0x0b],                               // group
            &[0x0d, 1, 2],                         // truncated fixed32
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
