//! The values of one series set, packed: most monitoring values are small
//! whole numbers (counts, flags, column indices), so each value takes one
//! code byte that is the value itself when it is a whole number in
//! `-125..=127`; other values follow the codes as an `f32` (when that
//! holds them exactly) or an `f64`. One allocation per set:
//!
//! ```text
//! [n: u32][code × n][offset: u32 × ceil(n / 64)][f32 and f64 values]
//! ```
//!
//! `offset[b]` is where the values of codes `64 b ..` start among the
//! trailing values, so reading value `i` adds up at most 63 code sizes.
//! All numbers are little-endian and read unaligned.

use std::cell::RefCell;

/// The value is in the trailing values, as an `f64`.
const F64: i8 = -128;
/// The value is in the trailing values, as an `f32`.
const F32: i8 = -127;
/// No value (null, NaN or Infinity in the file).
const NONE: i8 = -126;
/// Codes in `SMALL_MIN..=127` are the value itself.
const SMALL_MIN: i8 = -125;

/// Codes per offset entry.
const BLOCK: usize = 64;
const HEADER: usize = 4;

/// Packed values; see the module doc.
#[derive(Clone, Default, PartialEq)]
pub struct PackedValues {
    bytes: Box<[u8]>,
}

fn code_of(v: Option<f64>) -> i8 {
    let Some(x) = v.filter(|x| !x.is_nan()) else {
        return NONE;
    };
    // `as` saturates; the bit comparison keeps -0.0 out of the small codes.
    let c = x as i8;
    if c >= SMALL_MIN && f64::from(c).to_bits() == x.to_bits() {
        c
    } else if f64::from(x as f32).to_bits() == x.to_bits() {
        F32
    } else {
        F64
    }
}

fn trailing_size(code: i8) -> usize {
    match code {
        F64 => 8,
        F32 => 4,
        _ => 0,
    }
}

impl PackedValues {
    /// Pack `values`, in one pass (through this thread's scratch buffers,
    /// then copied into one allocation of the exact size).
    pub fn pack(values: impl IntoIterator<Item = Option<f64>>) -> PackedValues {
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::default();
        }
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => s.pack(values),
            Err(_) => Scratch::default().pack(values),
        })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.bytes
            .first_chunk::<HEADER>()
            .map_or(0, |b| u32::from_le_bytes(*b) as usize)
    }

    /// True when there is no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held (the one allocation).
    pub fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The packed bytes as they are held (the layout of the module doc),
    /// e.g. to store them; [`PackedValues::from_bytes`] takes them back.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Packed values from bytes [`PackedValues::as_bytes`] gave, checked in
    /// one pass over the codes: the count, every offset and the total length
    /// must be what the codes imply. `None` for any other bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<PackedValues> {
        if bytes.is_empty() {
            return Some(PackedValues::default());
        }
        let n = u32::from_le_bytes(*bytes.first_chunk::<HEADER>()?) as usize;
        let codes = bytes.get(HEADER..HEADER.checked_add(n)?)?;
        let offsets_at = HEADER + n;
        let trailing_at = offsets_at.checked_add(4 * n.div_ceil(BLOCK))?;
        let offsets = bytes.get(offsets_at..trailing_at)?;
        let mut trailing = 0usize;
        for (block, at) in codes.chunks(BLOCK).zip(offsets.chunks_exact(4)) {
            let at = u32::from_le_bytes(*at.first_chunk::<4>()?) as usize;
            if at != trailing {
                return None;
            }
            trailing += block.iter().map(|&c| trailing_size(c as i8)).sum::<usize>();
        }
        // An empty set is held as no bytes at all (what `pack` gives).
        (n > 0 && bytes.len() == trailing_at.checked_add(trailing)?).then(|| PackedValues {
            bytes: bytes.into(),
        })
    }

    fn codes(&self) -> &[u8] {
        self.bytes.get(HEADER..HEADER + self.len()).unwrap_or(&[])
    }

    fn trailing_at(&self) -> usize {
        let n = self.len();
        HEADER + n + 4 * n.div_ceil(BLOCK)
    }

    /// Value `i`: `None` for "no value" and past the end.
    pub fn get(&self, i: usize) -> Option<f64> {
        let codes = self.codes();
        let code = *codes.get(i)? as i8;
        if code >= SMALL_MIN {
            return Some(f64::from(code));
        }
        if code == NONE {
            return None;
        }
        let block = i / BLOCK;
        let o = HEADER + codes.len() + 4 * block;
        let start = u32::from_le_bytes(*self.bytes.get(o..o + 4)?.first_chunk::<4>()?) as usize;
        let before: usize = codes[block * BLOCK..i]
            .iter()
            .map(|&c| trailing_size(c as i8))
            .sum();
        read_trailing(&self.bytes, self.trailing_at() + start + before, code)
    }

    /// The values in order.
    pub fn iter(&self) -> PackedIter<'_> {
        PackedIter {
            codes: self.codes().iter(),
            bytes: &self.bytes,
            at: self.trailing_at(),
        }
    }
}

/// The parts of a packed set while it is built.
#[derive(Default)]
struct Scratch {
    codes: Vec<u8>,
    offsets: Vec<u8>,
    trailing: Vec<u8>,
}

impl Scratch {
    fn pack(&mut self, values: impl IntoIterator<Item = Option<f64>>) -> PackedValues {
        self.codes.clear();
        self.offsets.clear();
        self.trailing.clear();
        for v in values {
            if self.codes.len().is_multiple_of(BLOCK) {
                // Fits: more than 4 GiB of values in one snapshot cannot be read.
                let at = u32::try_from(self.trailing.len()).unwrap_or(u32::MAX);
                self.offsets.extend_from_slice(&at.to_le_bytes());
            }
            let code = code_of(v);
            self.codes.push(code as u8);
            let x = v.unwrap_or(f64::NAN);
            match code {
                F64 => self.trailing.extend_from_slice(&x.to_le_bytes()),
                F32 => self.trailing.extend_from_slice(&(x as f32).to_le_bytes()),
                _ => {}
            }
        }
        let n = self.codes.len();
        if n == 0 {
            return PackedValues::default();
        }
        let Ok(n32) = u32::try_from(n) else {
            return PackedValues::default();
        };
        let mut bytes = Vec::with_capacity(HEADER + n + self.offsets.len() + self.trailing.len());
        bytes.extend_from_slice(&n32.to_le_bytes());
        bytes.extend_from_slice(&self.codes);
        bytes.extend_from_slice(&self.offsets);
        bytes.extend_from_slice(&self.trailing);
        PackedValues {
            bytes: bytes.into_boxed_slice(),
        }
    }
}

fn read_trailing(bytes: &[u8], at: usize, code: i8) -> Option<f64> {
    let x = match code {
        F64 => f64::from_le_bytes(*bytes.get(at..)?.first_chunk::<8>()?),
        F32 => f64::from(f32::from_le_bytes(*bytes.get(at..)?.first_chunk::<4>()?)),
        _ => return None,
    };
    Some(x)
}

impl std::fmt::Debug for PackedValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The values of [`PackedValues`] in order.
#[derive(Clone)]
pub struct PackedIter<'a> {
    codes: std::slice::Iter<'a, u8>,
    bytes: &'a [u8],
    /// Where the next trailing value is.
    at: usize,
}

impl Iterator for PackedIter<'_> {
    type Item = Option<f64>;
    #[inline]
    fn next(&mut self) -> Option<Option<f64>> {
        let code = *self.codes.next()? as i8;
        if code >= SMALL_MIN {
            return Some(Some(f64::from(code)));
        }
        let v = read_trailing(self.bytes, self.at, code);
        self.at += trailing_size(code);
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.codes.size_hint()
    }
}

impl ExactSizeIterator for PackedIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(v: Option<f64>) -> Option<u64> {
        v.map(f64::to_bits)
    }

    #[test]
    fn every_kind_of_value_comes_back_bit_for_bit() {
        let mut values = vec![
            Some(0.0),
            Some(-0.0),
            Some(1.0),
            Some(-125.0),
            Some(-126.0),
            Some(127.0),
            Some(128.0),
            Some(0.5),
            Some(0.1),
            Some(1e300),
            Some(-3.25),
            None,
            Some(f64::NAN),
            Some(65536.0),
            Some(f64::MIN_POSITIVE),
        ];
        // Long enough for several offset blocks, with wide values in each.
        for i in 0..300 {
            values.push(Some(match i % 4 {
                0 => i as f64,
                1 => i as f64 / 7.0,
                2 => -(i as f64),
                _ => 0.25 * i as f64,
            }));
        }
        let p = PackedValues::pack(values.iter().copied());
        assert_eq!(p.len(), values.len());
        let expect: Vec<Option<u64>> = values
            .iter()
            .map(|v| bits(v.filter(|x| !x.is_nan())))
            .collect();
        let got: Vec<Option<u64>> = p.iter().map(bits).collect();
        assert_eq!(got, expect);
        for (i, e) in expect.iter().enumerate() {
            assert_eq!(bits(p.get(i)), *e, "value {i}");
        }
        assert_eq!(p.get(values.len()), None);
    }

    #[test]
    fn bytes_come_back_only_when_they_are_what_pack_gives() {
        let values: Vec<Option<f64>> = (0..200)
            .map(|i| match i % 5 {
                0 => None,
                1 => Some(f64::from(i) / 3.0),
                2 => Some(f64::from(i) * 0.5),
                _ => Some(f64::from(i % 100)),
            })
            .collect();
        let p = PackedValues::pack(values.iter().copied());
        let back = PackedValues::from_bytes(p.as_bytes()).expect("valid bytes");
        assert_eq!(back, p);
        assert_eq!(PackedValues::from_bytes(&[]), Some(PackedValues::default()));
        let b = p.as_bytes();
        // Cut short, one byte too many, an empty set spelled out, a changed
        // count, a changed offset, a code that changes the trailing size.
        assert_eq!(PackedValues::from_bytes(&b[..b.len() - 1]), None);
        assert_eq!(PackedValues::from_bytes(&[b, &[0]].concat()), None);
        assert_eq!(PackedValues::from_bytes(&0u32.to_le_bytes()), None);
        let mut wrong = b.to_vec();
        wrong[0] = wrong[0].wrapping_add(1);
        assert_eq!(PackedValues::from_bytes(&wrong), None);
        let mut wrong = b.to_vec();
        wrong[HEADER + 200 + 4] ^= 1;
        assert_eq!(PackedValues::from_bytes(&wrong), None);
        let mut wrong = b.to_vec();
        wrong[HEADER + 3] = F64 as u8;
        assert_eq!(PackedValues::from_bytes(&wrong), None);
        assert_eq!(PackedValues::from_bytes(&b[..3]), None);
    }

    #[test]
    fn small_whole_numbers_take_one_byte() {
        let values: Vec<Option<f64>> = (0..100).map(|i| Some(f64::from(i % 50))).collect();
        let p = PackedValues::pack(values.iter().copied());
        assert_eq!(p.heap_bytes(), HEADER + 100 + 4 * 2);
        let empty = PackedValues::pack(std::iter::empty::<Option<f64>>());
        assert!(empty.is_empty());
        assert_eq!(empty.get(0), None);
        assert_eq!(empty.iter().count(), 0);
    }
}
