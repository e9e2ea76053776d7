//! Japanese phone numbers: validation of what the editors typed, and the
//! `tel:` link (E.164) a phone dials. Numbers are shown as written.

/// Why a phone number is not accepted (the validator turns this into Japanese text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelProblem {
    /// Full-width digits or dash variants: the normalised form is suggested.
    NotAscii { suggestion: String },
    /// Not `0` + digits in 2 or 3 hyphen-separated groups, or the wrong digit count.
    Malformed,
}

/// Checks a number written like `045-000-1234`, `0465-00-1234`, `0120-000-000`,
/// `090-0000-0000`, or a short code `#7119` / `#8000` / `119`.
pub fn check(tel: &str) -> Result<(), TelProblem> {
    if is_short_code(tel) {
        return Ok(());
    }
    let ascii = normalise(tel);
    if ascii != tel {
        return if shape_ok(&ascii) {
            Err(TelProblem::NotAscii { suggestion: ascii })
        } else {
            Err(TelProblem::Malformed)
        };
    }
    if shape_ok(tel) {
        Ok(())
    } else {
        Err(TelProblem::Malformed)
    }
}

fn is_short_code(tel: &str) -> bool {
    let digits = tel.strip_prefix('#').unwrap_or(tel);
    (3..=4).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Full-width digits and the dash look-alikes editors paste (－ ‐ ‑ – — ー) → ASCII.
pub fn normalise(tel: &str) -> String {
    tel.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '‐' | '‑' | '–' | '—' | 'ー' | '−' => '-',
            _ => c,
        })
        .collect()
}

fn shape_ok(tel: &str) -> bool {
    let groups: Vec<&str> = tel.split('-').collect();
    if !(2..=3).contains(&groups.len())
        || groups
            .iter()
            .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let digits: String = groups.concat();
    if !digits.starts_with('0') {
        return false;
    }
    let free_dial = digits.starts_with("0120") || digits.starts_with("0800");
    let mobile_or_ip = ["070", "080", "090", "050"]
        .iter()
        .any(|p| digits.starts_with(p));
    match digits.len() {
        10 => true,
        11 => mobile_or_ip || digits.starts_with("0800"),
        _ => free_dial && digits.len() == 10,
    }
}

/// `tel:` href: E.164 for ordinary numbers (`tel:+81450001234`), percent-encoded `#`
/// for short codes (`tel:%237119`).
pub fn href(tel: &str) -> String {
    let ascii = normalise(tel);
    if let Some(code) = ascii.strip_prefix('#') {
        return format!("tel:%23{code}");
    }
    let digits: String = ascii.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('0') {
        Some(rest) if digits.len() >= 10 => format!("tel:+81{rest}"),
        _ => format!("tel:{digits}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_usual_forms() {
        for ok in [
            "045-000-1234",
            "0465-00-1234",
            "0460-00-0000",
            "090-0000-0000",
            "0120-000-000",
            "#7119",
            "119",
            "#8000",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "45-000-1234",
            "045-000-123",
            "0450001234x",
            "045--1234",
            "phone",
            "45000",
            "045-000-12345",
        ] {
            assert_eq!(check(bad), Err(TelProblem::Malformed), "{bad}");
        }
    }

    #[test]
    fn suggests_ascii_for_full_width() {
        assert_eq!(
            check("０４５－０００－１２３４"),
            Err(TelProblem::NotAscii {
                suggestion: "045-000-1234".into()
            })
        );
    }

    #[test]
    fn hrefs() {
        assert_eq!(href("045-000-1234"), "tel:+81450001234");
        assert_eq!(href("#7119"), "tel:%237119");
        assert_eq!(href("119"), "tel:119");
    }
}
