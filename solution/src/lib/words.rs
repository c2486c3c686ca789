//! User structures as 32-bit little-endian words: what i386's `struct
//! user_desc`, `struct iovec`, `struct rusage` and `struct shmid64_ds`
//! are, read from and written to byte buffers that user copies fill.

/// Word `i` of `bytes` (bytes `4 * i` to `4 * i + 3`).
pub fn word(bytes: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().expect("four bytes"))
}

/// Writes `words` into `out`, four bytes each; `out` is as long.
pub fn put_words(out: &mut [u8], words: &[u32]) {
    for (chunk, word) in out.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_little_endian() {
        let mut bytes = [0u8; 8];
        put_words(&mut bytes, &[0x0403_0201, 0xdead_beef]);
        assert_eq!(bytes, [1, 2, 3, 4, 0xef, 0xbe, 0xad, 0xde]);
        assert_eq!((word(&bytes, 0), word(&bytes, 1)), (0x0403_0201, 0xdead_beef));
    }
}
