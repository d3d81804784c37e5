//! RFC 3339 times, as WeChat's shipping rows want them (`2022-12-15T13:29:35.120+08:00`): read without a date
//! library, since this is the only place the table needs one.

pub const RFC3339_EXAMPLE: &str = "2022-12-15T13:29:35.120+08:00";

/// Milliseconds since the Unix epoch of an RFC 3339 date-time (`T` or `t`, `Z`, `z` or `±hh:mm`, any fraction),
/// or None when the text is not one.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = text.get(from..to)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day < 1 || day > month_days[(month - 1) as usize] || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if b[at] == b'.' {
        let digits = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let first3 = format!("{:0<3}", &text[at + 1..at + 1 + digits.min(3)]);
        millis = first3.parse::<i64>().ok()?;
        at += 1 + digits;
    }
    let offset = match &text[at..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && matches!(zone.as_bytes()[0], b'+' | b'-') && zone.as_bytes()[3] == b':' => {
            let (h, m) = (num(at + 1, at + 3)?, num(at + 4, at + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(seconds * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_and_refuses_the_rest() {
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20.000Z"), Some(1_700_000_000_000));
        assert_eq!(parse_rfc3339("2023-11-15T06:13:20.5+08:00"), Some(1_700_000_000_500));
        assert_eq!(parse_rfc3339(RFC3339_EXAMPLE), Some(1_671_082_175_120));
        for bad in ["2023-11-14 22:13:20Z", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z", "1700000000", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+0800"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
