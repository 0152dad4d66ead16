//! `Guid` and `RandomString` from a stated seed, so that a simulation is reproducible.
//!
//! Entra draws these from a random source; no offline tool can predict its values. What
//! an offline run can state is their *shape* (a version-4 GUID; a string of the asked
//! length with at least the asked numbers of digits, special characters, capitals and
//! lower-case letters, avoiding the listed characters), so both are drawn from a
//! SplitMix64 generator seeded with the context's seed, and every result computed from
//! them is marked as such. The characters are those of Windows' password-complexity
//! reference that ED-FUNC links: `A`-`Z`, `a`-`z`, `0`-`9` and the specials
//! ``~!@#$%^&*_-+=`|\(){}[]:;"'<>,.?/``.

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0), without modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let r = self.next_u64();
            if r < zone {
                return (r % n) as usize;
            }
        }
    }
}

/// A version-4 GUID in .NET's default `D` format (`00aa00aa-bb11-4c22-9d33-44ee44ee44ee`).
pub fn guid(rng: &mut Rng) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    b[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The special characters of the password-complexity reference.
pub const SPECIALS: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

/// What `RandomString` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomSpec {
    /// Total length (at most 256).
    pub length: usize,
    /// At least this many digits.
    pub numbers: usize,
    /// At least this many special characters.
    pub specials: usize,
    /// At least this many capitals.
    pub capitals: usize,
    /// At least this many lower-case letters.
    pub lower: usize,
    /// Characters never to use.
    pub avoid: String,
}

/// Draws a string that meets `spec`, or says why none can.
pub fn random_string(spec: &RandomSpec, rng: &mut Rng) -> Result<String, String> {
    if spec.length > 256 {
        return Err(format!(
            "RandomString makes at most 256 characters, not {}",
            spec.length
        ));
    }
    let need = spec.numbers + spec.specials + spec.capitals + spec.lower;
    if need > spec.length {
        return Err(format!(
            "RandomString is asked for {need} required characters in a length of {}",
            spec.length
        ));
    }
    let keep =
        |set: &str| -> Vec<char> { set.chars().filter(|c| !spec.avoid.contains(*c)).collect() };
    let digits = keep("0123456789");
    let specials = keep(SPECIALS);
    let capitals = keep("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    let lower = keep("abcdefghijklmnopqrstuvwxyz");
    let mut out: Vec<char> = Vec::with_capacity(spec.length);
    for (set, n, what) in [
        (&digits, spec.numbers, "digits"),
        (&specials, spec.specials, "special characters"),
        (&capitals, spec.capitals, "capitals"),
        (&lower, spec.lower, "lower-case letters"),
    ] {
        if n > 0 && set.is_empty() {
            return Err(format!("CharactersToAvoid leaves no {what} to choose from"));
        }
        for _ in 0..n {
            out.push(set[rng.below(set.len())]);
        }
    }
    let all: Vec<char> = [digits, specials, capitals, lower].concat();
    if all.is_empty() && out.len() < spec.length {
        return Err("CharactersToAvoid leaves no character to choose from".into());
    }
    while out.len() < spec.length {
        out.push(all[rng.below(all.len())]);
    }
    // Fisher-Yates, so the required characters are not all at the front.
    for i in (1..out.len()).rev() {
        let j = rng.below(i + 1);
        out.swap(i, j);
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_version_4_and_seeded() {
        let a = guid(&mut Rng::new(1));
        assert_eq!(a, guid(&mut Rng::new(1)));
        assert_ne!(a, guid(&mut Rng::new(2)));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!("89ab".contains(&a[19..20]));
    }

    #[test]
    fn random_string_meets_its_minimums() {
        let spec = RandomSpec {
            length: 10,
            numbers: 2,
            specials: 2,
            capitals: 2,
            lower: 1,
            avoid: "?,".into(),
        };
        for seed in 0..50 {
            let s = random_string(&spec, &mut Rng::new(seed)).unwrap();
            assert_eq!(s.chars().count(), 10);
            assert!(s.chars().filter(char::is_ascii_digit).count() >= 2);
            assert!(s.chars().filter(|c| SPECIALS.contains(*c)).count() >= 2);
            assert!(s.chars().filter(char::is_ascii_uppercase).count() >= 2);
            assert!(s.chars().filter(char::is_ascii_lowercase).count() >= 1);
            assert!(!s.contains('?') && !s.contains(','));
        }
        let too_many = RandomSpec {
            length: 3,
            numbers: 2,
            specials: 2,
            capitals: 0,
            lower: 0,
            avoid: String::new(),
        };
        assert!(random_string(&too_many, &mut Rng::new(0)).is_err());
    }
}
