//! Shared by the property tests: small random edits of a real input, so fuzzing reaches past the first check.

use rand::rngs::StdRng;
use rand::Rng;

/// `seed` with 1 to 5 random edits: a byte replaced, removed, or one of `inserts` put in.
pub fn mutate(rng: &mut StdRng, seed: &[u8], inserts: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..rng.gen_range(1..6) {
        if b.is_empty() {
            break;
        }
        let at = rng.gen_range(0..b.len());
        match rng.gen_range(0..3) {
            0 => b[at] = rng.gen(),
            1 => {
                b.remove(at);
            }
            _ => b.insert(at, inserts[rng.gen_range(0..inserts.len())]),
        }
    }
    b
}
