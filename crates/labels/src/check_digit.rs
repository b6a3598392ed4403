//! GS1 check digits (GTIN-8/12/13/14, SSCC-18): weights 3,1,3,1… from the right.
//!
//! The domain crate owns barcode rules; labels only checks that what it is given to print is
//! well-formed, so a mistyped number fails here instead of printing an unscannable label.

/// The check digit for `body` (all digits, without the check digit); None if not digits.
pub fn gs1_check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in body.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += d * if i % 2 == 0 { 3 } else { 1 };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// True when `code` is `len` digits whose last digit is the right check digit.
pub fn is_valid_gs1(code: &str, len: usize) -> bool {
    code.len() == len
        && code.chars().all(|c| c.is_ascii_digit())
        && gs1_check_digit(&code[..len - 1]).map(|d| char::from(b'0' + d)) == code.chars().last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_check() {
        assert_eq!(gs1_check_digit("400638133393"), Some(1)); // 4006381333931
        assert!(is_valid_gs1("4006381333931", 13));
        assert!(!is_valid_gs1("4006381333932", 13));
        assert!(is_valid_gs1("106141411234567897", 18));
    }
}
