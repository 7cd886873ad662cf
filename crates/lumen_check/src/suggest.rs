//! "Did you mean" suggestions: the closest candidate by edit distance.

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), over chars.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo (at most a third
/// of the name's length, at least one edit; a case-only difference always qualifies).
pub fn best<'c, I>(name: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let limit = (name.chars().count() / 3).max(1);
    let mut found: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = if c.eq_ignore_ascii_case(name) { 0 } else { distance(name, c) };
        if d <= limit && found.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            found = Some((d, c));
        }
    }
    found.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("wrte", "write"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn picks_the_closest_likely_typo() {
        assert_eq!(best("Strng", ["String", "Int", "Bool"]), Some("String"));
        assert_eq!(best("wrte", ["write", "erase"]), Some("write"));
        assert_eq!(best("frobnicate", ["length", "upper"]), None);
        assert_eq!(best("x", ["y"]), Some("y"));
        assert_eq!(best("string", ["String"]), Some("String"));
    }
}
