//! The thresholds of `check -w/-c`: ranges in the syntax of the Monitoring Plugins
//! development guidelines, applied to the number of instances not connected.
//!
//! | range   | alert when the count is      |
//! |---------|------------------------------|
//! | `10`    | outside 0 to 10 (above 10)   |
//! | `10:`   | below 10                     |
//! | `~:10`  | above 10                     |
//! | `10:20` | outside 10 to 20             |
//! | `@10:20`| inside 10 to 20, ends included |
//!
//! Each end may also be a share of the fleet, `20%`, turned into a count for the fleet at
//! hand.

/// One end of a range: a number of instances, or a share of the fleet in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    Count(f64),
    Percent(f64),
}

impl End {
    fn parse(text: &str) -> Option<End> {
        let (number, percent) = match text.strip_suffix('%') {
            Some(number) => (number, true),
            None => (text, false),
        };
        let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite())?;
        // Text such as "inf" or "1e3" parses as a float but is no count anyone writes.
        if !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        match percent {
            true if value <= 100.0 => Some(End::Percent(value)),
            true => None,
            false => Some(End::Count(value)),
        }
    }

    /// This end as a number of instances, out of `total`.
    fn count(self, total: usize) -> f64 {
        match self {
            End::Count(n) => n,
            End::Percent(p) => p / 100.0 * total as f64,
        }
    }
}

/// A range of counts of instances not connected, and whether to alert inside it or outside.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// `None`: no lower end (`~`).
    start: Option<End>,
    /// `None`: no upper end (`10:`).
    end: Option<End>,
    /// `@`: alert inside the range rather than outside it.
    inside: bool,
}

impl Threshold {
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let shown = crate::output::one_line(text, 40);
        let bad = || {
            format!(
                "`{shown}` is not a threshold range such as 2, 10%, 5:, ~:5, 10:20 or @0:2 (instances not connected)"
            )
        };
        let trimmed = text.trim();
        let (inside, range) = match trimmed.strip_prefix('@') {
            Some(range) => (true, range),
            None => (false, trimmed),
        };
        let (start, end) = match range.split_once(':') {
            Some(("~", end)) => (None, end),
            Some((start, end)) => (Some(End::parse(start).ok_or_else(bad)?), end),
            None => (Some(End::Count(0.0)), range),
        };
        let end = match end {
            "" if range.contains(':') => None,
            end => Some(End::parse(end).ok_or_else(bad)?),
        };
        // Ends in the same unit must be in order; mixed units depend on the fleet's size
        // and are compared when applied.
        if let (Some(End::Count(a)), Some(End::Count(b)))
        | (Some(End::Percent(a)), Some(End::Percent(b))) = (start, end)
        {
            if a > b {
                return Err(format!(
                    "`{shown}` is not a threshold range: its start is above its end"
                ));
            }
        }
        Ok(Threshold { start, end, inside })
    }

    /// Whether `not_connected` of `total` instances calls for an alert.
    pub fn exceeded(self, not_connected: usize, total: usize) -> bool {
        let value = not_connected as f64;
        let above_start = self.start.is_none_or(|s| value >= s.count(total));
        let below_end = self.end.is_none_or(|e| value <= e.count(total));
        let within = above_start && below_end;
        within == self.inside
    }

    /// The range in perfdata, in instances for a fleet of `total`: `10`, `5:`, `~:5`, `@0:2`.
    pub fn perfdata(self, total: usize) -> String {
        let number = |end: End| number(end.count(total));
        let range = match (self.start, self.end) {
            (Some(start), Some(end)) if start.count(total) == 0.0 && !self.inside => number(end),
            (Some(start), end) => {
                format!("{}:{}", number(start), end.map(number).unwrap_or_default())
            }
            (None, end) => format!("~:{}", end.map(number).unwrap_or_default()),
        };
        match self.inside {
            true => format!("@{range}"),
            false => range,
        }
    }
}

/// A perfdata number: an integer without decimals, else at most two.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which counts from 0 to 10, of a fleet of 10, a range alerts on.
    fn alerts(range: &str) -> Vec<usize> {
        let t = Threshold::parse(range).unwrap();
        (0..=10).filter(|n| t.exceeded(*n, 10)).collect()
    }

    #[test]
    fn every_form_of_the_guidelines_alerts_where_they_say() {
        assert_eq!(alerts("3"), vec![4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(alerts("8:"), vec![0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(alerts("~:2"), vec![3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(alerts("2:4"), vec![0, 1, 5, 6, 7, 8, 9, 10]);
        assert_eq!(alerts("@0:2"), vec![0, 1, 2]);
        assert_eq!(alerts("@3"), vec![0, 1, 2, 3]);
        assert_eq!(alerts("30%"), vec![4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(alerts("25%"), vec![3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(alerts("@20%:4"), vec![2, 3, 4]);
        assert_eq!(alerts(" 0 "), vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }

    #[test]
    fn perfdata_gives_the_range_in_instances() {
        let perfdata = |range: &str, total| Threshold::parse(range).unwrap().perfdata(total);
        assert_eq!(perfdata("3", 10), "3");
        assert_eq!(perfdata("25%", 5), "1.25");
        assert_eq!(perfdata("8:", 10), "8:");
        assert_eq!(perfdata("~:2", 10), "~:2");
        assert_eq!(perfdata("2:4", 10), "2:4");
        assert_eq!(perfdata("@0:2", 10), "@0:2");
        assert_eq!(perfdata("@10%:50%", 20), "@2:10");
    }

    #[test]
    fn anything_else_is_refused_with_the_forms_it_takes() {
        let forms = "is not a threshold range such as 2, 10%, 5:, ~:5, 10:20 or @0:2 (instances not connected)";
        for bad in [
            "x", "", ":", "~", "@", "101%", "-1", "inf", "1e3", "2::3", "1:x", "~:~", "%",
        ] {
            assert_eq!(
                Threshold::parse(bad),
                Err(format!("`{bad}` {forms}")),
                "{bad}"
            );
        }
        assert_eq!(
            Threshold::parse("5:2"),
            Err("`5:2` is not a threshold range: its start is above its end".to_owned())
        );
    }

    #[test]
    fn numbers_show_at_most_two_decimals() {
        assert_eq!(number(1.25), "1.25");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(1.0 / 3.0), "0.33");
    }
}
