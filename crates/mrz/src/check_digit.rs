//! The ICAO 9303 Part 3 check digit (section 4.9): weights 7, 3, 1 repeated,
//! digits count as themselves, A–Z as 10–35, the filler `<` as 0, sum modulo 10.

/// The numeric value ICAO gives a character, or `None` for characters that
/// may not appear in an MRZ (lower case, punctuation…).
pub fn character_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        '<' => Some(0),
        _ => None,
    }
}

/// The check digit over `text`, or `None` if a character has no ICAO value
/// (then the check cannot be computed and the grammar check reports why).
pub fn compute(text: &str) -> Option<char> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (index, c) in text.chars().enumerate() {
        sum += character_value(c)? * WEIGHTS[index % 3];
    }
    char::from_digit(sum % 10, 10)
}

/// `compute` over several pieces read as one string (composite check digits).
pub fn compute_over(pieces: &[&str]) -> Option<char> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    let mut index = 0usize;
    for piece in pieces {
        for c in piece.chars() {
            sum += character_value(c)? * WEIGHTS[index % 3];
            index += 1;
        }
    }
    char::from_digit(sum % 10, 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_part3_worked_examples() {
        // ICAO 9303 Part 3, 4.9: the date 27 July 1952 "520727" has check digit 3;
        // document number "AB2134<<<" has check digit 5.
        assert_eq!(compute("520727"), Some('3'));
        assert_eq!(compute("AB2134<<<"), Some('5'));
    }

    #[test]
    fn fillers_count_as_zero_and_invalid_characters_refuse() {
        assert_eq!(compute("<<<<<<"), Some('0'));
        assert_eq!(compute(""), Some('0'));
        assert_eq!(compute("ab"), None);
        assert_eq!(compute_over(&["AB21", "34<<<"]), compute("AB2134<<<"));
    }
}
