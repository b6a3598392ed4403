//! Text measurement, truncation and wrapping, so layouts never run text off a label.
//!
//! Widths are the Adobe AFM metrics of Helvetica and Helvetica-Bold (per 1000 em), which the
//! PDFs use and which Zebra's scalable font 0 (CG Triumvirate) closely follows.

/// Helvetica advance widths for ASCII 0x20..=0x7E.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // sp ! " # $ % & ' ( ) * + , - . /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // : ; < = > ? @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A-M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N-Z
    278, 278, 278, 469, 556, 333, // [ \ ] ^ _ `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a-m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n-z
    334, 260, 334, 584, // { | } ~
];

/// Helvetica-Bold advance widths for ASCII 0x20..=0x7E.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, //
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, //
    333, 333, 584, 584, 584, 611, 975, //
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, //
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, //
    333, 278, 333, 584, 556, 333, //
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, //
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, //
    389, 280, 389, 584, //
];

/// Width of `text` in mm at font size `size_mm` (the em).
pub fn width_mm(text: &str, size_mm: f32, bold: bool) -> f32 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let units: u32 = text
        .chars()
        .map(|c| {
            let i = c as u32;
            if (0x20..=0x7E).contains(&i) {
                u32::from(table[(i - 0x20) as usize])
            } else {
                // Accented letters are as wide as their base letter, near enough.
                556
            }
        })
        .sum();
    units as f32 / 1000.0 * size_mm
}

/// `text` cut to fit `max_mm`, ending in "..." when cut.
pub fn truncate(text: &str, max_mm: f32, size_mm: f32, bold: bool) -> String {
    if width_mm(text, size_mm, bold) <= max_mm {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if width_mm(&format!("{out}..."), size_mm, bold) > max_mm {
            out.pop();
            break;
        }
    }
    format!("{}...", out.trim_end())
}

/// Wraps `text` at spaces into at most `max_lines` lines of `max_mm`; the last line is
/// truncated if text remains. Words longer than a line are cut.
pub fn wrap(text: &str, max_mm: f32, size_mm: f32, bold: bool, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let candidate = if current.is_empty() {
            words[i].to_string()
        } else {
            format!("{current} {}", words[i])
        };
        if width_mm(&candidate, size_mm, bold) <= max_mm {
            current = candidate;
            i += 1;
            continue;
        }
        if current.is_empty() {
            // A single word wider than the line: cut it.
            lines.push(truncate(words[i], max_mm, size_mm, bold));
            i += 1;
        } else {
            lines.push(std::mem::take(&mut current));
        }
        if lines.len() == max_lines {
            break;
        }
    }
    if lines.len() < max_lines && !current.is_empty() {
        lines.push(current);
    } else if i < words.len() || !current.is_empty() {
        // Text left over: mark the last line as cut.
        if let Some(last) = lines.last_mut() {
            let rest = words[i.min(words.len())..].join(" ");
            let joined = format!("{last} {current} {rest}");
            *last = truncate(joined.trim(), max_mm, size_mm, bold);
            if !last.ends_with("...") {
                *last = truncate(&format!("{last} ..."), max_mm, size_mm, bold);
            }
        }
    }
    lines.truncate(max_lines.max(1));
    lines
}

/// Text the PDF's built-in fonts can show: they are WinAnsi (Latin-1-like), which lacks the
/// macron vowels of te reo Māori, so those lose the macron rather than turning into "?".
pub fn pdf_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ā' => 'a',
            'ē' => 'e',
            'ī' => 'i',
            'ō' => 'o',
            'ū' => 'u',
            'Ā' => 'A',
            'Ē' => 'E',
            'Ī' => 'I',
            'Ō' => 'O',
            'Ū' => 'U',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn digits_are_half_an_em() {
        assert!((width_mm("0000", 10.0, false) - 22.24).abs() < 0.01);
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let t = truncate(
            "A very long product name that will not fit",
            30.0,
            4.0,
            false,
        );
        assert!(t.ends_with("..."));
        assert!(width_mm(&t, 4.0, false) <= 30.0);
    }

    #[test]
    fn wrapping_keeps_to_the_line_count_and_width() {
        let lines = wrap(
            "Flat white coffee cups 8oz sleeve of fifty with lids and stirrers",
            40.0,
            4.0,
            true,
            2,
        );
        assert_eq!(lines.len(), 2);
        assert!(
            lines.iter().all(|l| width_mm(l, 4.0, true) <= 40.0),
            "{lines:?}"
        );
        assert!(lines[1].ends_with("..."));
    }

    #[test]
    fn short_text_wraps_to_one_line() {
        assert_eq!(wrap("Tea", 40.0, 4.0, false, 3), vec!["Tea"]);
    }

    #[test]
    fn macrons_become_plain_vowels_for_pdf() {
        assert_eq!(pdf_safe("Tāmaki Makaurau"), "Tamaki Makaurau");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn wrapped_lines_always_fit(s in "\\PC{0,80}", width in 5.0f32..80.0, lines in 1usize..4) {
            for l in wrap(&s, width, 3.0, false, lines) {
                prop_assert!(width_mm(&l, 3.0, false) <= width + 0.001 || l.chars().count() <= 4, "{l:?}");
            }
        }
    }
}
